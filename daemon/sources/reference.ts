import { createHash } from 'node:crypto';

/** Where a plugin comes from, parsed from a `[[providers]].path` or a CLI argument. */
export type SourceRef =
  | { type: 'file'; path: string }
  | { type: 'https'; url: URL }
  | { type: 'oci'; registry: string; repository: string; tag: string | null; digest: string | null };

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** A reference that could not be parsed; the message says what was expected. */
export class ReferenceError extends Error {
  override name = 'ReferenceError';
}

/** True for paths that name a download (`oci://`, `https://`, or `http://` to a loopback host). */
export function isRemotePath(path: string): boolean {
  return /^(oci|https?):\/\//i.test(path);
}

/** Parses a path as written in plugins.toml. Relative files are left for the caller to resolve. */
export function parseSource(path: string): SourceRef {
  if (/^oci:\/\//i.test(path)) return parseOci(path);
  if (/^https?:\/\//i.test(path)) {
    let url: URL;
    try {
      url = new URL(path);
    } catch {
      throw new ReferenceError(`"${path}" is not a valid URL`);
    }
    if (url.username || url.password) {
      // fetch refuses such a URL with a message that repeats it whole, credentials included.
      const shown = new URL(url.href);
      shown.username = '';
      shown.password = '';
      throw new ReferenceError(
        `"${displayUrl(shown).replace('://', '://<credentials>@')}": a user name or password in the URL is not accepted; expected a URL without them (a presigned URL carries its token in the query string, which plugd never shows)`,
      );
    }
    if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
      throw new ReferenceError(`"${displayUrl(url)}": plain http:// is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https://`);
    }
    return { type: 'https', url };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new ReferenceError(`"${path}": unsupported scheme (expected a file path, https://… or oci://…)`);
  }
  return { type: 'file', path };
}

/** `oci://registry[:port]/repo/path[:tag][@sha256:…]`; the tag defaults to `latest`. */
export function parseOci(ref: string): Extract<SourceRef, { type: 'oci' }> {
  const rest = ref.replace(/^oci:\/\//i, '');
  const slash = rest.indexOf('/');
  if (slash <= 0) throw new ReferenceError(`"${ref}": expected oci://REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST]`);
  const registry = rest.slice(0, slash);
  let name = rest.slice(slash + 1);
  let digest: string | null = null;
  const at = name.indexOf('@');
  if (at !== -1) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!DIGEST.test(digest)) throw new ReferenceError(`"${ref}": the digest must be sha256: followed by 64 lowercase hex digits`);
  }
  let tag: string | null = null;
  const colon = name.lastIndexOf(':');
  if (colon !== -1) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) throw new ReferenceError(`"${ref}": invalid tag "${tag}"`);
  }
  if (!REPOSITORY.test(name)) throw new ReferenceError(`"${ref}": invalid repository "${name}" (lowercase letters, digits, separators and /)`);
  if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(registry)) throw new ReferenceError(`"${ref}": invalid registry host "${registry}"`);
  if (!digest && !tag) tag = 'latest';
  return { type: 'oci', registry, repository: name, tag, digest };
}

/** The canonical text of a reference. */
export function formatOci(ref: Extract<SourceRef, { type: 'oci' }>): string {
  return `oci://${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The reference in the form the cache keys it by (default tag filled in, URL normalised). */
export function canonicalRef(path: string): string {
  const ref = parseSource(path);
  return ref.type === 'oci' ? formatOci(ref) : ref.type === 'https' ? displayUrl(ref.url) : ref.path;
}

/**
 * A URL as plugd shows, logs and keys it in the cache: the query string (where presigned URLs
 * carry their signature) becomes `?<redacted:…>` with a short hash of it, so URLs that differ only
 * in their query stay apart, and a password becomes `redacted`. The request itself uses the URL
 * as written.
 */
export function displayUrl(url: URL): string {
  if (!url.search && !url.password) return url.href;
  const shown = new URL(url.href);
  if (shown.password) shown.password = 'redacted';
  const fragment = shown.hash;
  shown.search = '';
  shown.hash = '';
  const query = url.search ? `?<redacted:${createHash('sha256').update(url.search).digest('hex').slice(0, 12)}>` : '';
  return `${shown.href}${query}${fragment}`;
}

/** A configured `path` as it may be shown: a URL through {@link displayUrl}, anything else as is. */
export function displayPath(path: string): string {
  if (!/^https?:\/\//i.test(path)) return path;
  try {
    return displayUrl(new URL(path));
  } catch {
    return path;
  }
}

/** Whether a download may go to `url`: https://, or plain http:// to a loopback host. */
export function isAllowedDownloadUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
}

/** Hosts that plain http:// is allowed for without configuration. */
export function isLoopback(host: string): boolean {
  const h = registryHost(host).replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The host part of a registry (without the port). */
function registryHost(registry: string): string {
  return registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.replace(/:\d+$/, '');
}
