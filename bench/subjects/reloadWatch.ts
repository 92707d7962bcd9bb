import { join } from 'node:path';
import type { PlugdClient } from '../../clients/client.js';
import { DaemonProcess } from '../../test/helpers/daemonProcess.js';
import { MODEL } from '../echoPlugin.js';
import { DaemonLog, echoConfigText, echoProviders, PING, ReloadRpc, renameOver, sleep, versionOf, wallMs } from '../reload.js';
import { sampledSubject } from '../sampled.js';
import type { Role } from '../subject.js';
import { CallTraffic, type TrafficSpec } from '../traffic.js';

/** Calls run this long before a round's first reload, so the daemon is busy with them when it comes. */
const WARM_MS = 100;
/**
 * After the new version has answered, a pause before the next save. The old version is retired
 * 50 ms after the swap (then drained and stopped, a few ms): with this pause that is over before
 * the next save, which the watcher reports about 10 ms after the rename.
 */
const SETTLE_MS = 80;
/** A reload whose new version has not answered after this long fails the row. */
const ANSWER_TIMEOUT_MS = 10_000;

/**
 * The subject: a real `plugd serve` with its file watcher on (the default), the echo plugin, and
 * `providers/chat` calls sent continuously on a handle built once (one call in flight, each sent
 * as soon as the last is answered; with `loadInFlight`, a second client keeps that many more in
 * flight). Each sample saves a new version of plugins.toml the way editors do (temporary file
 * renamed over it) that changes the plugin's `prefix`, and times from the rename to the first
 * call answered by the new version. Every call that fails, or that an older version answers after
 * the new one has, is counted.
 */
export function reloadWatch(options: { id: string; role: Role; label: string; loadInFlight: number; quiet?: boolean; count?: (reloads: number) => number }) {
  const load = options.loadInFlight;
  const quiet = options.quiet ?? false;
  return sampledSubject({
    id: options.id,
    role: options.role,
    label: options.label,
    description: quiet
      ? 'The same daemon and save as reload-watch, but no calls while the daemon reloads: after the rename the client waits for plugins/didChange, then sends one providers/chat call; the sample is the time from the rename to its answer (with the new prefix).'
      : `A real \`plugd serve\` (watcher on, echo plugin, threads = 1) with providers/chat calls sent back to back on one handle${load ? ` plus a second client keeping ${load} more in flight` : ''}: ` +
        'plugins.toml is rewritten with a new echo `prefix` and renamed over the old file; the sample is the time from the rename to the first call answered with the new prefix.',
    ...(options.count ? { count: options.count } : {}),
    async open(ctx) {
      let version = 0;
      const daemon = await DaemonProcess.start({
        config: echoProviders(version),
        // debug: the watcher's events are logged (with timestamps) only at debug level.
        env: { PLUGD_LOG: 'debug' },
        ...(ctx.profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(ctx.profileDir, options.id)}`] } : {}),
      });
      const log = new DaemonLog(daemon.child.stderr!);
      const clients: PlugdClient[] = [];
      let rpc: ReloadRpc | null = null;
      let traffic: CallTraffic | null = null;
      const close = async () => {
        await traffic?.stop();
        rpc?.close();
        for (const client of clients) await client.close();
        await daemon.stop();
      };
      try {
        rpc = await ReloadRpc.connect(daemon.socketPath);
        const echo = await rpc.echoSettled();
        if (echo.state !== 'ready') throw new Error(`the echo plugin did not load: ${echo.error?.message ?? echo.state}`);
        if (!(await rpc.status()).watching) throw new Error('the daemon is not watching its config file (daemon/status watching = false)');
        ctx.progress(`daemon pid ${daemon.pid} ready (echo loaded in ${echo.loadTimeMs} ms)`);
        const specs: TrafficSpec[] = [];
        for (const lanes of load ? [1, load] : [1]) {
          const client = await daemon.connect();
          clients.push(client);
          const { handle } = await client.build({ provider: 'echo', model: MODEL });
          const first = versionOf((await client.chat(handle, PING)).text);
          if (first !== version) throw new Error(`expected an answer from config version ${version}, got version ${first}`);
          specs.push({ client, handle, lanes });
        }
        const status = rpc;
        let renames = 0;
        let reloadsBefore = 0;
        return {
          async beginRound() {
            renames = 0;
            reloadsBefore = (await status.status()).reloads;
            traffic = new CallTraffic(quiet ? [] : specs, version);
            traffic.start();
            if (!quiet) await sleep(WARM_MS);
          },
          async sample() {
            const calls = traffic!;
            version++;
            const answered = quiet ? null : calls.waitFor(version, ANSWER_TIMEOUT_MS);
            answered?.catch(() => undefined); // awaited below; this only keeps an early throw from leaving it unhandled
            const renamed = renameOver(daemon.configPath, echoConfigText(version));
            renames++;
            let at: number;
            let change: Awaited<ReturnType<ReloadRpc['nextChange']>>;
            try {
              if (answered) {
                at = await answered;
                change = await status.nextChange(renamed.at, (p) => p.trigger === 'watch' && p.updated.includes('echo'), 5_000);
              } else {
                change = await status.nextChange(renamed.at, (p) => p.trigger === 'watch' && p.updated.includes('echo'), ANSWER_TIMEOUT_MS);
                const { client, handle } = specs[0]!;
                const answer = versionOf((await client.chat(handle, PING)).text);
                at = performance.now();
                if (answer !== version) throw new Error(`after plugins/didChange the handle answered from config version ${answer}, not ${version}`);
              }
            } catch (error) {
              throw new Error(`${(error as Error).message}\n--- daemon log (tail) ---\n${log.tail()}`, { cause: error });
            }
            const loadMs = (await status.status()).plugins.find((p) => p.name === 'echo')?.loadTimeMs ?? null;
            // From the daemon's log (millisecond stamps): when chokidar reported the rename, and
            // when the new version had loaded ("loaded plugin … in N ms"; N = its loadTimeMs).
            const event = log.find(/ DEBUG plugd: watch: \w+ /, renamed.wallMs);
            const loaded = log.find(/ INFO plugd: loaded plugin "echo" .* in (\d+) ms$/, renamed.wallMs);
            const loadedIn = loaded ? Number(loaded.match[1]) : null;
            await sleep(SETTLE_MS);
            const ms = (x: number | null) => (x === null ? null : x * 1000);
            return {
              us: (at - renamed.at) * 1000,
              series: {
                'rename → watcher event': ms(event ? event.wallMs - renamed.wallMs : null),
                'watcher event → load starts': ms(event && loaded && loadedIn !== null ? loaded.wallMs - loadedIn - event.wallMs : null),
                'new version load (loadTimeMs)': ms(loadMs),
                'loaded → first answer from it': ms(loaded ? wallMs(at) - loaded.wallMs : null),
                'rename → plugins/didChange received': ms(change.at - renamed.at),
              },
            };
          },
          async endRound() {
            const counts = await traffic!.stop();
            const errors = traffic!.errors;
            traffic = null;
            const reloads = (await status.status()).reloads - reloadsBefore;
            return {
              counters: { ...counts, renames, reloads },
              notes: errors.map((e) => `a call failed during reloads: ${e}`),
            };
          },
          close,
        };
      } catch (error) {
        await close();
        throw new Error(`${(error as Error).message}\n--- daemon stderr ---\n${daemon.stderr.slice(-4000)}`, { cause: error });
      }
    },
  });
}
