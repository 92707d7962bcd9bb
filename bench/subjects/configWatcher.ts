import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watch } from 'chokidar';
import { createLogger } from '../../daemon/log.js';
import { ConfigWatcher } from '../../daemon/reload/watcher.js';
import { echoConfigText, renameOver, sleep } from '../reload.js';
import { sampledSubject } from '../sampled.js';
import type { Role } from '../subject.js';

/**
 * Between samples. plugd's watcher has fired, so nothing is pending; bare chokidar misses renames
 * less than about 30 ms apart, and each sample must time one event, so the saves are kept apart.
 */
const SETTLE_MS = 60;
const EVENT_TIMEOUT_MS = 5_000;

/**
 * Component: the daemon's file watcher alone, in the bench process. With `plugd: true`, plugd's
 * `ConfigWatcher` (daemon/reload/watcher.ts: chokidar, then coalescing; the wait for a still file is the reload's, overlapping the load),
 * timed from the rename to its reload callback, i.e. to the moment the daemon would start
 * reloading. Without, bare chokidar on the same file with no options: its event delay alone.
 */
export function configWatcher(options: { id: string; role: Role; label: string; plugd: boolean; count?: (reloads: number) => number }) {
  return sampledSubject({
    ...(options.count ? { count: options.count } : {}),
    id: options.id,
    role: options.role,
    label: options.label,
    description: options.plugd
      ? "plugd's ConfigWatcher (daemon/reload/watcher.ts) in the bench process on a plugins.toml in a temp directory: time from renaming a new version over it to the watcher's reload callback (chokidar's delay plus coalescing; the reload itself then checks the files it read stayed still for 50 ms, overlapping the load)."
      : 'chokidar.watch on the same kind of file with no options (no awaitWriteFinish, no coalescing): time from the rename to its first event.',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'plugd-bench-watch-'));
      const path = join(dir, 'plugins.toml');
      writeFileSync(path, echoConfigText(0));
      let notify: (() => void) | null = null;
      const fired = () => notify?.();
      let close: () => Promise<void>;
      if (options.plugd) {
        const watcher = new ConfigWatcher(path, fired, createLogger(1, () => undefined));
        await watcher.ready();
        close = () => watcher.close();
      } else {
        const watcher = watch(path, { ignoreInitial: true });
        watcher.on('all', fired);
        await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
        close = () => watcher.close();
      }
      let version = 0;
      return {
        async sample() {
          const event = new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no watcher event within ${EVENT_TIMEOUT_MS} ms of the rename`)), EVENT_TIMEOUT_MS);
            notify = () => {
              clearTimeout(timer);
              notify = null;
              resolve(performance.now());
            };
          });
          const renamed = renameOver(path, echoConfigText(++version));
          const at = await event;
          await sleep(options.plugd ? SETTLE_MS : 2 * SETTLE_MS);
          return { us: (at - renamed.at) * 1000 };
        },
        async close() {
          await close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  });
}
