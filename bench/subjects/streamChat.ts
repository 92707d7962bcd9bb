import type { PlugdClient } from '../../clients/client.js';
import { DaemonProcess } from '../../test/helpers/daemonProcess.js';
import { openaiToml } from '../../test/helpers/openaiConfig.js';
import { sampledSubject } from '../sampled.js';
import type { Role, Subject } from '../subject.js';
import { acquireServer, directStream, releaseServer, type ServerProcess, type StreamTiming } from '../streamServer.js';

/** What a row measures of each streamed chat: time to first token, or µs per chunk. */
export type StreamMetric = 'ttft' | 'perChunk';

async function plugdStream(client: PlugdClient, handle: string, prompt: string): Promise<StreamTiming> {
  const began = performance.now();
  let first = 0;
  let last = 0;
  let chunks = 0;
  for await (const chunk of client.chatStream(handle, [{ role: 'user', content: prompt }])) {
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
      for (let i = 0; i < 3; i++) await once(); // warm-up: connections, JIT, plugin instance
      return {
        async sample() {
          return { us: figure(await once(), spec.metric) };
        },
        close: () => closeBoth(o),
      };
    },
  });
}

/** Paired samples: the same chat direct, then through plugd; the sample is plugd's added time to first token. */
export function streamAdded(spec: { id: string; prompt: string }): Subject {
  return sampledSubject({
    id: spec.id,
    role: 'subject',
    label: 'added time to first token (plugd − direct, paired)',
    description: `Each sample streams "${spec.prompt}" directly and then through plugd, back to back; the sample is the difference of their times to the first text delta.`,
    async open() {
      const o = await openBoth(true);
      for (let i = 0; i < 3; i++) await plugdStream(o.client!, o.handle, spec.prompt);
      return {
        async sample() {
          const direct = await directStream(o.server, spec.prompt);
          const plugd = await plugdStream(o.client!, o.handle, spec.prompt);
          return { us: plugd.ttftUs - direct.ttftUs, series: { 'direct ttft': direct.ttftUs, 'plugd ttft': plugd.ttftUs } };
        },
        close: () => closeBoth(o),
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
