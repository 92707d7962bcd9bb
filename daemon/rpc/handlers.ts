import { DaemonShutdownRequest, DaemonStatusRequest } from '../../protocol/daemon.js';
import { FactoriesConfigSchemaRequest, FactoriesListModelsRequest, FactoriesListRequest } from '../../protocol/factories.js';
import { InitializeRequest } from '../../protocol/initialize.js';
import { PluginsReloadRequest, type ReloadSummary } from '../../protocol/plugins.js';
import {
  ProvidersBuildRequest,
  ProvidersChatChunkNotification,
  ProvidersChatRequest,
  ProvidersChatStreamRequest,
  ProvidersCompleteRequest,
  ProvidersDisposeRequest,
  ProvidersEmbedRequest,
} from '../../protocol/providers.js';
import { PROTOCOL_VERSION, SERVER_NAME } from '../../protocol/version.js';
import type { ProviderService } from '../providers/service.js';
import type { Session } from './session.js';

/** What the handlers need from the daemon. */
export interface DaemonContext {
  version: string;
  service: ProviderService;
  status(): DaemonStatusRequest.Result;
  /** Drains in-flight work and schedules the exit; resolves with the number of calls drained. */
  shutdown(drainTimeoutMs: number): Promise<number>;
  /** `refresh`: also re-resolve oci:// tags and revalidate https:// URLs. */
  reload(refresh: boolean): Promise<ReloadSummary>;
}

/** Registers every protocol method on a session. */
export function registerHandlers(session: Session, daemon: DaemonContext): void {
  const { service } = daemon;
  const owner = session.id;

  session.handle(InitializeRequest, () => ({
    serverName: SERVER_NAME,
    serverVersion: daemon.version,
    protocolVersion: PROTOCOL_VERSION,
    capabilities: { chatStreaming: true, cancellation: true, pluginTypes: ['wasm', 'native'] },
  }), { duringShutdown: true });

  session.handle(DaemonStatusRequest, () => daemon.status(), { duringShutdown: true });

  session.handle(DaemonShutdownRequest, async (params) => ({ drained: await daemon.shutdown(params?.drainTimeoutMs ?? 10_000) }));

  session.handle(PluginsReloadRequest, (params) => daemon.reload(params?.refresh === true));

  session.handle(FactoriesListRequest, () => ({ factories: service.factories() }));

  session.handle(FactoriesConfigSchemaRequest, async (params) => ({ schema: await service.configSchema(params.name) }));

  session.handle(FactoriesListModelsRequest, async (params, { signal }) => ({ models: await service.listModels(params.name, params.config, signal) }));

  session.handle(ProvidersBuildRequest, async (params, { signal }) => ({ handle: await service.build(owner, params, signal) }));

  session.handle(ProvidersDisposeRequest, (params) => {
    service.dispose(owner, params.handle);
    return {};
  });

  session.handle(ProvidersChatRequest, (params, { signal }) => service.chat(owner, params, signal));

  session.handle(ProvidersChatStreamRequest, (params, { signal }) => {
    let seq = 0;
    const { streamId, ...chat } = params;
    return service.chatStream(owner, chat, signal, (chunk) => {
      // A write can only fail once the client is gone; the request itself then ends as cancelled.
      if (!session.isClosed) session.connection.sendNotification(ProvidersChatChunkNotification.type, { streamId, seq: seq++, chunk }).catch(() => undefined);
    });
  });

  session.handle(ProvidersEmbedRequest, async (params, { signal }) => ({ embeddings: await service.embed(owner, params, signal) }));

  session.handle(ProvidersCompleteRequest, async (params, { signal }) => ({ text: await service.complete(owner, params, signal) }));
}
