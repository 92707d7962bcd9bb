// Provider failures reach the client typed (auth, rate limit with retry-after, context window,
// HTTP status, transport reset/refused/timeout), cancellation closes the provider connection,
// allowed_hosts is enforced, and the API key shows up in no log and no status.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CancelledError,
  ContextWindowExceededError,
  PluginCrashedError,
  HostNotAllowedError,
  ProviderAuthError,
  ProviderHttpError,
  ProviderTransportError,
  RateLimitedError,
} from '../clients/errors.js';
import type { StreamChunk } from '../protocol/chat.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { openaiToml } from './helpers/openaiConfig.js';
import { OpenAIServer } from './helpers/openaiServer.js';
import { eventually, within } from './helpers/serve.js';
import { StuckListener } from './helpers/stuckListener.js';
import { providersToml } from './helpers/config.js';
import { fixturePlugin, nativeFixture, samplePlugin } from './helpers/paths.js';

const user = (content: string) => [{ role: 'user' as const, content }];

async function streamed(client: Awaited<ReturnType<DaemonProcess['connect']>>, handle: string, text: string): Promise<{ chunks: StreamChunk[]; error: unknown }> {
  const chunks: StreamChunk[] = [];
  try {
    for await (const chunk of client.chatStream(handle, user(text))) chunks.push(chunk);
    return { chunks, error: undefined };
  } catch (error) {
    return { chunks, error };
  }
}

test('401, 429, 400 context and 500 become typed errors, plain and streamed', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  for (const mode of ['plain', 'stream'] as const) {
    const fail = (text: string) => (mode === 'plain' ? client.chat(handle, user(text)).then(() => undefined, (e: unknown) => e) : streamed(client, handle, text).then((r) => r.error));

    const auth = await fail('status 401');
    assert.instance(auth, ProviderAuthError, mode);
    assert.is((auth as ProviderAuthError).data?.status, 401);

    const limited = await fail('status 429');
    assert.instance(limited, RateLimitedError, mode);
    assert.is((limited as RateLimitedError).retryAfterSecs, 7);
    assert.match((limited as Error).message, /Rate limit reached/);

    assert.instance(await fail('status 400 context'), ContextWindowExceededError, mode);

    const server500 = await fail('status 500');
    assert.instance(server500, ProviderHttpError, mode);
    assert.is((server500 as ProviderHttpError).status, 500);
  }
  // The plugin keeps working.
  assert.is((await client.chat(handle, user('still fine'))).text, 'echo: still fine');
});

test('a wrong API key is an authentication error; the right one (from the environment) works', async () => {
  await using server = await OpenAIServer.start({ apiKey: 'sk-right-key-123' });
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }), env: { OPENAI_API_KEY: 'sk-right-key-123' } });
  await using client = await daemon.connect();
  const wrong = await client.build({ provider: 'openai', apiKey: 'sk-wrong' });
  const error = await client.chat(wrong.handle, user('hi')).catch((e: unknown) => e);
  assert.instance(error, ProviderAuthError);
  assert.match((error as Error).message, /Incorrect API key/);
  assert.instance(await client.embed(wrong.handle, ['x']).catch((e: unknown) => e), ProviderAuthError);
  assert.instance(await client.listModels('openai', { api_key: 'sk-wrong' }).catch((e: unknown) => e), ProviderAuthError);
  const right = await client.build({ provider: 'openai' });
  assert.is((await client.chat(right.handle, user('hi'))).text, 'echo: hi');
  assert.is(server.requests.at(-1)!.headers.authorization, 'Bearer sk-right-key-123');
  assert.equal((await client.listModels('openai')).models.length, 3);
});

test('a stream cut off mid-way fails as a transport reset after the chunks that arrived', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const { chunks, error } = await streamed(client, handle, 'cut');
  assert.equal(chunks.map((c) => (c as { text?: string }).text), ['one ', 'two ', 'three ']);
  assert.instance(error, ProviderTransportError);
  assert.is((error as ProviderTransportError).transport, 'reset');
  assert.is((await client.chat(handle, user('after'))).text, 'echo: after');
});

test('first-byte and idle timeouts from the provider entry; a closed port is "refused"', async () => {
  await using server = await OpenAIServer.start();
  // first_byte_timeout_ms applies to the stalled stream's head too: it is kept well above what a
  // loaded machine may take to send it, and "slow" waits well beyond it.
  const config = openaiToml({ baseUrl: server.baseUrl, extra: 'first_byte_timeout_ms = 2000\nidle_timeout_ms = 300' });
  await using daemon = await DaemonProcess.start({ config });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });

  const slow = await client.chat(handle, user('slow 6000')).catch((e: unknown) => e);
  assert.instance(slow, ProviderTransportError);
  assert.is((slow as ProviderTransportError).transport, 'timeout');
  assert.match((slow as Error).message, /first_byte_timeout_ms/);

  const stalled = await streamed(client, handle, 'stall');
  assert.equal(stalled.chunks, [{ type: 'text', text: 'waiting' }]);
  assert.instance(stalled.error, ProviderTransportError);
  assert.is((stalled.error as ProviderTransportError).transport, 'timeout');
  assert.match((stalled.error as Error).message, /idle_timeout_ms/);

  // Nothing listens on the port of a stopped server.
  await using gone = await OpenAIServer.start();
  const port = gone.port;
  await gone.stop();
  await using daemon2 = await DaemonProcess.start({ config: openaiToml({ baseUrl: `http://127.0.0.1:${port}/v1` }) });
  await using client2 = await daemon2.connect();
  const h2 = await client2.build({ provider: 'openai' });
  const refused = await client2.chat(h2.handle, user('hi')).catch((e: unknown) => e);
  assert.instance(refused, ProviderTransportError);
  assert.is((refused as ProviderTransportError).transport, 'refused');
});

test('a host that does not resolve is a "dns" transport error; the plugin keeps working', async () => {
  await using server = await OpenAIServer.start();
  // `.invalid` never resolves (RFC 6761); it is allowed, so the request is really tried.
  const config = openaiToml({ baseUrl: server.baseUrl, extra: 'allowed_hosts = ["plugd-test.invalid"]' });
  await using daemon = await DaemonProcess.start({ config });
  await using client = await daemon.connect();
  const unresolved = await client.build({ provider: 'openai', baseUrl: 'http://plugd-test.invalid/v1' });
  for (const error of [await client.chat(unresolved.handle, user('hi')).catch((e: unknown) => e), (await streamed(client, unresolved.handle, 'hi')).error]) {
    assert.instance(error, ProviderTransportError);
    assert.is((error as ProviderTransportError).transport, 'dns', (error as Error).message);
    assert.match((error as Error).message, /plugd-test\.invalid/);
  }
  const { handle } = await client.build({ provider: 'openai' });
  assert.is((await client.chat(handle, user('ok'))).text, 'echo: ok');
});

test('a server that does not speak TLS on an https:// base_url is a "tls" transport error', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  // The same (allowed) host and port, over https: the plain-http test server answers the TLS hello with garbage.
  const tls = await client.build({ provider: 'openai', baseUrl: `https://127.0.0.1:${server.port}/v1` });
  for (const error of [await client.chat(tls.handle, user('hi')).catch((e: unknown) => e), (await streamed(client, tls.handle, 'hi')).error]) {
    assert.instance(error, ProviderTransportError);
    assert.is((error as ProviderTransportError).transport, 'tls', (error as Error).message);
    assert.match((error as Error).message, /TLS failure talking to https:\/\/127\.0\.0\.1/);
  }
  assert.is(server.requests.length, 0, 'no HTTP request reached the server');
});

test('a connect that does not complete within connect_timeout_ms is a "timeout" naming it', async () => {
  await using stuck = await StuckListener.start();
  const config = openaiToml({ baseUrl: `http://127.0.0.1:${stuck.port}/v1`, extra: 'connect_timeout_ms = 300' });
  await using daemon = await DaemonProcess.start({ config });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  // Well under the 10 s default: the entry's 300 ms applies.
  const plain = await within(5000, 'the plain chat', client.chat(handle, user('hi')).catch((e: unknown) => e));
  const stream = await within(5000, 'the streamed chat', streamed(client, handle, 'hi'));
  for (const error of [plain, stream.error]) {
    assert.instance(error, ProviderTransportError);
    assert.is((error as ProviderTransportError).transport, 'timeout', (error as Error).message);
    assert.match((error as Error).message, /connect_timeout_ms/);
  }
});

test('cancelling mid-stream closes the connection to the provider; other calls ran during the stream', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const abort = new AbortController();
  const stream = client.chatStream(handle, user('long'), { signal: abort.signal });
  const seen: string[] = [];
  const ended = await (async () => {
    for await (const chunk of stream) {
      if (chunk.type === 'text') seen.push(chunk.text);
      if (seen.length === 2) {
        // The stream holds no Extism instance while it waits on the network (threads = 1 here).
        assert.is((await client.chat(handle, user('meanwhile'))).text, 'echo: meanwhile');
      }
      if (seen.length === 4) abort.abort();
    }
  })().catch((e: unknown) => e);
  assert.instance(ended, CancelledError);
  assert.instance(await stream.result.catch((e: unknown) => e), CancelledError);
  await server.waitForEarlyClose();
  assert.equal(seen.slice(0, 2), ['tick0 ', 'tick1 ']);
  // Disconnecting a client mid-stream closes the provider connection too.
  const before = server.closedEarly;
  const other = await daemon.connect();
  const h2 = await other.build({ provider: 'openai' });
  for await (const chunk of other.chatStream(h2.handle, user('long'))) {
    if (chunk.type === 'text') break;
  }
  await other.close();
  await eventually('the provider saw the connection closed', () => server.closedEarly > before);
  assert.is((await client.chat(handle, user('after'))).text, 'echo: after');
});

test('a request outside allowed_hosts is refused with the host named; the plugin keeps working', async () => {
  await using server = await OpenAIServer.start();
  // Another loopback address: a different host as far as allowed_hosts is concerned.
  await using other = await OpenAIServer.start({ host: '127.0.0.2' });
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }) });
  await using client = await daemon.connect();
  const elsewhere = other.baseUrl;
  const { handle: stray } = await client.build({ provider: 'openai', baseUrl: elsewhere });
  const plain = await client.chat(stray, user('hi')).catch((e: unknown) => e);
  assert.instance(plain, HostNotAllowedError);
  assert.is((plain as HostNotAllowedError).host, `127.0.0.2:${other.port}`);
  assert.match((plain as Error).message, /allowed_hosts/);
  assert.instance((await streamed(client, stray, 'hi')).error, HostNotAllowedError);
  assert.instance(await client.listModels('openai', { base_url: elsewhere }).catch((e: unknown) => e), HostNotAllowedError);
  assert.is(other.requests.length, 0);
  const { handle } = await client.build({ provider: 'openai' });
  assert.is((await client.chat(handle, user('ok'))).text, 'echo: ok');

  // Listed hosts are allowed.
  await using daemon2 = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl, extra: 'allowed_hosts = ["127.0.0.2"]' }) });
  await using client2 = await daemon2.connect();
  const listed = await client2.build({ provider: 'openai', baseUrl: elsewhere });
  assert.is((await client2.chat(listed.handle, user('there'))).text, 'echo: there');
});

test('the API key appears in no log line and no status, even at trace level and on errors', async () => {
  const key = 'sk-secret-4f9d2c1e8b7a';
  await using server = await OpenAIServer.start({ apiKey: key });
  await using daemon = await DaemonProcess.start({ config: openaiToml({ baseUrl: server.baseUrl }), env: { OPENAI_API_KEY: key, PLUGD_LOG: 'trace' } });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  assert.is((await client.chat(handle, user('hi'))).text, 'echo: hi');
  await streamed(client, handle, 'one two');
  await streamed(client, handle, 'status 500');
  await client.chat(handle, user('status 401')).catch(() => undefined);
  const status = JSON.stringify(await client.status());
  const factories = JSON.stringify(await client.listFactories());
  assert.is(server.requests.at(0)!.headers.authorization, `Bearer ${key}`);
  assert.not.ok(status.includes(key), 'status');
  assert.not.ok(factories.includes(key), 'factories');
  assert.not.ok(daemon.stderr.includes(key), 'daemon log');
  assert.not.ok(daemon.stderr.includes('secret-4f9d'), 'daemon log (part of the key)');
});

test('the API key is never visible to another plugin: not in its config, answers, logs or environment', async () => {
  const key = 'sk-other-plugins-7c3e9a';
  await using server = await OpenAIServer.start({ apiKey: key });
  const config = openaiToml({ baseUrl: server.baseUrl }) + providersToml([{ name: 'echo', path: samplePlugin('echo') }, { name: 'crashy', path: nativeFixture('crashy') }]);
  await using daemon = await DaemonProcess.start({ config, env: { OPENAI_API_KEY: key, PLUGD_LOG: 'trace' } });
  await using client = await daemon.connect();
  // openai does get the key (so the checks below are about a key that is really in the daemon).
  const openai = await client.build({ provider: 'openai' });
  assert.is((await client.chat(openai.handle, user('hi'))).text, 'echo: hi');
  assert.is(server.requests.at(-1)!.headers.authorization, `Bearer ${key}`);

  const seen: string[] = [];
  // echo (Wasm) answers with what it was given: its config (from_config) and the request.
  const echo = await client.build({ provider: 'echo', system: 'sys' });
  seen.push(JSON.stringify(echo), (await client.chat(echo.handle, user('/system'))).text ?? '');
  for await (const chunk of client.chatStream(echo.handle, user('streamed'))) seen.push(JSON.stringify(chunk));
  seen.push((await client.complete({ handle: echo.handle, prompt: 'p' })).text, JSON.stringify(await client.listModels('echo')));
  // A native plugin in its own process reads its environment.
  const crashy = await client.build({ provider: 'crashy' });
  assert.is((await client.chat(crashy.handle, user('/getenv'))).text, 'env=unset');
  seen.push(JSON.stringify(await client.status()), JSON.stringify(await client.listFactories()), daemon.stderr);
  for (const text of seen) assert.not.ok(text.includes(key) || text.includes('7c3e9a'), text.slice(0, 200));
});

test('a trap in another call discards the instance holding a stream\'s parser: that stream fails cleanly, the next works', async () => {
  await using server = await OpenAIServer.start();
  const config = openaiToml({ baseUrl: server.baseUrl, path: fixturePlugin('traphttp') });
  await using daemon = await DaemonProcess.start({ config });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const seen: string[] = [];
  const ended = await (async () => {
    for await (const chunk of client.chatStream(handle, user('long'))) {
      if (chunk.type === 'text') seen.push(chunk.text);
      // list_models_static traps on the only worker (threads = 1), discarding its instance.
      if (seen.length === 2) assert.instance(await client.listModels('openai').catch((e: unknown) => e), PluginCrashedError);
    }
  })().catch((e: unknown) => e);
  assert.instance(ended, PluginCrashedError);
  assert.match((ended as Error).message, /discarded after a trap/);
  await server.waitForEarlyClose();
  assert.is((await client.chat(handle, user('after'))).text, 'echo: after');
  let text = '';
  for await (const chunk of client.chatStream(handle, user('x y'))) if (chunk.type === 'text') text += chunk.text;
  assert.is(text, 'echo: x y');
});

test.run();
