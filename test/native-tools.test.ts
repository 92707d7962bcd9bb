// Native tool plugins (plugd.h's plugd_tool_* functions) with a real daemon: the C sample
// native-tally and the crashtool fixture, each in its own process (or worker thread), beside the
// Wasm todo plugin: lifecycle, declarations, argument validation, tool errors vs protocol errors,
// user commands, a segfault during call_tool and the restart policy, plugins_dir, hot reload.
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PlugdClient } from '../clients/client.js';
import { formatStatus } from '../clients/cli/format.js';
import {
  CancelledError,
  InvalidToolArgumentsError,
  PluginCrashedError,
  PluginError,
  PluginFailedError,
  PluginTimeoutError,
  ToolPluginNotExposedError,
  UnknownCommandError,
} from '../clients/errors.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { workerPids } from './helpers/workerProcesses.js';
import { nativeFixture, nativePlugin } from './helpers/paths.js';
import { eventually, rejection, within } from './helpers/serve.js';
import { DidChangeLog, logged, todoWasm, toolsSettled, toolsToml } from './helpers/tools.js';

const tally = nativePlugin('native-tally');
const crashtool = nativeFixture('crashtool');
const allow = { default: 'allow' };

for (const isolation of ['process', 'thread'] as const) {
  test(`a native tool plugin (isolation = "${isolation}"): expose runs plugd_tool_initialize, unexpose plugd_tool_shutdown; state persists between calls`, async () => {
    await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'tally', path: tally, isolation, config: { max_counters: 2 } }], { permissions: allow }) });
    await using client = await daemon.connect();
    const log = new DidChangeLog(client);
    await toolsSettled(client);
    const before = await client.toolsAvailable();
    assert.equal(before.plugins.map((p) => [p.name, p.kind, p.origin, p.state, p.exposed, p.tools]), [['tally', 'native', 'config', 'ready', false, ['tally_add', 'tally_get']]]);
    assert.is(workerPids(daemon.pid).length, isolation === 'process' ? 1 : 0, 'a worker process only with process isolation');
    const status = (await client.status()).plugins;
    assert.equal(status.map((p) => [p.name, p.kind, p.type, p.state, p.isolation, p.pluginName]), [['tally', 'tool', 'native', 'ready', isolation, 'tally']]);
    assert.match(formatStatus(await client.status()), /^tally +ready +native tool +\d+ +0 +0 /m);
    assert.instance(await rejection(client.callTool('tally_get')), ToolPluginNotExposedError);
    assert.ok(!daemon.stderr.includes('tally: initialize'), 'initialize runs only on expose');

    assert.equal((await client.exposeTools('tally')).tools, ['tally_add', 'tally_get']);
    let at = await logged(daemon, 'tally: initialize max_counters=2');
    assert.equal(await log.next((e) => e.reason === 'expose'), { reason: 'expose', plugins: ['tally'], tools: ['tally_add', 'tally_get'] });
    assert.equal((await client.callTool('tally_add', { name: 'apples' })).content, [{ type: 'text', text: 'apples=1' }]);
    const added = await client.callTool('tally_add', { name: 'apples', amount: 4 });
    assert.equal([added.isError, added.structuredContent, added.plugin], [false, { counters: { apples: 5 } }, 'tally']);
    await client.callTool('tally_add', { name: 'pears', amount: -2 });
    assert.equal((await client.callTool('tally_get')).content, [{ type: 'text', text: 'apples=5, pears=-2' }]);

    // Re-exposing with another config: shutdown, then initialize; the counters are gone.
    await client.exposeTools('tally', { max_counters: 1 });
    at = await logged(daemon, 'tally: shutdown', at);
    at = await logged(daemon, 'tally: initialize max_counters=1', at);
    assert.equal((await client.callTool('tally_get')).structuredContent, { counters: {} });
    await client.callTool('tally_add', { name: 'one' });
    const full = await client.callTool('tally_add', { name: 'two' });
    assert.equal([full.isError, full.content], [true, [{ type: 'text', text: 'cannot add "two": there are already 1 counters (max_counters)' }]]);

    assert.equal(await client.unexposeTools('tally'), { wasExposed: true });
    await logged(daemon, 'tally: shutdown', at);
    assert.equal((await log.next((e) => e.reason === 'unexpose')).tools, []);
    assert.equal((await client.listTools()).tools, []);
    assert.instance(await rejection(client.callTool('tally_get')), ToolPluginNotExposedError);
  });
}

test('native declarations in tools/list, auto-approved tools, system instructions, argument validation, tool error vs protocol error, user commands', async () => {
  await using daemon = await DaemonProcess.start({
    config: toolsToml([{ name: 'tally', path: tally, expose: true }, { name: 'crashtool', path: crashtool, expose: true }], { permissions: { default: 'deny', allow: ['tally_add', 'fail'] } }),
  });
  await using client = await daemon.connect();
  const { tools } = await client.listTools();
  assert.equal(tools.map((t) => [t.name, t.plugin, t.autoApproved]), [
    ['tally_add', 'tally', false],
    ['tally_get', 'tally', true],
    ['boom', 'crashtool', false],
    ['hang', 'crashtool', false],
    ['fail', 'crashtool', false],
    ['count', 'crashtool', false],
  ]);
  const add = tools[0]!;
  assert.equal(add.inputSchema.required, ['name']);
  assert.equal(add.annotations, { readOnlyHint: false });
  assert.equal(tools[1]!.annotations, { readOnlyHint: true });
  assert.is(add.description, 'Add an amount (default 1) to a named counter, creating it at 0 first.');
  assert.equal(await client.systemInstructions(), { text: 'Use tally_add to count things by name and tally_get to read the counts.', plugins: ['tally'] });

  // Permissions: the read-only tool is auto-approved, the other one allowed by the list.
  assert.equal((await client.callTool('tally_get')).permission, { allowed: true, source: 'autoApproved' });
  assert.equal((await client.callTool('tally_add', { name: 'x' })).permission.source, 'allowList');

  // Arguments are checked against the declared inputSchema before the library sees them.
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{}, 'arguments.name', 'missing required property'],
    [{ name: 'Bad Name' }, 'arguments.name', 'must match pattern "^[a-z][a-z0-9_]{0,31}$"'],
    [{ name: 'x', amount: 1.5 }, 'arguments.amount', 'must be integer'],
    [{ name: 'x', colour: 'red' }, 'arguments.colour', 'is not a property the tool accepts'],
  ];
  for (const [args, path, expected] of cases) {
    const error = await rejection(client.callTool('tally_add', args));
    assert.instance(error, InvalidToolArgumentsError, JSON.stringify(args));
    assert.equal([(error as InvalidToolArgumentsError).path, (error as InvalidToolArgumentsError).data?.expected], [path, expected]);
  }
  assert.equal((await client.callTool('tally_get')).structuredContent, { counters: { x: 1 } }, 'no invalid call reached the plugin');

  // A tool's own failure is a result; a non-zero return from plugd_tool_call is a protocol error.
  const missing = await client.callTool('tally_get', { name: 'nope' });
  assert.equal([missing.isError, missing.content], [true, [{ type: 'text', text: 'no counter named "nope"' }]]);
  const failed = await rejection(client.callTool('fail'));
  assert.instance(failed, PluginError);
  assert.match(failed.message, 'fail was asked to fail');

  // User commands: declared by plugd_tool_user_commands, run by plugd_tool_run_command, no permission needed.
  assert.equal(await client.listCommands(), {
    commands: [{ name: 'tally', description: 'Show the counters', shareWithModel: true, parameters: [{ name: 'name', description: 'only this counter', required: false }], plugin: 'tally' }],
  });
  await client.callTool('tally_add', { name: 'y', amount: 3 });
  assert.equal(await client.runCommand('tally'), { text: 'x=1, y=3', isError: false, shareWithModel: true, plugin: 'tally' });
  assert.equal(await client.runCommand('tally', { name: 'y' }), { text: 'y=3', isError: false, shareWithModel: true, plugin: 'tally' });
  assert.is((await client.runCommand('tally', { name: 'z' })).isError, true);
  assert.instance(await rejection(client.runCommand('nope')), UnknownCommandError);
});

test('a native tool plugin that segfaults in plugd_tool_call: the call fails with PluginCrashed, the others serve, a fresh process is initialized again; past the crash budget it is failed until a reload', async () => {
  await using daemon = await DaemonProcess.start({
    config: toolsToml(
      [
        { name: 'crashtool', path: crashtool, expose: true, config: { mode: 'kept' } },
        { name: 'tally', path: tally, expose: true },
        { name: 'todo', path: todoWasm, expose: true },
      ],
      { permissions: allow },
    ),
  });
  await using client = await daemon.connect();
  const othersServe = async (client: PlugdClient) => {
    assert.is((await client.callTool('tally_add', { name: 'n' })).isError, false);
    assert.is((await client.callTool('plan_status')).plugin, 'todo');
  };
  assert.equal((await client.callTool('count')).structuredContent, { count: 1, config: { mode: 'kept' } });
  assert.equal((await client.callTool('count')).structuredContent, { count: 2, config: { mode: 'kept' } });
  const before = workerPids(daemon.pid);
  assert.is(before.length, 2, 'crashtool and tally: one process each');

  const crash = await within(10_000, 'the crashed call', rejection(client.callTool('boom')));
  assert.instance(crash, PluginCrashedError, `${crash.name}: ${crash.message}`);
  assert.match(crash.message, 'plugin "crashtool": its process was killed by SIGSEGV during call_tool');
  assert.is((crash as PluginCrashedError).reason, 'killed by SIGSEGV');
  await othersServe(client);

  // The next call waits for the restarted process, which gets initialize (with the exposed config) first.
  const after = await within(10_000, 'the call after the crash', client.callTool('count'));
  assert.equal(after.structuredContent, { count: 1, config: { mode: 'kept' } }, 'in-memory state is gone, the config is not');
  await logged(daemon, 'tool plugin "crashtool": its worker was restarted; running initialize again');
  const now = workerPids(daemon.pid);
  assert.equal([now.length, before.filter((pid) => !now.includes(pid)).length], [2, 1], 'crashtool has a new process; tally kept its own');
  const info = (await client.toolsAvailable()).plugins.find((p) => p.name === 'crashtool')!;
  assert.equal([info.state, info.exposed], ['ready', true]);
  // daemon/status lists the tool plugins after the providers, with the host's counters.
  const listed = (await client.status()).plugins.find((p) => p.name === 'crashtool')!;
  assert.equal([listed.kind, listed.type, listed.state, listed.restarts, listed.isolation], ['tool', 'native', 'ready', 1, 'process']);
  assert.equal((await client.status()).plugins.map((p) => [p.name, p.kind, p.type]), [['crashtool', 'tool', 'native'], ['tally', 'tool', 'native'], ['todo', 'tool', 'wasm']]);

  // More than 5 crashes in 60 s: failed, with the reason, until a reload.
  for (let i = 0; i < 5; i++) assert.instance(await within(15_000, `crash ${i + 2}`, rejection(client.callTool('boom'))), PluginCrashedError);
  await eventually('crashtool failed', async () => (await client.toolsAvailable()).plugins.find((p) => p.name === 'crashtool')?.state === 'failed');
  const failed = (await client.toolsAvailable()).plugins.find((p) => p.name === 'crashtool')!;
  assert.match(failed.error?.message ?? '', 'crashed more than 5 times in 60 s; last: killed by SIGSEGV');
  const down = (await client.status()).plugins.find((p) => p.name === 'crashtool')!;
  assert.equal([down.state, down.error?.code], ['failed', 'PLUGIN_FAILED']);
  assert.instance(await rejection(client.callTool('count')), PluginFailedError);
  await othersServe(client);

  await client.reload();
  assert.equal((await client.callTool('count')).structuredContent, { count: 1, config: { mode: 'kept' } }, 'reloaded, and exposed again with its config');
  await othersServe(client);
});

test('a native tool call past timeout_ms is PluginTimeout (its process is killed); the next call runs initialized on a fresh process', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'crashtool', path: crashtool, expose: true, timeoutMs: 1000, config: { mode: 't' } }], { permissions: allow }) });
  await using client = await daemon.connect();
  assert.equal((await client.callTool('count')).structuredContent, { count: 1, config: { mode: 't' } });
  const timedOut = await within(10_000, 'the call past timeout_ms', rejection(client.callTool('hang')));
  assert.instance(timedOut, PluginTimeoutError, `${timedOut.name}: ${timedOut.message}`);
  assert.match(timedOut.message, 'plugin "crashtool": call_tool ran longer than 1000 ms (timeout_ms); its process was killed');
  assert.equal((await client.callTool('count')).structuredContent, { count: 1, config: { mode: 't' } });
  assert.equal((await client.toolsAvailable()).plugins.map((p) => [p.state, p.exposed]), [['ready', true]], 'timeouts are not crashes');
});

test('a cancelled native tool call stops the plugin at once (its process is killed, not at timeout_ms); the next call runs initialized on a fresh process', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'crashtool', path: crashtool, expose: true, timeoutMs: 60_000, config: { mode: 'c' } }], { permissions: allow }) });
  await using client = await daemon.connect();
  assert.equal((await client.callTool('count')).structuredContent, { count: 1, config: { mode: 'c' } });
  const abort = new AbortController();
  const call = client.callTool('hang', {}, { signal: abort.signal }).catch((error: Error) => error);
  await logged(daemon, 'crashtool: hang started');
  abort.abort();
  assert.instance(await call, CancelledError);
  // The plugin's one process was hanging: only a cancel that reached it frees it before 60 s.
  assert.equal((await within(5000, 'the call after the cancel', client.callTool('count'))).structuredContent, { count: 1, config: { mode: 'c' } });
  assert.equal((await client.toolsAvailable()).plugins.map((p) => [p.state, p.exposed]), [['ready', true]], 'cancels are not crashes');
});

test('a native library without the tool functions fails as a tool plugin, naming the file and the C function; the others serve', async () => {
  const echo = nativePlugin('native-echo');
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'necho', path: echo, expose: true }, { name: 'tally', path: tally, expose: true }], { permissions: allow }) });
  await using client = await daemon.connect();
  await toolsSettled(client);
  const { plugins } = await client.toolsAvailable();
  assert.equal(plugins.map((p) => [p.name, p.kind, p.state, p.exposed, p.error?.code ?? null]), [['necho', 'native', 'failed', false, 'MISSING_EXPORT'], ['tally', 'native', 'ready', true, null]]);
  assert.is(plugins[0]!.error!.message, `${echo}: a tool plugin must export "plugd_tool_list" (and "plugd_tool_call")`);
  assert.is((await client.callTool('tally_add', { name: 'ok' })).content[0]?.text, 'ok=1');
});

test('plugins_dir: a native library there is a tool plugin named after the file, and one added later is picked up by the watcher', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-native-tools-dir-'));
  try {
    mkdirSync(join(dir, 'plugins'));
    copyFileSync(tally, join(dir, 'plugins', 'counting.so'));
    await using daemon = await DaemonProcess.start({ config: `plugins_dir = ${JSON.stringify(join(dir, 'plugins'))}\n${toolsToml([], { permissions: allow })}` });
    await using client = await daemon.connect();
    await toolsSettled(client);
    const { plugins } = await client.toolsAvailable();
    assert.equal(plugins.map((p) => [p.name, p.kind, p.origin, p.state, p.exposed]), [['counting', 'native', 'plugins_dir', 'ready', false]]);
    await client.exposeTools('counting');
    assert.is((await client.callTool('tally_add', { name: 'a' })).content[0]?.text, 'a=1');
    // The watcher sees a native library dropped there later.
    copyFileSync(crashtool, join(dir, 'plugins', 'later.tmp'));
    renameSync(join(dir, 'plugins', 'later.tmp'), join(dir, 'plugins', 'later.so'));
    await eventually('later.so is discovered', async () => (await client.toolsAvailable()).plugins.some((p) => p.name === 'later' && p.state === 'ready'), 10_000);
    assert.equal((await client.toolsAvailable()).plugins.map((p) => [p.name, p.kind, p.exposed]), [['counting', 'native', true], ['later', 'native', false]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hot reload: a rebuilt native tool plugin under the same path replaces the exposed one, which is exposed again with its config', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-native-tools-reload-'));
  const path = join(dir, 'tool.so');
  copyFileSync(tally, path);
  try {
    await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 't', path, expose: true, config: { max_counters: 3 } }], { permissions: allow }) });
    await using client = await daemon.connect();
    const log = new DidChangeLog(client);
    assert.equal((await client.listTools()).tools.map((t) => t.name), ['tally_add', 'tally_get']);
    await client.callTool('tally_add', { name: 'a' });
    const at = daemon.stderr.length;
    // "Rebuild": another library renamed over the same path, as a build step writes it.
    copyFileSync(crashtool, `${path}.tmp`);
    renameSync(`${path}.tmp`, path);
    await client.reload();
    await logged(daemon, 'tally: shutdown', at);
    await logged(daemon, 'crashtool: initialize', at);
    assert.equal(await log.next((e) => e.reason === 'reload'), { reason: 'reload', plugins: ['t'], tools: ['boom', 'hang', 'fail', 'count'] });
    assert.equal((await client.callTool('count')).structuredContent, { count: 1, config: { max_counters: 3 } });
    assert.equal((await client.toolsAvailable()).plugins.map((p) => [p.name, p.kind, p.state, p.exposed]), [['t', 'native', 'ready', true]]);
    // The old version's process is gone: one worker process is left.
    await eventually('the old process exits', () => workerPids(daemon.pid).length === 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
