import { createLogger } from '../../daemon/log.js';
import { WasmPluginHost } from '../../daemon/plugins/wasmHost.js';
import { completeInput, echoEntry, expectEchoText } from '../echoPlugin.js';
import { callSubject } from '../measure.js';

/**
 * Component: the daemon's plugin host in the bench process — `WasmPluginHost.call('complete')`
 * with the daemon's input: the call's timeout timer, piscina (calls queued at the worker), the
 * plugd worker (workers/wasm/worker.ts: call board, Extism call + reset, result message). No
 * JSON-RPC, no socket, no param validation or output parsing.
 */
export const wasmHost = callSubject({
  id: 'wasm-host',
  role: 'component',
  label: 'WasmPluginHost.call in-process (piscina + worker + Extism)',
  description:
    "plugd's WasmPluginHost (daemon/plugins/wasmHost.ts) created in the bench process with the echo plugin (threads = 1) and called directly: host.call('complete', input).",
  async open() {
    // Info level like the daemon's default; the host's own info lines are dropped, anything worse is shown.
    const logger = createLogger(3, (line) => {
      if (!line.includes(' INFO ')) process.stderr.write(line);
    });
    const host = new WasmPluginHost(echoEntry(), logger);
    await host.start();
    if (host.state !== 'ready') throw new Error(`wasm-host: the echo plugin did not load: ${host.failure?.message ?? host.state}`);
    const first = await host.call('complete', completeInput);
    expectEchoText((JSON.parse(first ?? 'null') as { text?: unknown } | null)?.text, 'wasm-host');
    return {
      reentrant: true,
      call: () => host.call('complete', completeInput),
      close: () => host.dispose(),
    };
  },
});
