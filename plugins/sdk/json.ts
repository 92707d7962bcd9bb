// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// A small, strict JSON (RFC 8259) value tree for AssemblyScript.
//
//   const r = parseJson(text);          // never traps on bad input
//   if (!r.ok) fail(r.error);           // "JSON parse error at offset 12: expected ':'"
//   const v = r.value!;
//   v.getString("prefix"); v.get("messages")!.asArray(); ...
//   JsonValue.obj().set("text", JsonValue.str("hi")).stringify()   // {"text":"hi"}
//
// Numbers keep their source text, so a parsed number re-serializes exactly
// (AssemblyScript's parseFloat is not always correctly rounded). Objects keep
// key order; a repeated key keeps its first position and its last value.
// stringify escapes `"`, `\`, control characters (\b \f \n \r \t or \u00XX)
// and unpaired surrogates (\uDXXX); other characters are written as they are
// (the output is UTF-8). Non-finite numbers are written as `null`.

export const enum JsonKind {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  private b: bool = false;
  private n: f64 = 0;
  /** number source text (null for numbers built in code) */
  private raw: string | null = null;
  private s: string = "";
  private items: Array<JsonValue> | null = null;
  private keyList: Array<string> | null = null;
  private valueList: Array<JsonValue> | null = null;

  // ----- constructors -----
  static nul(): JsonValue {
    return new JsonValue();
  }
  static bool(b: bool): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Bool;
    v.b = b;
    return v;
  }
  static num(n: f64): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.n = n;
    return v;
  }
  static int(n: i64): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.n = <f64>n;
    v.raw = n.toString();
    return v;
  }
  /** A number with the given (already valid) JSON source text. */
  static numRaw(n: f64, raw: string): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.n = n;
    v.raw = raw;
    return v;
  }
  static str(s: string): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.String;
    v.s = s;
    return v;
  }
  /** A string, or null when `s` is null. */
  static strOrNull(s: string | null): JsonValue {
    return s === null ? JsonValue.nul() : JsonValue.str(s);
  }
  static arr(): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Array;
    v.items = new Array<JsonValue>();
    return v;
  }
  static obj(): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Object;
    v.keyList = new Array<string>();
    v.valueList = new Array<JsonValue>();
    return v;
  }
  static strArray(xs: Array<string>): JsonValue {
    const v = JsonValue.arr();
    for (let i = 0; i < xs.length; i++) v.push(JsonValue.str(xs[i]));
    return v;
  }

  // ----- kind tests -----
  isNull(): bool { return this.kind == JsonKind.Null; }
  isBool(): bool { return this.kind == JsonKind.Bool; }
  isNumber(): bool { return this.kind == JsonKind.Number; }
  isString(): bool { return this.kind == JsonKind.String; }
  isArray(): bool { return this.kind == JsonKind.Array; }
  isObject(): bool { return this.kind == JsonKind.Object; }

  /** "null" | "boolean" | "number" | "string" | "array" | "object" */
  kindName(): string {
    switch (this.kind) {
      case JsonKind.Bool: return "boolean";
      case JsonKind.Number: return "number";
      case JsonKind.String: return "string";
      case JsonKind.Array: return "array";
      case JsonKind.Object: return "object";
      default: return "null";
    }
  }

  // ----- scalar accessors (return a neutral value on a kind mismatch) -----
  asBool(): bool { return this.kind == JsonKind.Bool ? this.b : false; }
  asNumber(): f64 { return this.kind == JsonKind.Number ? this.n : NaN; }
  asString(): string { return this.kind == JsonKind.String ? this.s : ""; }

  /** The number's source text (or its formatting, for numbers built in code). */
  numberText(): string {
    if (this.kind != JsonKind.Number) return "";
    const raw = this.raw;
    if (raw !== null) return raw;
    return formatNumber(this.n);
  }

  /** True for a number written without fraction or exponent (e.g. `12`, `-3`). */
  isIntegerLiteral(): bool {
    if (this.kind != JsonKind.Number) return false;
    const t = this.numberText();
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c == 0x2E || c == 0x65 || c == 0x45) return false; // . e E
    }
    return true;
  }

  // ----- arrays -----
  /** The elements (an empty array for non-arrays). Mutating it mutates the value. */
  asArray(): Array<JsonValue> {
    const items = this.items;
    if (this.kind != JsonKind.Array || items === null) return new Array<JsonValue>();
    return items;
  }
  /** Number of elements (array) or members (object); 0 otherwise. */
  get length(): i32 {
    if (this.kind == JsonKind.Array) return this.items!.length;
    if (this.kind == JsonKind.Object) return this.keyList!.length;
    return 0;
  }
  at(i: i32): JsonValue | null {
    if (this.kind != JsonKind.Array) return null;
    const items = this.items!;
    if (i < 0 || i >= items.length) return null;
    return items[i];
  }
  push(v: JsonValue): JsonValue {
    if (this.kind == JsonKind.Array) this.items!.push(v);
    return this;
  }

  // ----- objects -----
  /** The keys in order (an empty array for non-objects). */
  keys(): Array<string> {
    const ks = this.keyList;
    if (this.kind != JsonKind.Object || ks === null) return new Array<string>();
    return ks;
  }
  has(key: string): bool {
    return this.indexOfKey(key) >= 0;
  }
  /** The member `key`, or null when absent (or not an object). */
  get(key: string): JsonValue | null {
    const i = this.indexOfKey(key);
    if (i < 0) return null;
    return this.valueList![i];
  }
  /** The member `key` when it is a string, else null. */
  getString(key: string): string | null {
    const v = this.get(key);
    if (v === null || v.kind != JsonKind.String) return null;
    return v.s;
  }
  /** Sets (or replaces, keeping its position) the member `key`. Returns this. */
  set(key: string, v: JsonValue): JsonValue {
    if (this.kind != JsonKind.Object) return this;
    const i = this.indexOfKey(key);
    if (i >= 0) {
      this.valueList![i] = v;
    } else {
      this.keyList!.push(key);
      this.valueList!.push(v);
    }
    return this;
  }
  private indexOfKey(key: string): i32 {
    if (this.kind != JsonKind.Object) return -1;
    const ks = this.keyList!;
    for (let i = ks.length - 1; i >= 0; i--) {
      if (ks[i] == key) return i;
    }
    return -1;
  }

  // ----- serialization -----
  stringify(): string {
    const parts = new Array<string>();
    this.writeTo(parts);
    return parts.join("");
  }

  private writeTo(parts: Array<string>): void {
    switch (this.kind) {
      case JsonKind.Null: parts.push("null"); break;
      case JsonKind.Bool: parts.push(this.b ? "true" : "false"); break;
      case JsonKind.Number: parts.push(this.numberText()); break;
      case JsonKind.String: parts.push(quoteJson(this.s)); break;
      case JsonKind.Array: {
        const items = this.items!;
        parts.push("[");
        for (let i = 0; i < items.length; i++) {
          if (i > 0) parts.push(",");
          items[i].writeTo(parts);
        }
        parts.push("]");
        break;
      }
      case JsonKind.Object: {
        const ks = this.keyList!;
        const vs = this.valueList!;
        parts.push("{");
        for (let i = 0; i < ks.length; i++) {
          if (i > 0) parts.push(",");
          parts.push(quoteJson(ks[i]));
          parts.push(":");
          vs[i].writeTo(parts);
        }
        parts.push("}");
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Serialization helpers

const HEX = "0123456789abcdef";

/** `s` as a JSON string literal, quotes included. */
export function quoteJson(s: string): string {
  const n = s.length;
  // fast path: nothing to escape
  let clean = true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c == 0x22 || c == 0x5C || (c >= 0xD800 && c <= 0xDFFF)) {
      clean = false;
      break;
    }
  }
  if (clean) return "\"" + s + "\"";

  const parts = new Array<string>();
  parts.push("\"");
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c == 0x22) esc = "\\\"";
    else if (c == 0x5C) esc = "\\\\";
    else if (c < 0x20) {
      if (c == 0x08) esc = "\\b";
      else if (c == 0x0C) esc = "\\f";
      else if (c == 0x0A) esc = "\\n";
      else if (c == 0x0D) esc = "\\r";
      else if (c == 0x09) esc = "\\t";
      else esc = unicodeEscape(c);
    } else if (c >= 0xD800 && c <= 0xDBFF) {
      // a lead surrogate followed by a trail surrogate is a valid pair
      if (i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xDC00 && d <= 0xDFFF) {
          i++;
          continue;
        }
      }
      esc = unicodeEscape(c);
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
      esc = unicodeEscape(c); // unpaired trail surrogate
    }
    if (esc !== null) {
      if (i > start) parts.push(s.substring(start, i));
      parts.push(esc);
      start = i + 1;
    }
  }
  if (n > start) parts.push(s.substring(start, n));
  parts.push("\"");
  return parts.join("");
}

function unicodeEscape(c: i32): string {
  return "\\u" + HEX.charAt((c >> 12) & 15) + HEX.charAt((c >> 8) & 15) + HEX.charAt((c >> 4) & 15) + HEX.charAt(c & 15);
}

/** A finite f64 as JSON number text (`100`, `0.5`, `1e+21`); NaN and infinities give `null`. */
export function formatNumber(x: f64): string {
  if (!isFinite<f64>(x)) return "null";
  if (x == 0) return "0";
  const s = x.toString();
  // AssemblyScript writes integral values as "100.0"
  if (s.endsWith(".0")) return s.substring(0, s.length - 2);
  return s;
}

// ---------------------------------------------------------------------------
// Parsing

export class JsonParseResult {
  constructor(public value: JsonValue | null, public error: string) {}
  get ok(): bool {
    return this.value !== null;
  }
}

/** Parses `text` as one JSON value (surrounding whitespace allowed). Never traps. */
export function parseJson(text: string, maxDepth: i32 = 256): JsonParseResult {
  const p = new Parser(text, maxDepth);
  p.skipWs();
  const v = p.parseValue(0);
  if (v === null) return new JsonParseResult(null, p.error);
  p.skipWs();
  if (p.pos < text.length) {
    p.fail("unexpected data after the JSON value");
    return new JsonParseResult(null, p.error);
  }
  return new JsonParseResult(v, "");
}

class Parser {
  pos: i32 = 0;
  error: string = "";
  constructor(public text: string, public maxDepth: i32) {}

  fail(what: string): void {
    if (this.error.length == 0) {
      this.error = "JSON parse error at offset " + this.pos.toString() + ": " + what;
    }
  }

  skipWs(): void {
    const t = this.text;
    const n = t.length;
    while (this.pos < n) {
      const c = t.charCodeAt(this.pos);
      if (c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D) this.pos++;
      else break;
    }
  }

  private peek(): i32 {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  private literal(word: string): bool {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return true;
    }
    return false;
  }

  parseValue(depth: i32): JsonValue | null {
    const c = this.peek();
    if (c == -1) { this.fail("unexpected end of input, expected a value"); return null; }
    if (c == 0x7B) return this.parseObject(depth); // {
    if (c == 0x5B) return this.parseArray(depth);  // [
    if (c == 0x22) {                                // "
      const s = this.parseString();
      if (s === null) return null;
      return JsonValue.str(s);
    }
    if (c == 0x2D || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (this.literal("true")) return JsonValue.bool(true);
    if (this.literal("false")) return JsonValue.bool(false);
    if (this.literal("null")) return JsonValue.nul();
    this.fail("unexpected character '" + String.fromCharCode(c) + "', expected a value");
    return null;
  }

  private parseObject(depth: i32): JsonValue | null {
    if (depth >= this.maxDepth) { this.fail("nesting deeper than " + this.maxDepth.toString()); return null; }
    this.pos++; // {
    const obj = JsonValue.obj();
    this.skipWs();
    if (this.peek() == 0x7D) { this.pos++; return obj; }
    while (true) {
      this.skipWs();
      if (this.peek() != 0x22) { this.fail("expected a string key"); return null; }
      const key = this.parseString();
      if (key === null) return null;
      this.skipWs();
      if (this.peek() != 0x3A) { this.fail("expected ':'"); return null; }
      this.pos++;
      this.skipWs();
      const v = this.parseValue(depth + 1);
      if (v === null) return null;
      obj.set(key, v);
      this.skipWs();
      const c = this.peek();
      if (c == 0x2C) { this.pos++; continue; }
      if (c == 0x7D) { this.pos++; return obj; }
      this.fail("expected ',' or '}'");
      return null;
    }
    return null; // unreachable in practice; keeps the compiler happy
  }

  private parseArray(depth: i32): JsonValue | null {
    if (depth >= this.maxDepth) { this.fail("nesting deeper than " + this.maxDepth.toString()); return null; }
    this.pos++; // [
    const arr = JsonValue.arr();
    this.skipWs();
    if (this.peek() == 0x5D) { this.pos++; return arr; }
    while (true) {
      this.skipWs();
      const v = this.parseValue(depth + 1);
      if (v === null) return null;
      arr.push(v);
      this.skipWs();
      const c = this.peek();
      if (c == 0x2C) { this.pos++; continue; }
      if (c == 0x5D) { this.pos++; return arr; }
      this.fail("expected ',' or ']'");
      return null;
    }
    return null;
  }

  private hex4(): i32 {
    const t = this.text;
    if (this.pos + 4 > t.length) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = t.charCodeAt(this.pos + i);
      let d: i32;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else return -1;
      v = (v << 4) | d;
    }
    this.pos += 4;
    return v;
  }

  /** Parses a string literal at pos (which is at the opening quote). */
  private parseString(): string | null {
    const t = this.text;
    const n = t.length;
    this.pos++; // opening quote
    let parts: Array<string> | null = null;
    let start = this.pos;
    while (true) {
      if (this.pos >= n) { this.fail("unterminated string"); return null; }
      const c = t.charCodeAt(this.pos);
      if (c == 0x22) {
        const tail = t.substring(start, this.pos);
        this.pos++;
        if (parts === null) return tail;
        parts.push(tail);
        return parts.join("");
      }
      if (c < 0x20) { this.fail("control character in string (must be escaped)"); return null; }
      if (c != 0x5C) { this.pos++; continue; }
      // escape sequence
      if (parts === null) parts = new Array<string>();
      parts.push(t.substring(start, this.pos));
      this.pos++; // backslash
      if (this.pos >= n) { this.fail("unterminated escape"); return null; }
      const e = t.charCodeAt(this.pos);
      this.pos++;
      if (e == 0x22) parts.push("\"");
      else if (e == 0x5C) parts.push("\\");
      else if (e == 0x2F) parts.push("/");
      else if (e == 0x62) parts.push("\b");
      else if (e == 0x66) parts.push("\f");
      else if (e == 0x6E) parts.push("\n");
      else if (e == 0x72) parts.push("\r");
      else if (e == 0x74) parts.push("\t");
      else if (e == 0x75) {
        const u = this.hex4();
        if (u < 0) { this.fail("bad \\u escape"); return null; }
        // surrogate pairs arrive as two escapes; UTF-16 strings take the code units as they are
        parts.push(String.fromCharCode(u));
      } else {
        this.pos--;
        this.fail("bad escape character");
        return null;
      }
      start = this.pos;
    }
    return null;
  }

  private parseNumber(): JsonValue | null {
    const t = this.text;
    const n = t.length;
    const begin = this.pos;
    let isInt = true;
    if (this.peek() == 0x2D) this.pos++;
    // int part
    let c = this.peek();
    if (c == 0x30) {
      this.pos++;
    } else if (c >= 0x31 && c <= 0x39) {
      while (this.pos < n && isDigit(t.charCodeAt(this.pos))) this.pos++;
    } else {
      this.fail("expected a digit");
      return null;
    }
    // fraction
    if (this.peek() == 0x2E) {
      isInt = false;
      this.pos++;
      if (!isDigit(this.peek())) { this.fail("expected a digit after '.'"); return null; }
      while (this.pos < n && isDigit(t.charCodeAt(this.pos))) this.pos++;
    }
    // exponent
    c = this.peek();
    if (c == 0x65 || c == 0x45) {
      isInt = false;
      this.pos++;
      c = this.peek();
      if (c == 0x2B || c == 0x2D) this.pos++;
      if (!isDigit(this.peek())) { this.fail("expected a digit in the exponent"); return null; }
      while (this.pos < n && isDigit(t.charCodeAt(this.pos))) this.pos++;
    }
    const raw = t.substring(begin, this.pos);
    let value: f64;
    // integers of up to 15 digits convert exactly; the rest go through parseFloat
    if (isInt && raw.length <= 16) {
      let acc: i64 = 0;
      let i = raw.charCodeAt(0) == 0x2D ? 1 : 0;
      for (; i < raw.length; i++) acc = acc * 10 + <i64>(raw.charCodeAt(i) - 0x30);
      value = raw.charCodeAt(0) == 0x2D ? -<f64>acc : <f64>acc;
    } else {
      value = parseFloat(raw);
    }
    return JsonValue.numRaw(value, raw);
  }
}

// @ts-ignore: decorator
@inline
function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}
