// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// Classifying OpenAI error answers into QueryMT's typed error payloads.

import { JsonValue, parseJson } from "../sdk/json";
import { bodyText, headerOf, statusOf } from "../sdk/http";

/** `{"type","message",…}` for a non-2xx response. */
export function classify(resp: JsonValue): JsonValue {
  const status = statusOf(resp);
  const text = bodyText(resp);
  let message = text.length > 300 ? text.substring(0, 300) : text;
  let code: string | null = null;
  const parsed = parseJson(text).value;
  if (parsed !== null && parsed.isObject()) {
    const err = parsed.get("error");
    if (err !== null && err.isObject()) {
      const m = err.getString("message");
      if (m !== null) message = m;
      code = err.getString("code");
      if (code === null) code = err.getString("type");
    } else if (err !== null && err.isString()) {
      message = err.asString();
    }
  }
  if (message.length == 0) message = "HTTP " + status.toString();
  const out = JsonValue.obj();
  if (status == 401 || status == 403) {
    out.set("type", JsonValue.str("auth_error"));
  } else if (status == 429) {
    out.set("type", JsonValue.str("rate_limited"));
    const ra = headerOf(resp, "retry-after");
    if (ra !== null) {
      const secs = parseFloat(ra);
      if (!isNaN(secs)) out.set("retry_after_secs", JsonValue.int(<i64>Math.ceil(secs)));
    }
  } else if (
    (code !== null && (code == "context_length_exceeded" || code == "string_above_max_length")) ||
    message.toLowerCase().includes("maximum context length") ||
    message.toLowerCase().includes("context window")
  ) {
    out.set("type", JsonValue.str("context_window_exceeded"));
  } else {
    out.set("type", JsonValue.str("http_status"));
  }
  out.set("message", JsonValue.str(message));
  out.set("status", JsonValue.int(status));
  return out;
}
