import { SourceError } from './errors.js';
import type { Credentials } from './dockerAuth.js';
import { fetchFailure } from './fetchFailure.js';
import { isAllowedDownloadUrl, isLoopback } from './reference.js';

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  wasmLayer: 'application/vnd.wasm.v1.layer+wasm',
  tarGzipLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerTarGzipLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  empty: 'application/vnd.oci.empty.v1+json',
} as const;

const MANIFEST_ACCEPT = [MediaTypes.ociManifest, MediaTypes.ociIndex, MediaTypes.dockerManifest, MediaTypes.dockerList].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
  artifactType?: string;
}

export interface RegistryOptions {
  /** Allow plain http:// to a non-loopback registry. */
  insecure: boolean;
  credentials: Credentials | null;
  /**
   * How long a read may wait for the registry (`PLUGD_DOWNLOAD_IDLE_MS`): for a blob, its
   * headers; for a manifest, an upload's small steps or a token, the whole answer. A layer's
   * upload (`plugd push`) has no limit: its length is the network's business.
   */
  idleMs: number;
}

/** How a request is limited: its headers, its whole exchange (small answers), or not at all. */
type Limit = 'headers' | 'exchange' | 'none';

/**
 * A small client for the OCI distribution API over `fetch`: manifests and blobs, uploads, and
 * the auth flows registries use (anonymous or credentialed bearer tokens from the
 * `WWW-Authenticate` challenge, basic auth). Loopback registries and registries marked insecure
 * are spoken to over http://; every other one over https://.
 */
export class OciClient {
  private readonly base: string;
  private readonly tokens = new Map<string, string>();
  /** Each response's abort signal, to tell a limit that ran out from other failures. */
  private readonly signals = new WeakMap<Response, AbortSignal>();
  private basic = false;

  constructor(
    readonly registry: string,
    private readonly options: RegistryOptions,
  ) {
    const http = options.insecure || isLoopback(registry);
    this.base = `${http ? 'http' : 'https'}://${registry}`;
  }

  /** Fetches a manifest or index by tag or digest; `bytes` are exactly what the registry sent. */
  async manifest(repository: string, reference: string): Promise<{ bytes: Buffer; mediaType: string; headerDigest: string | null }> {
    const response = await this.request('GET', repository, `/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_ACCEPT, scope: 'pull', limit: 'exchange' });
    if (response.status === 404) throw new SourceError('SOURCE_NOT_FOUND', `${this.registry}/${repository}:${reference}: manifest not found (404)`);
    await this.expectOk(response, `${this.registry}/${repository}: manifest ${reference}`);
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw unreachable(this.registry, error, this.signals.get(response));
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    return { bytes, mediaType, headerDigest: response.headers.get('docker-content-digest') };
  }

  /**
   * Opens a blob's body for streaming. The registry has `idleMs` to send the headers; the body
   * has no overall limit (the reader applies an idle limit per chunk).
   */
  async blob(repository: string, digest: string): Promise<ReadableStream<Uint8Array>> {
    const response = await this.request('GET', repository, `/v2/${repository}/blobs/${digest}`, { scope: 'pull', limit: 'headers' });
    if (response.status === 404) throw new SourceError('SOURCE_NOT_FOUND', `${this.registry}/${repository}: blob ${digest} not found (404)`);
    await this.expectOk(response, `${this.registry}/${repository}: blob ${digest}`);
    if (!response.body) throw new SourceError('SOURCE_UNREACHABLE', `${this.registry}/${repository}: blob ${digest}: empty response`);
    return response.body;
  }

  /** Uploads a blob unless the registry already has it (monolithic upload: POST then PUT). */
  async pushBlob(repository: string, digest: string, bytes: Uint8Array): Promise<void> {
    const head = await this.request('HEAD', repository, `/v2/${repository}/blobs/${digest}`, { scope: 'pull,push', limit: 'exchange' });
    await head.body?.cancel();
    if (head.ok) return;
    const start = await this.request('POST', repository, `/v2/${repository}/blobs/uploads/`, { scope: 'pull,push', limit: 'exchange' });
    await this.expectOk(start, `${this.registry}/${repository}: starting an upload`);
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (!location) throw new SourceError('SOURCE_FORMAT', `${this.registry}/${repository}: the upload answer has no Location`);
    const url = new URL(location, this.base);
    url.searchParams.set('digest', digest);
    const put = await this.request('PUT', repository, url.href, {
      scope: 'pull,push',
      body: bytes,
      contentType: 'application/octet-stream',
      limit: 'none',
    });
    await this.expectOk(put, `${this.registry}/${repository}: uploading ${digest}`);
    await put.body?.cancel();
  }

  /** Stores a manifest or index under a tag or digest. */
  async pushManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<void> {
    const put = await this.request('PUT', repository, `/v2/${repository}/manifests/${reference}`, { scope: 'pull,push', body: bytes, contentType: mediaType, limit: 'exchange' });
    await this.expectOk(put, `${this.registry}/${repository}: storing manifest ${reference}`);
    await put.body?.cancel();
  }

  private async request(
    method: string,
    repository: string,
    path: string,
    opts: { accept?: string; scope: string; body?: Uint8Array; contentType?: string; limit: Limit },
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const scope = `repository:${repository}:${opts.scope}`;
    const send = async () => {
      const headers: Record<string, string> = {};
      if (opts.accept) headers.accept = opts.accept;
      if (opts.contentType) headers['content-type'] = opts.contentType;
      const auth = this.authorization(scope);
      if (auth) headers.authorization = auth;
      const controller = opts.limit === 'none' ? null : new AbortController();
      const idleMs = this.options.idleMs;
      const timer = controller && setTimeout(() => controller.abort(new Error(`no answer within ${idleMs} ms`)), idleMs);
      // An exchange limit also covers reading the (small) body: the timer is left to run out.
      if (opts.limit === 'exchange') timer?.unref();
      let done = false;
      try {
        const response = await fetch(url, { method, headers, ...(opts.body ? { body: opts.body } : {}), redirect: 'follow', ...(controller ? { signal: controller.signal } : {}) });
        done = true;
        if (controller) this.signals.set(response, controller.signal);
        return response;
      } catch (error) {
        throw unreachable(this.registry, error, controller?.signal);
      } finally {
        if (timer && (opts.limit === 'headers' || !done)) clearTimeout(timer);
      }
    };
    let response = await send();
    if (response.status !== 401) return response;
    await response.body?.cancel();
    await this.authenticate(response.headers.get('www-authenticate') ?? '', scope);
    response = await send();
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new SourceError('SOURCE_AUTH', `${this.registry}: access denied (${response.status}) for ${scope}${this.options.credentials ? ' with the credentials from the docker config' : '; no credentials for this registry in the docker config (~/.docker/config.json)'}`);
    }
    return response;
  }

  private authorization(scope: string): string | undefined {
    const token = this.tokens.get(scope);
    if (token) return `Bearer ${token}`;
    const creds = this.options.credentials;
    if (this.basic && creds?.kind === 'basic') return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    return undefined;
  }

  /** Answers a 401's challenge: basic auth with stored credentials, or a bearer token from the realm. */
  private async authenticate(challenge: string, scope: string): Promise<void> {
    const { scheme, params } = parseChallenge(challenge);
    const creds = this.options.credentials;
    if (scheme === 'basic') {
      if (creds?.kind !== 'basic') throw new SourceError('SOURCE_AUTH', `${this.registry}: the registry asks for a user name and password; none found for it in the docker config (~/.docker/config.json)`);
      this.basic = true;
      return;
    }
    if (scheme !== 'bearer' || !params.realm) throw new SourceError('SOURCE_AUTH', `${this.registry}: unsupported authentication challenge "${challenge}"`);
    if (creds?.kind === 'bearer') {
      this.tokens.set(scope, creds.token);
      return;
    }
    let realm: URL;
    try {
      realm = new URL(params.realm);
    } catch {
      throw new SourceError('SOURCE_AUTH', `${this.registry}: the registry's token service realm "${params.realm}" is not a valid URL`);
    }
    // The token request carries the docker config's credentials: never in the clear to another host.
    if (!isAllowedDownloadUrl(realm) && !this.options.insecure) {
      throw new SourceError(
        'SOURCE_UNSAFE',
        `${this.registry}: refused the token service ${realm.origin}: only https:// (or http:// to a loopback host) is used, unless the registry is marked insecure in [registries."${this.registry}"]; nothing was sent`,
      );
    }
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? scope);
    let response: Response;
    try {
      if (creds?.kind === 'identity') {
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.token, client_id: 'plugd', scope: params.scope ?? scope, ...(params.service ? { service: params.service } : {}) });
        response = await fetch(params.realm, { method: 'POST', body: form, signal: AbortSignal.timeout(this.options.idleMs) });
      } else {
        const headers: Record<string, string> = {};
        if (creds?.kind === 'basic') headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
        response = await fetch(realm, { headers, signal: AbortSignal.timeout(this.options.idleMs) });
      }
    } catch (error) {
      throw unreachable(realm.host, error);
    }
    if (!response.ok) throw new SourceError('SOURCE_AUTH', `${this.registry}: the token service ${realm.origin} refused (${response.status})`);
    let body: { token?: string; access_token?: string } | null;
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new SourceError('SOURCE_AUTH', `${this.registry}: the token service ${realm.origin} answered with something that is not JSON`);
    }
    const token = body?.token ?? body?.access_token;
    if (!token) throw new SourceError('SOURCE_AUTH', `${this.registry}: the token service answered without a token`);
    this.tokens.set(scope, token);
  }

  private async expectOk(response: Response, what: string): Promise<void> {
    if (response.ok) return;
    const text = await response.text().catch(() => '');
    const detail = text.length > 300 ? `${text.slice(0, 300)}…` : text;
    throw new SourceError(response.status === 403 ? 'SOURCE_AUTH' : 'SOURCE_UNREACHABLE', `${what}: the registry answered ${response.status}${detail ? `: ${detail.trim()}` : ''}`);
  }
}

function unreachable(host: string, error: unknown, signal?: AbortSignal): SourceError {
  return new SourceError('SOURCE_UNREACHABLE', `${host}: cannot reach the registry (${fetchFailure(error, signal)})`);
}

/** Parses `Bearer realm="…",service="…",scope="…"`. */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([A-Za-z]+)="([^"]*)"/g)) params[match[1]!.toLowerCase()] = match[2]!;
  return { scheme, params };
}
