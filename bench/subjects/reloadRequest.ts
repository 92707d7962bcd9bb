import type { PlugdClient } from '../../clients/client.js';
import { DaemonProcess } from '../../test/helpers/daemonProcess.js';
import { MODEL } from '../echoPlugin.js';
import { echoConfigText, echoProviders, PING, ReloadRpc, renameOver, sleep, versionOf } from '../reload.js';
import { sampledSubject } from '../sampled.js';

/** A pause before the next save (see reloadWatch.ts). */
const SETTLE_MS = 60;

/**
 * Floor: the reload itself, without the watcher. A real `plugd serve` (watcher on, like
 * the subject's); each sample renames a new version of plugins.toml over the old one and at once
 * sends `plugins/reload`; the sample is that request's round trip, which answers once the new
 * version serves. The watcher notices the same rename about 10 ms later and reloads again,
 * finding nothing changed; the row waits for that no-op reload before the next sample.
 */
export const reloadRequest = sampledSubject({
  id: 'reload-request',
  role: 'floor',
  label: 'plugins/reload round trip (config changed)',
  description:
    'A real `plugd serve` (watcher on, echo plugin): a new plugins.toml (new echo prefix) is renamed over the old one and plugins/reload sent at once over a plain vscode-jsonrpc connection; the sample is the request\'s round trip (it answers once the new version serves).',
  async open(ctx) {
    let version = 0;
    const daemon = await DaemonProcess.start({ config: echoProviders(version), env: { PLUGD_LOG: 'info' } });
    let rpc: ReloadRpc | null = null;
    let client: PlugdClient | null = null;
    const close = async () => {
      rpc?.close();
      await client?.close();
      await daemon.stop();
    };
    try {
      rpc = await ReloadRpc.connect(daemon.socketPath);
      const echo = await rpc.echoSettled();
      if (echo.state !== 'ready') throw new Error(`the echo plugin did not load: ${echo.error?.message ?? echo.state}`);
      client = await daemon.connect();
      const { handle } = await client.build({ provider: 'echo', model: MODEL });
      ctx.progress(`daemon pid ${daemon.pid} ready`);
      const conn = rpc;
      const caller = client;
      const notes: string[] = [];
      return {
        async sample() {
          version++;
          const renamed = renameOver(daemon.configPath, echoConfigText(version));
          const summary = await conn.reload();
          const us = (performance.now() - renamed.at) * 1000;
          if (!summary.updated.includes('echo')) throw new Error(`plugins/reload did not update the echo plugin: ${JSON.stringify(summary)}`);
          const answer = versionOf((await caller.chat(handle, PING)).text);
          if (answer !== version) throw new Error(`after plugins/reload the handle answered from version ${answer}, not ${version}`);
          // The watcher's own reload of the same rename: it must find nothing to change.
          const repeat = await conn.nextChange(renamed.at, (p) => p.trigger === 'watch', 5_000);
          if (repeat.params.updated.length !== 0 || !repeat.params.unchanged.includes('echo')) {
            notes.push(`the watcher's reload after plugins/reload was not a no-op: ${JSON.stringify(repeat.params)}`);
          }
          const loadMs = (await conn.status()).plugins.find((p) => p.name === 'echo')?.loadTimeMs ?? null;
          await sleep(SETTLE_MS);
          return { us, series: { 'new version load (loadTimeMs)': loadMs === null ? null : loadMs * 1000 } };
        },
        async endRound() {
          return { notes: notes.splice(0) };
        },
        close,
      };
    } catch (error) {
      await close();
      throw new Error(`${(error as Error).message}\n--- daemon stderr ---\n${daemon.stderr.slice(-4000)}`, { cause: error });
    }
  },
});
