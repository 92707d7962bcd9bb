/**
 * Floor 1's server: a plain vscode-jsonrpc server on a unix socket, in its own process, that
 * answers `providers/complete` with `{text: prompt}` without doing anything else (no validation,
 * no plugin). Spawned by the bench: `node dist/bench/echoServer.js SOCKET_PATH`; prints `ready`
 * on stdout once listening, and exits when its stdin closes (i.e. when the bench exits) or on SIGTERM.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { ProvidersCompleteRequest } from '../protocol/providers.js';

const socketPath = process.argv[2];
if (!socketPath) {
  process.stderr.write('usage: echoServer SOCKET_PATH\n');
  process.exit(2);
}

const server = createServer((socket) => {
  const connection = createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket));
  connection.onRequest(ProvidersCompleteRequest.type, (params) => ({ text: params.prompt }));
  socket.on('error', () => undefined);
  socket.on('close', () => connection.dispose());
  connection.listen();
});

const stop = (): void => {
  server.close();
  rmSync(socketPath, { force: true });
  process.exit(0);
};
process.once('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();

server.listen(socketPath, () => process.stdout.write('ready\n'));
