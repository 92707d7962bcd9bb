// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// QueryMT host functions (module `extism:host/user`) and the QueryMT error
// convention for provider plugins.
//
// Errors (see /tmp/research/querymt-abi.md §4): an export that fails with a
// typed LLM error calls error_set with `{"payload":{"type":"…","message":"…"}}`
// and returns 1 (error_codes::STRUCTURED). Any other failure sets a raw message
// and returns -1; the host turns it into PluginError(<message>).
//
//   export function chat(): i32 {
//     beginCall();
//     ...
//     if (bad) return failTyped("invalid_request", "model: expected one of …");
//     setOutput(json); return 0;
//   }

import { writeBlock, writeStringBlock, freeBlock, setError } from "./extism";
import { JsonValue, quoteJson } from "./json";

@external("extism:host/user", "qmt_yield_chunk")
declare function _qmt_yield_chunk(offset: i64): void;
@external("extism:host/user", "qmt_log")
declare function _qmt_log(offset: i64): void;

/** Return code of an export that set a typed (`{"payload":…}`) error. */
export const ERR_TYPED: i32 = 1;
/** Return code of an export that set a raw error message. */
export const ERR_RAW: i32 = -1;

/** QueryMT log levels (ExtismLogRecord.level). */
export const LOG_ERROR: i32 = 1;
export const LOG_WARN: i32 = 2;
export const LOG_INFO: i32 = 3;
export const LOG_DEBUG: i32 = 4;
export const LOG_TRACE: i32 = 5;

/** Sends one ExtismChatChunk (JSON text, e.g. `{"chunk":{"text":"hi"}}`) to the host. */
export function yieldChunk(json: string): void {
  const off = writeStringBlock(json);
  _qmt_yield_chunk(off);
  freeBlock(off);
}

/** Sends a chunk whose UTF-8 JSON bytes are at `ptr`/`len` (no heap allocation). */
export function yieldChunkBytes(ptr: usize, len: i32): void {
  const off = writeBlock(ptr, len);
  _qmt_yield_chunk(off);
  freeBlock(off);
}

/** Sends `{"level":level,"target":target,"message":message}` to the host's qmt_log. */
export function qmtLog(level: i32, target: string, message: string): void {
  const rec = "{\"level\":" + level.toString() + ",\"target\":" + quoteJson(target) + ",\"message\":" + quoteJson(message) + "}";
  const off = writeStringBlock(rec);
  _qmt_log(off);
  freeBlock(off);
}

/** `{"payload":{"type":type,"message":message}}` */
export function typedErrorJson(type: string, message: string): string {
  return JsonValue.obj()
    .set("payload", JsonValue.obj().set("type", JsonValue.str(type)).set("message", JsonValue.str(message)))
    .stringify();
}

/** Sets a typed QueryMT error and returns 1; use as `return failTyped(…)`. */
export function failTyped(type: string, message: string): i32 {
  setError(typedErrorJson(type, message));
  return ERR_TYPED;
}

/** Sets a typed error from a full payload object (for extra fields) and returns 1. */
export function failPayload(payload: JsonValue): i32 {
  setError(JsonValue.obj().set("payload", payload).stringify());
  return ERR_TYPED;
}

/** Sets a raw (untyped) error message and returns -1. */
export function failRaw(message: string): i32 {
  setError(message);
  return ERR_RAW;
}
