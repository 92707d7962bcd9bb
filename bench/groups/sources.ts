import type { BenchGroup } from '../group.js';
import { ociSource } from '../subjects/ociSources.js';

/**
 * Plugin sources: resolving an `oci://` reference against a real registry on loopback (Debian's
 * docker-registry) into plugd's cache, cold and warm, against what a bare client must do.
 */
export function sourcesGroup(): BenchGroup {
  return {
    id: 'sources',
    title: 'Plugin sources: oci:// echo plugin (42 KB) from docker-registry on loopback into the cache',
    layout: { latencyUnit: 'ms', latencyStats: ['median', 'p90', 'max'], sampleCount: true },
    subjects: [
      ociSource({ id: 'oci-raw-fetch', role: 'floor', label: 'fetch manifest + blob, sha256 in memory', mode: 'raw-fetch' }),
      ociSource({ id: 'oci-cold', role: 'subject', label: 'resolveSource, empty cache (download)', mode: 'cold' }),
      ociSource({ id: 'oci-revalidate', role: 'subject', label: 'resolveSource, cached tag, revalidated', mode: 'revalidate' }),
      ociSource({ id: 'oci-cache-hit', role: 'subject', label: 'resolveSource, cached pinned digest (no network)', mode: 'cache-hit' }),
      ociSource({ id: 'file-hash', role: 'floor', label: 'readFile + sha256 of the plugin', mode: 'file-hash' }),
    ],
    comparisons: [
      {
        id: 'oci-cold-vs-fetch',
        label: 'cold download into the cache / bare fetch + hash (median)',
        numerator: { subject: 'oci-cold', metric: 'median' },
        denominator: [{ subject: 'oci-raw-fetch', metric: 'median' }],
        target: { op: '<', value: 3 },
      },
      {
        id: 'oci-hit-vs-hash',
        label: 'cache hit (pinned digest) / readFile + sha256 (median)',
        numerator: { subject: 'oci-cache-hit', metric: 'median' },
        denominator: [{ subject: 'file-hash', metric: 'median' }],
        target: { op: '<', value: 5 },
      },
      {
        id: 'oci-revalidate-median',
        label: 'cached tag revalidated, median',
        numerator: { subject: 'oci-revalidate', metric: 'median' },
        unit: 'ms',
      },
    ],
  };
}
