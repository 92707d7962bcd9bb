// A native plugin that crashes, hangs or does not match the ABI never takes the daemon or the
// other plugins down: its call fails with a clear error, its process is replaced (with backoff,
// within a crash budget), and no plugin process outlives the daemon.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PlugdClient } from '../clients/client.js';
import { CancelledError, PluginCrashedError, PluginFailedError, PluginTimeoutError } from '../clients/errors.js';
import { providersToml, type ProviderSpec } from './helpers/config.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { alive, workerPids } from './helpers/workerProcesses.js';
import { nativeFixture, nativePlugin, samplePlugin } from './helpers/paths.js';
import { eventually, rejection, sleep, waitSettled, within } from './helpers/serve.js';
import { logged } from './helpers/tools.js';

const user = (content: string) => ({ role: 'user' as const, content });

/** The others keep serving: the Wasm echo, the native echo. */
async function othersServe(client: PlugdClient): Promise<void> {
  const wasm = await client.build({ provider: 'echo' });
  assert.is((await client.chat(wasm.handle, [user('wasm ok')])).text, 'wasm ok');
  const native = await client.build({ provider: 'necho' });
  assert.is((await client.chat(native.handle, [user('native ok')])).text, 'native ok');
}

function config(crashy: Record<string, unknown> = {}) {
  return [
    { name: 'echo', path: samplePlugin('echo') },
    { name: 'necho', path: nativePlugin('native-echo') },
    { name: 'crashy', path: nativeFixture('crashy'), timeoutMs: 1500, ...crashy },
  ];
}

for (const [ask, expected, reason] of [
  ['/segv', /its process was killed by SIGSEGV during chat/, 'killed by SIGSEGV'],
  ['/abort', /its process was killed by SIGABRT during chat/, 'killed by SIGABRT'],
  ['/exit', /its process exited with code 3 during chat/, 'exited with code 3'],
] as const) {
  test(`a plugin whose process dies (${ask}) fails the call with PluginCrashed naming the cause; it restarts, and everything else keeps serving`, async () => {
    await using daemon = await DaemonProcess.start({ config: config() });
    await using client = await daemon.connect();
    await waitSettled(client);
    const { handle } = await client.build({ provider: 'crashy' });
    assert.is((await client.chat(handle, [user('hi')])).text, 'calls=1');
    const before = workerPids(daemon.pid);
    const error = await within(10_000, 'the crashed call', rejection(client.chat(handle, [user(ask)])));
    assert.instance(error, PluginCrashedError, `${error.name}: ${error.message}`);
    assert.match(error.message, expected);
    assert.is((error as PluginCrashedError).reason, reason);
    await othersServe(client);
    // The next call waits for the restarted process: a fresh one (its call counter starts over).
    assert.is((await within(10_000, 'the call after the crash', client.chat(handle, [user('hi')]))).text, 'calls=1');
    const crashy = (await client.status()).plugins.find((p) => p.name === 'crashy');
    assert.is(crashy?.state, 'ready');
    assert.is(crashy?.restarts, 1);
    assert.is(crashy?.errors, 1);
    const after = workerPids(daemon.pid);
    assert.is(after.length, before.length, `one worker process per native plugin: ${before} → ${after}`);
  });
}

test('a plugin process killed from outside (SIGKILL) fails its running call with PluginCrashed naming the signal, and comes back', async () => {
  await using daemon = await DaemonProcess.start({ config: [{ name: 'echo', path: samplePlugin('echo') }, { name: 'crashy', path: nativeFixture('crashy') }] });
  await using client = await daemon.connect();
  await waitSettled(client);
  const { handle } = await client.build({ provider: 'crashy' });
  const [pid] = workerPids(daemon.pid);
  assert.ok(pid, 'one native worker process');
  const running = rejection(client.chat(handle, [user('/sleep')]));
  // Killed while /sleep runs in it, not before it arrived (it would then run on the new process).
  await logged(daemon, 'crashy: sleeping');
  process.kill(pid!, 'SIGKILL');
  const error = await within(10_000, 'the killed call', running);
  assert.instance(error, PluginCrashedError, `${error.name}: ${error.message}`);
  assert.match(error.message, /its process was killed by SIGKILL during chat/);
  assert.is((await within(10_000, 'the call after the kill', client.chat(handle, [user('hi')]))).text, 'calls=1');
  const wasm = await client.build({ provider: 'echo' });
  assert.is((await client.chat(wasm.handle, [user('still here')])).text, 'still here');
});

test('calls waiting behind one that crashes never started: they run on the restarted process, in order', async () => {
  await using daemon = await DaemonProcess.start({ config: config() });
  await using client = await daemon.connect();
  await waitSettled(client);
  const { handle } = await client.build({ provider: 'crashy' });
  // Sent together: the daemon pipelines them to the one worker process, which runs them in order.
  const crash = rejection(client.chat(handle, [user('/segv')]));
  const after = [1, 2, 3].map(() => client.chat(handle, [user('hi')]));
  assert.instance(await within(10_000, 'the crashing call', crash), PluginCrashedError);
  const texts = (await within(10_000, 'the waiting calls', Promise.all(after))).map((r) => r.text);
  assert.equal(texts.sort(), ['calls=1', 'calls=2', 'calls=3'], 'each ran once, on the fresh process');
});

test('a cancelled call that is waiting behind a running one is skipped by the worker: it never runs', async () => {
  await using daemon = await DaemonProcess.start({ config: config({ timeoutMs: 60_000 }) });
  await using client = await daemon.connect();
  await waitSettled(client);
  const { handle } = await client.build({ provider: 'crashy' });
  const slow = client.chat(handle, [user('/sleep')]);
  await sleep(200);
  const stop = new AbortController();
  const waiting = rejection(client.chat(handle, [user('/segv')], { signal: stop.signal }));
  await sleep(100);
  stop.abort();
  assert.instance(await within(5000, 'the waiting call, cancelled', waiting), CancelledError);
  assert.is((await within(5000, 'the running call', slow)).text, 'calls=1');
  // The same process answers next: the /segv call was skipped, not run.
  assert.is((await within(10_000, 'the next call', client.chat(handle, [user('hi')]))).text, 'calls=2');
  const crashy = (await client.status()).plugins.find((p) => p.name === 'crashy');
  assert.is(crashy?.restarts, 0);
  assert.not.match(daemon.stderr, /SIGSEGV/);
});

test('threads = 2 runs two worker processes: a call is served by the second while the first is busy', async () => {
  await using daemon = await DaemonProcess.start({ config: config({ threads: 2, timeoutMs: 30_000 }) });
  await using client = await daemon.connect();
  await waitSettled(client);
  await eventually('necho plus two crashy processes', () => workerPids(daemon.pid).length === 3, 10_000);
  const { handle } = await client.build({ provider: 'crashy' });
  // Until the second process has loaded the library, calls queue behind the busy first one.
  await eventually(
    'a second process answers while the first sleeps',
    async () => {
      let slowDone = false;
      const slow = client.chat(handle, [user('/sleep')]).then(() => (slowDone = true));
      await sleep(100);
      const quick = await client.chat(handle, [user('hi')]);
      const overlapped = !slowDone && quick.text === 'calls=1';
      await slow;
      return overlapped;
    },
    15_000,
  );
});

test('a native plugin replaced while it is still loading leaves no worker process behind', async () => {
  const entry = (path: string): ProviderSpec[] => [{ name: 'p', path, threads: 2, startTimeoutMs: 20_000 }];
  await using daemon = await DaemonProcess.start({ config: entry(nativeFixture('slowload')) });
  await using client = await daemon.connect();
  // The first version needs 3 s to answer plugd_name; the edit replaces it long before that.
  await eventually('the slow version is loading', async () => (await client.status()).plugins[0]?.state === 'loading');
  writeFileSync(daemon.configPath, providersToml(entry(nativeFixture('crashy'))));
  assert.equal((await client.reload()).updated, ['p']);
  await eventually('the new version serves from its two processes', () => workerPids(daemon.pid).length === 2, 10_000);
  // Past the moment the replaced version's plugd_name returned: it must not have started more.
  await sleep(4000);
  assert.is(workerPids(daemon.pid).length, 2, `worker processes: ${workerPids(daemon.pid).join(', ')}`);
  assert.not.match(daemon.stderr, /plugin "p" failed/, 'a version stopped while loading is not reported as failed');
  const { handle } = await client.build({ provider: 'p' });
  assert.is((await client.chat(handle, [user('hi')])).text, 'calls=1');
});

test('a restarted worker runs the version that loaded, not a rebuild whose reload was rejected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-native-pin-'));
  try {
    const lib = join(dir, 'p.so');
    copyFileSync(nativeFixture('crashy'), lib);
    await using daemon = await DaemonProcess.start({ config: [{ name: 'p', path: lib }] });
    await using client = await daemon.connect();
    await waitSettled(client);
    const { handle } = await client.build({ provider: 'p' });
    assert.is((await client.chat(handle, [user('hi')])).text, 'calls=1');
    // A broken build replaces the file in place: the reload rejects it and the loaded version serves.
    writeFileSync(lib, 'not a shared library');
    const summary = await client.reload();
    assert.equal([summary.unchanged, summary.failed.map((f) => f.name)], [['p'], ['p']]);
    // Its process dies; the restarted one must load the loaded version again, not the broken file.
    assert.instance(await rejection(client.chat(handle, [user('/segv')])), PluginCrashedError);
    assert.is((await within(10_000, 'the call after the restart', client.chat(handle, [user('hi')]))).text, 'calls=1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a call that loops forever fails with PluginTimeout at timeout_ms, its process is killed, and the next call gets a fresh process', async () => {
  await using daemon = await DaemonProcess.start({ config: config() });
  await using client = await daemon.connect();
  await waitSettled(client);
  const { handle } = await client.build({ provider: 'crashy' });
  assert.is((await client.chat(handle, [user('hi')])).text, 'calls=1');
  const before = workerPids(daemon.pid);
  const began = Date.now();
  const error = await within(15_000, 'the looping call', rejection(client.chat(handle, [user('/loop')])));
  assert.instance(error, PluginTimeoutError, `${error.name}: ${error.message}`);
  assert.ok(Date.now() - began >= 1400, `failed after ${Date.now() - began} ms, before timeout_ms`);
  assert.match(error.message, /ran longer than 1500 ms \(timeout_ms\); its process was killed/);
  await othersServe(client);
  assert.is((await client.chat(handle, [user('hi')])).text, 'calls=1');
  const killed = before.filter((pid) => !workerPids(daemon.pid).includes(pid));
  assert.is(killed.length, 1, 'exactly the looping process was replaced');
  await eventually('the looping process is gone', () => !alive(killed[0]!));
});

test('cancelling a running native call kills its process; the next call runs on a fresh one', async () => {
  await using daemon = await DaemonProcess.start({ config: config({ timeoutMs: 60_000 }) });
  await using client = await daemon.connect();
  await waitSettled(client);
  const { handle } = await client.build({ provider: 'crashy' });
  const abort = new AbortController();
  const call = rejection(client.chat(handle, [user('/loop')], { signal: abort.signal }));
  await sleep(300);
  abort.abort();
  assert.instance(await within(5000, 'the cancelled call', call), CancelledError);
  assert.is((await within(10_000, 'the next call', client.chat(handle, [user('hi')]))).text, 'calls=1');
});

test('a library built for another ABI version, and one missing a required symbol, fail to load with the reason; the rest serve', async () => {
  await using daemon = await DaemonProcess.start({
    config: [...config(), { name: 'wrongabi', path: nativeFixture('wrongabi') }, { name: 'nofree', path: nativeFixture('nofree') }],
  });
  await using client = await daemon.connect();
  const status = await waitSettled(client);
  const wrong = status.plugins.find((p) => p.name === 'wrongabi');
  assert.is(wrong?.state, 'failed');
  assert.is(wrong?.type, 'native');
  assert.match(wrong?.error?.message ?? '', /wrongabi\.so: the plugin was built for plugd native ABI version 42, but this plugd implements version 1/);
  const nofree = status.plugins.find((p) => p.name === 'nofree');
  assert.is(nofree?.state, 'failed');
  assert.match(nofree?.error?.message ?? '', /nofree\.so: the library does not export the required function "plugd_free"/);
  const refused = await rejection(client.build({ provider: 'wrongabi' }));
  assert.instance(refused, PluginFailedError);
  assert.match(refused.message, /ABI version 42/);
  await othersServe(client);
  assert.is(workerPids(daemon.pid).length, 2, 'only the plugins that loaded (necho, crashy) have a process');
});

test('a plugin that keeps crashing is restarted with backoff, then stays failed with the reason in daemon/status until a reload', async () => {
  await using daemon = await DaemonProcess.start({ config: config() });
  await using client = await daemon.connect();
  await waitSettled(client);
  const { handle } = await client.build({ provider: 'crashy' });
  const began = Date.now();
  // The budget is 5 crashes in 60 s; the 6th marks the plugin failed.
  for (let i = 1; i <= 6; i++) {
    const error = await within(20_000, `crash ${i}`, rejection(client.chat(handle, [user('/segv')])));
    assert.instance(error, PluginCrashedError, `crash ${i}: ${error.name}: ${error.message}`);
  }
  // Restarts back off: 100 + 200 + 400 + 800 + 1600 ms before the 2nd…6th calls could run.
  assert.ok(Date.now() - began >= 3000, `6 crashes took only ${Date.now() - began} ms`);
  const crashy = (await client.status()).plugins.find((p) => p.name === 'crashy');
  assert.is(crashy?.state, 'failed');
  assert.match(crashy?.error?.message ?? '', /crashed more than 5 times in 60 s; last: killed by SIGSEGV/);
  const refused = await rejection(client.chat(handle, [user('hi')]));
  assert.instance(refused, PluginFailedError);
  assert.match((refused as PluginFailedError).reason ?? '', /crashed more than 5 times/);
  await othersServe(client);
  assert.is(workerPids(daemon.pid).length, 1, 'only necho still has a process');
  // A reload tries a failed plugin again.
  const summary = await client.reload();
  // The failed version is replaced by a fresh load of the same file: an update (it serves again).
  assert.equal([summary.updated, summary.failed], [['crashy'], []], JSON.stringify(summary));
  assert.is((await client.status()).plugins.find((p) => p.name === 'crashy')?.state, 'ready');
  const fresh = await client.build({ provider: 'crashy' });
  assert.is((await client.chat(fresh.handle, [user('hi')])).text, 'calls=1');
});

test('no plugin process outlives the daemon: not after daemon/shutdown, SIGTERM or SIGKILL, not even one stuck in native code', async () => {
  {
    const daemon = await DaemonProcess.start({ config: config() });
    const client = await daemon.connect();
    await waitSettled(client);
    const pids = workerPids(daemon.pid);
    assert.is(pids.length, 2);
    await client.shutdown();
    await client.close();
    assert.is(await within(15_000, 'daemon exit', daemon.exited()), 0);
    await eventually('every plugin process is gone after daemon/shutdown', () => pids.every((pid) => !alive(pid)));
    await daemon.stop();
  }
  {
    const daemon = await DaemonProcess.start({ config: config() });
    const client = await daemon.connect();
    await waitSettled(client);
    const pids = workerPids(daemon.pid);
    assert.is(pids.length, 2);
    await client.close();
    daemon.child.kill('SIGTERM');
    assert.is(await within(15_000, 'daemon exit', daemon.exited()), 0);
    await eventually('every plugin process is gone after SIGTERM', () => pids.every((pid) => !alive(pid)));
    await daemon.stop();
  }
  {
    const daemon = await DaemonProcess.start({ config: config({ timeoutMs: 600_000 }) });
    const client = await daemon.connect();
    await waitSettled(client);
    const pids = workerPids(daemon.pid);
    assert.is(pids.length, 2);
    const { handle } = await client.build({ provider: 'crashy' });
    // This call spins in native code: its process runs no JavaScript and cannot notice anything.
    void client.chat(handle, [user('/loop')]).catch(() => undefined);
    await sleep(300);
    daemon.child.kill('SIGKILL');
    await daemon.exited();
    await eventually('every plugin process is gone after SIGKILL', () => pids.every((pid) => !alive(pid)), 10_000);
    await client.close();
    await daemon.stop();
  }
});

test('a worker killed before its library finished loading leaves no private copy of the library behind', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'plugd-native-tmp-'));
  try {
    // The library's constructor takes 3 s; the start timeout kills its worker long before.
    const config = providersToml([{ name: 'slow', path: nativeFixture('slowctor'), startTimeoutMs: 500 }]);
    await using daemon = await DaemonProcess.start({ config, env: { TMPDIR: tmp } });
    await using client = await daemon.connect();
    await eventually('the load timed out', async () => (await client.status()).plugins[0]?.state === 'failed', 10_000);
    assert.match(daemon.stderr, /did not start within 500 ms|start_timeout_ms/);
    await eventually('the private copy is removed', () => readdirSync(tmp).filter((name) => name.startsWith('plugd-native-')).length === 0, 5000);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
