import type { ChatResult, FinishReason, StreamChunk, ToolCall, Usage } from '../../protocol/chat.js';
import type { QmtChatResponse, QmtToolCall, QmtUsage } from './qmtTypes.js';

/** QueryMT's `FinishReason` (PascalCase) or an older `stop_reason` string → plugd's. */
export function toFinishReason(value: unknown): FinishReason {
  const v = String(value ?? '').replace(/[_\s-]/g, '').toLowerCase();
  switch (v) {
    case 'stop':
    case 'endturn':
    case 'stopsequence':
      return 'stop';
    case 'length':
    case 'maxtokens':
      return 'length';
    case 'toolcalls':
    case 'tooluse':
      return 'toolCalls';
    case 'contentfilter':
      return 'contentFilter';
    case 'error':
      return 'error';
    case 'unknown':
    case '':
      return 'unknown';
    default:
      return 'other';
  }
}

/** QueryMT's Usage, accepting the serde aliases QueryMT itself accepts (OpenAI, Anthropic, Ollama, Gemini spellings). */
export function toUsage(u: QmtUsage | null | undefined): Usage | null {
  if (!u || typeof u !== 'object') return null;
  const raw = u as Record<string, unknown>;
  const pick = (...keys: string[]) => num(keys.map((k) => raw[k]).find((v) => v !== undefined));
  const usage: Usage = {
    inputTokens: pick('input_tokens', 'prompt_tokens', 'prompt_eval_count', 'promptTokenCount'),
    outputTokens: pick('output_tokens', 'completion_tokens', 'eval_count', 'candidatesTokenCount'),
  };
  const reasoning = pick('reasoning_tokens');
  const cacheRead = pick('cache_read', 'cache_read_input_tokens');
  const cacheWrite = pick('cache_write', 'cache_creation_input_tokens');
  if (reasoning) usage.reasoningTokens = reasoning;
  if (cacheRead) usage.cacheReadTokens = cacheRead;
  if (cacheWrite) usage.cacheWriteTokens = cacheWrite;
  return usage;
}

export function toToolCall(call: QmtToolCall): ToolCall {
  const raw = call.function?.arguments ?? '';
  let args: unknown = raw;
  try {
    args = raw === '' ? {} : JSON.parse(raw);
  } catch {
    // Not JSON: hand the model's text through untouched, as the protocol documents.
  }
  return { id: String(call.id ?? ''), name: String(call.function?.name ?? ''), arguments: args };
}

/** The output of a plugin's `chat` export → a ChatResult. */
export function toChatResult(response: QmtChatResponse): ChatResult {
  return {
    text: typeof response.text === 'string' ? response.text : null,
    toolCalls: Array.isArray(response.tool_calls) ? response.tool_calls.map(toToolCall) : [],
    thinking: typeof response.thinking === 'string' ? response.thinking : null,
    usage: toUsage(response.usage),
    finishReason: response.finish_reason == null ? null : toFinishReason(response.finish_reason),
  };
}

/**
 * One `qmt_yield_chunk` payload (`{"chunk": {...}, "usage": ...}`, externally tagged) → the
 * client chunks it stands for. Unknown chunk kinds (newer plugins) yield nothing.
 */
export function toStreamChunks(payload: unknown): StreamChunk[] {
  const envelope = payload as { chunk?: Record<string, unknown>; usage?: QmtUsage } | null;
  const chunk = envelope?.chunk;
  if (!chunk || typeof chunk !== 'object') return [];
  const [kind, value] = Object.entries(chunk)[0] ?? [];
  const v = value as Record<string, unknown>;
  switch (kind) {
    case 'text':
      return [{ type: 'text', text: String(value ?? '') }];
    case 'thinking':
      return [{ type: 'thinking', text: String(value ?? '') }];
    case 'tool_use_start':
      return [{ type: 'toolUseStart', index: num(v?.index), id: String(v?.id ?? ''), name: String(v?.name ?? '') }];
    case 'tool_use_input_delta':
      return [{ type: 'toolUseInputDelta', index: num(v?.index), partialJson: String(v?.partial_json ?? '') }];
    case 'tool_use_complete':
      return [{ type: 'toolUseComplete', index: num(v?.index), toolCall: toToolCall(v?.tool_call as QmtToolCall) }];
    case 'usage': {
      const usage = toUsage((value as QmtUsage) ?? envelope?.usage);
      return usage ? [{ type: 'usage', usage }] : [];
    }
    case 'done':
      return [{ type: 'done', finishReason: toFinishReason(v?.finish_reason ?? v?.stop_reason) }];
    default:
      return [];
  }
}

/** Builds the final result of a stream from its chunks. */
export class StreamAccumulator {
  private text = '';
  private thinking = '';
  private sawText = false;
  private readonly toolCalls: ToolCall[] = [];
  usage: Usage | null = null;
  finishReason: FinishReason | null = null;

  add(chunk: StreamChunk): void {
    switch (chunk.type) {
      case 'text':
        this.text += chunk.text;
        this.sawText = true;
        break;
      case 'thinking':
        this.thinking += chunk.text;
        break;
      case 'toolUseComplete':
        this.toolCalls.push(chunk.toolCall);
        break;
      case 'usage':
        this.usage = chunk.usage;
        break;
      case 'done':
        this.finishReason = chunk.finishReason;
        break;
    }
  }

  get done(): boolean {
    return this.finishReason !== null;
  }

  result(): ChatResult {
    return {
      text: this.sawText ? this.text : null,
      toolCalls: this.toolCalls,
      thinking: this.thinking || null,
      usage: this.usage,
      finishReason: this.finishReason,
    };
  }
}

function num(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}
