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

test('a long stream (/count 40000) delivers every chunk in order', async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo') }] });
  const client = await daemon.connect();
  try {
    const { handle } = await client.build({ provider: 'echo' });
    const stream = client.chatStream(handle, [{ role: 'user', content: '/count 40000' }]);
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
    await within(40_000, '/count 40000', run);
    assert.is(outOfOrder, -1, `chunk ${outOfOrder} out of order`);
    assert.is(texts, 40_000);
    assert.is(last, 'done');
    assert.equal((await stream.result).usage?.outputTokens, 40_000);
  } finally {
    await client.close();
  }
});

test.run();
