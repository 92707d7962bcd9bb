// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// The SSE stream parser behind chat_stream_parser_*. Parser state must survive
// between calls, but beginCall() rewinds the heap, so no heap object may be kept:
// each parser's state is serialized (JSON) into a fixed StateSlot of static memory
// at the end of every call and read back at the start of the next one.

import { JsonValue, parseJson } from "../sdk/json";
import {
  textChunkJson, toolUseStartChunkJson, toolUseInputDeltaChunkJson, toolUseCompleteChunkJson, toolCallJson,
} from "../sdk/provider";
import { StateSlot } from "../sdk/tools";
import { finishReason, usageOf } from "./wire";

export const MAX_PARSERS: i32 = 16;
export const SLOT_BYTES: i32 = 262144;
const slotIds = memory.data(MAX_PARSERS * 8);
const slotData = memory.data(MAX_PARSERS * SLOT_BYTES);
let nextParserId: i64 = 1;

/** Where parser `slot` keeps its state between calls. */
function stateOf(slot: i32): StateSlot {
  return new StateSlot(slotData + <usize>slot * <usize>SLOT_BYTES, SLOT_BYTES);
}

/** Claims a slot for a new parser; returns its id, or -1 when all slots are taken. */
export function openParser(): i64 {
  for (let i = 0; i < MAX_PARSERS; i++) {
    if (load<i64>(slotIds + <usize>(i * 8)) == 0) {
      const id = nextParserId++;
      store<i64>(slotIds + <usize>(i * 8), id);
      stateOf(i).clear();
      return id;
    }
  }
  return -1;
}

export function findParser(id: i64): i32 {
  if (id <= 0) return -1;
  for (let i = 0; i < MAX_PARSERS; i++) if (load<i64>(slotIds + <usize>(i * 8)) == id) return i;
  return -1;
}

export function closeParser(slot: i32): void {
  store<i64>(slotIds + <usize>(slot * 8), 0);
}

class Tool {
  constructor(public index: i32, public id: string, public name: string, public args: string, public started: bool) {}
}

/** One parser's state between calls. */
export class ParserState {
  /** Bytes of a line not yet ended by `\n` (as text). */
  partial: string = "";
  /** `data:` lines of the SSE event being read, joined by `\n`. */
  data: string = "";
  hasData: bool = false;
  /** The event being read was handled at its first `data:` line (see line()). */
  dispatched: bool = false;
  finish: string | null = null;
  completed: bool = false;
  done: bool = false;
  tools: Array<Tool> = new Array<Tool>();
  /** Set when an event carried an API error. */
  error: string | null = null;

  static load(slot: i32): ParserState {
    const st = new ParserState();
    const text = stateOf(slot).read();
    if (text.length == 0) return st;
    const v = parseJson(text).value;
    if (v === null) return st;
    const p = v.getString("partial");
    st.partial = p === null ? "" : p;
    const d = v.getString("data");
    st.data = d === null ? "" : d;
    const hd = v.get("has_data");
    st.hasData = hd !== null && hd.asBool();
    const dp = v.get("dispatched");
    st.dispatched = dp !== null && dp.asBool();
    st.finish = v.getString("finish");
    const c = v.get("completed");
    st.completed = c !== null && c.asBool();
    const dn = v.get("done");
    st.done = dn !== null && dn.asBool();
    const tools = v.get("tools");
    if (tools !== null && tools.isArray()) {
      const list = tools.asArray();
      for (let i = 0; i < list.length; i++) {
        const t = list[i];
        const idx = t.get("index");
        const id = t.getString("id");
        const name = t.getString("name");
        const args = t.getString("args");
        const started = t.get("started");
        st.tools.push(new Tool(idx === null ? 0 : <i32>idx.asNumber(), id === null ? "" : id, name === null ? "" : name, args === null ? "" : args, started !== null && started.asBool()));
      }
    }
    return st;
  }

  /** Writes the state back; false when it does not fit the slot. */
  save(slot: i32): bool {
    const tools = JsonValue.arr();
    for (let i = 0; i < this.tools.length; i++) {
      const t = this.tools[i];
      tools.push(JsonValue.obj().set("index", JsonValue.int(t.index)).set("id", JsonValue.str(t.id)).set("name", JsonValue.str(t.name)).set("args", JsonValue.str(t.args)).set("started", JsonValue.bool(t.started)));
    }
    const v = JsonValue.obj()
      .set("partial", JsonValue.str(this.partial))
      .set("data", JsonValue.str(this.data))
      .set("has_data", JsonValue.bool(this.hasData))
      .set("dispatched", JsonValue.bool(this.dispatched))
      .set("finish", JsonValue.strOrNull(this.finish))
      .set("completed", JsonValue.bool(this.completed))
      .set("done", JsonValue.bool(this.done))
      .set("tools", tools);
    return stateOf(slot).write(v.stringify());
  }

  private tool(index: i32): Tool | null {
    for (let i = 0; i < this.tools.length; i++) if (this.tools[i].index == index) return this.tools[i];
    return null;
  }

  /** Feeds raw text (any split); appends output chunks (ExtismChatChunk JSON) to `out`. */
  feed(text: string, out: Array<string>): void {
    let buf = this.partial.length > 0 ? this.partial + text : text;
    let start = 0;
    let nl = buf.indexOf("\n", start);
    while (nl >= 0) {
      let line = buf.substring(start, nl);
      if (line.endsWith("\r")) line = line.substring(0, line.length - 1);
      this.line(line, out);
      start = nl + 1;
      nl = buf.indexOf("\n", start);
    }
    this.partial = start < buf.length ? buf.substring(start) : "";
  }

  /** The body has ended: a last unterminated line and a pending event are processed. */
  end(out: Array<string>): void {
    if (this.partial.length > 0) {
      const line = this.partial;
      this.partial = "";
      this.line(line, out);
    }
    this.dispatch(out);
    if (this.finish !== null) this.complete(out);
  }

  private line(line: string, out: Array<string>): void {
    if (line.length == 0) {
      this.dispatch(out);
      return;
    }
    if (line.charCodeAt(0) == 0x3a) return; // ":" comment (keep-alive)
    if (!line.startsWith("data:")) return; // event:, id:, retry: carry nothing we use
    if (this.dispatched) return;
    let value = line.substring(5);
    if (value.startsWith(" ")) value = value.substring(1);
    if (!this.hasData && !this.done) {
      // SSE dispatches an event at the blank line that ends it. OpenAI-compatible servers send
      // each event as one `data:` line of whole JSON: handled here, its chunks reach the client a
      // parser call (and a network read, when the blank line comes in the next one) sooner. A
      // further `data:` line in the same event is ignored: joined to this one, the payload would
      // not have been JSON, and such events are ignored (below).
      if (value == "[DONE]") {
        this.dispatched = true;
        this.complete(out);
        return;
      }
      const v = parseJson(value).value;
      if (v !== null && v.isObject()) {
        this.dispatched = true;
        this.event(v, out);
        return;
      }
    }
    this.data = this.hasData ? this.data + "\n" + value : value;
    this.hasData = true;
  }

  private dispatch(out: Array<string>): void {
    if (this.dispatched) {
      this.dispatched = false;
      return;
    }
    if (!this.hasData) return;
    const data = this.data;
    this.data = "";
    this.hasData = false;
    if (this.done) return;
    if (data == "[DONE]") {
      this.complete(out);
      return;
    }
    const v = parseJson(data).value;
    if (v === null || !v.isObject()) return; // not JSON: ignored, as OpenAI's own SDK does
    this.event(v, out);
  }

  /** One event's JSON payload. */
  private event(v: JsonValue, out: Array<string>): void {
    const err = v.get("error");
    if (err !== null && !err.isNull()) {
      const m = err.isObject() ? err.getString("message") : err.isString() ? err.asString() : null;
      this.error = m === null ? "the provider reported an error in the stream" : m;
      return;
    }
    const choices = v.get("choices");
    if (choices !== null && choices.isArray() && choices.length > 0) {
      const choice = choices.at(0)!;
      const delta = choice.get("delta");
      if (delta !== null && delta.isObject()) {
        const reasoning = delta.getString("reasoning_content");
        if (reasoning !== null && reasoning.length > 0) {
          out.push(JsonValue.obj().set("chunk", JsonValue.obj().set("thinking", JsonValue.str(reasoning))).stringify());
        }
        const content = delta.getString("content");
        if (content !== null && content.length > 0) out.push(textChunkJson(content));
        const calls = delta.get("tool_calls");
        if (calls !== null && calls.isArray()) {
          const list = calls.asArray();
          for (let i = 0; i < list.length; i++) this.toolDelta(list[i], out);
        }
      }
      const fr = choice.getString("finish_reason");
      if (fr !== null) {
        this.finish = fr;
        this.completeTools(out);
      }
    }
    const usage = usageOf(v.get("usage"));
    if (usage !== null) {
      out.push(JsonValue.obj().set("chunk", JsonValue.obj().set("usage", usage)).set("usage", usage).stringify());
    }
  }

  private toolDelta(call: JsonValue, out: Array<string>): void {
    const idx = call.get("index");
    const index = idx === null ? 0 : <i32>idx.asNumber();
    let t = this.tool(index);
    if (t === null) {
      t = new Tool(index, "", "", "", false);
      this.tools.push(t);
    }
    const id = call.getString("id");
    if (id !== null && id.length > 0) t.id = id;
    const fn = call.get("function");
    let args: string | null = null;
    if (fn !== null && fn.isObject()) {
      const name = fn.getString("name");
      if (name !== null && name.length > 0) t.name = t.started ? t.name : t.name + name;
      args = fn.getString("arguments");
    }
    if (!t.started && t.name.length > 0) {
      t.started = true;
      out.push(toolUseStartChunkJson(index, t.id, t.name));
    }
    if (args !== null && args.length > 0) {
      t.args += args;
      out.push(toolUseInputDeltaChunkJson(index, args));
    }
  }

  private completeTools(out: Array<string>): void {
    if (this.completed) return;
    this.completed = true;
    for (let i = 0; i < this.tools.length; i++) {
      const t = this.tools[i];
      out.push(toolUseCompleteChunkJson(t.index, toolCallJson(t.id, t.name, t.args)));
    }
  }

  private complete(out: Array<string>): void {
    if (this.done) return;
    this.completeTools(out);
    this.done = true;
    out.push(JsonValue.obj().set("chunk", JsonValue.obj().set("done", JsonValue.obj().set("stop_reason", JsonValue.str(finishReason(this.finish))))).stringify());
  }
}
