// Volume: many calls on one plugin instance, and long streams.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { waitSettled, within } from './helpers/serve.js';

const CALLS = 20_001;
const IN_FLIGHT = 64;

test(`${CALLS} calls on one plugin (${IN_FLIGHT} in flight) all succeed, each exactly once on the same instance`, async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'counter', path: fixturePlugin('counter'), threads: 1 }] });
  const client = await daemon.connect();
  try {
    await waitSettled(client);
    const { handle } = await client.build({ provider: 'counter' });
    const seen: number[] = [];
    let next = 0;
    const failures: string[] = [];
    const lane = async () => {
      while (next < CALLS) {
        next++;
        try {
          seen.push(Number((await client.complete({ handle, prompt: 'x' })).text));
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    await within(50_000, `${CALLS} calls`, Promise.all(Array.from({ length: IN_FLIGHT }, lane)));
    assert.equal(failures.slice(0, 3), [], `${failures.length} calls failed`);
    assert.is(seen.length, CALLS);
    // counter answers how many `complete` calls its instance has served: 1..N, each exactly once,
    // means every call ran once, on one instance that was never replaced (also past the
    // 16,383-call limit of @extism/extism 1.0.3 that plugd works around).
    const sorted = [...seen].sort((a, b) => a - b);
    const gaps = sorted.filter((n, i) => n !== i + 1);
    assert.equal(gaps.slice(0, 5), [], 'answers are exactly 1..N');
    const { text } = await client.chat(handle, [{ role: 'user', content: 'how many?' }]);
    assert.is(text, String(CALLS), 'chat reads the same instance\'s count');
    const status = (await client.status()).plugins[0]!;
    assert.is(status.errors, 0);
    assert.is(status.restarts, 0);
    assert.ok(status.calls >= CALLS + 1, `calls: ${status.calls}`);
  } finally {
    await client.close();
  }
});

const LONG = 30_000;

test(`a long stream (/count ${LONG}) delivers every chunk in order`, async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo') }] });
  const client = await daemon.connect();
  try {
    const { handle } = await client.build({ provider: 'echo' });
    const stream = client.chatStream(handle, [{ role: 'user', content: `/count ${LONG}` }]);
    let texts = 0;
    let outOfOrder = -1;
    let last: string | undefined;
    const run = (async () => {
      for await (const chunk of stream) {
        if (chunk.type === 'text') {
          if (outOfOrder < 0 && chunk.text !== `w${texts} `) outOfOrder = texts;
          texts++;
        }
        last = chunk.type;
      }
    })();
    await within(40_000, `/count ${LONG}`, run);
    assert.is(outOfOrder, -1, `chunk ${outOfOrder} out of order`);
    assert.is(texts, LONG);
    assert.is(last, 'done');
    assert.equal((await stream.result).usage?.outputTokens, LONG);
  } finally {
    await client.close();
  }
});

test('a stream past Extism 1.0.3\'s per-call allocation limit fails with an error that says so; the next stream works', async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo') }] });
  const client = await daemon.connect();
  try {
    const { handle } = await client.build({ provider: 'echo' });
    const stream = client.chatStream(handle, [{ role: 'user', content: '/count 40000' }]);
    let texts = 0;
    let failure: Error | undefined;
    try {
      for await (const chunk of stream) if (chunk.type === 'text') texts++;
    } catch (error) {
      failure = error as Error;
    }
    assert.ok(failure, `the stream completed with ${texts} chunks`);
    assert.is(failure.name, 'PluginCrashedError');
    assert.match(failure.message, /more memory allocations in one call than @extism\/extism 1\.0\.3 supports/);
    assert.ok(texts > 30_000 && texts < 40_000, `chunks before the failure: ${texts}`);
    const next = await client.chat(handle, [{ role: 'user', content: 'still here' }]);
    assert.is(next.text, 'still here');
  } finally {
    await client.close();
  }
});

test.run();
