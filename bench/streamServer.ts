import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { streamRequestBody, textDeltas, type BenchMessage } from './chatWire.js';

/** The OpenAI-compatible test server (test/helpers/openaiServer.ts) in a child process. */
export interface ServerProcess {
  baseUrl: string;
  child: ChildProcess;
}

/** One server process shared by the streaming rows of a run (the same server for plugd and the direct fetch). */
let shared: { server: Promise<ServerProcess>; users: number } | null = null;

async function startServer(): Promise<ServerProcess> {
  const child = fork(new URL('./workers/openaiServer.js', import.meta.url), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const [message] = (await once(child, 'message')) as [{ baseUrl: string }];
  return { baseUrl: message.baseUrl, child };
}

export async function acquireServer(): Promise<ServerProcess> {
  shared ??= { server: startServer(), users: 0 };
  shared.users++;
  return shared.server;
}

export async function releaseServer(): Promise<void> {
  if (!shared) return;
  if (--shared.users > 0) return;
  const server = await shared.server;
  shared = null;
  server.child.disconnect();
  await once(server.child, 'exit');
}

export interface StreamTiming {
  /** From sending the request to the first text delta, µs. */
  ttftUs: number;
  /** Text deltas received. */
  chunks: number;
  /** From the first text delta to the last, µs. */
  spanUs: number;
}

const agent = new http.Agent({ keepAlive: true });

/** The floor: the same streamed chat fetched straight from the server, SSE parsed as it arrives. */
export function directStream(server: { baseUrl: string }, prompt: string, history: BenchMessage[] = []): Promise<StreamTiming> {
  const body = streamRequestBody(prompt, history);
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.baseUrl}/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'text/event-stream' } }, (res) => {
      let first = 0;
      let last = 0;
      let chunks = 0;
      res.setEncoding('utf8');
      res.on(
        'data',
        textDeltas(() => {
          last = performance.now();
          if (!chunks++) first = last;
        }),
      );
      res.on('end', () => resolve({ ttftUs: (first - began) * 1000, chunks, spanUs: (last - first) * 1000 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
