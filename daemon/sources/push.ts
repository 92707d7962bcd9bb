import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { detectPluginType } from '../plugins/detect.js';
import { sha256 } from './cache.js';
import { credentialsFor } from './dockerAuth.js';
import { SourceError } from './errors.js';
import { downloadIdleMs } from './idle.js';
import { PLUGIN_TYPE_ANNOTATION } from './oci.js';
import { MediaTypes, OciClient, type Descriptor } from './ociClient.js';
import { hostPlatform } from './platform.js';
import { formatOci, parseOci } from './reference.js';
import { packSingleFile } from './tar.js';

const EMPTY_CONFIG = Buffer.from('{}');
const TITLE = 'org.opencontainers.image.title';

export interface PushOptions {
  /** `os/architecture` of a native build (default: read from the ELF header, else this machine's), or `wasi/wasm` to publish a Wasm plugin as one entry of a multi-platform index. */
  platform?: string | undefined;
  insecureRegistries?: readonly string[];
  env?: NodeJS.ProcessEnv;
  onProgress?: (p: { phase: 'uploading' | 'done'; what: string; bytes: number }) => void;
}

export interface PushResult {
  /** The reference pushed to. */
  ref: string;
  /** The digest of what the tag now names (the manifest, or the index for platform builds). */
  digest: string;
  /** The digest of this plugin's own manifest. */
  manifestDigest: string;
  type: 'wasm' | 'native';
  /** The index's platforms, for platform builds. */
  platforms: string[] | null;
}

/**
 * Publishes a plugin in the layout QueryMT reads: a Wasm module as one layer of media type
 * `application/vnd.wasm.v1.layer+wasm`; a native library as a tar+gzip layer holding only that
 * file, inside an image index entry for its platform (pushing another platform to the same tag
 * adds it to the index). The manifest carries the annotation `mt.query.plugin.type`.
 */
export async function pushPlugin(file: string, target: string, options: PushOptions = {}): Promise<PushResult> {
  const ref = parseOci(target);
  if (ref.digest) throw new SourceError('SOURCE_INVALID', `${target}: push to a tag (oci://REGISTRY/REPO:TAG), not a digest`);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new SourceError('SOURCE_NOT_FOUND', `${file}: cannot read the plugin file (${(error as Error).message})`);
  }
  const detected = detectPluginType(file, bytes.subarray(0, 8));
  if (detected.type === null) throw new SourceError('SOURCE_FORMAT', `${file}: ${detected.reason}`);
  const type = detected.type;
  const platform = type === 'native' ? (options.platform ?? elfPlatform(bytes) ?? `${hostPlatform().os}/${hostPlatform().architecture}`) : options.platform;
  if (platform !== undefined && !/^[a-z0-9]+\/[a-z0-9]+$/.test(platform)) throw new SourceError('SOURCE_INVALID', `--platform: expected OS/ARCH such as linux/amd64 or wasi/wasm, got "${platform}"`);
  if (type === 'wasm' && platform !== undefined && platform !== 'wasi/wasm') throw new SourceError('SOURCE_INVALID', `${file} is a Wasm module: its platform can only be wasi/wasm`);

  const insecure = new Set(options.insecureRegistries ?? []);
  const client = new OciClient(ref.registry, {
    insecure: insecure.has(ref.registry),
    credentials: credentialsFor(ref.registry, options.env ?? process.env),
    idleMs: downloadIdleMs(options.env ?? process.env),
  });
  const name = basename(file);
  const layerBytes = type === 'wasm' ? bytes : packSingleFile(name, bytes);
  const layer: Descriptor = {
    mediaType: type === 'wasm' ? MediaTypes.wasmLayer : MediaTypes.tarGzipLayer,
    digest: sha256(layerBytes),
    size: layerBytes.length,
    annotations: { [TITLE]: name },
  };
  const config: Descriptor = { mediaType: MediaTypes.empty, digest: sha256(EMPTY_CONFIG), size: EMPTY_CONFIG.length };
  options.onProgress?.({ phase: 'uploading', what: name, bytes: layerBytes.length });
  await client.pushBlob(ref.repository, config.digest, EMPTY_CONFIG);
  await client.pushBlob(ref.repository, layer.digest, layerBytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config,
      layers: [layer],
      annotations: { [PLUGIN_TYPE_ANNOTATION]: type === 'wasm' ? 'extism' : 'native', [TITLE]: name },
    }),
  );
  const manifestDigest = sha256(manifest);
  const tag = ref.tag!;
  if (platform === undefined) {
    await client.pushManifest(ref.repository, tag, manifest, MediaTypes.ociManifest);
    options.onProgress?.({ phase: 'done', what: name, bytes: layerBytes.length });
    return { ref: formatOci(ref), digest: manifestDigest, manifestDigest, type, platforms: null };
  }
  await client.pushManifest(ref.repository, manifestDigest, manifest, MediaTypes.ociManifest);
  const [os, architecture] = platform.split('/') as [string, string];
  const entries = (await existingIndex(client, ref.repository, tag)).filter((m) => !(m.platform?.os === os && m.platform.architecture === architecture));
  entries.push({ mediaType: MediaTypes.ociManifest, digest: manifestDigest, size: manifest.length, platform: { os, architecture } });
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: entries }));
  await client.pushManifest(ref.repository, tag, index, MediaTypes.ociIndex);
  options.onProgress?.({ phase: 'done', what: name, bytes: layerBytes.length });
  return {
    ref: formatOci(ref),
    digest: sha256(index),
    manifestDigest,
    type,
    platforms: entries.map((m) => `${m.platform?.os}/${m.platform?.architecture}`),
  };
}

/** The platform entries the tag's index already has (none when the tag is new or not an index). */
async function existingIndex(client: OciClient, repository: string, tag: string): Promise<Descriptor[]> {
  try {
    const { bytes } = await client.manifest(repository, tag);
    const json = JSON.parse(bytes.toString('utf8')) as { manifests?: Descriptor[] };
    return Array.isArray(json.manifests) ? json.manifests.filter((m) => m.platform) : [];
  } catch (error) {
    if (error instanceof SourceError && error.code === 'SOURCE_NOT_FOUND') return [];
    throw error;
  }
}

/** `linux/amd64` etc. from an ELF header's machine field, or null. */
function elfPlatform(bytes: Uint8Array): string | null {
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45) return null;
  const little = bytes[5] === 1;
  const machine = little ? (bytes[18] ?? 0) | ((bytes[19] ?? 0) << 8) : ((bytes[18] ?? 0) << 8) | (bytes[19] ?? 0);
  const arch = ({ 0x3e: 'amd64', 0xb7: 'arm64', 0x03: '386', 0x28: 'arm', 0xf3: 'riscv64', 0x16: 's390x', 0x15: 'ppc64le' } as Record<number, string>)[machine];
  return arch ? `linux/${arch}` : null;
}
