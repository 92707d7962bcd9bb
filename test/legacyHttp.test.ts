// QueryMT's legacy synchronous HTTP host functions (qmt_http_request, qmt_http_stream_open/
// _next/_close), used by a plugin that does its own HTTP through the host, against the local
// OpenAI-compatible server; allowed_hosts applies to them too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PluginError } from '../clients/errors.js';
import type { StreamChunk } from '../protocol/chat.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { OpenAIServer } from './helpers/openaiServer.js';
import { fixturePlugin } from './helpers/paths.js';

const user = (content: string) => [{ role: 'user' as const, content }];

function toml(baseUrl: string): string {
  return ['[[providers]]', 'name = "legacy"', `path = ${JSON.stringify(fixturePlugin('legacyhttp'))}`, '[providers.config]', `base_url = ${JSON.stringify(baseUrl)}`, 'model = "gpt-test"', ''].join('\n');
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

test.run();
