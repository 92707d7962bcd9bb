// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// Helpers for QueryMT "Gen-S" provider exports: reading the JSON input,
// walking ChatMessage lists (Gen-2 content blocks) and building the JSON that
// chat / chat_stream / embed / complete emit.

import { readInput } from "./extism";
import { JsonValue, parseJson } from "./json";

// ---------------------------------------------------------------------------
// Input

/** The parsed input, or null with `error` set (e.g. "invalid input: JSON parse error at offset 3: …"). */
export class Input {
  constructor(public value: JsonValue | null, public error: string) {}
}

/** Reads and parses the call input as JSON. */
export function readJsonInput(): Input {
  const r = parseJson(readInput());
  if (!r.ok) return new Input(null, "invalid input: " + r.error);
  return new Input(r.value, "");
}

/** Reads the input and requires a JSON object. */
export function readObjectInput(): Input {
  const r = readJsonInput();
  const v = r.value;
  if (v === null) return r;
  if (!v.isObject()) return new Input(null, "invalid input: expected a JSON object, got " + v.kindName());
  return r;
}

// ---------------------------------------------------------------------------
// Chat messages

/**
 * Checks the shape of `messages`: an array of objects with a string `role`
 * and a `content` array (a plain string is tolerated). Returns "" when fine,
 * else a message naming the offending element.
 */
export function checkMessages(messages: JsonValue | null): string {
  if (messages === null) return "missing field `messages`";
  if (!messages.isArray()) return "messages: expected an array, got " + messages.kindName();
  const list = messages.asArray();
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    const where = "messages[" + i.toString() + "]";
    if (!m.isObject()) return where + ": expected an object, got " + m.kindName();
    const role = m.get("role");
    if (role === null || !role.isString()) return where + ".role: expected a string";
    const content = m.get("content");
    if (content !== null && !content.isArray() && !content.isString() && !content.isNull()) {
      return where + ".content: expected an array of content blocks, got " + content.kindName();
    }
  }
  return "";
}

/** True for the role "User" (case-insensitive). */
export function isUser(message: JsonValue): bool {
  const role = message.getString("role");
  return role !== null && role.toLowerCase() == "user";
}

/**
 * The text of a message: its `{"type":"text","text":…}` blocks joined with
 * `sep`. Other block types (image, image_url, pdf, audio, thinking, tool_use,
 * tool_result, resource_link, …) are ignored. A plain-string `content` is
 * taken as the text.
 */
export function messageText(message: JsonValue, sep: string = "\n"): string {
  const content = message.get("content");
  if (content === null) return "";
  if (content.isString()) return content.asString();
  const blocks = content.asArray();
  const texts = new Array<string>();
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (!b.isObject()) continue;
    const type = b.getString("type");
    if (type === null || type != "text") continue;
    const text = b.getString("text");
    if (text !== null) texts.push(text);
  }
  return texts.join(sep);
}

/** The text of the last User message, or null when there is none. */
export function lastUserText(messages: JsonValue, sep: string = "\n"): string | null {
  const list = messages.asArray();
  for (let i = list.length - 1; i >= 0; i--) {
    if (isUser(list[i])) return messageText(list[i], sep);
  }
  return null;
}

/** Words (runs of non-whitespace) in all User messages' text. */
export function userWordCount(messages: JsonValue, sep: string = "\n"): i32 {
  const list = messages.asArray();
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    if (isUser(list[i])) n += countWords(messageText(list[i], sep));
  }
  return n;
}

// ---------------------------------------------------------------------------
// Words

// @ts-ignore: decorator
@inline
export function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C;
}

/** Number of runs of non-whitespace characters (space, \t, \n, \r, \v, \f). */
export function countWords(s: string): i32 {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const sp = isSpace(s.charCodeAt(i));
    if (!sp && !inWord) n++;
    inWord = !sp;
  }
  return n;
}

/**
 * Splits `s` into pieces that concatenate back to `s` exactly: one piece per
 * word, each word carrying the whitespace that follows it; whitespace before
 * the first word goes with the first piece. A string with no words gives one
 * piece (itself) when non-empty, and no pieces when empty.
 */
export function wordPieces(s: string): Array<string> {
  const pieces = new Array<string>();
  const n = s.length;
  if (n == 0) return pieces;
  let start = 0;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++; // leading whitespace
  if (i == n) {
    pieces.push(s);
    return pieces;
  }
  while (i < n) {
    while (i < n && !isSpace(s.charCodeAt(i))) i++; // the word
    while (i < n && isSpace(s.charCodeAt(i))) i++;  // its trailing whitespace
    pieces.push(s.substring(start, i));
    start = i;
  }
  return pieces;
}

// ---------------------------------------------------------------------------
// Output builders

/** `{"input_tokens":i,"output_tokens":o}` */
export function usageJson(inputTokens: i32, outputTokens: i32): JsonValue {
  return JsonValue.obj().set("input_tokens", JsonValue.int(inputTokens)).set("output_tokens", JsonValue.int(outputTokens));
}

/** `{"id":id,"type":"function","function":{"name":name,"arguments":arguments}}` (arguments is a JSON string). */
export function toolCallJson(id: string, name: string, args: string): JsonValue {
  return JsonValue.obj()
    .set("id", JsonValue.str(id))
    .set("type", JsonValue.str("function"))
    .set("function", JsonValue.obj().set("name", JsonValue.str(name)).set("arguments", JsonValue.str(args)));
}

/**
 * ExtismChatResponse:
 * `{"text":…|null,"tool_calls":[…]|null,"thinking":null,"usage":{…}|null,"finish_reason":"Stop"}`
 */
export function chatResponseJson(
  text: string | null,
  toolCalls: JsonValue | null,
  usage: JsonValue | null,
  finishReason: string,
): string {
  return JsonValue.obj()
    .set("text", JsonValue.strOrNull(text))
    .set("tool_calls", toolCalls === null ? JsonValue.nul() : toolCalls)
    .set("thinking", JsonValue.nul())
    .set("usage", usage === null ? JsonValue.nul() : usage)
    .set("finish_reason", JsonValue.str(finishReason))
    .stringify();
}

/** `{"chunk":{"text":s}}` */
export function textChunkJson(s: string): string {
  return JsonValue.obj().set("chunk", JsonValue.obj().set("text", JsonValue.str(s))).stringify();
}

/** `{"chunk":{"usage":U},"usage":U}` */
export function usageChunkJson(inputTokens: i32, outputTokens: i32): string {
  return JsonValue.obj()
    .set("chunk", JsonValue.obj().set("usage", usageJson(inputTokens, outputTokens)))
    .set("usage", usageJson(inputTokens, outputTokens))
    .stringify();
}

/** `{"chunk":{"done":{"finish_reason":reason}}}` (the newest StreamChunk::Done form). */
export function doneChunkJson(finishReason: string): string {
  return JsonValue.obj()
    .set("chunk", JsonValue.obj().set("done", JsonValue.obj().set("finish_reason", JsonValue.str(finishReason))))
    .stringify();
}

/** `{"chunk":{"tool_use_start":{"index":i,"id":id,"name":name}}}` */
export function toolUseStartChunkJson(index: i32, id: string, name: string): string {
  return JsonValue.obj()
    .set("chunk", JsonValue.obj().set("tool_use_start",
      JsonValue.obj().set("index", JsonValue.int(index)).set("id", JsonValue.str(id)).set("name", JsonValue.str(name))))
    .stringify();
}

/** `{"chunk":{"tool_use_input_delta":{"index":i,"partial_json":p}}}` */
export function toolUseInputDeltaChunkJson(index: i32, partialJson: string): string {
  return JsonValue.obj()
    .set("chunk", JsonValue.obj().set("tool_use_input_delta",
      JsonValue.obj().set("index", JsonValue.int(index)).set("partial_json", JsonValue.str(partialJson))))
    .stringify();
}

/** `{"chunk":{"tool_use_complete":{"index":i,"tool_call":TC}}}` */
export function toolUseCompleteChunkJson(index: i32, toolCall: JsonValue): string {
  return JsonValue.obj()
    .set("chunk", JsonValue.obj().set("tool_use_complete",
      JsonValue.obj().set("index", JsonValue.int(index)).set("tool_call", toolCall)))
    .stringify();
}
