// PlugdClient and the `plugd` CLI against the real daemon: the same client scenarios over a
// unix socket, stdio and an in-memory pair, then the CLI as a user runs it (a separate process).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CancelledError, UnknownHandleError, UnsupportedError } from '../clients/errors.js';
import type { StreamChunk } from '../protocol/chat.js';
import type { ProviderSpec } from './helpers/config.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { cliMain, fixturePlugin, samplePlugin } from './helpers/paths.js';
import { cleanEnv } from './helpers/serve.js';
import { connectOver, transportKinds } from './helpers/transports.js';

const user = (content: string) => [{ role: 'user' as const, content }];

const providers = (): ProviderSpec[] => [
  { name: 'echo', path: samplePlugin('echo'), config: { prefix: 'E:' } },
  // Spins forever on "loop"; the short limit reclaims the worker if cancellation did not.
  { name: 'loop', path: fixturePlugin('loop'), timeoutMs: 5000 },
];

for (const kind of transportKinds) {
  test(`${kind}: handshake, build, streamed and plain chat, embed, dispose`, async () => {
    await using connected = await connectOver(kind, providers());
    const { client } = connected;
    const hello = await client.initialize({ clientName: 'clientDaemon.test' });
    assert.is(hello.serverName, 'plugd');
    assert.ok(hello.capabilities.chatStreaming);

    const { handle } = await client.build({ provider: 'echo' });
    const stream = client.chatStream(handle, user('hi there'));
    const chunks: StreamChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const streamedText = chunks.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('');
    assert.is(streamedText, 'E:hi there');
    assert.equal(chunks.at(-1), { type: 'done', finishReason: 'stop' });
    assert.is((await stream.result).text, 'E:hi there');

    assert.is((await client.chat(handle, user('again'))).text, 'E:again');
    assert.is((await client.embed(handle, ['a', 'b'])).embeddings.length, 2);
    await client.dispose(handle);
    const error = await client.chat(handle, user('gone')).catch((e: unknown) => e);
    assert.instance(error, UnknownHandleError);
  });

  test(`${kind}: leaving a stream early cancels it and the connection stays usable`, async () => {
    await using connected = await connectOver(kind, providers());
    const { client } = connected;
    const { handle } = await client.build({ provider: 'loop' });
    const stream = client.chatStream(handle, user('loop'));
    for await (const chunk of stream) {
      assert.equal(chunk, { type: 'text', text: 'looping' });
      break;
    }
    assert.instance(await stream.result.catch((e: unknown) => e), CancelledError);
    const status = await client.status();
    assert.equal(status.plugins.map((p) => p.name), ['echo', 'loop']);
  });
}

test('stdio: an unsupported capability surfaces as UnsupportedError (echo has no tools problem, loop has no embed)', async () => {
  await using connected = await connectOver('stdio', providers());
  const { client } = connected;
  const { handle } = await client.build({ provider: 'loop' });
  const error = await client.embed(handle, ['x']).catch((e: unknown) => e);
  assert.instance(error, UnsupportedError);
});

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI; `onStdout` may act on the output so far (e.g. send SIGINT). */
async function runPlugd(args: string[], env: NodeJS.ProcessEnv, onStdout?: (soFar: string, kill: (s: NodeJS.Signals) => void) => void): Promise<CliRun> {
  const child = spawn(process.execPath, [cliMain, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    onStdout?.(stdout, (signal) => child.kill(signal));
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

test('CLI process: status, chat, Ctrl-C during chat, and no daemon', async () => {
  await using daemon = await DaemonProcess.start({ config: providers() });
  const env = cleanEnv({ PLUGD_SOCKET: daemon.socketPath });

  const status = await runPlugd(['status'], env);
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, /echo\s+ready\s+wasm/);

  const chat = await runPlugd(['chat', 'echo', 'hello', 'world'], env);
  assert.is(chat.code, 0, chat.stderr);
  assert.is(chat.stdout, 'E:hello world\n');

  let interrupted = false;
  const cancelled = await runPlugd(['chat', 'loop', 'loop'], env, (soFar, kill) => {
    if (!interrupted && soFar.includes('looping')) {
      interrupted = true;
      kill('SIGINT');
    }
  });
  assert.is(cancelled.code, 130, cancelled.stderr);
  assert.is(cancelled.stdout, 'looping\n');
  assert.is(cancelled.stderr, 'plugd: cancelled\n');

  const after = await runPlugd(['status', '--json'], env);
  assert.is(after.code, 0, after.stderr);
  assert.is((JSON.parse(after.stdout) as { plugins: unknown[] }).plugins.length, 2);

  const missing = `${daemon.dir}/nobody.sock`;
  const none = await runPlugd(['status', '--socket', missing], env);
  assert.is(none.code, 1);
  assert.is(none.stdout, '');
  assert.is(none.stderr.split('\n').length, 2, 'one line');
  assert.match(none.stderr, `plugd: no plugd daemon is running at ${missing}`);
});

test.run();
