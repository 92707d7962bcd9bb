import { PlugdClient } from '../../clients/client.js';
import { completeParams, expectEchoText } from '../echoPlugin.js';
import { callSubject } from '../measure.js';
import { startEchoServer } from '../processes.js';

/**
 * Component: floor 1 with plugd's own client library in front. The difference to floor 1 is
 * what PlugdClient adds per call (cancellation token, abort wiring, promise wrapping).
 */
export const plugdClientEcho = callSubject({
  id: 'plugdclient-echo',
  role: 'component',
  label: 'PlugdClient → echo server (no daemon)',
  description:
    'PlugdClient.complete() against bench/echoServer.ts instead of the daemon: the client library plus the transport, with no daemon-side work.',
  async open() {
    const server = await startEchoServer();
    const client = await PlugdClient.connect({ socketPath: server.socketPath });
    const params = completeParams('bench');
    expectEchoText((await client.complete(params)).text, 'plugdclient-echo');
    return {
      reentrant: true,
      processes: [{ name: 'echo server', pid: server.pid }],
      call: () => client.complete(params),
      async close() {
        await client.close();
        await server.stop();
      },
    };
  },
});
