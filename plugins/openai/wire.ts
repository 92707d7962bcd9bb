// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// QueryMT chat types → OpenAI chat-completions JSON, and back.

import { JsonValue } from "../sdk/json";
import { getConfig } from "../sdk/extism";
import { messageText } from "../sdk/provider";

export const DEFAULT_BASE_URL = "https://api.openai.com/v1";
export const API_KEY_NAME = "OPENAI_API_KEY";

/** `cfg.base_url` without a trailing slash (the default when unset). */
export function baseUrl(cfg: JsonValue): string {
  let url = cfg.getString("base_url");
  if (url === null || url.length == 0) url = DEFAULT_BASE_URL;
  while (url.endsWith("/")) url = url.substring(0, url.length - 1);
  return url;
}

/** Request headers: JSON content, the bearer key when there is one, and `accept`. */
export function headers(cfg: JsonValue, accept: string): JsonValue {
  const h = JsonValue.obj().set("content-type", JsonValue.str("application/json")).set("accept", JsonValue.str(accept));
  let key = cfg.getString("api_key");
  if (key === null || key.length == 0) key = getConfig(API_KEY_NAME);
  if (key !== null && key.length > 0) h.set("authorization", JsonValue.str("Bearer " + key));
  return h;
}

function copyNumber(cfg: JsonValue, from: string, body: JsonValue, to: string): void {
  const v = cfg.get(from);
  if (v !== null && v.isNumber()) body.set(to, v);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64(data: JsonValue): string {
  const items = data.asArray();
  const n = items.length;
  const out = new Array<string>();
  for (let i = 0; i < n; i += 3) {
    const a = <i32>items[i].asNumber();
    const b = i + 1 < n ? <i32>items[i + 1].asNumber() : 0;
    const c = i + 2 < n ? <i32>items[i + 2].asNumber() : 0;
    const t = (a << 16) | (b << 8) | c;
    out.push(B64.charAt((t >> 18) & 63) + B64.charAt((t >> 12) & 63) + (i + 1 < n ? B64.charAt((t >> 6) & 63) : "=") + (i + 2 < n ? B64.charAt(t & 63) : "="));
  }
  return out.join("");
}

/** The tool-use arguments as the JSON string OpenAI wants. */
function argumentsText(args: JsonValue | null): string {
  if (args === null) return "{}";
  if (args.isString()) return args.asString();
  return args.stringify();
}

/** QueryMT messages (+ `cfg.system`) → OpenAI `messages`. */
export function openaiMessages(cfg: JsonValue, messages: JsonValue): JsonValue {
  const out = JsonValue.arr();
  const system = cfg.getString("system");
  if (system !== null && system.length > 0) out.push(JsonValue.obj().set("role", JsonValue.str("system")).set("content", JsonValue.str(system)));
  const list = messages.asArray();
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    const role = m.getString("role");
    const isUser = role !== null && role.toLowerCase() == "user";
    const content = m.get("content");
    if (content !== null && content.isString()) {
      out.push(JsonValue.obj().set("role", JsonValue.str(isUser ? "user" : "assistant")).set("content", content));
      continue;
    }
    const blocks = content === null || !content.isArray() ? new Array<JsonValue>() : content.asArray();
    const parts = JsonValue.arr();
    const texts = new Array<string>();
    let hasImage = false;
    const toolCalls = JsonValue.arr();
    for (let j = 0; j < blocks.length; j++) {
      const b = blocks[j];
      const t = b.getString("type");
      if (t === null) continue;
      if (t == "text") {
        const s = b.getString("text");
        const text = s === null ? "" : s;
        texts.push(text);
        parts.push(JsonValue.obj().set("type", JsonValue.str("text")).set("text", JsonValue.str(text)));
      } else if (t == "image_url") {
        hasImage = true;
        const url = b.getString("url");
        parts.push(JsonValue.obj().set("type", JsonValue.str("image_url")).set("image_url", JsonValue.obj().set("url", JsonValue.str(url === null ? "" : url))));
      } else if (t == "image") {
        hasImage = true;
        const mime = b.getString("mime_type");
        const data = b.get("data");
        const url = "data:" + (mime === null ? "image/png" : mime) + ";base64," + (data === null || !data.isArray() ? "" : base64(data));
        parts.push(JsonValue.obj().set("type", JsonValue.str("image_url")).set("image_url", JsonValue.obj().set("url", JsonValue.str(url))));
      } else if (t == "tool_use") {
        const id = b.getString("id");
        const name = b.getString("name");
        toolCalls.push(JsonValue.obj()
          .set("id", JsonValue.str(id === null ? "" : id))
          .set("type", JsonValue.str("function"))
          .set("function", JsonValue.obj().set("name", JsonValue.str(name === null ? "" : name)).set("arguments", JsonValue.str(argumentsText(b.get("arguments"))))));
      } else if (t == "tool_result") {
        const id = b.getString("id");
        out.push(JsonValue.obj()
          .set("role", JsonValue.str("tool"))
          .set("tool_call_id", JsonValue.str(id === null ? "" : id))
          // A tool_result block holds its `content` as a message does.
          .set("content", JsonValue.str(messageText(b))));
      }
      // "thinking" blocks are not sent back: OpenAI's chat completions has no field for them.
    }
    if (texts.length == 0 && !hasImage && toolCalls.length == 0) continue;
    const msg = JsonValue.obj().set("role", JsonValue.str(isUser ? "user" : "assistant"));
    if (hasImage) msg.set("content", parts);
    else if (texts.length > 0) msg.set("content", JsonValue.str(texts.join("\n")));
    else msg.set("content", JsonValue.nul());
    if (!isUser && toolCalls.length > 0) msg.set("tool_calls", toolCalls);
    out.push(msg);
  }
  return out;
}

/** The chat-completions request body. */
export function chatBody(cfg: JsonValue, messages: JsonValue, tools: JsonValue | null, stream: bool): string {
  const body = JsonValue.obj();
  const model = cfg.getString("model");
  body.set("model", JsonValue.str(model === null ? "" : model));
  body.set("messages", openaiMessages(cfg, messages));
  if (tools !== null && tools.isArray() && tools.length > 0) body.set("tools", tools);
  copyNumber(cfg, "temperature", body, "temperature");
  copyNumber(cfg, "max_tokens", body, "max_tokens");
  copyNumber(cfg, "top_p", body, "top_p");
  if (stream) {
    body.set("stream", JsonValue.bool(true));
    body.set("stream_options", JsonValue.obj().set("include_usage", JsonValue.bool(true)));
  }
  return body.stringify();
}

/** OpenAI's `finish_reason` → QueryMT's FinishReason (serde PascalCase). */
export function finishReason(reason: string | null): string {
  if (reason === null) return "Unknown";
  if (reason == "stop") return "Stop";
  if (reason == "length") return "Length";
  if (reason == "tool_calls" || reason == "function_call") return "ToolCalls";
  if (reason == "content_filter") return "ContentFilter";
  return "Other";
}

/** OpenAI `usage` → QueryMT Usage, or null. */
export function usageOf(u: JsonValue | null): JsonValue | null {
  if (u === null || !u.isObject()) return null;
  const out = JsonValue.obj();
  const p = u.get("prompt_tokens");
  const c = u.get("completion_tokens");
  out.set("input_tokens", p !== null && p.isNumber() ? p : JsonValue.int(0));
  out.set("output_tokens", c !== null && c.isNumber() ? c : JsonValue.int(0));
  const details = u.get("completion_tokens_details");
  if (details !== null && details.isObject()) {
    const r = details.get("reasoning_tokens");
    if (r !== null && r.isNumber()) out.set("reasoning_tokens", r);
  }
  const pd = u.get("prompt_tokens_details");
  if (pd !== null && pd.isObject()) {
    const cached = pd.get("cached_tokens");
    if (cached !== null && cached.isNumber()) out.set("cache_read", cached);
  }
  return out;
}
