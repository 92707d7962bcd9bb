// An HTTP stream shares its plugin's worker with other calls: timeout_ms bounds each of its plugin
// calls, a thread stopped to end another call does not count as a crash of the streams on it, open
// streams do not keep other calls from reaching the worker, and what the plugin logs while it
// parses reaches the daemon's log.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PluginCrashedError, PluginTimeoutError } from '../clients/errors.js';
import type { ChatStream } from '../clients/client.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { openaiToml } from './helpers/openaiConfig.js';
import { OpenAIServer } from './helpers/openaiServer.js';
import { fixturePlugin } from './helpers/paths.js';
import { eventually, rejection, within } from './helpers/serve.js';

const user = (content: string) => [{ role: 'user' as const, content }];

/** The openai plugin, except that its parser hangs on a line with "hang" and list_models_static never returns. */
function hangConfig(baseUrl: string, timeoutMs: number): string {
  return openaiToml({ baseUrl, extra: `timeout_ms = ${timeoutMs}` }).replace(/path = ".*"/, `path = ${JSON.stringify(fixturePlugin('hanghttp'))}`);
}

/** Waits for a stream's first chunk; the stream stays open. */
async function firstChunk(stream: ChatStream): Promise<AsyncIterator<unknown>> {
  const iterator = stream[Symbol.asyncIterator]();
  await within(10_000, 'the first chunk', iterator.next());
  return iterator;
}

test('a stream parser call that never returns fails the stream at timeout_ms, and a call queued behind it is answered', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: hangConfig(server.baseUrl, 1000) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const began = Date.now();
  const hung = client.chatStream(handle, user('hang'));
  const failed = rejection(hung.result);
  // Sent while the parser spins: it waits in the worker's queue behind it.
  const queued = client.chat(handle, user('queued behind'));
  const error = await within(10_000, 'the hung stream', failed);
  assert.instance(error, PluginTimeoutError, `${error.name}: ${error.message}`);
  assert.match(error.message, /a plugin call of a chat stream ran longer than 1000 ms \(timeout_ms\); its worker was replaced/);
  assert.ok(Date.now() - began >= 900, `failed after ${Date.now() - began} ms`);
  assert.is((await within(10_000, 'the queued call', queued)).text, 'echo: queued behind');
  const after: string[] = [];
  for await (const chunk of client.chatStream(handle, user('after'))) if (chunk.type === 'text') after.push(chunk.text);
  assert.is(after.join(''), 'echo: after');
});

test('a call stopped at timeout_ms interrupts the streams on its thread without counting as their crash', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: hangConfig(server.baseUrl, 400) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  // More rounds than the crash budget (5 in 60 s) allows crashes.
  for (let round = 1; round <= 7; round++) {
    const open = client.chatStream(handle, user('long'));
    const interrupted = rejection(open.result);
    await firstChunk(open);
    const overran = await within(10_000, 'the overrunning call', rejection(client.listModels('openai')));
    assert.instance(overran, PluginTimeoutError, `round ${round}: ${overran.name}: ${overran.message}`);
    const error = await within(10_000, 'the interrupted stream', interrupted);
    assert.instance(error, PluginCrashedError, `round ${round}: ${error.name}: ${error.message}`);
    assert.is((error as PluginCrashedError).reason, 'worker stopped for another call');
    assert.match(error.message, /was interrupted: its worker thread was stopped to end another call/);
  }
  const status = await client.status();
  assert.is(status.plugins.find((p) => p.name === 'openai')?.state, 'ready');
  assert.is((await client.chat(handle, user('still serving'))).text, 'echo: still serving');
});

test('sixteen open streams on one thread leave room for other calls', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: hangConfig(server.baseUrl, 60_000) });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const streams = Array.from({ length: 16 }, () => client.chatStream(handle, user('long')));
  try {
    for (const stream of streams) await firstChunk(stream);
    assert.is((await within(5000, 'a chat beside 16 open streams', client.chat(handle, user('beside')))).text, 'echo: beside');
  } finally {
    for (const stream of streams) stream.cancel();
  }
});

test('records the parser logs during a stream reach the daemon log, named after the plugin; the stream is whole', async () => {
  await using server = await OpenAIServer.start();
  await using daemon = await DaemonProcess.start({ config: hangConfig(server.baseUrl, 10_000), env: { PLUGD_LOG: 'info' } });
  await using client = await daemon.connect();
  const { handle } = await client.build({ provider: 'openai' });
  const quiet: string[] = [];
  for await (const chunk of client.chatStream(handle, user('quiet words'))) if (chunk.type === 'text') quiet.push(chunk.text);
  assert.is(quiet.join(''), 'echo: quiet words');
  assert.not.match(daemon.stderr, /parsing a line that mentions a zebra/, 'nothing is logged for lines without "zebra"');
  const texts: string[] = [];
  for await (const chunk of client.chatStream(handle, user('zebra crossing'))) if (chunk.type === 'text') texts.push(chunk.text);
  assert.is(texts.join(''), 'echo: zebra crossing');
  await eventually('the record in the daemon log', () => /plugin:openai:parser: parsing a line that mentions a zebra/.test(daemon.stderr));
});

test.run();
