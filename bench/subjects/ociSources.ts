import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cache } from '../../daemon/sources/cache.js';
import { pushPlugin } from '../../daemon/sources/push.js';
import { resolveSource } from '../../daemon/sources/resolve.js';
import { TestRegistry } from '../../test/helpers/registry.js';
import { echoWasmPath } from '../echoPlugin.js';
import { sampledSubject } from '../sampled.js';
import type { Role } from '../subject.js';

/** One docker-registry for every row of the group, holding the echo plugin; stopped with the last row. */
let shared: Promise<{ registry: TestRegistry; ref: string; digest: string; layer: string }> | null = null;
let users = 0;

async function acquire(): Promise<{ registry: TestRegistry; ref: string; digest: string; layer: string }> {
  users++;
  shared ??= (async () => {
    const registry = await TestRegistry.start();
    const ref = `oci://${registry.host}/bench/echo:1`;
    const pushed = await pushPlugin(echoWasmPath, ref);
    const layer = `sha256:${createHash('sha256').update(await readFile(echoWasmPath)).digest('hex')}`;
    return { registry, ref, digest: pushed.digest, layer };
  })();
  return shared;
}

async function release(): Promise<void> {
  if (--users > 0 || !shared) return;
  const { registry } = await shared;
  shared = null;
  await registry.stop();
}

export type SourceMode = 'raw-fetch' | 'cold' | 'revalidate' | 'cache-hit' | 'file-hash';

const descriptions: Record<SourceMode, string> = {
  'raw-fetch': 'fetch() of the manifest by tag and of the layer blob from the loopback registry, bytes hashed (sha256) in memory: the least any client must do to get the plugin.',
  cold: "plugd's resolveSource (daemon/sources/) for the oci:// tag with an empty cache: manifest, layer streamed to a temp file while hashed and counted, renamed into the cache, reference records written.",
  revalidate: 'resolveSource for the tag with the artifact in the cache and revalidate on (daemon start, refresh): the manifest asked for again; the cached file, hashed once by this Cache, is trusted while its inode, size and mtime are unchanged (re-hashed on every lookup before ff22dcd).',
  'cache-hit': 'resolveSource for the pinned digest with the artifact in the cache: no network, the reference record read; the cached file, hashed once by this Cache, is trusted while its inode, size and mtime are unchanged (re-hashed on every lookup before ff22dcd).',
  'file-hash': 'readFile + sha256 of the echo plugin (42 KB): the floor of any cache lookup that verifies what it loads.',
};

/** One row of the sources group (see groups/sources.ts). */
export function ociSource(spec: { id: string; role: Role; label: string; mode: SourceMode }) {
  return sampledSubject({
    id: spec.id,
    role: spec.role,
    label: spec.label,
    description: descriptions[spec.mode],
    async open() {
      const { registry, ref, digest, layer } = await acquire();
      const dir = mkdtempSync(join(tmpdir(), 'plugd-bench-cache-'));
      const warm = new Cache(join(dir, 'warm'));
      await resolveSource(ref, null, { cache: warm, revalidate: true });
      const pinned = `oci://${registry.host}/bench/echo@${digest}`;
      let n = 0;
      return {
        async sample() {
          const began = performance.now();
          switch (spec.mode) {
            case 'raw-fetch': {
              const manifest = await fetch(`http://${registry.host}/v2/bench/echo/manifests/1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
              createHash('sha256').update(Buffer.from(await manifest.arrayBuffer())).digest('hex');
              const blob = await fetch(`http://${registry.host}/v2/bench/echo/blobs/${layer}`);
              createHash('sha256').update(Buffer.from(await blob.arrayBuffer())).digest('hex');
              break;
            }
            case 'cold':
              await resolveSource(ref, null, { cache: new Cache(join(dir, `cold-${++n}`)), revalidate: true });
              break;
            case 'revalidate':
              await resolveSource(ref, null, { cache: warm, revalidate: true });
              break;
            case 'cache-hit':
              await resolveSource(pinned, null, { cache: warm, revalidate: true });
              break;
            case 'file-hash':
              createHash('sha256').update(await readFile(echoWasmPath)).digest('hex');
              break;
          }
          return { us: (performance.now() - began) * 1000 };
        },
        async close() {
          await rm(dir, { recursive: true, force: true });
          await release();
        },
      };
    },
  });
}
