// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// plugd's sample provider plugin: a deterministic "LLM" that echoes the last
// user message. It follows the QueryMT Gen-S Extism ABI (direct exports).
// Behaviour of every export and the special messages: see README.md.

import { beginCall, readInput, setOutput, setOutputBytes } from "../sdk/extism";
import { JsonValue, parseJson, formatNumber } from "../sdk/json";
import { yieldChunk, yieldChunkBytes, qmtLog, failTyped, failRaw, LOG_INFO } from "../sdk/qmt";
import {
  Input, readObjectInput, checkMessages, lastUserText, userWordCount, countWords, wordPieces,
  usageJson, toolCallJson, chatResponseJson, textChunkJson, usageChunkJson, doneChunkJson,
  toolUseStartChunkJson, toolUseInputDeltaChunkJson, toolUseCompleteChunkJson,
} from "../sdk/provider";

const NAME = "echo";
const BASE_URL = "http://localhost/echo";
// No heap objects in module globals (beginCall() rewinds the heap): lists are built per call.
function models(): string[] {
  return ["echo-1", "echo-2"];
}
const TOOL_CALL_ID = "call_1";
const TOOL_ARGUMENTS = "{\"echo\":true}";

const CONFIG_SCHEMA =
  '{"$schema":"http://json-schema.org/draft-07/schema#","title":"EchoConfig","description":"Configuration of the echo sample provider.","type":"object","properties":{"prefix":{"type":"string","default":"","description":"Text put in front of every chat and completion reply."},"model":{"type":"string","enum":["echo-1","echo-2"],"description":"Model name (both models behave the same)."},"max_tokens":{"type":"integer","minimum":1,"description":"Accepted and validated, otherwise ignored."},"temperature":{"type":"number","description":"Accepted, ignored."},"system":{"type":"string","description":"System prompt; the message /system makes the plugin reply with it."},"stream":{"type":"boolean","description":"Set by the host for chat_stream; ignored."}},"additionalProperties":false}';

/** Max log level given to init_logging (0 = off … 5 = trace). A scalar global, safe with beginCall(). */
let logLevel: i32 = 0;

// ---------------------------------------------------------------------------
// Metadata exports

export function name(): i32 {
  beginCall();
  setOutput(NAME);
  return 0;
}

/** No API key: empty output (Option::None). */
export function api_key_name(): i32 {
  beginCall();
  setOutput("");
  return 0;
}

export function base_url(): i32 {
  beginCall();
  setOutput(BASE_URL);
  return 0;
}

export function config_schema(): i32 {
  beginCall();
  setOutput(CONFIG_SCHEMA);
  return 0;
}

export function init_logging(): i32 {
  beginCall();
  const r = parseJson(readInput());
  const v = r.value;
  if (v === null) return failRaw("invalid input: " + r.error);
  if (!v.isNumber() || !v.isIntegerLiteral() || v.asNumber() < 0) {
    return failRaw("invalid input: expected a non-negative integer log level, got " + (v.isNumber() ? v.numberText() : v.kindName()));
  }
  const n = v.asNumber();
  logLevel = n > 5 ? 5 : <i32>n;
  if (logLevel >= LOG_INFO) {
    qmtLog(LOG_INFO, NAME, "echo plugin: logging initialised at level " + logLevel.toString());
  }
  setOutput("");
  return 0;
}

export function from_config(): i32 {
  beginCall();
  const r = parseJson(readInput());
  const cfg = r.value;
  if (cfg === null) return failRaw("invalid input: " + r.error);
  const err = validateConfig(cfg);
  if (err.length > 0) return failTyped("invalid_request", err);
  setOutput(cfg.stringify());
  return 0;
}

export function supports_streaming(): i32 {
  beginCall();
  setOutput("true");
  return 0;
}

/** Input: the bare cfg (ignored). */
export function list_models(): i32 {
  beginCall();
  setOutput(JsonValue.strArray(models()).stringify());
  return 0;
}

// ---------------------------------------------------------------------------
// Config

function knownKeys(): string[] {
  return ["prefix", "model", "max_tokens", "temperature", "system", "stream"];
}

/** "" when `cfg` is a valid config, else a message naming the field and what was expected. */
function validateConfig(cfg: JsonValue): string {
  if (!cfg.isObject()) return "config: expected an object, got " + cfg.kindName();
  const keys = cfg.keys();
  const known = knownKeys();
  for (let i = 0; i < keys.length; i++) {
    if (!known.includes(keys[i])) {
      // like serde's deny_unknown_fields (QueryMT configs reject unknown keys)
      return "unknown field `" + keys[i] + "`, expected one of `prefix`, `model`, `max_tokens`, `temperature`, `system`, `stream`";
    }
  }
  // null is accepted as "not set" for every field
  let v = cfg.get("prefix");
  if (v !== null && !v.isNull() && !v.isString()) return "prefix: expected a string, got " + describe(v);
  v = cfg.get("model");
  if (v !== null && !v.isNull()) {
    if (!v.isString() || !models().includes(v.asString())) {
      return "model: expected one of \"echo-1\", \"echo-2\", got " + describe(v);
    }
  }
  v = cfg.get("max_tokens");
  if (v !== null && !v.isNull()) {
    if (!v.isNumber() || !v.isIntegerLiteral() || v.asNumber() < 1 || v.asNumber() > 4294967295.0) {
      return "max_tokens: expected a positive integer, got " + describe(v);
    }
  }
  v = cfg.get("temperature");
  if (v !== null && !v.isNull() && !v.isNumber()) return "temperature: expected a number, got " + describe(v);
  v = cfg.get("system");
  if (v !== null && !v.isNull() && !v.isString()) return "system: expected a string, got " + describe(v);
  v = cfg.get("stream");
  if (v !== null && !v.isNull() && !v.isBool()) return "stream: expected a boolean, got " + describe(v);
  return "";
}

/** A short description of a JSON value for error messages: `"x"`, `0`, `true`, `an array`, … */
function describe(v: JsonValue): string {
  if (v.isString() || v.isNumber() || v.isBool() || v.isNull()) {
    const s = v.stringify();
    return s.length > 60 ? s.substring(0, 57) + "..." : s;
  }
  return v.isArray() ? "an array" : "an object";
}

/** The request's cfg (absent or null = {}); sets `error` when it is invalid. */
class Request {
  code: i32 = 0; // non-zero: an error was set, return it
  cfg: JsonValue = JsonValue.obj();
  root: JsonValue = JsonValue.obj();
}

/** Reads an object input with a valid `cfg`. On failure sets the error and `code`. */
function readRequest(): Request {
  const req = new Request();
  const inp: Input = readObjectInput();
  const root = inp.value;
  if (root === null) {
    req.code = failRaw(inp.error);
    return req;
  }
  req.root = root;
  const cfg = root.get("cfg");
  if (cfg !== null && !cfg.isNull()) {
    const err = validateConfig(cfg);
    if (err.length > 0) {
      req.code = failTyped("invalid_request", err);
      return req;
    }
    req.cfg = cfg;
  }
  return req;
}

function cfgString(cfg: JsonValue, key: string): string | null {
  return cfg.getString(key);
}

// ---------------------------------------------------------------------------
// Chat

const R_TEXT: i32 = 0;
const R_TOOL: i32 = 1;
const R_COUNT: i32 = 2;

/** What a chat request asks for. */
class Reply {
  code: i32 = 0; // non-zero: an error was set
  kind: i32 = R_TEXT;
  text: string = "";
  toolName: string = "";
  count: i32 = 0;
  inputTokens: i32 = 0;
}

function planReply(): Reply {
  const out = new Reply();
  const req = readRequest();
  if (req.code != 0) {
    out.code = req.code;
    return out;
  }
  const messages = req.root.get("messages");
  const shape = checkMessages(messages);
  if (shape.length > 0) {
    out.code = failRaw("invalid input: " + shape);
    return out;
  }
  const tools = req.root.get("tools");
  if (tools !== null && !tools.isNull() && !tools.isArray()) {
    out.code = failRaw("invalid input: tools: expected an array or null, got " + tools.kindName());
    return out;
  }
  out.inputTokens = userWordCount(messages!);
  const lastOrNull = lastUserText(messages!);
  const last = lastOrNull === null ? "" : lastOrNull;

  if (last == "/fail") {
    out.code = failTyped("provider_error", "echo was asked to fail");
    return out;
  }
  if (last == "/tool" && tools !== null && tools.isArray() && tools.length > 0) {
    const fn = tools.at(0)!.get("function");
    let fname: string | null = null;
    if (fn !== null) fname = fn.getString("name");
    if (fname === null) {
      out.code = failRaw("invalid input: tools[0].function.name: expected a string");
      return out;
    }
    out.kind = R_TOOL;
    out.toolName = fname;
    return out;
  }
  if (last.startsWith("/count ")) {
    const n = parseCount(last.substring(7));
    if (n < 0) {
      out.code = failTyped("invalid_request", "/count: expected a non-negative integer of at most 9 digits");
      return out;
    }
    out.kind = R_COUNT;
    out.count = n;
    return out;
  }
  if (last == "/system") {
    const system = cfgString(req.cfg, "system");
    if (system !== null) {
      out.text = system;
      return out;
    }
  }
  const prefix = cfgString(req.cfg, "prefix");
  out.text = (prefix === null ? "" : prefix) + last;
  return out;
}

/** Parses 1–9 ASCII digits; -1 otherwise. */
function parseCount(s: string): i32 {
  if (s.length == 0 || s.length > 9) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** "w0 w1 … w(n-1) " */
function countText(n: i32): string {
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = "w" + i.toString() + " ";
  return parts.join("");
}

export function chat(): i32 {
  beginCall();
  const plan = planReply();
  if (plan.code != 0) return plan.code;
  if (plan.kind == R_TOOL) {
    const calls = JsonValue.arr().push(toolCallJson(TOOL_CALL_ID, plan.toolName, TOOL_ARGUMENTS));
    setOutput(chatResponseJson(null, calls, usageJson(plan.inputTokens, 0), "ToolCalls"));
    return 0;
  }
  let text = plan.text;
  let outTokens: i32;
  if (plan.kind == R_COUNT) {
    text = countText(plan.count);
    outTokens = plan.count;
  } else {
    outTokens = countWords(text);
  }
  setOutput(chatResponseJson(text, null, usageJson(plan.inputTokens, outTokens), "Stop"));
  return 0;
}

// Scratch space for `/count` chunks, so a long stream does not grow the heap.
const SCRATCH: usize = memory.data(64);
const COUNT_HEAD = "{\"chunk\":{\"text\":\"w";
const COUNT_TAIL = " \"}}";

function writeAscii(ptr: usize, s: string): usize {
  for (let i = 0; i < s.length; i++) store<u8>(ptr + <usize>i, <u8>s.charCodeAt(i));
  return ptr + <usize>s.length;
}

/** Yields `{"chunk":{"text":"w<i> "}}` without allocating. */
function yieldCountChunk(i: i32): void {
  let p = writeAscii(SCRATCH, COUNT_HEAD);
  // decimal digits of i
  let digits = 1;
  for (let t = i; t >= 10; t /= 10) digits++;
  let t = i;
  for (let d = digits - 1; d >= 0; d--) {
    store<u8>(p + <usize>d, <u8>(0x30 + t % 10));
    t /= 10;
  }
  p += <usize>digits;
  p = writeAscii(p, COUNT_TAIL);
  yieldChunkBytes(SCRATCH, <i32>(p - SCRATCH));
}

export function chat_stream(): i32 {
  beginCall();
  const plan = planReply();
  if (plan.code != 0) return plan.code;

  if (plan.kind == R_TOOL) {
    const call = toolCallJson(TOOL_CALL_ID, plan.toolName, TOOL_ARGUMENTS);
    yieldChunk(toolUseStartChunkJson(0, TOOL_CALL_ID, plan.toolName));
    yieldChunk(toolUseInputDeltaChunkJson(0, "{\"echo\""));
    yieldChunk(toolUseInputDeltaChunkJson(0, ":"));
    yieldChunk(toolUseInputDeltaChunkJson(0, "true}"));
    yieldChunk(toolUseCompleteChunkJson(0, call));
    yieldChunk(usageChunkJson(plan.inputTokens, 0));
    yieldChunk(doneChunkJson("ToolCalls"));
    setOutput("");
    return 0;
  }

  let outTokens: i32;
  if (plan.kind == R_COUNT) {
    for (let i = 0; i < plan.count; i++) yieldCountChunk(i);
    outTokens = plan.count;
  } else {
    const pieces = wordPieces(plan.text);
    for (let i = 0; i < pieces.length; i++) yieldChunk(textChunkJson(pieces[i]));
    outTokens = countWords(plan.text);
  }
  yieldChunk(usageChunkJson(plan.inputTokens, outTokens));
  yieldChunk(doneChunkJson("Stop"));
  setOutput("");
  return 0;
}

// ---------------------------------------------------------------------------
// Embeddings

const DIMS: i32 = 8;

/**
 * A deterministic unit vector for `s` (8 dimensions, f32 values):
 *   v[k] = 1 + Σ over UTF-16 code units c_j with j % 8 == k of ((c_j * 31 + j * 7) % 97)
 *   v[len % 8] += len
 * then v is divided by its Euclidean norm. Equal strings give equal vectors.
 */
function embedOne(s: string): JsonValue {
  const v = new StaticArray<f64>(DIMS);
  for (let k = 0; k < DIMS; k++) v[k] = 1.0;
  const n = s.length;
  for (let j = 0; j < n; j++) {
    const c = <i32>s.charCodeAt(j);
    v[j % DIMS] += <f64>((c * 31 + j * 7) % 97);
  }
  v[n % DIMS] += <f64>n;
  let norm: f64 = 0;
  for (let k = 0; k < DIMS; k++) norm += v[k] * v[k];
  norm = Math.sqrt(norm);
  const out = JsonValue.arr();
  for (let k = 0; k < DIMS; k++) {
    const x = <f32>(v[k] / norm);
    out.push(JsonValue.numRaw(<f64>x, formatNumber(<f64>x)));
  }
  return out;
}

export function embed(): i32 {
  beginCall();
  const req = readRequest();
  if (req.code != 0) return req.code;
  const inputs = req.root.get("inputs");
  if (inputs === null) return failRaw("invalid input: missing field `inputs`");
  if (!inputs.isArray()) return failRaw("invalid input: inputs: expected an array of strings, got " + inputs.kindName());
  const list = inputs.asArray();
  const out = JsonValue.arr();
  for (let i = 0; i < list.length; i++) {
    if (!list[i].isString()) {
      return failRaw("invalid input: inputs[" + i.toString() + "]: expected a string, got " + list[i].kindName());
    }
    out.push(embedOne(list[i].asString()));
  }
  setOutput(out.stringify());
  return 0;
}

// ---------------------------------------------------------------------------
// Completion

/** text = prefix + prompt + suffix; the prompt `/fail` fails like chat's. */
export function complete(): i32 {
  beginCall();
  const req = readRequest();
  if (req.code != 0) return req.code;
  const r = req.root.get("req");
  if (r === null) return failRaw("invalid input: missing field `req`");
  if (!r.isObject()) return failRaw("invalid input: req: expected an object, got " + r.kindName());
  const prompt = r.get("prompt");
  if (prompt === null || !prompt.isString()) return failRaw("invalid input: req.prompt: expected a string");
  const suffix = r.get("suffix");
  if (suffix !== null && !suffix.isNull() && !suffix.isString()) {
    return failRaw("invalid input: req.suffix: expected a string or null");
  }
  if (prompt.asString() == "/fail") return failTyped("provider_error", "echo was asked to fail");
  const prefix = cfgString(req.cfg, "prefix");
  const text = (prefix === null ? "" : prefix) + prompt.asString() + (suffix !== null && suffix.isString() ? suffix.asString() : "");
  setOutput(JsonValue.obj().set("text", JsonValue.str(text)).stringify());
  return 0;
}
