import { DaemonProcess } from '../../test/helpers/daemonProcess.js';
import { echoProviders, ReloadRpc } from '../reload.js';
import { sampledSubject } from '../sampled.js';

/**
 * Floor: the echo plugin's cold load as the daemon reports it. Each sample starts a fresh
 * `plugd serve`, waits until the plugin has loaded, and takes its `loadTimeMs` from
 * `daemon/status` (whole milliseconds: file read, compile, worker pool, Extism instance, metadata
 * exports). A quarter as many samples as the other rows (at least 2): each costs a daemon start.
 */
export const coldLoad = sampledSubject({
  id: 'cold-load',
  role: 'floor',
  label: 'echo plugin cold load (daemon/status loadTimeMs)',
  description:
    "A fresh `plugd serve` per sample (echo plugin, threads = 1): the plugin's loadTimeMs from daemon/status once it is ready, i.e. its load at daemon start.",
  count: (reloads) => Math.max(2, Math.round(reloads / 4)),
  async open() {
    return {
      async sample() {
        const daemon = await DaemonProcess.start({ config: echoProviders(0), env: { PLUGD_LOG: 'info' } });
        try {
          const rpc = await ReloadRpc.connect(daemon.socketPath);
          try {
            const echo = await rpc.echoSettled();
            if (echo.state !== 'ready' || echo.loadTimeMs === null) throw new Error(`the echo plugin did not load: ${echo.error?.message ?? echo.state}`);
            return { us: echo.loadTimeMs * 1000 };
          } finally {
            rpc.close();
          }
        } finally {
          await daemon.stop();
        }
      },
      close: async () => undefined,
    };
  },
});
