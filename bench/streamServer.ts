import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';

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

/** A message of a conversation, as both the direct fetch and PlugdClient send it. */
export interface BenchMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** Earlier turns of about `kb` kilobytes of text, for the rows that stream a long conversation. */
export function conversation(kb: number): BenchMessage[] {
  const turn = 'Lorem ipsum "dolor" sit amet, consectetur adipiscing elit; sed do eiusmod tempor. '.repeat(6).slice(0, 500);
  return Array.from({ length: Math.ceil((kb * 1000) / 500) }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: turn }));
}

/** The floor: the same streamed chat fetched straight from the server, SSE parsed as it arrives. */
export function directStream(server: { baseUrl: string }, prompt: string, history: BenchMessage[] = []): Promise<StreamTiming> {
  const body = JSON.stringify({ model: 'gpt-test', messages: [...history, { role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } });
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.baseUrl}/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'text/event-stream' } }, (res) => {
      let first = 0;
      let last = 0;
      let chunks = 0;
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const lines = (rest + text).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
          const event = JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> };
          if (event.choices[0]?.delta?.content) {
            last = performance.now();
            if (!chunks++) first = last;
          }
        }
      });
      res.on('end', () => resolve({ ttftUs: (first - began) * 1000, chunks, spanUs: (last - first) * 1000 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
