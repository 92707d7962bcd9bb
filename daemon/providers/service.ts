import type { ChatResult, StreamChunk } from '../../protocol/chat.js';
import type { FactoryInfo } from '../../protocol/factories.js';
import type {
  ProvidersBuildRequest,
  ProvidersChatRequest,
  ProvidersCompleteRequest,
  ProvidersEmbedRequest,
} from '../../protocol/providers.js';
import type { CancelSignal } from '../cancelSignal.js';
import { DaemonError, toErrorInfo } from '../errors.js';
import type { Logger } from '../log.js';
import { publicState, type PluginRegistry } from '../plugins/registry.js';
import type { PluginHost } from '../plugins/pluginHost.js';
import { toQmtMessages, toQmtTools } from '../translate/messages.js';
import type { QmtChatResponse } from '../translate/qmtTypes.js';
import { toChatResult } from '../translate/results.js';
import { StreamForwarder } from './streamForwarder.js';
import { buildProviderConfig, builderOverlay, schemaDeclares } from './builder.js';
import { validatePluginConfig } from './configValidator.js';
import { adapterCapabilities, HttpAdapter, isHttpAdapter } from './httpAdapter.js';
import { badOutput, embeddings, modelNames, parseOutput, requireExports } from './pluginOutput.js';
import type { HandleTable, ProviderHandle } from './handles.js';

/** The provider operations behind the `factories/*` and `providers/*` methods. */
export class ProviderService {
  private readonly http: HttpAdapter;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly handles: HandleTable,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.http = new HttpAdapter(logger);
  }

  factories(): FactoryInfo[] {
    return this.registry.list().map((host) => {
      const has = (fn: string) => host.state === 'ready' && host.hasExport(fn);
      return {
        name: host.name,
        state: publicState(host.state),
        error: host.failure ? toErrorInfo(host.failure) : null,
        capabilities: host.state === 'ready' && isHttpAdapter(host) ? adapterCapabilities(host) : { chat: has('chat'), stream: has('chat_stream'), embed: has('embed'), complete: has('complete'), listModels: has('list_models') },
        apiKeyName: host.info?.apiKeyName ?? null,
        baseUrl: host.info?.baseUrl ?? null,
      };
    });
  }

  async configSchema(name: string): Promise<Record<string, unknown>> {
    const host = await this.host(name);
    return host.schema ?? { type: 'object' };
  }

  async listModels(name: string, overlay: Record<string, unknown> | undefined, signal: CancelSignal): Promise<string[]> {
    const host = await this.host(name);
    const cfg = buildProviderConfig({ defaults: host.entry.config, apiKeyName: host.info?.apiKeyName ?? null, env: this.env, schema: host.schema, overlay: overlay ?? {} });
    if (isHttpAdapter(host)) return this.http.listModels(host, cfg, signal);
    requireExports(host, 'listing models', 'list_models');
    return modelNames(host, 'list_models', parseOutput(host, 'list_models', await host.call('list_models', JSON.stringify(cfg), { signal })));
  }

  async build(owner: number, params: ProvidersBuildRequest.Params, signal: CancelSignal): Promise<string> {
    const host = await this.host(params.provider);
    const config = await this.configure(host, params, signal);
    // The client may have left while the plugin loaded; its handles are already released.
    if (signal.aborted) throw new DaemonError('CANCELLED', 'providers/build was cancelled');
    return this.handles.add(owner, host.name, params, config, host).id;
  }

  /** Builds, validates and checks (`from_config`) a provider config against one plugin version. */
  private async configure(host: PluginHost, params: ProvidersBuildRequest.Params, signal: CancelSignal): Promise<Record<string, unknown>> {
    const config = buildProviderConfig({
      defaults: host.entry.config,
      apiKeyName: host.info?.apiKeyName ?? null,
      env: this.env,
      schema: host.schema,
      overlay: builderOverlay(params),
    });
    if (host.schema) validatePluginConfig('provider', host.name, host.schema, config);
    if (host.hasExport('from_config')) {
      try {
        await host.call('from_config', JSON.stringify(config), { signal });
      } catch (error) {
        if (error instanceof DaemonError && error.code === 'PLUGIN_ERROR') {
          throw new DaemonError('INVALID_PROVIDER_CONFIG', `provider "${host.name}" rejected its config: ${error.message.replace(/^from_config: /, '')}`, {
            plugin: host.name,
            ...(error.details.payload ? { payload: error.details.payload } : {}),
          });
        }
        throw error;
      }
    }
    return config;
  }

  dispose(owner: number, handle: string): void {
    this.handles.delete(owner, handle);
  }

  chat(owner: number, params: ProvidersChatRequest.Params, signal: CancelSignal): Promise<ChatResult> {
    return this.onCurrent(owner, params.handle, signal, async (host, handle) => {
      if (isHttpAdapter(host)) return this.http.chat(host, this.chatInput(host, handle, params, false), handle.config, signal);
      requireExports(host, 'chat', 'chat');
      const output = parseOutput(host, 'chat', await host.call('chat', this.chatInput(host, handle, params, false), { signal }));
      if (!output || typeof output !== 'object') throw badOutput(host, 'chat', 'a chat response object');
      return toChatResult(output as QmtChatResponse);
    });
  }

  chatStream(owner: number, params: ProvidersChatRequest.Params, signal: CancelSignal, onChunk: (chunk: StreamChunk) => void): Promise<ChatResult> {
    return this.onCurrent(owner, params.handle, signal, async (host, handle) => {
      if (isHttpAdapter(host)) return this.http.chatStream(host, this.chatInput(host, handle, params, true), handle.config, signal, onChunk);
      requireExports(host, 'streaming chat', 'chat_stream');
      if (host.hasExport('supports_streaming')) {
        const supported = parseOutput(host, 'supports_streaming', await host.call('supports_streaming', JSON.stringify(handle.config), { signal }));
        if (supported === false) throw new DaemonError('UNSUPPORTED', `provider "${host.name}" does not support streaming with this config`, { plugin: host.name });
      }
      const stream = new StreamForwarder(onChunk, () => this.logger.warn(`plugin "${host.name}": chat_stream yielded a chunk that is not JSON; skipped`));
      await host.call('chat_stream', this.chatInput(host, handle, params, true), { signal, onChunk: (data) => stream.take(data) });
      return stream.finish();
    });
  }

  embed(owner: number, params: ProvidersEmbedRequest.Params, signal: CancelSignal): Promise<number[][]> {
    return this.onCurrent(owner, params.handle, signal, async (host, handle) => {
      if (isHttpAdapter(host)) return this.http.embed(host, handle.config, params.inputs, signal);
      requireExports(host, 'embeddings', 'embed');
      return embeddings(host, 'embed', parseOutput(host, 'embed', await host.call('embed', JSON.stringify({ cfg: handle.config, inputs: params.inputs }), { signal })));
    });
  }

  complete(owner: number, params: ProvidersCompleteRequest.Params, signal: CancelSignal): Promise<string> {
    return this.onCurrent(owner, params.handle, signal, async (host, handle) => {
      const req = { prompt: params.prompt, suffix: params.suffix ?? null, max_tokens: params.maxTokens ?? null, temperature: params.temperature ?? null };
      if (isHttpAdapter(host)) return this.http.complete(host, handle.config, req, signal);
      requireExports(host, 'completion', 'complete');
      const output = parseOutput(host, 'complete', await host.call('complete', JSON.stringify({ cfg: handle.config, req }), { signal }));
      const text = (output as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') throw badOutput(host, 'complete', 'an object {"text": string}');
      return text;
    });
  }

  private chatInput(host: PluginHost, handle: ProviderHandle, params: ProvidersChatRequest.Params, stream: boolean): string {
    const { messages, system } = toQmtMessages(params.messages);
    const cfg: Record<string, unknown> = { ...handle.config };
    if (system.length) {
      if (!schemaDeclares(host.schema, 'system')) {
        throw new DaemonError('UNSUPPORTED', `provider "${host.name}" takes no system prompt (its config schema has no "system" key); remove the system messages`, {
          plugin: host.name,
          path: 'messages',
        });
      }
      cfg.system = [typeof cfg.system === 'string' ? cfg.system : '', ...system].filter(Boolean).join('\n\n');
    }
    if (stream && schemaDeclares(host.schema, 'stream')) cfg.stream = true;
    return JSON.stringify({ cfg, messages, tools: toQmtTools(params.tools) });
  }

  /** The named plugin, once it has finished loading. */
  private async host(name: string): Promise<PluginHost> {
    const host = this.registry.get(name);
    if (!host) {
      const known = this.registry.list().map((h) => `"${h.name}"`).join(', ') || 'none';
      throw new DaemonError('UNKNOWN_PROVIDER', `unknown provider "${name}" (configured: ${known})`);
    }
    await host.start();
    if (host.state === 'failed') throw host.unavailable();
    return host;
  }

  /**
   * Runs one operation on a handle's current plugin version. A version replaced by a reload
   * finishes what it started, but one that stopped before this operation reached it refuses it
   * before doing anything; the operation then runs on the version that replaced it.
   */
  private async onCurrent<T>(owner: number, id: string, signal: CancelSignal, op: (host: PluginHost, handle: ProviderHandle) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { host, handle } = await this.resolve(owner, id, signal);
      try {
        return await op(host, handle);
      } catch (error) {
        const replaced = this.registry.get(host.name) !== host;
        if (attempt < 3 && replaced && error instanceof DaemonError && error.code === 'SHUTTING_DOWN') continue;
        throw error;
      }
    }
  }

  /**
   * A handle's plugin, current version. After a reload replaced the plugin, the handle's config is
   * rebuilt against the new version (its schema and defaults may have changed); if it no longer
   * validates, this call says so and the next one tries again.
   */
  private async resolve(owner: number, id: string, signal: CancelSignal): Promise<{ host: PluginHost; handle: ProviderHandle }> {
    const handle = this.handles.get(owner, id);
    const host = await this.host(handle.provider);
    if (handle.host !== host) {
      handle.config = await this.configure(host, handle.params, signal);
      handle.host = host;
    }
    return { host, handle };
  }
}
