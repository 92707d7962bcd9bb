// Hot reload under traffic: a stream in flight finishes on the old version; provider handles
// follow new versions (their config rebuilt from the new defaults); 50 reloads in a row while a
// client keeps 8 calls in flight, with not one call failing.
import { readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PlugdClient } from '../clients/client.js';
import { InvalidProviderConfigError } from '../clients/errors.js';
import type { ProviderSpec } from './helpers/config.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { echoEntry, pluginOf, ReloadDaemon, sorted, untilPrefix, user } from './helpers/reload.js';
import { eventually, rejection, sleep, within } from './helpers/serve.js';

const files = { 'echo.wasm': samplePlugin('echo'), 'counter.wasm': fixturePlugin('counter') };
const counterEntry: ProviderSpec = { name: 'counter', path: 'counter.wasm' };
const config = (prefix: string, extra: Partial<ProviderSpec> = {}): ProviderSpec[] => [echoEntry('echo', 'echo.wasm', prefix, extra), counterEntry];

test('a stream in flight across a reload completes on the old version; calls after it get the new one', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: config('v1 ') });
  await using streamer = await daemon.connect();
  await using other = await daemon.connect();
  const { handle } = await streamer.build({ provider: 'echo' });
  const { handle: otherHandle } = await other.build({ provider: 'echo' });
  assert.is((await other.complete({ handle: otherHandle, prompt: 'x' })).text, 'v1 x');

  // Nearly as long as one Extism call can stream (each chunk is one of its about 32,700 memory
  // allocations), and the reload starts at the first chunk: it has to land inside the stream. On a
  // loaded machine the stream can still win the race; then the scenario did not happen, and it is
  // tried again with the next version (each try checks the stream and the calls all the same).
  const count = 30_000;
  const tries = 4;
  let version = 1;
  for (let attempt = 1; ; attempt++) {
    version++;
    const stream = streamer.chatStream(handle, user(`/count ${count}`));
    const texts: string[] = [];
    let last = '';
    let started!: () => void;
    const firstChunk = new Promise<void>((resolve) => (started = resolve));
    const consumed = (async () => {
      for await (const chunk of stream) {
        if (chunk.type === 'text') texts.push(chunk.text);
        last = chunk.type;
        started();
      }
    })();
    await within(10_000, 'the stream has started', firstChunk);
    daemon.writeConfig(config(`v${version} `));
    const summary = await within(15_000, 'plugins/reload', other.reload());
    const receivedAtSwap = texts.length;
    assert.equal([summary.updated, summary.unchanged, summary.failed], [['echo'], ['counter'], []]);
    // While the old version still streams, new calls already go to the new one.
    const during = (await other.complete({ handle: otherHandle, prompt: 'x' })).text;
    const stillStreaming = last !== 'done';

    await within(30_000, 'the stream completes', consumed);
    const result = await stream.result;
    assert.is(texts.length, count, 'every chunk arrived');
    assert.ok(texts.every((t, i) => t === `w${i} `), 'in order, none lost or duplicated');
    assert.is(last, 'done');
    assert.is(result.usage?.outputTokens, count);
    assert.is(result.finishReason, 'stop');
    if (stillStreaming) assert.is(during, `v${version} x`, 'a call made during the old stream went to the new version');
    if (receivedAtSwap < count) break;
    assert.ok(attempt < tries, `the reload finished while the stream was in flight, in one of ${tries} tries (each time all ${count} chunks had arrived first)`);
  }

  // The streaming handle itself now uses the new version.
  let streamed = '';
  for await (const chunk of streamer.chatStream(handle, user('after'))) if (chunk.type === 'text') streamed += chunk.text;
  assert.is(streamed, `v${version} after`);
  assert.is((await streamer.chat(handle, user('hello'))).text, `v${version} hello`);
  const status = await other.status();
  assert.equal(status.plugins.map((p) => [p.name, p.state]), [['echo', 'ready'], ['counter', 'ready']]);
});

test('provider handles built before a reload keep working: new defaults, their own build params, and a config that no longer validates says so', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: config('v1 ') });
  await using a = await daemon.connect();
  await using b = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle: plain } = await a.build({ provider: 'echo' });
  const { handle: withSystem } = await b.build({ provider: 'echo', model: 'echo-2', system: 'be brief' });
  assert.is((await a.chat(plain, user('hi'))).text, 'v1 hi');
  assert.is((await b.chat(withSystem, user('hi'))).text, 'v1 hi');
  assert.is((await b.chat(withSystem, user('/system'))).text, 'be brief');

  let mark = log.events.length;
  daemon.writeConfig(config('v2 '));
  await log.next((e) => e.updated.includes('echo'), mark);
  assert.is((await a.chat(plain, user('hi'))).text, 'v2 hi', 'the next call uses the new version\'s config');
  assert.is((await a.complete({ handle: plain, prompt: 'p' })).text, 'v2 p');
  assert.is((await b.chat(withSystem, user('hi'))).text, 'v2 hi');
  assert.is((await b.chat(withSystem, user('/system'))).text, 'be brief', 'the handle keeps its own build parameters');
  const embedded = await a.embed(plain, ['x']);
  assert.is(embedded.embeddings.length, 1);

  // The new defaults no longer validate against the schema: the next call says so, the handle
  // survives, and fixing the config makes it work again.
  mark = log.events.length;
  daemon.writeConfig([{ name: 'echo', path: 'echo.wasm', config: { prefix: 'v3 ', max_tokens: 0 } }, counterEntry]);
  const event = await log.next((e) => e.updated.includes('echo') || e.failed.length > 0, mark);
  assert.equal(event.updated, ['echo']);
  const error = await rejection(a.chat(plain, user('hi')), 'a call whose rebuilt config is invalid');
  assert.instance(error, InvalidProviderConfigError, `${error.name}: ${error.message}`);
  assert.match(error.message, 'max_tokens');
  mark = log.events.length;
  daemon.writeConfig(config('v4 '));
  await log.next((e) => e.updated.includes('echo'), mark);
  assert.is((await a.chat(plain, user('hi'))).text, 'v4 hi');
  assert.is((await b.chat(withSystem, user('/system'))).text, 'be brief');
  assert.is((await b.chat(withSystem, user('hi'))).text, 'v4 hi');
});

test('a call that reaches a version just as it is replaced (its config re-checked there, queued behind a long call) still completes', async () => {
  // The `loop` fixture on one worker thread: a stream of "loop" spins until timeout_ms, so the
  // calls queued behind it wait. A call on a handle built for an older version first re-checks
  // its config (from_config) on the current version, queued behind the spin; then a reload
  // replaces that version. Once the spin ends, the queued call is the last one in flight on the
  // replaced version: it must complete (there or on the new version), not fail.
  const config = (rev: string): ProviderSpec[] => [{ name: 'p', path: 'loop.wasm', threads: 1, timeoutMs: 3000, config: { rev } }];
  await using daemon = await ReloadDaemon.start({ files: { 'loop.wasm': fixturePlugin('loop') }, config: config('v1') });
  await using client = await daemon.connect();
  await using driver = await daemon.connect();
  const { handle: old } = await client.build({ provider: 'p' });
  daemon.writeConfig(config('v2'));
  assert.equal((await driver.reload()).updated, ['p']);
  const { handle: spinning } = await client.build({ provider: 'p' });
  const stream = client.chatStream(spinning, user('loop'));
  const streamOutcome = stream.result.then(() => null, (e: Error) => e);
  const first = await within(10_000, 'first chunk', stream[Symbol.asyncIterator]().next());
  assert.equal(first.value, { type: 'text', text: 'looping' });
  // Queue the call well inside the spin, so only the spin's own timeout ends it.
  await sleep(800);
  const queued = client.chat(old, user('hi')).then((r) => r.text, (e: Error) => e);
  daemon.writeConfig(config('v3'));
  const swapped = await driver.reload();
  assert.equal(swapped.updated, ['p']);
  const streamError = await within(15_000, 'the spinning stream ends', streamOutcome);
  assert.is(streamError?.name, 'PluginTimeoutError', 'the spin ends at its timeout, as without a reload');
  const outcome = await within(15_000, 'the queued call', queued);
  assert.not.instance(outcome, Error, `the call queued on the replaced version failed: ${(outcome as Error).name}: ${(outcome as Error).message}`);
  assert.is(outcome, 'ok');
  assert.is((await client.chat(old, user('again'))).text, 'ok');
});

/** OS threads of a process (Linux). */
function threadCount(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

test('50 reloads in a row while a client keeps 8 calls in flight: not one call fails, and the final state is right', async () => {
  await using daemon = await ReloadDaemon.start({ files, config: config('A ', { threads: 2 }) });
  await using worker = await daemon.connect();
  await using driver = await daemon.connect();
  await using log = await daemon.didChangeLog();
  const { handle: echo } = await worker.build({ provider: 'echo' });
  const { handle: counter } = await worker.build({ provider: 'counter' });
  const { handle: probe } = await driver.build({ provider: 'echo' });
  const before = await driver.status();
  const threadsBefore = threadCount(daemon.pid);

  const failures: string[] = [];
  const unexpected: string[] = [];
  const seen = { A: 0, B: 0 };
  let calls = 0;
  let running = true;
  const check = (what: string, text: string | null, body: string) => {
    if (text === `A ${body}`) seen.A++;
    else if (text === `B ${body}`) seen.B++;
    else unexpected.push(`${what}: ${JSON.stringify(text)}`);
  };
  const loop = async (slot: number, client: PlugdClient) => {
    // Stops when told to, or when the connection is gone (a failed test closing it).
    for (let i = 0; running && !client.isClosed; i++) {
      const body = `s${slot} c${i}`;
      // Slots 0-3 stream (two plugin calls each: supports_streaming, then chat_stream), 4 and 5
      // complete, 6 chats, 7 calls counter.
      const kind = slot < 4 ? 2 : slot < 6 ? 0 : slot === 6 ? 1 : 3;
      try {
        if (kind === 0) check('complete', (await client.complete({ handle: echo, prompt: body })).text, body);
        else if (kind === 1) check('chat', (await client.chat(echo, user(body))).text, body);
        else if (kind === 2) {
          let text = '';
          const stream = client.chatStream(echo, user(body));
          for await (const chunk of stream) if (chunk.type === 'text') text += chunk.text;
          check('chatStream', text, body);
        } else {
          // counter is never reloaded: its one instance keeps counting.
          const n = Number((await client.complete({ handle: counter, prompt: '' })).text);
          if (!(n > 0)) unexpected.push(`counter: ${n}`);
        }
        calls++;
      } catch (error) {
        failures.push(`slot ${slot} (${['complete', 'chat', 'chatStream', 'counter'][kind]}) call ${i}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
  };
  const loops = Array.from({ length: 8 }, (_, slot) => loop(slot, worker));

  const mark = log.events.length;
  const started = Date.now();
  let reloadError: unknown;
  try {
    for (let i = 1; i <= 50; i++) {
      const prefix = i % 2 ? 'B ' : 'A ';
      daemon.writeConfig(config(prefix, { threads: 2 }));
      // Every other round also asks for a reload while the watcher's is on its way (coalesced).
      if (i % 2) await within(15_000, `reload ${i}`, driver.reload());
      await within(20_000, `reload ${i} takes effect`, untilPrefix(driver, probe, prefix));
    }
  } catch (error) {
    reloadError = error;
  }
  running = false;
  const stopped = await within(30_000, 'the call loops finish', Promise.all(loops)).then(() => null, (e: Error) => e);
  if (reloadError) throw reloadError;
  if (stopped) throw stopped;
  const reloadMs = Date.now() - started;

  assert.equal(failures, [], `${failures.length} of ${calls + failures.length} calls failed during reloads:\n${failures.slice(0, 20).join('\n')}\ndaemon errors:\n${daemon.stderr.split('\n').filter((l) => / (ERROR|WARN) /.test(l)).slice(-10).join('\n')}`);
  assert.equal(unexpected, [], 'every answer came from one version or the other, whole');
  assert.ok(seen.A > 0 && seen.B > 0, `calls were answered by both versions (${JSON.stringify(seen)})`);
  assert.ok(calls >= 200, `the client kept calling throughout (${calls} calls in ${reloadMs} ms)`);

  const events = log.since(mark);
  const updates = events.filter((e) => e.updated.includes('echo')).length;
  assert.ok(updates >= 50, `each of the 50 edits swapped echo (${updates} updates in ${events.length} notifications)`);
  assert.equal(events.filter((e) => e.failed.length || e.configError || e.added.length || e.removed.length), []);

  const status = await daemon.quiet(driver, 300);
  assert.equal(status.plugins.map((p) => [p.name, p.state, p.threads]), [['echo', 'ready', 2], ['counter', 'ready', 1]]);
  assert.is(status.configError, null);
  assert.is(pluginOf(status, 'counter').readyAt, pluginOf(before, 'counter').readyAt, 'counter was never reloaded');
  assert.is(pluginOf(status, 'echo').errors, 0);
  assert.is((await worker.complete({ handle: echo, prompt: 'end' })).text, 'A end');
  assert.is((await driver.complete({ handle: (await driver.build({ provider: 'echo' })).handle, prompt: 'end' })).text, 'A end');
  assert.equal(sorted((await driver.listFactories()).factories.map((f) => f.name)), ['counter', 'echo']);
  // Every replaced version was shut down: the daemon is back to its threads from before.
  await eventually(`old versions' worker threads are gone (${threadsBefore} before)`, () => threadCount(daemon.pid) <= threadsBefore + 1, 15_000);
});

test.run();
