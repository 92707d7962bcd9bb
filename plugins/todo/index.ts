// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// plugd's sample tool plugin: a plan tracker. The model creates a plan, adds
// steps and updates their status; the user runs the command `plan` to see it.
// The plan is kept between calls in linear memory (a StateSlot): run it with
// `threads = 1`. `initialize` takes the config {"max_steps": N} (default 20);
// `shutdown` forgets the plan. Read-only tools are auto-approved.
// Every export is described in README.md.

import { beginCall, logInfo, setOutput } from "../sdk/extism";
import { JsonValue, parseJson } from "../sdk/json";
import {
  readToolCall, readConfigInput, toolDeclaration, userCommand, toolResult, resultText, resultError,
  commandResult, failInput, StateSlot,
} from "../sdk/tools";

const NAME = "todo";
const STATE_BYTES: i32 = 65536;
const STATE: usize = memory.data(65536);
const DEFAULT_MAX_STEPS: i32 = 20;

/** Scalar globals survive calls (only the heap is rewound). */
let maxSteps: i32 = DEFAULT_MAX_STEPS;
let initialized: bool = false;

function state(): StateSlot {
  return new StateSlot(STATE, STATE_BYTES);
}

export function name(): i32 {
  beginCall();
  setOutput(NAME);
  return 0;
}

export function config_schema(): i32 {
  beginCall();
  setOutput('{"type":"object","properties":{"max_steps":{"type":"integer","minimum":1,"maximum":1000,"description":"The most steps a plan may have (default 20)."}},"additionalProperties":false}');
  return 0;
}

export function initialize(): i32 {
  beginCall();
  const input = readConfigInput();
  if (input.error.length > 0) return failInput(input.error);
  const v = input.args.get("max_steps");
  maxSteps = v !== null && v.isNumber() ? <i32>v.asNumber() : DEFAULT_MAX_STEPS;
  initialized = true;
  logInfo("todo: initialize max_steps=" + maxSteps.toString());
  setOutput("");
  return 0;
}

export function shutdown(): i32 {
  beginCall();
  state().clear();
  initialized = false;
  maxSteps = DEFAULT_MAX_STEPS;
  logInfo("todo: shutdown");
  setOutput("");
  return 0;
}

export function system_instructions(): i32 {
  beginCall();
  setOutput(
    "You have a plan tracker. For a task of several steps, call plan_create with a title and the steps, " +
      "then plan_update_step as you start and finish each step (status: pending, in_progress, done, skipped). " +
      "Call plan_status to see the plan.",
  );
  return 0;
}

export function auto_approved_tools(): i32 {
  beginCall();
  setOutput('["plan_status"]');
  return 0;
}

export function tools(): i32 {
  beginCall();
  const list = JsonValue.arr();
  list.push(toolDeclaration(
    "plan_create",
    "Start a new plan (replacing the current one) with a title and optional steps.",
    '{"type":"object","properties":{"title":{"type":"string","minLength":1},"steps":{"type":"array","items":{"type":"string","minLength":1}}},"required":["title"],"additionalProperties":false}',
    false,
  ));
  list.push(toolDeclaration(
    "plan_add_step",
    "Add a step at the end of the current plan.",
    '{"type":"object","properties":{"description":{"type":"string","minLength":1}},"required":["description"],"additionalProperties":false}',
    false,
  ));
  list.push(toolDeclaration(
    "plan_update_step",
    "Set the status of a step of the current plan (steps are numbered from 1).",
    '{"type":"object","properties":{"step":{"type":"integer","minimum":1},"status":{"type":"string","enum":["pending","in_progress","done","skipped"]}},"required":["step","status"],"additionalProperties":false}',
    false,
  ));
  list.push(toolDeclaration(
    "plan_status",
    "Show the current plan and the status of each step.",
    '{"type":"object","properties":{},"additionalProperties":false}',
    true,
  ));
  setOutput(list.stringify());
  return 0;
}

export function user_commands(): i32 {
  beginCall();
  setOutput(JsonValue.arr().push(userCommand("plan", "Show the current plan", true, JsonValue.arr())).stringify());
  return 0;
}

// ---------------------------------------------------------------------------
// The plan: {"title": "...", "steps": [{"description": "...", "status": "pending"}]}

function loadPlan(): JsonValue | null {
  const text = state().read();
  if (text.length == 0) return null;
  return parseJson(text).value;
}

/** Stores the plan; "" or the reason it could not. */
function savePlan(plan: JsonValue): string {
  return state().write(plan.stringify()) ? "" : "the plan is too large to keep (" + STATE_BYTES.toString() + " bytes)";
}

function step(description: string): JsonValue {
  return JsonValue.obj().set("description", JsonValue.str(description)).set("status", JsonValue.str("pending"));
}

function mark(status: string): string {
  if (status == "done") return "[x]";
  if (status == "in_progress") return "[>]";
  if (status == "skipped") return "[-]";
  return "[ ]";
}

function render(plan: JsonValue): string {
  const title = plan.getString("title");
  let out = "Plan: " + (title === null ? "" : title);
  const steps = plan.get("steps")!.asArray();
  let done = 0;
  for (let i = 0; i < steps.length; i++) {
    const status = steps[i].getString("status")!;
    if (status == "done") done++;
    out += "\n" + (i + 1).toString() + ". " + mark(status) + " " + steps[i].getString("description")!;
  }
  out += "\n(" + done.toString() + "/" + steps.length.toString() + " done)";
  return out;
}

// ---------------------------------------------------------------------------
// Tools

export function call_tool(): i32 {
  beginCall();
  const call = readToolCall();
  if (call.error.length > 0) return failInput(call.error);
  if (!initialized) return resultError("the todo plugin is not initialized (expose it first)");
  const args = call.args;

  if (call.name == "plan_create") {
    const title = args.getString("title");
    if (title === null) return resultError("title: expected a string");
    const steps = JsonValue.arr();
    const given = args.get("steps");
    if (given !== null && given.isArray()) {
      const list = given.asArray();
      if (list.length > maxSteps) return resultError("a plan may have at most " + maxSteps.toString() + " steps (max_steps)");
      for (let i = 0; i < list.length; i++) steps.push(step(list[i].asString()));
    }
    const plan = JsonValue.obj().set("title", JsonValue.str(title)).set("steps", steps);
    const err = savePlan(plan);
    if (err.length > 0) return resultError(err);
    return resultText("Created " + render(plan));
  }

  const plan = loadPlan();
  if (call.name == "plan_status") {
    if (plan === null) return toolResult("No plan yet.", false, JsonValue.obj().set("title", JsonValue.nul()).set("steps", JsonValue.arr()));
    return toolResult(render(plan), false, plan);
  }
  if (plan === null) return resultError("there is no plan yet: call plan_create first");
  const steps = plan.get("steps")!;

  if (call.name == "plan_add_step") {
    const description = args.getString("description");
    if (description === null) return resultError("description: expected a string");
    if (steps.length >= maxSteps) return resultError("the plan already has " + maxSteps.toString() + " steps (max_steps)");
    steps.push(step(description));
    const err = savePlan(plan);
    if (err.length > 0) return resultError(err);
    return resultText("Added step " + steps.length.toString() + ". " + render(plan));
  }

  if (call.name == "plan_update_step") {
    const n = args.get("step");
    const status = args.getString("status");
    if (n === null || !n.isNumber() || status === null) return resultError("expected step (an integer) and status (a string)");
    const index = <i32>n.asNumber();
    if (index < 1 || index > steps.length) {
      return resultError("there is no step " + index.toString() + ": the plan has " + steps.length.toString() + " step(s)");
    }
    steps.at(index - 1)!.set("status", JsonValue.str(status));
    const err = savePlan(plan);
    if (err.length > 0) return resultError(err);
    return resultText(render(plan));
  }

  return resultError("unknown tool \"" + call.name + "\"");
}

export function run_command(): i32 {
  beginCall();
  const call = readToolCall("args");
  if (call.error.length > 0) return failInput(call.error);
  if (call.name != "plan") return commandResult("unknown command \"" + call.name + "\"", true);
  const plan = loadPlan();
  return commandResult(plan === null ? "No plan yet." : render(plan), false);
}
