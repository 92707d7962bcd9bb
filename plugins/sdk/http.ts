// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// Helpers for QueryMT's HTTP-adapter interface: the plugin builds HTTP requests
// and parses responses; the host sends them. Requests and responses are serde's
// `http::Request<Vec<u8>>` / `http::Response<Vec<u8>>`, bodies as JSON arrays
// of byte values:
//
//   {"req":{"head":{"method","uri","headers":{…},"version":"HTTP/1.1"},"body":[…]}}
//   {"resp":{"head":{"status","headers":{…},"version"},"body":[…]}}
//
// Bodies are written straight into a byte buffer (string concatenation per byte
// would be quadratic under the stub runtime's bump heap).

import { setOutputBytes } from "./extism";
import { JsonValue, quoteJson } from "./json";

/** A growable byte buffer for building output without intermediate strings. */
export class ByteWriter {
  buf: Uint8Array;
  len: i32 = 0;
  constructor(capacity: i32 = 1024) {
    this.buf = new Uint8Array(capacity);
  }
  private reserve(n: i32): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    memory.copy(next.dataStart, this.buf.dataStart, <usize>this.len);
    this.buf = next;
  }
  byte(b: u8): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }
  /** ASCII / UTF-8 text. */
  text(s: string): void {
    const enc = String.UTF8.encode(s);
    const n = enc.byteLength;
    this.reserve(n);
    memory.copy(this.buf.dataStart + <usize>this.len, changetype<usize>(enc), <usize>n);
    this.len += n;
  }
  /** `[b0,b1,…]`: the bytes of `data` as a JSON array of numbers. */
  byteArray(data: ArrayBuffer): void {
    const n = data.byteLength;
    const src = changetype<usize>(data);
    this.reserve(n * 4 + 2);
    this.buf[this.len++] = 0x5b; // [
    for (let i = 0; i < n; i++) {
      if (i > 0) this.buf[this.len++] = 0x2c; // ,
      const b = <i32>load<u8>(src + <usize>i);
      if (b >= 100) this.buf[this.len++] = <u8>(0x30 + b / 100);
      if (b >= 10) this.buf[this.len++] = <u8>(0x30 + (b / 10) % 10);
      this.buf[this.len++] = <u8>(0x30 + b % 10);
    }
    this.buf[this.len++] = 0x5d; // ]
  }
  /** Sets the bytes written so far as the call's output. */
  output(): void {
    setOutputBytes(this.buf.dataStart, this.len);
  }
}

/** Sets the call output to `{"req":{"head":{…},"body":[…]}}`; `headers` is a JSON object of strings. */
export function outputRequest(method: string, uri: string, headers: JsonValue, body: string | null): void {
  const w = new ByteWriter(body === null ? 512 : body.length * 4 + 512);
  w.text("{\"req\":{\"head\":{\"method\":" + quoteJson(method) + ",\"uri\":" + quoteJson(uri) + ",\"headers\":" + headers.stringify() + ",\"version\":\"HTTP/1.1\"},\"body\":");
  if (body === null) w.text("[]");
  else w.byteArray(String.UTF8.encode(body));
  w.text("}}");
  w.output();
}

/** The response inside a parse export's input (`input.resp.resp`), or null. */
export function responseOf(input: JsonValue): JsonValue | null {
  const outer = input.get("resp");
  if (outer === null) return null;
  const inner = outer.get("resp");
  return inner !== null ? inner : outer;
}

/** The HTTP status of a response (0 when missing). */
export function statusOf(resp: JsonValue): i32 {
  const head = resp.get("head");
  if (head === null) return 0;
  const s = head.get("status");
  return s === null ? 0 : <i32>s.asNumber();
}

/** A response header, by case-insensitive name, or null. */
export function headerOf(resp: JsonValue, name: string): string | null {
  const head = resp.get("head");
  if (head === null) return null;
  const headers = head.get("headers");
  if (headers === null || !headers.isObject()) return null;
  const keys = headers.keys();
  const want = name.toLowerCase();
  for (let i = 0; i < keys.length; i++) {
    if (keys[i].toLowerCase() == want) {
      const v = headers.get(keys[i]);
      return v === null ? null : v.asString();
    }
  }
  return null;
}

/** The body of a response (or any `[bytes]` value) decoded as UTF-8. */
export function bodyText(resp: JsonValue): string {
  const body = resp.get("body");
  if (body === null || !body.isArray()) return "";
  const items = body.asArray();
  const buf = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) buf[i] = <u8>(<i32>items[i].asNumber());
  return String.UTF8.decode(buf.buffer);
}

/** Reads the integer after `key` (e.g. `"parser_id":`) in raw JSON text; -1 when absent. */
export function scanInt(text: string, key: string): i64 {
  const at = text.indexOf(key);
  if (at < 0) return -1;
  let i = at + key.length;
  while (i < text.length && text.charCodeAt(i) == 0x20) i++;
  let n: i64 = 0;
  let digits = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + <i64>(c - 0x30);
    digits++;
    i++;
  }
  return digits ? n : -1;
}

/**
 * Reads the byte array after `key` (e.g. `"chunk":`) in raw JSON text without building a
 * JSON tree (the hot path of stream parsing); null when it is not a plain array of bytes.
 */
export function scanBytes(text: string, key: string): Uint8Array | null {
  const at = text.indexOf(key);
  if (at < 0) return null;
  let i = at + key.length;
  while (i < text.length && text.charCodeAt(i) == 0x20) i++;
  if (i >= text.length || text.charCodeAt(i) != 0x5b) return null;
  i++;
  const end = text.indexOf("]", i);
  if (end < 0) return null;
  const out = new Uint8Array(end - i);
  let n = 0;
  let v = 0;
  let inNum = false;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      inNum = true;
    } else if (c == 0x2c) {
      if (!inNum || v > 255) return null;
      out[n++] = <u8>v;
      v = 0;
      inNum = false;
    } else if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) {
      return null;
    }
  }
  if (inNum) {
    if (v > 255) return null;
    out[n++] = <u8>v;
  }
  return out.subarray(0, n);
}
