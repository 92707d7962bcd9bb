import { fork } from 'node:child_process';
import { callSubject } from '../measure.js';
import { echoCalls } from './echoPeer.js';

const echoIpcChild = new URL('../workers/echoIpc.js', import.meta.url);

/**
 * Component: the process hop alone. A `child_process.fork` child (JSON serialisation, as a
 * native plugin's worker process) that sends each message back — the least a process-isolated
 * native call pays, to set beside the worker_threads round trip.
 */
export const forkRoundTrip = callSubject({
  id: 'fork-ipc',
  role: 'component',
  label: 'child_process.fork IPC round trip (JSON)',
  description: 'A forked child process that sends every IPC message back (serialization "json", as plugd uses for native plugin processes); each call sends {id, task} and waits for its answer.',
  async open() {
    const child = fork(echoIpcChild, [], { serialization: 'json', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const call = await echoCalls({
      send: (message) => child.send(message),
      onMessage: (listener) => child.on('message', listener),
    });
    return {
      reentrant: true,
      processes: [{ name: 'child', pid: child.pid! }],
      call,
      close: async () => {
        child.kill();
      },
    };
  },
});
