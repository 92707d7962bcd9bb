// QueryMT's legacy synchronous HTTP host functions (qmt_http_request, qmt_http_stream_open/
// _next/_close), used by a plugin that does its own HTTP through the host, against the local
// OpenAI-compatible server; allowed_hosts applies to them too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PluginError } from '../clients/errors.js';
import type { StreamChunk } from '../protocol/chat.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { OpenAIServer } from './helpers/openaiServer.js';
import { openaiToml } from './helpers/openaiConfig.js';
import { fixturePlugin } from './helpers/paths.js';
import { eventually, sleep } from './helpers/serve.js';

const user = (content: string) => [{ role: 'user' as const, content }];

function toml(baseUrl: string, extra?: string): string {
  return openaiToml({ name: 'legacy', path: fixturePlugin('legacyhttp'), baseUrl, extra });
}

test('qmt_http_request and qmt_http_stream_* carry a chat and a streamed chat', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: toml(server.baseUrl) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'legacy' });
  assert.is((await client.chat(handle, user('hello'))).text, 'echo: hello');
  const chunks: StreamChunk[] = [];
  for await (const chunk of client.chatStream(handle, user('a b c'))) chunks.push(chunk);
  assert.equal(chunks.filter((c) => c.type === 'text').map((c) => (c as { text: string }).text), ['echo: ', 'a ', 'b ', 'c']);
  assert.equal(chunks.at(-1), { type: 'done', finishReason: 'stop' });
  assert.is(server.requests.length, 2);
  assert.is((server.requests[1]!.body as { stream?: boolean }).stream, true);
});

test('a legacy request outside allowed_hosts gets a 403 naming allowed_hosts; the plugin keeps working', async () => {
  await using server = await OpenAIServer.start();
  await using other = await OpenAIServer.start({ host: '127.0.0.2' });
  await using daemon = await DaemonProcess.start({ config: toml(server.baseUrl) });
  await using client = await daemon.connect();
  const stray = await client.build({ provider: 'legacy', parameters: { target_url: other.baseUrl } });
  const error = await client.chat(stray.handle, user('hi')).catch((e: unknown) => e);
  assert.instance(error, PluginError);
  assert.match((error as Error).message, /HTTP 403: .*127\.0\.0\.2.*allowed_hosts/);
  assert.is(other.requests.length, 0);
  const { handle } = await client.build({ provider: 'legacy' });
  assert.is((await client.chat(handle, user('fine'))).text, 'echo: fine');
});

test('a client baseUrl on another port gets HostNotAllowed: nothing, and no API key, is sent there', async () => {
  await using server = await OpenAIServer.start({ apiKey: 'sk-daemon-secret' });
  await using other = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: toml(server.baseUrl), env: { LEGACY_TEST_API_KEY: 'sk-daemon-secret' } });
  await using client = await daemon.connect();
  // The daemon's key does reach the configured server (the server checks it).
  const { handle } = await client.build({ provider: 'legacy' });
  assert.is((await client.chat(handle, user('keyed'))).text, 'echo: keyed');
  const stray = await client.build({ provider: 'legacy', baseUrl: other.baseUrl });
  for (const attempt of [() => client.chat(stray.handle, user('steal')), () => drain(client.chatStream(stray.handle, user('steal')))]) {
    const error = await attempt().catch((e: unknown) => e);
    assert.instance(error, PluginError);
    assert.match((error as Error).message, new RegExp(`127\\.0\\.0\\.1:${other.port}.*not in its allowed hosts.*allowed_hosts`));
  }
  assert.is(other.requests.length, 0);
  assert.is((await client.chat(handle, user('still fine'))).text, 'echo: still fine');
});

test('a reply that comes after its wait gave up is dropped, not read by the next call', async () => {
  await using server = await OpenAIServer.start();
  // PLUGD_HTTP_SYNC_WAIT_MS: how long the plugin's thread waits for the HTTP helper thread.
  await using daemon = await DaemonProcess.start({ config: toml(server.baseUrl), env: { PLUGD_HTTP_SYNC_WAIT_MS: '1000' } });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'legacy' });
  const error = await client.chat(handle, user('slow 2500')).catch((e: unknown) => e);
  assert.instance(error, PluginError);
  assert.match((error as Error).message, /no answer from the HTTP helper thread within 1000 ms/);
  // Let the late answer to "slow 2500" arrive before the next request is sent.
  await sleep(3000);
  assert.is((await client.chat(handle, user('after'))).text, 'echo: after');
  assert.is((await client.chat(handle, user('again'))).text, 'echo: again');
});

test('a stream the plugin leaves open (it returns, or traps) is closed when its call ends', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: toml(server.baseUrl) });
  await using client = await daemon.connect();
  const returns = await client.build({ provider: 'legacy', parameters: { abandon: 'return' } });
  const chunks = await drain(client.chatStream(returns.handle, user('stall')));
  assert.equal(chunks[0], { type: 'text', text: 'abandoned' });
  // The server's "stall" answer never ends; only the host closing the connection ends it.
  // Well under the 60 s idle timeout that would otherwise close a forgotten stream.
  await eventually('the stream left open by a plugin that returned is closed', () => server.closedEarly === 1, 15_000);
  const traps = await client.build({ provider: 'legacy', parameters: { abandon: 'trap' } });
  const error = await drain(client.chatStream(traps.handle, user('stall'))).catch((e: unknown) => e);
  assert.instance(error, Error);
  await eventually('the stream left open by a plugin that trapped is closed', () => server.closedEarly === 2, 15_000);
  const { handle } = await client.build({ provider: 'legacy' });
  assert.is((await client.chat(handle, user('fine'))).text, 'echo: fine');
});

test("the entry's HTTP timeouts bound qmt_http_* requests too", async () => {
  await using server = await OpenAIServer.start();
  const config = toml(server.baseUrl, 'idle_timeout_ms = 300');
  await using daemon = await DaemonProcess.start({ config });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'legacy' });
  // "stall" sends one chunk and then nothing: idle_timeout_ms ends the stream (the default is 60 s).
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), 20_000)));
  const outcome = await Promise.race([drain(client.chatStream(handle, user('stall'))), limit]).finally(() => clearTimeout(timer));
  assert.ok(outcome !== 'still waiting', 'the stream outlived idle_timeout_ms = 300');
  assert.equal((outcome as StreamChunk[]).filter((c) => c.type === 'text'), [{ type: 'text', text: 'waiting' }]);
  assert.is(server.closedEarly, 1);
});

async function drain(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const chunks: StreamChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

test.run();
