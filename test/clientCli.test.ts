// The `plugd` CLI end to end inside this process: runCli with fake stdio/env/signals against a
// scripted in-memory daemon. Exit codes, stdout/stderr contents, and what goes over the wire.
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ResponseError } from 'vscode-jsonrpc';
import type { CliIo, ServeOptions } from '../clients/cli/io.js';
import { runCli } from '../clients/cli/run.js';
import { DaemonNotRunningError } from '../clients/errors.js';
import type { ChatResult, StreamChunk } from '../protocol/chat.js';
import { ErrorCodes } from '../protocol/errors.js';
import { cancelled, daemonStatus, factoryInfo, fakeDaemon, type FakeDaemon, type FakeHandler } from './clientFakeDaemon.js';

interface Harness {
  io: CliIo;
  readonly stdout: string;
  readonly stderr: string;
  /** Socket paths the CLI connected to. */
  connected: string[];
  served: ServeOptions[];
  /** Simulates Ctrl-C. */
  interrupt(): void;
  fake: FakeDaemon;
}

function harness(
  handlers: Record<string, FakeHandler> = {},
  opts: { stdin?: string; stdinIsTTY?: boolean; env?: Record<string, string>; connectError?: Error } = {},
): Harness {
  let stdout = '';
  let stderr = '';
  const interrupts = new Set<() => void>();
  const fake = fakeDaemon({
    'factories/list': () => ({ factories: [factoryInfo()] }),
    'providers/build': () => ({ handle: 'h1' }),
    'providers/dispose': () => ({}),
    ...handlers,
  });
  const h: Harness = {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    connected: [],
    served: [],
    interrupt: () => [...interrupts].forEach((handler) => handler()),
    fake,
    io: {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { XDG_RUNTIME_DIR: '/run/user/1000', ...opts.env },
      stdinIsTTY: opts.stdinIsTTY ?? false,
      readStdin: async () => opts.stdin ?? '',
      connect: async (socketPath) => {
        h.connected.push(socketPath);
        if (opts.connectError) throw opts.connectError;
        return fake.client;
      },
      onInterrupt: (handler) => {
        interrupts.add(handler);
        return () => interrupts.delete(handler);
      },
      serve: async (serveOpts) => {
        h.served.push(serveOpts);
      },
    },
  };
  return h;
}

const result = (text: string | null, extra: Partial<ChatResult> = {}): ChatResult => ({
  text,
  toolCalls: [],
  thinking: null,
  usage: null,
  finishReason: 'stop',
  ...extra,
});
const text = (t: string): StreamChunk => ({ type: 'text', text: t });
const done: StreamChunk = { type: 'done', finishReason: 'stop' };

/** A chatStream handler that streams `parts` and answers with their concatenation. */
function streaming(parts: string[]): FakeHandler {
  return async (params: { streamId: string }, _token, f) => {
    let seq = 0;
    for (const part of parts) await f.chunk(params.streamId, seq++, text(part));
    await f.chunk(params.streamId, seq, done);
    return result(parts.join(''));
  };
}

const methods = (h: Harness) => h.fake.requests.map((r) => r.method);
const paramsOf = (h: Harness, method: string) => h.fake.requests.find((r) => r.method === method)?.params;

test('status: human table by default, JSON with --json; default socket from XDG_RUNTIME_DIR', async () => {
  const human = harness({ 'daemon/status': () => daemonStatus() });
  assert.is(await runCli(['status'], human.io), 0);
  assert.match(human.stdout, 'PLUGIN  STATE   TYPE  CALLS  ERRORS  RESTARTS  LOAD TIME');
  assert.match(human.stdout, '  error: PluginLoadError: cannot read /opt/plugd/missing.wasm (ENOENT)');
  assert.is(human.stderr, '');
  assert.equal(human.connected, ['/run/user/1000/plugd/plugd.sock']);
  assert.ok(human.fake.client.isClosed, 'the CLI closes its client');

  const json = harness({ 'daemon/status': () => daemonStatus() });
  assert.is(await runCli(['--json', 'status'], json.io), 0);
  assert.equal(JSON.parse(json.stdout), daemonStatus());
});

test('--socket wins over $PLUGD_SOCKET, which wins over the default', async () => {
  const env = harness({ 'daemon/status': () => daemonStatus() }, { env: { PLUGD_SOCKET: '/env.sock' } });
  await runCli(['status'], env.io);
  assert.equal(env.connected, ['/env.sock']);
  const flag = harness({ 'daemon/status': () => daemonStatus() }, { env: { PLUGD_SOCKET: '/env.sock' } });
  await runCli(['status', '--socket', '/flag.sock'], flag.io);
  assert.equal(flag.connected, ['/flag.sock']);
});

test('no daemon: one clear line on stderr and exit 1', async () => {
  const h = harness({}, { connectError: new DaemonNotRunningError('/run/user/1000/plugd/plugd.sock') });
  assert.is(await runCli(['factories'], h.io), 1);
  assert.is(h.stdout, '');
  assert.is(
    h.stderr,
    'plugd: no plugd daemon is running at /run/user/1000/plugd/plugd.sock; start one with `plugd serve` (or `npm start` in the plugd repository)\n',
  );
});

test('usage errors: one line with a --help hint and exit 2; nothing is contacted', async () => {
  const h = harness();
  assert.is(await runCli(['chat'], h.io), 2);
  assert.is(h.stderr, "plugd: missing PROVIDER (see 'plugd chat --help')\n");
  const flag = harness();
  assert.is(await runCli(['status', '--frobnicate'], flag.io), 2);
  assert.is(flag.stderr, "plugd: unknown option '--frobnicate' (see 'plugd status --help')\n");
  assert.equal([...h.connected, ...flag.connected], []);
});

test('help and version go to stdout with exit 0', async () => {
  const help = harness();
  assert.is(await runCli(['chat', '--help'], help.io), 0);
  assert.match(help.stdout, 'Usage:\n  plugd chat PROVIDER');
  const version = harness();
  assert.is(await runCli(['--version'], version.io), 0);
  assert.match(version.stdout, /^plugd \S+ \(protocol 1\.0\)\n$/);
});

test('serve hands its flags to the daemon (and leaves $PLUGD_SOCKET to it)', async () => {
  const h = harness({}, { env: { PLUGD_SOCKET: '/env.sock' } });
  assert.is(await runCli(['serve', '--config', 'p.toml', '--stdio', '--no-watch'], h.io), 0);
  assert.equal(h.served, [{ configPath: 'p.toml', socketPath: undefined, stdio: true, watch: false }]);
});

test('chat streams text to stdout as it arrives and ends with a newline; builds and disposes the provider', async () => {
  const h = harness({ 'providers/chatStream': streaming(['Hel', 'lo']) });
  const code = await runCli(
    ['chat', 'echo', '--model', 'echo-1', '--system', 'Be brief', '--temperature', '0.5', '--max-tokens', '9', 'Hi', 'there'],
    h.io,
  );
  assert.is(code, 0, h.stderr);
  assert.is(h.stdout, 'Hello\n');
  assert.equal(paramsOf(h, 'providers/build'), {
    provider: 'echo',
    model: 'echo-1',
    system: 'Be brief',
    temperature: 0.5,
    maxTokens: 9,
  });
  const sent = paramsOf(h, 'providers/chatStream') as { handle: string; messages: unknown };
  assert.is(sent.handle, 'h1');
  assert.equal(sent.messages, [{ role: 'user', content: 'Hi there' }]);
  assert.equal(paramsOf(h, 'providers/dispose'), { handle: 'h1' });
});

test("chat: an answer already ending in a newline gets no second one; an empty answer still ends the line", async () => {
  const h = harness({ 'providers/chatStream': streaming(['line\n']) });
  await runCli(['chat', 'echo', 'x'], h.io);
  assert.is(h.stdout, 'line\n');
  const empty = harness({ 'providers/chatStream': streaming([]) });
  await runCli(['chat', 'echo', 'x'], empty.io);
  assert.is(empty.stdout, '\n');
});

test('chat --json streams one JSON chunk per line, then the result', async () => {
  const h = harness({ 'providers/chatStream': streaming(['a', 'b']) });
  assert.is(await runCli(['chat', 'echo', '--json', 'x'], h.io), 0);
  const lines = h.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
  assert.equal(lines, [text('a'), text('b'), done, result('ab')]);
});

test('chat --no-stream waits for the whole answer', async () => {
  const h = harness({ 'providers/chat': () => result('whole answer') });
  assert.is(await runCli(['chat', 'echo', '--no-stream', 'x'], h.io), 0);
  assert.is(h.stdout, 'whole answer\n');
  assert.ok(!methods(h).includes('providers/chatStream'));
  const json = harness({ 'providers/chat': () => result('w') });
  await runCli(['chat', 'echo', '--no-stream', '--json', 'x'], json.io);
  assert.equal(JSON.parse(json.stdout), result('w'));
});

test('chat falls back to a plain chat when the plugin cannot stream', async () => {
  const h = harness({
    'providers/chatStream': () => {
      throw new ResponseError(ErrorCodes.Unsupported, 'echo does not stream');
    },
    'providers/chat': () => result('unstreamed'),
  });
  assert.is(await runCli(['chat', 'echo', 'x'], h.io), 0, h.stderr);
  assert.is(h.stdout, 'unstreamed\n');
});

test('chat reads the message from stdin when none is given; an empty one is a usage error', async () => {
  const h = harness({ 'providers/chatStream': streaming(['ok']) }, { stdin: 'from\nstdin\n' });
  assert.is(await runCli(['chat', 'echo'], h.io), 0);
  assert.equal((paramsOf(h, 'providers/chatStream') as { messages: unknown }).messages, [
    { role: 'user', content: 'from\nstdin\n' },
  ]);
  assert.is(h.stderr, '');

  const tty = harness({ 'providers/chatStream': streaming(['ok']) }, { stdin: 'typed', stdinIsTTY: true });
  await runCli(['chat', 'echo'], tty.io);
  assert.match(tty.stderr, 'reading the message from stdin');

  const empty = harness({}, { stdin: '  \n' });
  assert.is(await runCli(['chat', 'echo'], empty.io), 2);
  assert.is(empty.stderr, "plugd: the message is empty (see 'plugd chat --help')\n");
});

test("chat passes the API key from this shell's environment under the plugin's variable; --api-key wins", async () => {
  const handlers = { 'factories/list': () => ({ factories: [factoryInfo({ apiKeyName: 'ECHO_KEY' })] }), 'providers/chatStream': streaming(['k']) };
  const fromEnv = harness(handlers, { env: { ECHO_KEY: 'env-key' } });
  await runCli(['chat', 'echo', 'x'], fromEnv.io);
  assert.is((paramsOf(fromEnv, 'providers/build') as { apiKey?: string }).apiKey, 'env-key');

  const fromFlag = harness(handlers, { env: { ECHO_KEY: 'env-key' } });
  await runCli(['chat', 'echo', '--api-key', 'flag-key', 'x'], fromFlag.io);
  assert.is((paramsOf(fromFlag, 'providers/build') as { apiKey?: string }).apiKey, 'flag-key');
  assert.ok(!methods(fromFlag).includes('factories/list'));

  const unset = harness(handlers);
  await runCli(['chat', 'echo', 'x'], unset.io);
  assert.ok(!('apiKey' in (paramsOf(unset, 'providers/build') as object)));
});

test('Ctrl-C during chat cancels the request: partial output ends its line, exit 130, handle disposed', async () => {
  let daemonSawCancel = false;
  const h = harness({
    'providers/chatStream': async (params: { streamId: string }, token, f) => {
      await f.chunk(params.streamId, 0, text('partial'));
      await cancelled(token);
      daemonSawCancel = true;
      throw new ResponseError(ErrorCodes.RequestCancelled, 'cancelled');
    },
  });
  const running = runCli(['chat', 'echo', 'x'], h.io);
  while (!h.stdout.includes('partial')) await sleep(5);
  h.interrupt();
  assert.is(await running, 130);
  assert.is(h.stdout, 'partial\n');
  assert.is(h.stderr, 'plugd: cancelled\n');
  assert.ok(daemonSawCancel);
  assert.equal(paramsOf(h, 'providers/dispose'), { handle: 'h1' });
});

test('a plugin error mid-stream: partial output, then one error line and exit 1', async () => {
  const h = harness({
    'providers/chatStream': async (params: { streamId: string }, _token, f) => {
      await f.chunk(params.streamId, 0, text('par'));
      throw new ResponseError(ErrorCodes.PluginError, 'echo: plugin error', { payload: { type: 'Auth', message: 'bad key' } });
    },
  });
  assert.is(await runCli(['chat', 'echo', 'x'], h.io), 1);
  assert.is(h.stdout, 'par\n');
  assert.is(h.stderr, 'plugd: echo: plugin error: Auth: bad key\n');
});

test('embed, complete, models, schema, factories, shutdown', async () => {
  const embed = harness({ 'providers/embed': () => ({ embeddings: [[0.5, 0.25], [1, 0]] }) });
  assert.is(await runCli(['embed', 'echo', 'a', 'b'], embed.io), 0);
  assert.is(embed.stdout, '2 dims  [0.5000, 0.2500]  "a"\n2 dims  [1.0000, 0.0000]  "b"\n');

  const complete = harness({ 'providers/complete': () => ({ text: 'abc' }) });
  assert.is(await runCli(['complete', 'echo', '--max-tokens', '3', '--suffix', 'z', 'a'], complete.io), 0);
  assert.is(complete.stdout, 'abc\n');
  assert.equal(paramsOf(complete, 'providers/complete'), { handle: 'h1', prompt: 'a', suffix: 'z', maxTokens: 3 });
  assert.equal(paramsOf(complete, 'providers/build'), { provider: 'echo' });

  const models = harness({ 'factories/listModels': () => ({ models: ['m1', 'm2'] }) });
  assert.is(await runCli(['models', 'echo', '--api-key', 'k', '--base-url', 'http://x'], models.io), 0);
  assert.is(models.stdout, 'm1\nm2\n');
  assert.equal(paramsOf(models, 'factories/listModels'), { name: 'echo', config: { api_key: 'k', base_url: 'http://x' } });

  const none = harness({ 'factories/listModels': () => ({ models: [] }) });
  assert.is(await runCli(['models', 'echo'], none.io), 0);
  assert.is(none.stdout, '');
  assert.is(none.stderr, 'plugd: echo reported no models\n');

  const schema = harness({ 'factories/configSchema': () => ({ schema: { type: 'object' } }) });
  assert.is(await runCli(['schema', 'echo'], schema.io), 0);
  assert.is(schema.stdout, '{\n  "type": "object"\n}\n');

  const factories = harness();
  assert.is(await runCli(['factories'], factories.io), 0);
  assert.match(factories.stdout, /^PROVIDER\s+STATE\s+CAPABILITIES\s+API KEY\necho\s+ready/);

  const shutdown = harness({ 'daemon/shutdown': () => ({ drained: 2 }) });
  assert.is(await runCli(['shutdown', '--drain-timeout', '100'], shutdown.io), 0);
  assert.is(shutdown.stdout, 'daemon stopped (drained 2 in-flight calls)\n');
  assert.equal(paramsOf(shutdown, 'daemon/shutdown'), { drainTimeoutMs: 100 });
});

test('a daemon error answer is one line on stderr and exit 1', async () => {
  const h = harness({
    'providers/build': () => {
      throw new ResponseError(ErrorCodes.UnknownProvider, 'no provider named "nope"', { plugin: 'nope' });
    },
  });
  assert.is(await runCli(['chat', 'nope', 'x'], h.io), 1);
  assert.is(h.stderr, 'plugd: no provider named "nope" (see \'plugd factories\')\n');
  assert.is(h.stdout, '');
});

test.run();
