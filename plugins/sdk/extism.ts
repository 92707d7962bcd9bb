// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// Extism guest bindings for AssemblyScript: the `extism:host/env` imports and
// small helpers to read the call input, set the output or error, read config
// and plugin variables, and log.
//
// Memory model: every address handed to or received from the host is an
// Extism memory offset (i64), not a pointer into this module's linear memory.
// Bytes move between the two with load/store_u8 and load/store_u64.
//
// Heap: plugins are built with `--runtime stub` (a bump allocator that never
// frees). Call `beginCall()` first in every export: it rewinds the heap so a
// long-lived instance doesn't grow without bound. A plugin must not keep heap
// objects (strings, arrays, class instances) in module globals across calls.
// Scalar globals (i32, f64, bool) are fine.

// ---------------------------------------------------------------------------
// Host imports (signatures as in the Extism kernel and @extism/extism 1.0.3)

@external("extism:host/env", "input_length")
declare function _input_length(): i64;
@external("extism:host/env", "input_load_u8")
declare function _input_load_u8(offset: i64): u32;
@external("extism:host/env", "input_load_u64")
declare function _input_load_u64(offset: i64): u64;
@external("extism:host/env", "alloc")
declare function _alloc(length: i64): i64;
@external("extism:host/env", "free")
declare function _free(offset: i64): void;
@external("extism:host/env", "length")
declare function _length(offset: i64): i64;
@external("extism:host/env", "load_u8")
declare function _load_u8(offset: i64): u32;
@external("extism:host/env", "load_u64")
declare function _load_u64(offset: i64): u64;
@external("extism:host/env", "store_u8")
declare function _store_u8(offset: i64, value: u32): void;
@external("extism:host/env", "store_u64")
declare function _store_u64(offset: i64, value: u64): void;
@external("extism:host/env", "output_set")
declare function _output_set(offset: i64, length: i64): void;
@external("extism:host/env", "error_set")
declare function _error_set(offset: i64): void;
@external("extism:host/env", "config_get")
declare function _config_get(offset: i64): i64;
@external("extism:host/env", "var_get")
declare function _var_get(offset: i64): i64;
@external("extism:host/env", "var_set")
declare function _var_set(offset: i64, valueOffset: i64): void;
@external("extism:host/env", "log_info")
declare function _log_info(offset: i64): void;
@external("extism:host/env", "log_debug")
declare function _log_debug(offset: i64): void;
@external("extism:host/env", "log_warn")
declare function _log_warn(offset: i64): void;
@external("extism:host/env", "log_error")
declare function _log_error(offset: i64): void;

// ---------------------------------------------------------------------------
// Heap

/** Rewinds the stub runtime's bump heap. Call first in every export. */
export function beginCall(): void {
  __reset();
}

// ---------------------------------------------------------------------------
// Extism memory blocks

/** Copies `len` bytes at linear-memory address `ptr` into a new Extism block; returns its offset. */
export function writeBlock(ptr: usize, len: i32): i64 {
  const off = _alloc(<i64>len);
  let i: i32 = 0;
  for (; i + 8 <= len; i += 8) {
    _store_u64(off + <i64>i, load<u64>(ptr + <usize>i));
  }
  for (; i < len; i++) {
    _store_u8(off + <i64>i, <u32>load<u8>(ptr + <usize>i));
  }
  return off;
}

/** Encodes `s` as UTF-8 (unpaired surrogates become U+FFFD) into a new Extism block. */
export function writeStringBlock(s: string): i64 {
  const buf = String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE);
  return writeBlock(changetype<usize>(buf), buf.byteLength);
}

/** Reads the whole Extism block at `off` into a new ArrayBuffer. */
export function readBlock(off: i64): ArrayBuffer {
  const len = <i32>_length(off);
  const buf = new ArrayBuffer(len);
  const ptr = changetype<usize>(buf);
  let i: i32 = 0;
  for (; i + 8 <= len; i += 8) {
    store<u64>(ptr + <usize>i, _load_u64(off + <i64>i));
  }
  for (; i < len; i++) {
    store<u8>(ptr + <usize>i, <u8>_load_u8(off + <i64>i));
  }
  return buf;
}

/** Frees an Extism block (no-op for offset 0). */
export function freeBlock(off: i64): void {
  if (off != 0) _free(off);
}

// ---------------------------------------------------------------------------
// Input / output / error

/** The raw input bytes of the current call. */
export function readInputBytes(): ArrayBuffer {
  const len = <i32>_input_length();
  const buf = new ArrayBuffer(len);
  const ptr = changetype<usize>(buf);
  let i: i32 = 0;
  for (; i + 8 <= len; i += 8) {
    store<u64>(ptr + <usize>i, _input_load_u64(<i64>i));
  }
  for (; i < len; i++) {
    store<u8>(ptr + <usize>i, <u8>_input_load_u8(<i64>i));
  }
  return buf;
}

/** The input of the current call decoded as UTF-8 (invalid sequences do not trap). */
export function readInput(): string {
  return String.UTF8.decode(readInputBytes());
}

/**
 * Sets the call output to the UTF-8 bytes of `s`. Like the Rust PDK, an empty
 * output is still set (a zero-length block), so the JS host returns an empty
 * buffer rather than null.
 */
export function setOutput(s: string): void {
  const buf = String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE);
  setOutputBytes(changetype<usize>(buf), buf.byteLength);
}

/** Sets the call output to `len` raw bytes at `ptr`. */
export function setOutputBytes(ptr: usize, len: i32): void {
  const off = writeBlock(ptr, len);
  _output_set(off, <i64>len);
}

/** Sets the call's error message. The export must then return non-zero. */
export function setError(s: string): void {
  _error_set(writeStringBlock(s));
}

// ---------------------------------------------------------------------------
// Config and variables

/** The manifest/plugin config value for `key`, or null when it is not set. */
export function getConfig(key: string): string | null {
  const k = writeStringBlock(key);
  const v = _config_get(k);
  freeBlock(k);
  if (v == 0) return null;
  const s = String.UTF8.decode(readBlock(v));
  freeBlock(v);
  return s;
}

/** A plugin variable (host-side storage that survives calls), or null. */
export function getVar(key: string): string | null {
  const k = writeStringBlock(key);
  const v = _var_get(k);
  freeBlock(k);
  if (v == 0) return null;
  return String.UTF8.decode(readBlock(v));
}

/** Sets a plugin variable; `null` deletes it. */
export function setVar(key: string, value: string | null): void {
  const k = writeStringBlock(key);
  if (value === null) {
    _var_set(k, 0);
  } else {
    _var_set(k, writeStringBlock(value));
  }
  freeBlock(k);
}

// ---------------------------------------------------------------------------
// Extism logging (the host's logger, not QueryMT's qmt_log)

export function logInfo(message: string): void {
  const off = writeStringBlock(message);
  _log_info(off);
  freeBlock(off);
}
export function logDebug(message: string): void {
  const off = writeStringBlock(message);
  _log_debug(off);
  freeBlock(off);
}
export function logWarn(message: string): void {
  const off = writeStringBlock(message);
  _log_warn(off);
  freeBlock(off);
}
export function logError(message: string): void {
  const off = writeStringBlock(message);
  _log_error(off);
  freeBlock(off);
}

// ---------------------------------------------------------------------------
// abort handler: the build passes `--use abort=plugins/sdk/extism/sdkAbort`
// so the module does not import `env.abort` (which Extism does not provide).
// AssemblyScript calls it for failed assertions, out-of-range indexes and
// `throw`. It records the message as the call's error and traps.

export function sdkAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "abort";
  if (message !== null) text += ": " + message;
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  setError(text);
  unreachable();
}
