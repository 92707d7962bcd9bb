import { once } from 'node:events';
import { createConnection } from 'node:net';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { ProvidersCompleteRequest } from '../../protocol/providers.js';
import { completeParams, expectEchoText } from '../echoPlugin.js';
import { callSubject } from '../measure.js';
import { startEchoServer } from '../processes.js';

/**
 * Floor 1: the transport alone. A plain vscode-jsonrpc connection (no PlugdClient) to
 * bench/echoServer.ts in another process, sending the same `providers/complete` request the
 * daemon subject sends; the server answers `{text: prompt}` at once.
 */
export const jsonrpcEcho = callSubject({
  id: 'jsonrpc-echo',
  role: 'floor',
  label: 'vscode-jsonrpc echo server (other process)',
  description:
    'A bare vscode-jsonrpc MessageConnection over a unix socket to bench/echoServer.ts in a separate process, which answers providers/complete with {text: prompt} immediately.',
  async open() {
    const server = await startEchoServer();
    const socket = createConnection({ path: server.socketPath });
    await once(socket, 'connect');
    const connection = createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket));
    connection.listen();
    const params = completeParams('bench');
    const first = await connection.sendRequest(ProvidersCompleteRequest.type, params);
    expectEchoText(first.text, 'jsonrpc-echo');
    return {
      reentrant: true,
      processes: [{ name: 'echo server', pid: server.pid }],
      call: () => connection.sendRequest(ProvidersCompleteRequest.type, params),
      async close() {
        connection.dispose();
        socket.destroy();
        await server.stop();
      },
    };
  },
});
