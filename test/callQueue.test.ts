// Calls queue at a plugin's worker and run one at a time. Stopping one call (timeout, cancel)
// must stop only that call: calls queued behind it still run, a call cancelled while it waits
// never runs, and deliberate stops never count as crashes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CancelledError, PluginTimeoutError } from '../clients/errors.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { fixturePlugin } from './helpers/paths.js';
import { rejection, waitSettled, within } from './helpers/serve.js';

const user = (content: string) => [{ role: 'user' as const, content }];

test('calls queued behind an endless call still run after it times out; the plugin stays ready', async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'loop', path: fixturePlugin('loop'), threads: 1, timeoutMs: 1500 }] });
  const client = await daemon.connect();
  try {
    await waitSettled(client);
    const { handle } = await client.build({ provider: 'loop' });
    const stuck = rejection(client.chat(handle, user('loop')), 'the endless call');
    const queued = [1, 2, 3].map(() => client.chat(handle, user('hi')));
    const error = await within(10_000, 'the endless call times out', stuck);
    assert.instance(error, PluginTimeoutError);
    assert.match(error.message, /its worker was replaced/);
    const answers = await within(10_000, 'the queued calls', Promise.all(queued));
    assert.equal(answers.map((a) => a.text), ['ok', 'ok', 'ok']);
    const status = (await client.status()).plugins[0]!;
    assert.is(status.state, 'ready');
    assert.is(status.restarts, 1);
    assert.is(status.errors, 1, 'only the endless call failed');
  } finally {
    await client.close();
  }
});

test('a call cancelled while it waits never runs: the plugin is free again right after the running call ends', async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'loop', path: fixturePlugin('loop'), threads: 1, timeoutMs: 1500 }] });
  const client = await daemon.connect();
  try {
    await waitSettled(client);
    const { handle } = await client.build({ provider: 'loop' });
    const first = rejection(client.chat(handle, user('loop')), 'the running endless call');
    const abort = new AbortController();
    const waiting = rejection(client.chat(handle, user('loop'), { signal: abort.signal }), 'the waiting endless call');
    await new Promise((r) => setTimeout(r, 200));
    abort.abort();
    assert.instance(await within(2000, 'the cancelled call answers at once', waiting), CancelledError);
    assert.instance(await within(10_000, 'the running call times out', first), PluginTimeoutError);
    // Had the cancelled endless call run, it would now hold the only worker for 1.5 s and more.
    const started = performance.now();
    assert.is((await within(5000, 'the next call', client.chat(handle, user('hi')))).text, 'ok');
    assert.ok(performance.now() - started < 1000, `the next call took ${Math.round(performance.now() - started)} ms`);
    assert.is((await client.status()).plugins[0]!.state, 'ready');
  } finally {
    await client.close();
  }
});

test('ten cancelled running calls in a row replace the worker ten times and never mark the plugin failed', async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'loop', path: fixturePlugin('loop'), threads: 2, timeoutMs: 30_000 }] });
  const client = await daemon.connect();
  try {
    await waitSettled(client);
    const { handle } = await client.build({ provider: 'loop' });
    for (let i = 0; i < 10; i++) {
      const abort = new AbortController();
      const call = rejection(client.chat(handle, user('loop'), { signal: abort.signal }), `endless call ${i}`);
      // Long enough for the call to have started even when its worker is a replacement still
      // loading on a loaded machine (a call cancelled before it starts replaces no worker).
      await new Promise((r) => setTimeout(r, 400));
      abort.abort();
      assert.instance(await within(2000, `cancel ${i}`, call), CancelledError);
      assert.is((await within(10_000, `call after cancel ${i}`, client.chat(handle, user('hi')))).text, 'ok');
    }
    const status = (await client.status()).plugins[0]!;
    assert.is(status.state, 'ready');
    assert.is(status.restarts, 10);
    assert.is(status.error, null);
  } finally {
    await client.close();
  }
});

test.run();
