import { hostOf } from './hostHttp.js';
import type { HttpPolicy, HttpTimeouts } from './types.js';

/**
 * The policy for a plugin's requests: its allowed hosts plus the host (and port) of its base URL,
 * which is `[providers.config].base_url` or else the plugin's `base_url` export — never a base URL
 * from a call's input, which a client chooses (and which would carry the daemon's API key there).
 */
export function policyFor(allowedHosts: string[], baseUrl: string | null | undefined, timeouts: HttpTimeouts): HttpPolicy {
  const allowed = [...allowedHosts];
  if (baseUrl) {
    try {
      const url = new URL(baseUrl);
      allowed.push(url.port ? `${hostOf(url)}:${url.port}` : hostOf(url));
    } catch {
      // An unparsable base_url adds nothing; requests to it fail with a clear error.
    }
  }
  return { allowedHosts: [...new Set(allowed)], timeouts };
}
