import { randomBytes } from 'node:crypto';
import type { ProvidersBuildRequest } from '../../protocol/providers.js';
import { DaemonError } from '../errors.js';

/** A built provider: which plugin, how it was built, and the validated config sent on every call. */
export interface ProviderHandle {
  id: string;
  /** The connection that owns it; handles are private to their connection. */
  owner: number;
  provider: string;
  params: ProvidersBuildRequest.Params;
  config: Record<string, unknown>;
  /** The plugin version `config` was built against. */
  host: object;
}

export class HandleTable {
  private readonly handles = new Map<string, ProviderHandle>();

  add(owner: number, provider: string, params: ProvidersBuildRequest.Params, config: Record<string, unknown>, host: object): ProviderHandle {
    const handle: ProviderHandle = { id: `h_${randomBytes(9).toString('base64url')}`, owner, provider, params, config, host };
    this.handles.set(handle.id, handle);
    return handle;
  }

  get(owner: number, id: string): ProviderHandle {
    const handle = this.handles.get(id);
    if (!handle || handle.owner !== owner) {
      throw new DaemonError('UNKNOWN_HANDLE', `unknown provider handle "${id}" (never built on this connection, or already disposed)`, {
        path: 'handle',
      });
    }
    return handle;
  }

  delete(owner: number, id: string): void {
    this.get(owner, id);
    this.handles.delete(id);
  }

  /** Releases every handle of a connection (on disconnect). */
  release(owner: number): number {
    let released = 0;
    for (const [id, h] of this.handles) {
      if (h.owner === owner) {
        this.handles.delete(id);
        released++;
      }
    }
    return released;
  }
}
