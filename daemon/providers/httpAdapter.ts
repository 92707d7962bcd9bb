import type { ChatResult, StreamChunk } from '../../protocol/chat.js';
import type { PluginErrorPayload } from '../../protocol/errors.js';
import { responseJson } from '../../workers/http/bodyJson.js';
import { sendRequest } from '../../workers/http/hostHttp.js';
import { policyFor } from '../../workers/http/policy.js';
import { requestFromOutput } from '../../workers/http/request.js';
import { encodeStreamTask, HTTP_STREAM_TASK, type HttpStreamOutput } from '../../workers/http/streamTask.js';
import type { HttpPolicy, HttpTimeouts, QmtHttpRequest, QmtHttpResponse } from '../../workers/http/types.js';
import type { LegacyHttpStart } from '../../workers/messages.js';
import type { ProviderEntry } from '../config/schema.js';
import type { CancelSignal } from '../cancelSignal.js';
import { DEFAULTS } from '../config/schema.js';
import { DaemonError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PluginHost } from '../plugins/pluginHost.js';
import { badOutput, embeddings, modelNames, parseOutput, requireExports } from './pluginOutput.js';
import type { QmtChatResponse } from '../translate/qmtTypes.js';
import { toChatResult } from '../translate/results.js';
import { StreamForwarder } from './streamForwarder.js';
import { fromHttpFailure, fromPayload, fromStatus, fromStreamTaskError } from './providerErrors.js';

/**
 * QueryMT's HTTP-adapter interface: the plugin builds HTTP requests and parses responses; the
 * host makes the calls. Between the two plugin calls of an operation no Extism instance is held,
 * so a slow provider does not block the plugin's other calls. Streams run as one worker task
 * (workers/http/streamTask.ts) so that every parser call reaches the instance holding the parser.
 */

/** The exports that make a plugin an HTTP-adapter plugin (QueryMT's test, verbatim). */
const REQUIRED = ['chat_request', 'chat_stream_request', 'parse_chat_response', 'list_models_request', 'parse_list_models_response'];
const PARSER = ['chat_stream_parser_start', 'chat_stream_parser_parse', 'chat_stream_parser_finish', 'chat_stream_parser_close'];

export function isHttpAdapter(host: PluginHost): boolean {
  return REQUIRED.every((fn) => host.hasExport(fn));
}

/** What an HTTP-adapter plugin can do, for `factories/list`. */
export function adapterCapabilities(host: PluginHost): { chat: boolean; stream: boolean; embed: boolean; complete: boolean; listModels: boolean } {
  const has = (...fns: string[]) => fns.every((fn) => host.hasExport(fn));
  return {
    chat: true,
    stream: has(...PARSER),
    embed: has('embed_request', 'parse_embed_response'),
    complete: has('complete_request', 'parse_complete_response'),
    listModels: true,
  };
}

const policies = new WeakMap<PluginHost, HttpPolicy>();

/**
 * The hosts this plugin's requests may reach: `allowed_hosts` (both spellings), plus the host of
 * `[providers.config].base_url`, or of the plugin's own `base_url` when the config sets none.
 * A handle's `base_url` pointing elsewhere is refused, as under QueryMT.
 */
export function httpPolicy(host: PluginHost): HttpPolicy {
  // Fixed for a loaded host (its entry and its base_url export): worked out once, not per call.
  let policy = policies.get(host);
  if (!policy) {
    const base = typeof host.entry.config.base_url === 'string' ? host.entry.config.base_url : host.info?.baseUrl;
    policy = policyFor(host.entry.allowedHosts, base, timeoutsOf(host.entry));
    if (host.info) policies.set(host, policy);
  }
  return policy;
}

function timeoutsOf(entry: ProviderEntry): HttpTimeouts {
  return {
    connectMs: entry.http?.connectMs ?? DEFAULTS.connectTimeoutMs,
    firstByteMs: entry.http?.firstByteMs ?? DEFAULTS.firstByteTimeoutMs,
    idleMs: entry.http?.idleMs ?? DEFAULTS.idleTimeoutMs,
  };
}

/**
 * What a Wasm worker's legacy `qmt_http_*` functions start with: the sources httpPolicy() uses,
 * fixed for the worker's life (the plugin's `base_url` export is read by the worker itself).
 * `PLUGD_HTTP_SYNC_WAIT_MS` in the daemon's environment overrides how long a plugin thread waits
 * for the HTTP helper thread (docs/plugin-abi.md §13.5; tests use a short one).
 */
export function legacyHttpStart(entry: ProviderEntry, env: NodeJS.ProcessEnv = process.env): LegacyHttpStart {
  const wait = Number(env.PLUGD_HTTP_SYNC_WAIT_MS);
  return {
    configBaseUrl: typeof entry.config.base_url === 'string' ? entry.config.base_url : null,
    timeouts: timeoutsOf(entry),
    ...(Number.isInteger(wait) && wait > 0 && { waitLimitMs: wait }),
  };
}

export class HttpAdapter {
  constructor(private readonly logger: Logger) {}

  async chat(host: PluginHost, input: string, cfg: Record<string, unknown>, signal: CancelSignal): Promise<ChatResult> {
    const response = await this.exchange(host, 'chat_request', input, signal, 'chat');
    if (!ok(response)) throw await this.classifyChat(host, cfg, response, signal);
    const output = await callJson(host, 'parse_chat_response', responseInput(cfg, response), signal);
    if (!isObject(output)) throw badOutput(host, 'parse_chat_response', 'a chat response object');
    return toChatResult(output as QmtChatResponse);
  }

  async chatStream(host: PluginHost, input: string, cfg: Record<string, unknown>, signal: CancelSignal, onChunk: (chunk: StreamChunk) => void): Promise<ChatResult> {
    for (const fn of PARSER) {
      if (!host.hasExport(fn)) throw new DaemonError('UNSUPPORTED', `provider "${host.name}" does not support streaming chat (it does not export "${fn}")`, { plugin: host.name });
    }
    const stream = new StreamForwarder(onChunk, () => this.logger.warn(`plugin "${host.name}": chat_stream_parser_parse returned invalid JSON; skipped`));
    // One worker task builds the request, sends it and parses the body (see streamTask.ts).
    const task = encodeStreamTask({ cfg, request: input, policy: httpPolicy(host) });
    let text: string | null;
    try {
      text = await host.call(HTTP_STREAM_TASK, task, { signal, onChunk: (data) => stream.take(data) });
    } catch (error) {
      throw fromStreamTaskError(error, host.name);
    }
    const output = parseOutput(host, HTTP_STREAM_TASK, text) as HttpStreamOutput;
    if (!(output.status >= 200 && output.status < 300)) {
      const response: QmtHttpResponse = { head: { status: output.status, headers: output.headers ?? {}, version: output.version ?? 'HTTP/1.1' }, body: output.body ?? [] };
      throw await this.classifyChat(host, cfg, response, signal);
    }
    return stream.finish();
  }

  async embed(host: PluginHost, cfg: Record<string, unknown>, inputs: string[], signal: CancelSignal): Promise<number[][]> {
    requireExports(host, 'embeddings', 'embed_request', 'parse_embed_response');
    const response = await this.exchange(host, 'embed_request', JSON.stringify({ cfg, inputs }), signal, 'embed');
    if (!ok(response)) throw fromStatus(response, host.name, 'embed');
    return embeddings(host, 'parse_embed_response', await callJson(host, 'parse_embed_response', responseInput(cfg, response), signal));
  }

  async complete(host: PluginHost, cfg: Record<string, unknown>, req: Record<string, unknown>, signal: CancelSignal): Promise<string> {
    requireExports(host, 'completion', 'complete_request', 'parse_complete_response');
    const response = await this.exchange(host, 'complete_request', JSON.stringify({ cfg, req }), signal, 'complete');
    if (!ok(response)) throw fromStatus(response, host.name, 'complete');
    const output = await callJson(host, 'parse_complete_response', responseInput(cfg, response), signal);
    const text = (output as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') throw badOutput(host, 'parse_complete_response', 'an object {"text": string}');
    return text;
  }

  async listModels(host: PluginHost, cfg: Record<string, unknown>, signal: CancelSignal): Promise<string[]> {
    if (host.hasExport('list_models_static')) {
      const models = await callJson(host, 'list_models_static', JSON.stringify({ cfg }), signal);
      if (models !== null) return modelNames(host, 'list_models_static', models);
    }
    const response = await this.exchange(host, 'list_models_request', JSON.stringify({ cfg }), signal, 'list models');
    if (!ok(response)) throw fromStatus(response, host.name, 'list models');
    return modelNames(host, 'parse_list_models_response', await callJson(host, 'parse_list_models_response', responseInput(undefined, response), signal));
  }

  /** Builds a request with `fn`, sends it, returns the whole response. */
  private async exchange(host: PluginHost, fn: string, input: string, signal: CancelSignal, what: string): Promise<QmtHttpResponse> {
    const text = await host.call(fn, input, { signal });
    let req: QmtHttpRequest;
    try {
      req = requestFromOutput(text, fn);
    } catch (error) {
      throw fromHttpFailure(error, host.name, fn);
    }
    const abort = new AbortController();
    const unsubscribe = signal.onAbort(() => abort.abort());
    try {
      return await sendRequest(req, httpPolicy(host), abort.signal);
    } catch (error) {
      throw fromHttpFailure(error, host.name, what);
    } finally {
      unsubscribe();
    }
  }

  /** A non-2xx chat answer → a typed error, through the plugin's `classify_chat_error` when it has one. */
  private async classifyChat(host: PluginHost, cfg: Record<string, unknown>, response: QmtHttpResponse, signal: CancelSignal): Promise<DaemonError> {
    if (!host.hasExport('classify_chat_error')) return fromStatus(response, host.name, 'chat');
    let payload: unknown;
    try {
      payload = await callJson(host, 'classify_chat_error', responseInput(cfg, response), signal);
    } catch (error) {
      // A classifier may report the error as its own typed failure instead of as output.
      if (error instanceof DaemonError && error.code === 'PLUGIN_ERROR' && error.details.payload) payload = error.details.payload;
      else throw error;
    }
    if (isObject(payload) && isObject(payload.payload)) payload = payload.payload;
    if (!isObject(payload) || typeof payload.type !== 'string') return fromStatus(response, host.name, 'chat');
    const typed = { ...payload, type: payload.type, message: typeof payload.message === 'string' ? payload.message : `HTTP ${response.head.status}` } as PluginErrorPayload;
    return fromPayload(typed, host.name, undefined, response);
  }
}

function ok(response: QmtHttpResponse): boolean {
  return response.head.status >= 200 && response.head.status < 300;
}

/** Calls `fn` with JSON text; its output parsed as JSON. */
async function callJson(host: PluginHost, fn: string, input: string, signal: CancelSignal): Promise<unknown> {
  return parseOutput(host, fn, await host.call(fn, input, { signal }));
}

/** A `parse_*` / `classify_chat_error` input: `{"cfg","resp":{"resp":{"head","body"}}}` (no `cfg` for model lists). */
function responseInput(cfg: Record<string, unknown> | undefined, response: QmtHttpResponse): string {
  return `{${cfg ? `"cfg":${JSON.stringify(cfg)},` : ''}"resp":{"resp":${responseJson(response)}}}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
