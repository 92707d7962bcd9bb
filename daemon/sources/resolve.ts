import { resolve as resolvePath } from 'node:path';
import type { PluginOrigin } from '../../protocol/daemon.js';
import { Cache } from './cache.js';
import { credentialsFor } from './dockerAuth.js';
import { SourceError } from './errors.js';
import { pullHttps } from './https.js';
import { pullOci, type PullContext } from './oci.js';
import type { RegistryOptions } from './ociClient.js';
import { downloadIdleMs } from './idle.js';
import type { ProgressListener } from './progress.js';
import { displayUrl, formatOci, parseSource, ReferenceError } from './reference.js';

export interface ResolveOptions {
  cache: Cache;
  /** Registries that may be reached over plain http:// (loopback ones always may). */
  insecureRegistries?: readonly string[];
  /** Where credentials come from (`DOCKER_CONFIG`, `HOME`). */
  env?: NodeJS.ProcessEnv;
  /** Re-resolve tags and revalidate URLs (else a cached answer is used when there is one). */
  revalidate: boolean;
  onProgress?: ProgressListener;
}

export interface ResolvedSource {
  /** The local plugin file. */
  path: string;
  origin: PluginOrigin;
  /** Set when the source could not be reached and a cached copy is used. */
  warning: string | null;
}

/**
 * Turns an https:// URL or an oci:// reference as written in plugins.toml into a local file,
 * downloading into the cache when needed. `sha256` pins an https:// download.
 */
export async function resolveSource(path: string, sha256: string | null, options: ResolveOptions): Promise<ResolvedSource> {
  let ref;
  try {
    ref = parseSource(path);
  } catch (error) {
    if (error instanceof ReferenceError) throw new SourceError('SOURCE_INVALID', error.message);
    throw error;
  }
  if (ref.type === 'file') throw new SourceError('SOURCE_INVALID', `${path}: not a download (expected an https:// URL or an oci:// reference)`);
  const ctx = pullContext(options);
  const result = ref.type === 'oci' ? await pullOci(ref, ctx, options.revalidate) : await pullHttps(ref.url, sha256, ctx, options.revalidate);
  return {
    path: resolvePath(options.cache.root, result.record.file),
    origin: {
      type: ref.type,
      ref: ref.type === 'oci' ? formatOci(ref) : displayUrl(ref.url),
      digest: result.record.digest,
      fromCache: result.fromCache,
      warning: result.warning,
    },
    warning: result.warning,
  };
}

function pullContext(options: Pick<ResolveOptions, 'cache' | 'insecureRegistries' | 'env' | 'onProgress'>): PullContext {
  const insecure = new Set(options.insecureRegistries ?? []);
  const idleMs = downloadIdleMs(options.env ?? process.env);
  return {
    cache: options.cache,
    registryOptions: (registry: string): RegistryOptions => ({ insecure: insecure.has(registry), credentials: credentialsFor(registry, options.env ?? process.env), idleMs }),
    idleMs,
    onProgress: options.onProgress,
  };
}
