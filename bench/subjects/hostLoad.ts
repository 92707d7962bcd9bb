import { createLogger } from '../../daemon/log.js';
import { WasmPluginHost } from '../../daemon/plugins/wasmHost.js';
import { echoEntry } from '../echoPlugin.js';
import { versionPrefix } from '../reload.js';
import { sampledSubject } from '../sampled.js';

/**
 * Component: what a reload waits for, in the bench process. A new `WasmPluginHost` for the echo
 * plugin, as the reloader creates one for a changed entry, timed through `start()`: read and
 * compile the file, start a piscina pool (one worker thread running workers/wasm/worker.ts), and
 * in it import @extism/extism, create the plugin instance and call its metadata exports.
 */
export const hostLoad = (count?: (reloads: number) => number) =>
  sampledSubject({
    ...(count ? { count } : {}),
    id: 'host-load',
    role: 'component',
    label: 'WasmPluginHost.start() in-process (new version load)',
    description:
      "plugd's WasmPluginHost (daemon/plugins/wasmHost.ts) created in the bench process for the echo plugin (threads = 1) and started: compile, piscina pool and worker, Extism instance, metadata exports; disposed after each sample.",
    async open() {
      const logger = createLogger(2, (line) => process.stderr.write(line));
      let version = 0;
      return {
        async sample() {
          const host = new WasmPluginHost(echoEntry({ prefix: versionPrefix(++version) }), logger);
          const began = performance.now();
          await host.start();
          const us = (performance.now() - began) * 1000;
          const failure = host.failure?.message;
          await host.dispose();
          if (host.state === 'failed' || failure) throw new Error(`host-load: the echo plugin did not load: ${failure ?? host.state}`);
          return { us };
        },
        close: async () => undefined,
      };
    },
  });
