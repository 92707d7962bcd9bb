// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// An OpenAI-compatible provider (OpenAI, Ollama, llama.cpp's server, vLLM, LM
// Studio, …) implementing QueryMT's HTTP-adapter interface: this plugin does no
// I/O; it builds the HTTP requests and parses the responses, and the host sends
// them. See README.md and docs/plugin-abi.md.

import { beginCall, readInput, setOutput } from "../sdk/extism";
import { JsonValue, parseJson } from "../sdk/json";
import { failPayload, failRaw, failTyped } from "../sdk/qmt";
import { outputRequest, responseOf, statusOf, bodyText, scanInt, scanBytes } from "../sdk/http";
import { readObjectInput, toolCallJson } from "../sdk/provider";
import { API_KEY_NAME, DEFAULT_BASE_URL, baseUrl, headers, chatBody, finishReason, usageOf } from "./wire";
import { classify } from "./errors";
import { ParserState, openParser, findParser, closeParser, MAX_PARSERS } from "./stream";

const CONFIG_SCHEMA =
  '{"$schema":"http://json-schema.org/draft-07/schema#","title":"OpenAIConfig","description":"An OpenAI-compatible chat-completions endpoint.","type":"object","properties":{' +
  '"base_url":{"type":"string","default":"https://api.openai.com/v1","description":"The API root, ending before /chat/completions (e.g. http://127.0.0.1:11434/v1 for Ollama)."},' +
  '"model":{"type":"string","description":"The model name."},' +
  '"api_key":{"type":"string","description":"Bearer token; defaults to $OPENAI_API_KEY. Local servers usually need none."},' +
  '"temperature":{"type":"number","minimum":0,"maximum":2},' +
  '"max_tokens":{"type":"integer","minimum":1},' +
  '"top_p":{"type":"number","minimum":0,"maximum":1},' +
  '"system":{"type":"string","description":"System prompt, sent as the first message."},' +
  '"embedding_model":{"type":"string","description":"Model for embeddings (default: model)."},' +
  '"stream":{"type":"boolean","description":"Set by the host for streamed chats."}' +
  '},"required":["model"],"additionalProperties":false}';

// ---------------------------------------------------------------------------
// Metadata

export function name(): i32 {
  beginCall();
  setOutput("openai");
  return 0;
}

export function api_key_name(): i32 {
  beginCall();
  setOutput(API_KEY_NAME);
  return 0;
}

export function base_url(): i32 {
  beginCall();
  setOutput(DEFAULT_BASE_URL);
  return 0;
}

export function config_schema(): i32 {
  beginCall();
  setOutput(CONFIG_SCHEMA);
  return 0;
}

export function from_config(): i32 {
  beginCall();
  const r = parseJson(readInput());
  const cfg = r.value;
  if (cfg === null || !cfg.isObject()) return failTyped("invalid_request", "config: expected a JSON object");
  const url = cfg.getString("base_url");
  if (url !== null && !url.startsWith("http://") && !url.startsWith("https://")) {
    return failTyped("invalid_request", "base_url: expected an http:// or https:// URL, got \"" + url + "\"");
  }
  setOutput(cfg.stringify());
  return 0;
}

export function supports_streaming(): i32 {
  beginCall();
  setOutput("true");
  return 0;
}

// ---------------------------------------------------------------------------
// Input helpers

/** The parsed input object, or null after setting the error (caller returns ERR). */
function inputObject(): JsonValue | null {
  return readObjectInput().value;
}

function cfgOf(input: JsonValue): JsonValue {
  const cfg = input.get("cfg");
  return cfg === null || !cfg.isObject() ? JsonValue.obj() : cfg;
}

// ---------------------------------------------------------------------------
// Chat

function chatRequest(stream: bool): i32 {
  beginCall();
  const input = inputObject();
  if (input === null) return failRaw("invalid input: expected {\"cfg\",\"messages\",\"tools\"}");
  const cfg = cfgOf(input);
  const messages = input.get("messages");
  if (messages === null || !messages.isArray()) return failTyped("invalid_request", "messages: expected an array");
  const model = cfg.getString("model");
  if (model === null || model.length == 0) return failTyped("invalid_request", "model: not set (set model in the provider config)");
  const body = chatBody(cfg, messages, input.get("tools"), stream);
  outputRequest("POST", baseUrl(cfg) + "/chat/completions", headers(cfg, stream ? "text/event-stream" : "application/json"), body);
  return 0;
}

/** A provider response from the input: its parsed JSON body (null when not JSON), or `failed`. */
class ResponseRead {
  body: JsonValue | null = null;
  /** Non-zero when the export must return it: the input was invalid or the status not 2xx (the error is set). */
  failed: i32 = 0;
}

/** Reads `{"cfg","resp":{"resp":…}}`: a non-2xx response fails with the provider's classified error. */
function readResponse(expected: string): ResponseRead {
  const read = new ResponseRead();
  const input = inputObject();
  if (input === null) {
    read.failed = failRaw("invalid input: expected {" + expected + "}");
    return read;
  }
  const resp = responseOf(input);
  if (resp === null) {
    read.failed = failRaw("invalid input: missing resp");
    return read;
  }
  const status = statusOf(resp);
  if (status < 200 || status >= 300) {
    read.failed = failPayload(classify(resp));
    return read;
  }
  read.body = parseJson(bodyText(resp)).value;
  return read;
}

export function chat_request(): i32 {
  return chatRequest(false);
}

export function chat_stream_request(): i32 {
  return chatRequest(true);
}

export function parse_chat_response(): i32 {
  beginCall();
  const read = readResponse("\"cfg\",\"resp\"");
  if (read.failed != 0) return read.failed;
  const body = read.body;
  if (body === null || !body.isObject()) return failTyped("provider_error", "the chat response is not a JSON object");
  const choices = body.get("choices");
  if (choices === null || !choices.isArray() || choices.length == 0) return failTyped("provider_error", "the chat response has no choices");
  const choice = choices.at(0)!;
  const message = choice.get("message");
  let text: string | null = null;
  const toolCalls = JsonValue.arr();
  if (message !== null && message.isObject()) {
    text = message.getString("content");
    const calls = message.get("tool_calls");
    if (calls !== null && calls.isArray()) {
      const list = calls.asArray();
      for (let i = 0; i < list.length; i++) {
        const c = list[i];
        const fn = c.get("function");
        const id = c.getString("id");
        const fname: string | null = fn === null ? null : fn.getString("name");
        const args: string | null = fn === null ? null : fn.getString("arguments");
        toolCalls.push(toolCallJson(id === null ? "" : id, fname === null ? "" : fname, args === null ? "" : args));
      }
    }
  }
  const thinking: string | null = message === null ? null : message.getString("reasoning_content");
  const usage = usageOf(body.get("usage"));
  const out = JsonValue.obj()
    .set("text", JsonValue.strOrNull(text))
    .set("tool_calls", toolCalls.length > 0 ? toolCalls : JsonValue.nul())
    .set("thinking", JsonValue.strOrNull(thinking))
    .set("usage", usage === null ? JsonValue.nul() : usage)
    .set("finish_reason", JsonValue.str(finishReason(choice.getString("finish_reason"))));
  setOutput(out.stringify());
  return 0;
}

export function classify_chat_error(): i32 {
  beginCall();
  const input = inputObject();
  if (input === null) return failRaw("invalid input: expected {\"cfg\",\"resp\"}");
  const resp = responseOf(input);
  if (resp === null) return failRaw("invalid input: missing resp");
  setOutput(classify(resp).stringify());
  return 0;
}

// ---------------------------------------------------------------------------
// Streaming (SSE)

export function chat_stream_parser_start(): i32 {
  beginCall();
  const id = openParser();
  if (id < 0) return failTyped("provider_error", "too many open streams (at most " + MAX_PARSERS.toString() + " per instance)");
  setOutput(id.toString());
  return 0;
}

export function chat_stream_parser_parse(): i32 {
  beginCall();
  const input = readInput();
  const id = scanInt(input, "\"parser_id\":");
  const slot = findParser(id);
  if (slot < 0) return failRaw("Unknown parser id " + id.toString());
  const bytes = scanBytes(input, "\"chunk\":");
  if (bytes === null) return failRaw("invalid input: expected {\"parser_id\":N,\"chunk\":[bytes]}");
  const st = ParserState.load(slot);
  const out = new Array<string>();
  st.feed(String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length), out);
  const error = st.error;
  if (!st.save(slot)) return failTyped("provider_error", "stream state too large (a tool call's arguments exceed 256 KiB)");
  if (error !== null) return failTyped("provider_error", error);
  setOutput("[" + out.join(",") + "]");
  return 0;
}

export function chat_stream_parser_finish(): i32 {
  beginCall();
  const slot = findParser(scanInt(readInput(), ""));
  if (slot < 0) return failRaw("Unknown parser id");
  const st = ParserState.load(slot);
  const out = new Array<string>();
  st.end(out);
  st.save(slot);
  if (st.error !== null) return failTyped("provider_error", st.error!);
  if (!st.done) return failTyped("provider_error", "the stream ended before the response was complete (no finish_reason and no [DONE])");
  setOutput("[" + out.join(",") + "]");
  return 0;
}

export function chat_stream_parser_close(): i32 {
  beginCall();
  const slot = findParser(scanInt(readInput(), ""));
  if (slot >= 0) closeParser(slot);
  setOutput("null");
  return 0;
}

// ---------------------------------------------------------------------------
// Models

export function list_models_request(): i32 {
  beginCall();
  const input = inputObject();
  if (input === null) return failRaw("invalid input: expected {\"cfg\"}");
  const cfg = cfgOf(input);
  outputRequest("GET", baseUrl(cfg) + "/models", headers(cfg, "application/json"), null);
  return 0;
}

export function parse_list_models_response(): i32 {
  beginCall();
  const read = readResponse("\"resp\"");
  if (read.failed != 0) return read.failed;
  const body = read.body;
  const data: JsonValue | null = body === null ? null : body.get("data");
  if (data === null || !data.isArray()) return failTyped("provider_error", "the model list has no data array");
  const names = new Array<string>();
  const list = data.asArray();
  for (let i = 0; i < list.length; i++) {
    const id = list[i].getString("id");
    if (id !== null) names.push(id);
  }
  setOutput(JsonValue.strArray(names).stringify());
  return 0;
}

// ---------------------------------------------------------------------------
// Embeddings and completions

export function embed_request(): i32 {
  beginCall();
  const input = inputObject();
  if (input === null) return failRaw("invalid input: expected {\"cfg\",\"inputs\"}");
  const cfg = cfgOf(input);
  const inputs = input.get("inputs");
  if (inputs === null || !inputs.isArray()) return failTyped("invalid_request", "inputs: expected an array of strings");
  let model = cfg.getString("embedding_model");
  if (model === null || model.length == 0) model = cfg.getString("model");
  const body = JsonValue.obj().set("model", JsonValue.str(model === null ? "" : model)).set("input", inputs);
  outputRequest("POST", baseUrl(cfg) + "/embeddings", headers(cfg, "application/json"), body.stringify());
  return 0;
}

export function parse_embed_response(): i32 {
  beginCall();
  const read = readResponse("\"cfg\",\"resp\"");
  if (read.failed != 0) return read.failed;
  const body = read.body;
  const data: JsonValue | null = body === null ? null : body.get("data");
  if (data === null || !data.isArray()) return failTyped("provider_error", "the embeddings response has no data array");
  const list = data.asArray();
  const n = list.length;
  // Answers carry an index each; put them in input order.
  const ordered = new Array<JsonValue | null>(n);
  for (let i = 0; i < n; i++) {
    const idx = list[i].get("index");
    const at = idx === null ? i : <i32>idx.asNumber();
    if (at < 0 || at >= n) return failTyped("provider_error", "embedding index out of range");
    ordered[at] = list[i].get("embedding");
  }
  const out = JsonValue.arr();
  for (let i = 0; i < n; i++) {
    const e = ordered[i];
    if (e === null || !e.isArray()) return failTyped("provider_error", "embedding " + i.toString() + " is not a number array");
    out.push(e!);
  }
  setOutput(out.stringify());
  return 0;
}

export function complete_request(): i32 {
  beginCall();
  const input = inputObject();
  if (input === null) return failRaw("invalid input: expected {\"cfg\",\"req\"}");
  const cfg = cfgOf(input);
  const req = input.get("req");
  if (req === null || !req.isObject()) return failTyped("invalid_request", "req: expected an object");
  const model = cfg.getString("model");
  const body = JsonValue.obj().set("model", JsonValue.str(model === null ? "" : model));
  const prompt = req.get("prompt");
  body.set("prompt", prompt === null ? JsonValue.str("") : prompt);
  const suffix = req.get("suffix");
  if (suffix !== null && suffix.isString()) body.set("suffix", suffix);
  const maxTokens = req.get("max_tokens");
  if (maxTokens !== null && maxTokens.isNumber()) body.set("max_tokens", maxTokens);
  else {
    const m = cfg.get("max_tokens");
    if (m !== null && m.isNumber()) body.set("max_tokens", m);
  }
  const temperature = req.get("temperature");
  if (temperature !== null && temperature.isNumber()) body.set("temperature", temperature);
  outputRequest("POST", baseUrl(cfg) + "/completions", headers(cfg, "application/json"), body.stringify());
  return 0;
}

export function parse_complete_response(): i32 {
  beginCall();
  const read = readResponse("\"cfg\",\"resp\"");
  if (read.failed != 0) return read.failed;
  const body = read.body;
  const choices: JsonValue | null = body === null ? null : body.get("choices");
  if (choices === null || !choices.isArray() || choices.length == 0) return failTyped("provider_error", "the completion response has no choices");
  const text = choices.at(0)!.getString("text");
  setOutput(JsonValue.obj().set("text", JsonValue.str(text === null ? "" : text)).stringify());
  return 0;
}
