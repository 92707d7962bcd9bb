// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// Helpers for tool plugins (docs/plugin-abi.md, "Tool plugins"): reading a
// `call_tool` / `run_command` input, building MCP-shaped declarations and
// results, and keeping state between calls in a fixed region of linear memory.
//
//   export function call_tool(): i32 {
//     beginCall();
//     const call = readToolCall();          // {name, arguments}
//     if (call.error.length > 0) return failInput(call.error);
//     ...
//     return resultText("done");            // {"content":[{"type":"text","text":"done"}],"isError":false}
//   }

import { readInput, setError, setOutput } from "./extism";
import { JsonValue, parseJson } from "./json";

// ---------------------------------------------------------------------------
// Inputs

/** A parsed `call_tool` or `run_command` input: `{name, arguments}` / `{name, args}`. */
export class ToolCall {
  name: string = "";
  /** The arguments object (never null; `{}` when absent). */
  args: JsonValue = JsonValue.obj();
  /** Non-empty when the input was malformed. */
  error: string = "";
}

/** Reads the input of `call_tool` (`argsKey` "arguments") or `run_command` (`argsKey` "args"). */
export function readToolCall(argsKey: string = "arguments"): ToolCall {
  const out = new ToolCall();
  const r = parseJson(readInput());
  const v = r.value;
  if (v === null) {
    out.error = "invalid input: " + r.error;
    return out;
  }
  if (!v.isObject()) {
    out.error = "invalid input: expected an object, got " + v.kindName();
    return out;
  }
  const name = v.getString("name");
  if (name === null) {
    out.error = "invalid input: name: expected a string";
    return out;
  }
  out.name = name;
  const args = v.get(argsKey);
  if (args !== null && !args.isNull()) {
    if (!args.isObject()) {
      out.error = "invalid input: " + argsKey + ": expected an object, got " + args.kindName();
      return out;
    }
    out.args = args;
  }
  return out;
}

/** Reads the input of `initialize`: the config object (`{}` for null). Null with `error` set when it is not an object. */
export function readConfigInput(): ToolCall {
  const out = new ToolCall();
  const r = parseJson(readInput());
  const v = r.value;
  if (v === null) {
    out.error = "invalid input: " + r.error;
  } else if (v.isObject()) {
    out.args = v;
  } else if (!v.isNull()) {
    out.error = "invalid config: expected an object, got " + v.kindName();
  }
  return out;
}

// ---------------------------------------------------------------------------
// Declarations

/**
 * `{"name","description","inputSchema",["annotations":{"readOnlyHint":true}]}`.
 * `inputSchema` is JSON Schema text for an object.
 */
export function toolDeclaration(name: string, description: string, inputSchema: string, readOnly: bool): JsonValue {
  const schema = parseJson(inputSchema).value;
  const decl = JsonValue.obj()
    .set("name", JsonValue.str(name))
    .set("description", JsonValue.str(description))
    .set("inputSchema", schema === null ? JsonValue.obj().set("type", JsonValue.str("object")) : schema);
  if (readOnly) decl.set("annotations", JsonValue.obj().set("readOnlyHint", JsonValue.bool(true)));
  return decl;
}

/** `{"name","description","shareWithModel","parameters":[…]}` for `user_commands`. */
export function userCommand(name: string, description: string, shareWithModel: bool, parameters: JsonValue): JsonValue {
  return JsonValue.obj()
    .set("name", JsonValue.str(name))
    .set("description", JsonValue.str(description))
    .set("shareWithModel", JsonValue.bool(shareWithModel))
    .set("parameters", parameters);
}

/** `{"name","description","required"}`, an element of a user command's `parameters`. */
export function commandParameter(name: string, description: string, required: bool): JsonValue {
  return JsonValue.obj().set("name", JsonValue.str(name)).set("description", JsonValue.str(description)).set("required", JsonValue.bool(required));
}

// ---------------------------------------------------------------------------
// Results (set the output and return 0, so `return resultText(...)` ends an export)

/** A tool result with one text block; `structured` (an object or null) becomes `structuredContent`. */
export function toolResult(text: string, isError: bool, structured: JsonValue | null): i32 {
  const content = JsonValue.arr().push(JsonValue.obj().set("type", JsonValue.str("text")).set("text", JsonValue.str(text)));
  const out = JsonValue.obj().set("content", content);
  if (structured !== null) out.set("structuredContent", structured);
  out.set("isError", JsonValue.bool(isError));
  setOutput(out.stringify());
  return 0;
}

/** A successful tool result with one text block. */
export function resultText(text: string): i32 {
  return toolResult(text, false, null);
}

/** A tool's own failure: `isError: true`, and `text` tells the model why. */
export function resultError(text: string): i32 {
  return toolResult(text, true, null);
}

/** A `run_command` result: `{"text", "isError"}`. */
export function commandResult(text: string, isError: bool): i32 {
  setOutput(JsonValue.obj().set("text", JsonValue.str(text)).set("isError", JsonValue.bool(isError)).stringify());
  return 0;
}

/** A malformed input (a protocol error, not a tool failure): sets the error and returns -1. */
export function failInput(message: string): i32 {
  setError(message);
  return -1;
}

// ---------------------------------------------------------------------------
// State between calls
//
// `beginCall()` rewinds the heap and @extism/extism 1.0.3 clears plugin vars
// after every call, but the module's linear memory lives as long as its
// instance. A `StateSlot` is a fixed region of static memory holding UTF-8
// text (for example a JSON document) that survives between calls on one
// instance. Each worker thread has its own instance, so state is per thread:
// run stateful plugins with `threads = 1`. A trap replaces the instance and
// loses the state.

/** Up to `capacity` bytes of UTF-8 text kept in linear memory. */
export class StateSlot {
  constructor(public ptr: usize, public capacity: i32) {}

  /** The stored text ("" when nothing was stored). */
  read(): string {
    const len = load<i32>(this.ptr);
    if (len <= 0) return "";
    return String.UTF8.decodeUnsafe(this.ptr + 4, <usize>len);
  }

  /** Stores `text`; false (and nothing changes) when it does not fit. */
  write(text: string): bool {
    const buf = String.UTF8.encode(text, false, String.UTF8.ErrorMode.REPLACE);
    const len = buf.byteLength;
    if (len > this.capacity - 4) return false;
    memory.copy(this.ptr + 4, changetype<usize>(buf), <usize>len);
    store<i32>(this.ptr, len);
    return true;
  }

  clear(): void {
    store<i32>(this.ptr, 0);
  }
}
