import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PlugdClient } from '../../clients/client.js';
import { loadConfig } from '../../daemon/config/load.js';
import { Daemon } from '../../daemon/daemon.js';
import { createLogger } from '../../daemon/log.js';
import { providersToml, type ProviderSpec } from './config.js';
import { DaemonProcess } from './daemonProcess.js';

export type TransportKind = 'socket' | 'stdio' | 'memory';
export const transportKinds: TransportKind[] = ['socket', 'stdio', 'memory'];

export interface Connected extends AsyncDisposable {
  client: PlugdClient;
}

/**
 * Runs a daemon for `providers` and connects one client over the chosen transport: a real daemon
 * process on a unix socket, a real daemon process on stdio, or an in-process daemon on an
 * in-memory stream pair. Scenarios run unchanged over all three.
 */
export async function connectOver(kind: TransportKind, providers: ProviderSpec[]): Promise<Connected> {
  if (kind === 'socket') {
    const daemon = await DaemonProcess.start({ config: providers });
    const client = await daemon.connect();
    return { client, [Symbol.asyncDispose]: async () => { await client.close(); await daemon.stop(); } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'plugd-test-'));
  const configPath = join(dir, 'plugins.toml');
  writeFileSync(configPath, providersToml(providers));
  if (kind === 'stdio') {
    const client = await PlugdClient.spawnStdio({ args: ['--config', configPath], stderr: 'ignore' });
    return { client, [Symbol.asyncDispose]: async () => { await client.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const daemon = new Daemon({ config: loadConfig(configPath), logger: createLogger(1, () => undefined) });
  const toDaemon = new PassThrough();
  const toClient = new PassThrough();
  daemon.serve(toDaemon, toClient);
  const client = PlugdClient.fromStreams(toClient, toDaemon);
  return {
    client,
    [Symbol.asyncDispose]: async () => {
      await client.close();
      await daemon.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
