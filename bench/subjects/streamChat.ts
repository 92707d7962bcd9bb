import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlugdClient } from '../../clients/client.js';
import { DaemonProcess } from '../../test/helpers/daemonProcess.js';
import { openaiToml } from '../../test/helpers/openaiConfig.js';
import { sampledSubject } from '../sampled.js';
import type { Role, Subject } from '../subject.js';
import { conversation, type BenchMessage } from '../chatWire.js';
import { acquireServer, directStream, releaseServer, type ServerProcess, type StreamTiming } from '../streamServer.js';

/** What a row measures of each streamed chat: time to first token, or µs per chunk. */
export type StreamMetric = 'ttft' | 'perChunk';

/**
 * Chats before a time-to-first-token row samples (the unary rows warm up with 5,000 calls). A new
 * daemon's first chats run in V8's interpreter and baseline tiers: the added time falls over its
 * first 150–200 chats and then holds (docs/performance.md §12.5). The `fresh` row samples a
 * daemon's first chats on purpose.
 */
const STEADY_WARM_UP = 200;
/** Chats before a chunk-rate row samples: each of its chats is hundreds of chunks long. */
const RATE_WARM_UP = 3;

async function plugdStream(client: PlugdClient, handle: string, prompt: string, history: BenchMessage[] = []): Promise<StreamTiming> {
  const began = performance.now();
  let first = 0;
  let last = 0;
  let chunks = 0;
  for await (const chunk of client.chatStream(handle, [...history, { role: 'user', content: prompt }])) {
    if (chunk.type !== 'text') continue;
    last = performance.now();
    if (!chunks++) first = last;
  }
  return { ttftUs: (first - began) * 1000, chunks, spanUs: (last - first) * 1000 };
}

function figure(t: StreamTiming, metric: StreamMetric): number {
  return metric === 'ttft' ? t.ttftUs : t.spanUs / Math.max(1, t.chunks - 1);
}

interface Opened {
  server: ServerProcess;
  daemon: DaemonProcess | null;
  client: PlugdClient | null;
  handle: string;
}

async function openBoth(withDaemon: boolean): Promise<Opened> {
  const server = await acquireServer();
  if (!withDaemon) return { server, daemon: null, client: null, handle: '' };
  const daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }), env: { PLUGD_LOG: 'warn' } });
  const client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  return { server, daemon, client, handle };
}

async function closeBoth(o: Opened): Promise<void> {
  await o.client?.close();
  await o.daemon?.stop();
  await releaseServer();
}

/** A streamed chat through plugd (`plugd`) or fetched directly (`direct`), one sample per chat. */
export function streamChat(spec: { id: string; role: Role; label: string; via: 'plugd' | 'direct'; metric: StreamMetric; prompt: string; count?: (n: number) => number }): Subject {
  const what = spec.metric === 'ttft' ? 'time from sending the request to the first text delta' : 'µs per text delta between the first and the last';
  const path =
    spec.via === 'plugd'
      ? 'a real `plugd serve` with the openai plugin (threads = 1), PlugdClient over the unix socket, providers/chatStream'
      : 'node:http straight to the server (keep-alive), SSE parsed as it arrives';
  return sampledSubject({
    id: spec.id,
    role: spec.role,
    label: spec.label,
    description: `Streamed chat "${spec.prompt}" from the local OpenAI-compatible test server (its own process) via ${path}; the sample is the ${what}.`,
    ...(spec.count ? { count: spec.count } : {}),
    async open() {
      const o = await openBoth(spec.via === 'plugd');
      const once = () => (spec.via === 'plugd' ? plugdStream(o.client!, o.handle, spec.prompt) : directStream(o.server, spec.prompt));
      // Warm-up: connections, JIT, plugin instance.
      for (let i = 0; i < (spec.metric === 'ttft' ? STEADY_WARM_UP : RATE_WARM_UP); i++) await once();
      return {
        async sample() {
          return { us: figure(await once(), spec.metric) };
        },
        close: () => closeBoth(o),
      };
    },
  });
}

/** The same chat direct, then through plugd, back to back: plugd's added time to the first token. */
async function pairedSample(o: Opened, prompt: string, history: BenchMessage[] = []): Promise<{ us: number; series: Record<string, number> }> {
  const direct = await directStream(o.server, prompt, history);
  const plugd = await plugdStream(o.client!, o.handle, prompt, history);
  return { us: plugd.ttftUs - direct.ttftUs, series: { 'direct ttft': direct.ttftUs, 'plugd ttft': plugd.ttftUs } };
}

/**
 * Paired samples: the same chat direct, then through plugd; the sample is plugd's added time to
 * first token. `steady`: one daemon, sampled after STEADY_WARM_UP paired chats. `fresh`: each
 * round starts a new daemon and samples its first chats after three.
 */
export function streamAdded(spec: { id: string; prompt: string; phase: 'steady' | 'fresh'; historyKb?: number; count?: (n: number) => number }): Subject {
  const steady = spec.phase === 'steady';
  const history = conversation(spec.historyKb ?? 0);
  const label = !steady
    ? 'added time to first token, new daemon (its 4th chat on)'
    : spec.historyKb
      ? `added time to first token, after ${spec.historyKb} kB of conversation`
      : 'added time to first token (plugd − direct, paired)';
  return sampledSubject({
    id: spec.id,
    role: steady && !spec.historyKb ? 'subject' : 'what-if',
    label,
    description: steady
      ? `Each sample streams "${spec.prompt}"${spec.historyKb ? ` after ${history.length} earlier turns (${spec.historyKb} kB of text)` : ''} directly and then through plugd, back to back; the sample is the difference of their times to the first text delta. The daemon has served ${STEADY_WARM_UP} such pairs before the first sample.`
      : `As the paired row, but each round starts a new daemon and samples its chats after the third: the first minutes of a daemon, before V8 has optimised the chat path.`,
    ...(spec.count ? { count: spec.count } : {}),
    async open() {
      if (!steady) {
        let o: Opened | null = null;
        return {
          async beginRound() {
            o = await openBoth(true);
            for (let i = 0; i < 3; i++) await pairedSample(o, spec.prompt);
          },
          sample: () => pairedSample(o!, spec.prompt),
          async endRound() {
            if (o) await closeBoth(o);
            o = null;
            return {};
          },
          async close() {
            if (o) await closeBoth(o);
          },
        };
      }
      const o = await openBoth(true);
      for (let i = 0; i < STEADY_WARM_UP; i++) await pairedSample(o, spec.prompt, history);
      return { sample: () => pairedSample(o, spec.prompt, history), close: () => closeBoth(o) };
    },
  });
}

/** A chat through the hop relay (bench/workers/hopRelay.ts): time to its first text delta, µs. */
class HopRelay {
  private constructor(
    private readonly child: ChildProcess,
    private readonly socket: Socket,
    private readonly dir: string,
  ) {
    let rest = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) this.waiting?.(JSON.parse(line) as { text?: string; end?: true; error?: string });
    });
  }

  private waiting: ((answer: { text?: string; end?: true; error?: string }) => void) | undefined;
  private next = 0;

  static async start(baseUrl: string): Promise<HopRelay> {
    const dir = mkdtempSync(join(tmpdir(), 'plugd-bench-relay-'));
    const path = join(dir, 'relay.sock');
    const child = fork(new URL('../workers/hopRelay.js', import.meta.url), [path, baseUrl], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await once(child, 'message');
    const socket = connect(path);
    await once(socket, 'connect');
    return new HopRelay(child, socket, dir);
  }

  chat(prompt: string): Promise<number> {
    const began = performance.now();
    let first = 0;
    return new Promise((resolve, reject) => {
      this.waiting = (answer) => {
        if (answer.error) reject(new Error(`hop relay: ${answer.error}`));
        else if (answer.text !== undefined && !first) first = performance.now();
        else if (answer.end) resolve((first - began) * 1000);
      };
      this.socket.write(`${JSON.stringify({ id: this.next++, prompt })}\n`);
    });
  }

  async stop(): Promise<void> {
    this.socket.destroy();
    this.child.disconnect();
    if (this.child.exitCode === null) await once(this.child, 'exit');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The floor for the added time: the same chat direct, then through the hop relay; the sample is
 * the relay's added time to first token — what the four thread hops cost with no plugd work.
 */
export function hopRelayAdded(spec: { id: string; prompt: string; count?: (n: number) => number }): Subject {
  return sampledSubject({
    id: spec.id,
    role: 'floor',
    label: 'added time to first token, hop relay (no plugd work)',
    description: `Each sample streams "${spec.prompt}" directly and then through bench/workers/hopRelay.ts (client → a process's main thread → its worker thread → the server, and back: plugd's hops without its work), back to back; the sample is the difference of their times to the first text delta.`,
    ...(spec.count ? { count: spec.count } : {}),
    async open() {
      const server = await acquireServer();
      const relay = await HopRelay.start(server.baseUrl);
      const sample = async () => {
        const direct = await directStream(server, spec.prompt);
        return { us: (await relay.chat(spec.prompt)) - direct.ttftUs };
      };
      for (let i = 0; i < STEADY_WARM_UP; i++) await sample();
      return {
        sample,
        async close() {
          await relay.stop();
          await releaseServer();
        },
      };
    },
  });
}

/** Context for the added time: one JSON-RPC round trip to the same kind of daemon, same run. */
export function daemonRoundTrip(spec: { id: string }): Subject {
  return sampledSubject({
    id: spec.id,
    role: 'component',
    label: 'daemon/status round trip (one client ↔ daemon hop pair)',
    description: 'A real `plugd serve` with the openai plugin; the sample is one daemon/status request\'s round trip over the unix socket: the cost of one client ↔ daemon exchange under the run\'s load.',
    async open() {
      const o = await openBoth(true);
      for (let i = 0; i < 20; i++) await o.client!.status();
      return {
        async sample() {
          const t0 = performance.now();
          await o.client!.status();
          return { us: (performance.now() - t0) * 1000 };
        },
        close: () => closeBoth(o),
      };
    },
  });
}
