import type { BenchGroup } from '../group.js';
import { coldLoad } from '../subjects/coldLoad.js';
import { configWatcher } from '../subjects/configWatcher.js';
import { extismLoad } from '../subjects/extismLoad.js';
import { hostLoad } from '../subjects/hostLoad.js';
import { piscinaStart } from '../subjects/piscinaStart.js';
import { reloadRequest } from '../subjects/reloadRequest.js';
import { reloadWatch } from '../subjects/reloadWatch.js';

/** Calls the loaded reload subject's second client keeps in flight. */
export const RELOAD_LOAD_IN_FLIGHT = 16;

/** Half the run's reload count (at least 2): rows that explain the subject, kept short so the group stays near 30 s. */
const half = (reloads: number) => Math.max(2, Math.round(reloads / 2));

/**
 * Hot reload: from an editor's save of plugins.toml (temporary file renamed over it) to the first
 * call answered by the new version, through the daemon's watcher; and whether any call fails
 * while reloads happen under load. Floors: the plugin's cold load as the daemon reports it, and a
 * `plugins/reload` request's round trip (the reload without the watcher's wait).
 */
export function reloadGroup(): BenchGroup {
  return {
    id: 'reload',
    title: 'Hot reload: plugins.toml renamed over → first call answered by the new version (echo plugin)',
    layout: {
      latencyUnit: 'ms',
      latencyStats: ['median', 'p90', 'max'],
      sampleCount: true,
      counters: [
        { key: 'calls', label: 'calls during reloads' },
        { key: 'failed', label: 'failed' },
        { key: 'stale', label: 'stale' },
        { key: 'reloads', label: 'daemon reloads' },
      ],
    },
    subjects: [
      coldLoad,
      reloadRequest,
      reloadWatch({ id: 'reload-watch', role: 'subject', label: 'rename-over → new version answers (1 call in flight)', loadInFlight: 0 }),
      reloadWatch({
        id: 'reload-watch-load',
        role: 'subject',
        label: `the same under load (+${RELOAD_LOAD_IN_FLIGHT} calls in flight)`,
        loadInFlight: RELOAD_LOAD_IN_FLIGHT,
      }),
      // Components: where the time between the rename and the new version goes.
      reloadWatch({
        id: 'reload-watch-quiet',
        role: 'component',
        label: 'the same, no calls during the reload (didChange, then 1 call)',
        loadInFlight: 0,
        quiet: true,
        count: half,
      }),
      configWatcher({ id: 'watcher', role: 'component', label: "plugd's ConfigWatcher: rename → reload callback", plugd: true, count: half }),
      hostLoad(half),
      piscinaStart(half),
      extismLoad(half),
      // What-if: chokidar without plugd's stability threshold and coalescing.
      configWatcher({
        id: 'chokidar-bare',
        role: 'what-if',
        label: 'chokidar, no awaitWriteFinish: rename → event',
        plugd: false,
        count: half,
      }),
    ],
    comparisons: [
      {
        id: 'reload-median',
        label: 'rename → new version, median (1 in flight)',
        numerator: { subject: 'reload-watch', metric: 'median' },
        unit: 'ms',
        target: { op: '<', value: 150 },
      },
      {
        id: 'reload-failed',
        label: `calls failed during reloads (+${RELOAD_LOAD_IN_FLIGHT} in flight)`,
        numerator: { subject: 'reload-watch-load', metric: { counter: 'failed' } },
        unit: 'count',
        target: { op: '=', value: 0 },
      },
      {
        id: 'reload-stale',
        label: `stale answers after a new version answered (+${RELOAD_LOAD_IN_FLIGHT})`,
        numerator: { subject: 'reload-watch-load', metric: { counter: 'stale' } },
        unit: 'count',
        target: { op: '=', value: 0 },
      },
      {
        id: 'reload-failed-idle',
        label: 'calls failed during reloads (1 in flight)',
        numerator: { subject: 'reload-watch', metric: { counter: 'failed' } },
        unit: 'count',
        target: { op: '=', value: 0 },
      },
      {
        id: 'reload-median-load',
        label: `rename → new version, median (+${RELOAD_LOAD_IN_FLIGHT} in flight)`,
        numerator: { subject: 'reload-watch-load', metric: 'median' },
        unit: 'ms',
      },
      {
        id: 'reload-p90',
        label: 'rename → new version, p90 (1 in flight)',
        numerator: { subject: 'reload-watch', metric: 'p90' },
        unit: 'ms',
      },
      {
        id: 'reload-vs-floors',
        label: 'reload median / (watcher median + cold load median)',
        numerator: { subject: 'reload-watch', metric: 'median' },
        denominator: [
          { subject: 'watcher', metric: 'median' },
          { subject: 'cold-load', metric: 'median' },
        ],
      },
      {
        id: 'reload-quiet-median',
        label: 'rename → new version, median (no calls during it)',
        numerator: { subject: 'reload-watch-quiet', metric: 'median' },
        unit: 'ms',
      },
      {
        id: 'reload-vs-request',
        label: 'reload median / plugins/reload median',
        numerator: { subject: 'reload-watch', metric: 'median' },
        denominator: { subject: 'reload-request', metric: 'median' },
      },
      {
        id: 'reload-load-vs-idle',
        label: `reload median +${RELOAD_LOAD_IN_FLIGHT} in flight / 1 in flight`,
        numerator: { subject: 'reload-watch-load', metric: 'median' },
        denominator: { subject: 'reload-watch', metric: 'median' },
      },
    ],
  };
}
