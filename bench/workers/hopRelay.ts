/**
 * The hop floor of the streaming group: a process shaped like plugd that does none of plugd's
 * work. Its main thread reads one JSON line per chat from a unix socket and posts it to a worker
 * thread; the worker POSTs the chat to the test server (node:http, keep-alive), finds the first
 * text delta in the SSE body and posts it back; the main thread writes it to the socket. The same
 * four thread hops a chat through plugd makes beyond a direct fetch, with no protocol, validation,
 * plugin or parser: what those hops cost on this machine, in this run.
 *
 *   forked with argv [socketPath, baseUrl]; sends 'ready' once it listens.
 */
import http from 'node:http';
import { createServer, type Socket } from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { streamRequestBody, textDeltas } from '../chatWire.js';

interface Ask {
  id: number;
  prompt: string;
}
interface Answer {
  id: number;
  /** The first text delta, once. */
  text?: string;
  /** The body has ended. */
  end?: true;
  /** The request failed. */
  error?: string;
}

if (isMainThread) {
  const [socketPath, baseUrl] = process.argv.slice(2);
  const worker = new Worker(new URL(import.meta.url), { workerData: { baseUrl } });
  let client: Socket | undefined;
  worker.on('message', (answer: Answer) => client?.write(`${JSON.stringify(answer)}\n`));
  const server = createServer((socket) => {
    client = socket;
    let rest = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) worker.postMessage(JSON.parse(line) as Ask);
    });
  });
  server.listen(socketPath, () => process.send?.('ready'));
  process.on('disconnect', () => {
    server.close();
    void worker.terminate().then(() => process.exit(0));
  });
} else {
  const { baseUrl } = workerData as { baseUrl: string };
  const agent = new http.Agent({ keepAlive: true });
  parentPort?.on('message', ({ id, prompt }: Ask) => {
    const post = (answer: Answer) => parentPort?.postMessage(answer);
    const req = http.request(`${baseUrl}/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'text/event-stream' } }, (res) => {
      let sent = false;
      res.setEncoding('utf8');
      res.on(
        'data',
        textDeltas((text) => {
          if (!sent) post({ id, text });
          sent = true;
        }),
      );
      res.on('end', () => post({ id, end: true }));
    });
    req.on('error', (error) => post({ id, end: true, error: error.message }));
    req.end(streamRequestBody(prompt));
  });
}
