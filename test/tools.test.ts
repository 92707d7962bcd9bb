// Tool plugins over JSON-RPC with a real daemon and the real todo / tooltest Wasm plugins:
// expose/unexpose with their lifecycle exports observed, declarations, argument validation, tool
// errors vs protocol errors, user commands, name collisions, tools/didChange, timeouts and cancellation.
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CancelledError,
  InvalidProviderConfigError,
  InvalidToolArgumentsError,
  PluginError,
  PluginFailedError,
  PluginTimeoutError,
  ToolNameCollisionError,
  ToolPluginNotExposedError,
  UnknownCommandError,
  UnknownToolError,
  UnknownToolPluginError,
} from '../clients/errors.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { rejection, sleep, within } from './helpers/serve.js';
import { nativePlugin, samplePlugin } from './helpers/paths.js';
import { writeInChunks } from './helpers/reload.js';
import { DidChangeLog, logged, todoWasm, toolsToml, tooltestWasm } from './helpers/tools.js';

const allow = { default: 'allow' };

test('expose runs initialize with the config, unexpose runs shutdown; re-expose with a new config runs shutdown then initialize', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm, config: { max_steps: 2 } }], { permissions: allow }) });
  await using client = await daemon.connect();
  const log = new DidChangeLog(client);

  const before = await client.toolsAvailable();
  assert.equal(before.plugins.map((p) => [p.name, p.kind, p.origin, p.state, p.exposed]), [['todo', 'wasm', 'config', 'ready', false]]);
  assert.equal(before.plugins[0]?.tools, ['plan_create', 'plan_add_step', 'plan_update_step', 'plan_status']);
  assert.equal((await client.listTools()).tools, []);
  const hidden = await rejection(client.callTool('plan_status'));
  assert.instance(hidden, ToolPluginNotExposedError);
  assert.ok(!daemon.stderr.includes('todo: initialize'), 'initialize runs only on expose');

  assert.equal((await client.exposeTools('todo')).tools, ['plan_create', 'plan_add_step', 'plan_update_step', 'plan_status']);
  let at = await logged(daemon, 'todo: initialize max_steps=2');
  const exposed = await log.next((e) => e.reason === 'expose');
  assert.equal(exposed, { reason: 'expose', plugins: ['todo'], tools: ['plan_create', 'plan_add_step', 'plan_update_step', 'plan_status'] });
  const tooMany = await client.callTool('plan_create', { title: 'T', steps: ['a', 'b', 'c'] });
  assert.is(tooMany.isError, true, 'max_steps from the configured config');
  assert.match(JSON.stringify(tooMany.content), 'at most 2 steps');
  assert.is((await client.callTool('plan_create', { title: 'T', steps: ['a', 'b'] })).isError, false);

  // Exposing again without a config changes nothing; with one, shutdown then initialize.
  await client.exposeTools('todo');
  assert.ok(!daemon.stderr.slice(at).includes('todo: shutdown'));
  await client.exposeTools('todo', { max_steps: 5 });
  at = await logged(daemon, 'todo: shutdown', at);
  at = await logged(daemon, 'todo: initialize max_steps=5', at);
  const status = await client.callTool('plan_status');
  assert.equal(status.structuredContent, { title: null, steps: [] }, 'shutdown forgot the plan');

  assert.equal(await client.unexposeTools('todo'), { wasExposed: true });
  await logged(daemon, 'todo: shutdown', at);
  const hiddenEvent = await log.next((e) => e.reason === 'unexpose');
  assert.equal(hiddenEvent.tools, []);
  assert.equal(await client.unexposeTools('todo'), { wasExposed: false });
  assert.equal((await client.listTools()).tools, []);
  assert.instance(await rejection(client.callTool('plan_status')), ToolPluginNotExposedError);
  assert.is((await client.toolsAvailable()).plugins[0]?.exposed, false);
});

test('tools/list gives MCP-shaped declarations with plugin and autoApproved; systemInstructions joins exposed plugins', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm, expose: true }], { permissions: allow }) });
  await using client = await daemon.connect();
  const { tools } = await client.listTools();
  assert.equal(tools.map((t) => [t.name, t.plugin, t.autoApproved]), [
    ['plan_create', 'todo', false],
    ['plan_add_step', 'todo', false],
    ['plan_update_step', 'todo', false],
    ['plan_status', 'todo', true],
  ]);
  const update = tools.find((t) => t.name === 'plan_update_step')!;
  assert.equal(update.inputSchema.required, ['step', 'status']);
  assert.equal((update.inputSchema.properties as Record<string, { enum?: string[] }>).status?.enum, ['pending', 'in_progress', 'done', 'skipped']);
  assert.equal(tools.find((t) => t.name === 'plan_status')!.annotations, { readOnlyHint: true });
  assert.type(update.description, 'string');
  const instructions = await client.systemInstructions();
  assert.equal(instructions.plugins, ['todo']);
  assert.match(instructions.text, 'plan_create');
  await client.unexposeTools('todo');
  assert.equal(await client.systemInstructions(), { text: '', plugins: [] });
});

test('state persists between calls; arguments are validated before the plugin; a tool failure is isError, not a protocol error', async () => {
  await using daemon = await DaemonProcess.start({
    config: toolsToml([{ name: 'todo', path: todoWasm, expose: true }, { name: 'tooltest', path: tooltestWasm }], { permissions: allow }),
  });
  await using client = await daemon.connect();
  await client.callTool('plan_create', { title: 'Ship', steps: ['build'] });
  await client.callTool('plan_add_step', { description: 'test' });
  const updated = await client.callTool('plan_update_step', { step: 2, status: 'in_progress' });
  assert.equal(updated.content, [{ type: 'text', text: 'Plan: Ship\n1. [ ] build\n2. [>] test\n(0/2 done)' }]);
  assert.is(updated.isError, false);
  assert.is(updated.plugin, 'todo');

  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ step: 'two', status: 'done' }, 'arguments.step', 'must be integer'],
    [{ step: 1 }, 'arguments.status', 'missing required property'],
    [{ step: 1, status: 'finished' }, 'arguments.status', 'must be one of ["pending","in_progress","done","skipped"]'],
    [{ step: 0, status: 'done' }, 'arguments.step', 'must be >= 1'],
    [{ step: 1, status: 'done', extra: true }, 'arguments.extra', 'is not a property the tool accepts'],
  ];
  for (const [args, path, expected] of cases) {
    const error = await rejection(client.callTool('plan_update_step', args));
    assert.instance(error, InvalidToolArgumentsError, JSON.stringify(args));
    const typed = error as InvalidToolArgumentsError;
    assert.is(typed.path, path);
    assert.is(typed.data?.expected, expected);
    assert.is(typed.data?.tool, 'plan_update_step');
    assert.match(typed.message, `invalid arguments for tool "plan_update_step": ${path}`);
  }
  // None of the invalid calls reached the plugin.
  assert.equal((await client.callTool('plan_status')).structuredContent, {
    title: 'Ship',
    steps: [
      { description: 'build', status: 'pending' },
      { description: 'test', status: 'in_progress' },
    ],
  });

  const toolError = await client.callTool('plan_update_step', { step: 7, status: 'done' });
  assert.equal([toolError.isError, toolError.content], [true, [{ type: 'text', text: 'there is no step 7: the plan has 2 step(s)' }]]);

  const unknown = await rejection(client.callTool('no_such_tool'));
  assert.instance(unknown, UnknownToolError);
  assert.is((unknown as UnknownToolError).data?.tool, 'no_such_tool');

  await client.exposeTools('tooltest').catch(() => undefined); // collides with todo: plan_status
  await client.unexposeTools('todo');
  await client.exposeTools('tooltest');
  assert.is((await client.callTool('echo_args', { text: 'hé' })).content[0]?.text, 'hé');
  const broken = await rejection(client.callTool('broken'));
  assert.instance(broken, PluginError, 'an export that fails is a protocol error');
  assert.match(broken.message, 'broken always fails');
  const badOutput = await rejection(client.callTool('bad_output'));
  assert.instance(badOutput, PluginError);
  assert.match(badOutput.message, 'call_tool "bad_output": expected a JSON object');
  assert.is((await client.callTool('echo_args', { text: 'still fine' })).content[0]?.text, 'still fine');
});

test('bad expose requests: unknown plugin, config that fails the plugin\'s schema', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm }], { permissions: allow }) });
  await using client = await daemon.connect();
  assert.instance(await rejection(client.exposeTools('nope')), UnknownToolPluginError);
  assert.instance(await rejection(client.unexposeTools('nope')), UnknownToolPluginError);
  const bad = await rejection(client.exposeTools('todo', { max_steps: 'many' }));
  assert.instance(bad, InvalidProviderConfigError);
  assert.is((bad as InvalidProviderConfigError).path, 'config.max_steps');
  const extra = await rejection(client.exposeTools('todo', { colour: 'red' }));
  assert.is((extra as InvalidProviderConfigError).path, 'config.colour');
  assert.ok(!daemon.stderr.includes('todo: initialize'), 'a rejected config never reaches initialize');
  assert.equal((await client.exposeTools('todo', { max_steps: 4 })).tools.length, 4);
});

test('a failing initialize fails the expose with the plugin\'s message; the plugin stays unexposed and can be exposed again', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'tooltest', path: tooltestWasm }], { permissions: allow }) });
  await using client = await daemon.connect();
  const refused = await rejection(client.exposeTools('tooltest', { fail_init: true }));
  assert.instance(refused, PluginError);
  assert.match(refused.message, 'tooltest: initialize refused (fail_init)');
  const info = (await client.toolsAvailable()).plugins[0]!;
  assert.equal([info.exposed, info.state, info.error?.code], [false, 'ready', 'PLUGIN_ERROR']);
  assert.equal((await client.listTools()).tools, []);
  assert.equal((await client.exposeTools('tooltest', { fail_init: false })).tools.length, 7);
  assert.is((await client.toolsAvailable()).plugins[0]!.error, null);
  assert.is((await client.callTool('echo_args', { text: 'ok' })).content[0]?.text, 'ok');
});

test('a tool plugin that cannot load is reported, naming the file and the reason; the others serve', async () => {
  await using daemon = await DaemonProcess.start({
    config: toolsToml(
      [
        { name: 'provider', path: samplePlugin('echo'), expose: true },
        { name: 'missing', path: '/nonexistent/tool.wasm', expose: true },
        { name: 'todo', path: todoWasm, expose: true },
      ],
      { permissions: allow },
    ),
  });
  await using client = await daemon.connect();
  const { plugins } = await client.toolsAvailable();
  assert.equal(plugins.map((p) => [p.name, p.state, p.exposed, p.error?.code ?? null]), [
    ['provider', 'failed', false, 'MISSING_EXPORT'],
    ['missing', 'failed', false, 'PLUGIN_NOT_FOUND'],
    ['todo', 'ready', true, null],
  ]);
  assert.is(plugins[0]!.error!.message, `${samplePlugin('echo')}: a tool plugin must export "tools" (and "call_tool")`);
  assert.is(plugins[1]!.error!.message, '/nonexistent/tool.wasm: plugin file not found');
  const failed = await rejection(client.exposeTools('missing'));
  assert.instance(failed, PluginFailedError);
  assert.match(failed.message, 'tool plugin "missing" cannot be exposed: /nonexistent/tool.wasm: plugin file not found');
  assert.is((await client.callTool('plan_status')).plugin, 'todo');
});

test('user commands: listed for exposed plugins only, run with shareWithModel; unknown command', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm, expose: true }], { permissions: allow }) });
  await using client = await daemon.connect();
  assert.equal(await client.listCommands(), { commands: [{ name: 'plan', description: 'Show the current plan', shareWithModel: true, parameters: [], plugin: 'todo' }] });
  assert.equal(await client.runCommand('plan'), { text: 'No plan yet.', isError: false, shareWithModel: true, plugin: 'todo' });
  await client.callTool('plan_create', { title: 'Trip', steps: ['pack'] });
  assert.is((await client.runCommand('plan')).text, 'Plan: Trip\n1. [ ] pack\n(0/1 done)');
  assert.instance(await rejection(client.runCommand('nope')), UnknownCommandError);
  await client.unexposeTools('todo');
  assert.equal(await client.listCommands(), { commands: [] });
  assert.instance(await rejection(client.runCommand('plan')), UnknownCommandError);
});

test('name collisions are reported, never shadowed: config exposure, tools/expose and tools/exposeAll', async () => {
  await using daemon = await DaemonProcess.start({
    config: toolsToml([{ name: 'todo', path: todoWasm, expose: true }, { name: 'tooltest', path: tooltestWasm, expose: true }], { permissions: allow }),
  });
  await using client = await daemon.connect();
  const available = await client.toolsAvailable();
  assert.equal(available.collisions, [{ tool: 'plan_status', owner: 'todo', plugin: 'tooltest' }]);
  assert.equal(available.plugins.map((p) => [p.name, p.exposed, p.error?.code ?? null]), [['todo', true, null], ['tooltest', false, 'TOOL_NAME_COLLISION']]);
  assert.is((await client.callTool('plan_status')).plugin, 'todo');
  assert.instance(await rejection(client.callTool('echo_args', { text: 'x' })), ToolPluginNotExposedError);

  const clash = await rejection(client.exposeTools('tooltest'));
  assert.instance(clash, ToolNameCollisionError);
  assert.equal([(clash as ToolNameCollisionError).data?.tool, (clash as ToolNameCollisionError).plugin], ['plan_status', 'tooltest']);
  assert.match(clash.message, 'tool plugin "todo" already exposes');

  await client.unexposeTools('todo');
  assert.equal((await client.toolsAvailable()).collisions, [], 'the collision is gone with its owner');
  await client.exposeTools('tooltest');
  assert.equal((await client.callTool('plan_status')).content, [{ type: 'text', text: 'tooltest' }]);
  const all = await client.exposeAllTools();
  assert.equal(all.outcomes.map((o) => [o.plugin, o.exposed, o.error?.code ?? null]), [['todo', false, 'TOOL_NAME_COLLISION']]);
  assert.equal((await client.unexposeAllTools()).unexposed, ['tooltest']);
  const again = await client.exposeAllTools();
  assert.equal(again.outcomes.map((o) => [o.plugin, o.exposed]), [['todo', true], ['tooltest', false]]);
});

test('a re-expose whose initialize fails leaves the plugin unexposed, and that is announced', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'tooltest', path: tooltestWasm, expose: true }], { permissions: allow }) });
  await using client = await daemon.connect();
  const log = new DidChangeLog(client);
  assert.is((await client.listTools()).tools.length, 7);
  assert.instance(await rejection(client.exposeTools('tooltest', { fail_init: true })), PluginError);
  assert.equal(await log.next((e) => e.reason === 'expose'), { reason: 'expose', plugins: ['tooltest'], tools: [] });
  assert.equal((await client.listTools()).tools, []);
  assert.is((await client.toolsAvailable()).plugins[0]!.exposed, false);
});

test('user command names are unique across exposed plugins: a second plugin with a taken command name is refused, not shadowed', async () => {
  await using daemon = await DaemonProcess.start({
    config: toolsToml([{ name: 'tally', path: nativePlugin('native-tally'), expose: true }, { name: 'tooltest', path: tooltestWasm, expose: true }], { permissions: allow }),
  });
  await using client = await daemon.connect();
  const available = await client.toolsAvailable();
  assert.equal(available.plugins.map((p) => [p.name, p.exposed, p.error?.code ?? null]), [['tally', true, null], ['tooltest', false, 'TOOL_NAME_COLLISION']]);
  assert.equal(available.collisions, [{ tool: 'tally', kind: 'command', owner: 'tally', plugin: 'tooltest' }]);
  assert.equal((await client.listCommands()).commands.map((c) => [c.name, c.plugin]), [['tally', 'tally']]);
  const clash = await rejection(client.exposeTools('tooltest'));
  assert.instance(clash, ToolNameCollisionError);
  assert.is(clash.message, 'tool plugin "tooltest" declares user command "tally", which exposed tool plugin "tally" already has; unexpose "tally" first or rename the command');
  await client.unexposeTools('tally');
  assert.equal((await client.toolsAvailable()).collisions, []);
  await client.exposeTools('tooltest');
  assert.equal(await client.runCommand('tally'), { text: "tooltest's tally", isError: false, shareWithModel: false, plugin: 'tooltest' });
  assert.equal((await client.exposeAllTools()).outcomes.map((o) => [o.plugin, o.exposed, o.error?.code ?? null]), [['tally', false, 'TOOL_NAME_COLLISION']]);
});

test('a refused plugin that a reload removes or replaces takes its collision and its error with it', async () => {
  const both = (tooltestTimeout?: number) =>
    toolsToml([{ name: 'todo', path: todoWasm, expose: true }, { name: 'tooltest', path: tooltestWasm, ...(tooltestTimeout !== undefined && { timeoutMs: tooltestTimeout }) }], { permissions: allow });
  await using daemon = await DaemonProcess.start({ config: both() });
  await using client = await daemon.connect();
  assert.instance(await rejection(client.exposeTools('tooltest')), ToolNameCollisionError);
  assert.equal((await client.toolsAvailable()).collisions, [{ tool: 'plan_status', owner: 'todo', plugin: 'tooltest' }]);
  // Replaced (its entry changed, not exposed by the config): the refusal was the old version's.
  writeFileSync(daemon.configPath, both(40_000));
  await client.reload();
  let available = await client.toolsAvailable();
  assert.equal(available.collisions, []);
  assert.equal(available.plugins.map((p) => [p.name, p.exposed, p.error?.code ?? null]), [['todo', true, null], ['tooltest', false, null]]);
  // Refused again, then removed.
  assert.instance(await rejection(client.exposeTools('tooltest')), ToolNameCollisionError);
  writeFileSync(daemon.configPath, toolsToml([{ name: 'todo', path: todoWasm, expose: true }], { permissions: allow }));
  await client.reload();
  available = await client.toolsAvailable();
  assert.equal([available.plugins.map((p) => p.name), available.collisions], [['todo'], []]);
});

test('tools/didChange on reload: a new exposed entry, a changed one re-exposed with its (new) config, expose = false, a client exposure kept, a removed one', async () => {
  const config = (extra: string) => toolsToml([{ name: 'todo', path: todoWasm, expose: true, config: { max_steps: 3 } }], { permissions: allow, extra });
  await using daemon = await DaemonProcess.start({ config: config('') });
  await using client = await daemon.connect();
  const log = new DidChangeLog(client);
  writeFileSync(daemon.configPath, config(`[[tools]]\nname = "tooltest"\npath = ${JSON.stringify(tooltestWasm)}\nexpose = false`));
  await client.reload();
  assert.equal(log.events, [], 'an unexposed addition does not change the exposed tools');
  assert.equal((await client.toolsAvailable()).plugins.map((p) => p.name), ['todo', 'tooltest']);

  // Changing todo's entry replaces it: the new version is initialized with the old exposure's config.
  const at = daemon.stderr.length;
  writeFileSync(daemon.configPath, toolsToml([{ name: 'todo', path: todoWasm, expose: true, timeoutMs: 50_000, config: { max_steps: 3 } }], { permissions: allow }));
  await client.reload();
  await logged(daemon, 'todo: shutdown', at);
  await logged(daemon, 'todo: initialize max_steps=3', at);
  assert.equal((await client.toolsAvailable()).plugins.map((p) => [p.name, p.exposed]), [['todo', true]]);
  assert.is((await client.callTool('plan_create', { title: 'x' })).isError, false);

  // An edited [tools.config] reaches the new version's initialize; `expose = false` unexposes it.
  const todoEntry = (expose: boolean, max: number, timeoutMs = 50_000) => [{ name: 'todo', path: todoWasm, expose, timeoutMs, config: { max_steps: max } }];
  let mark = daemon.stderr.length;
  writeFileSync(daemon.configPath, toolsToml(todoEntry(true, 5), { permissions: allow }));
  await client.reload();
  await logged(daemon, 'todo: initialize max_steps=5', mark);
  writeFileSync(daemon.configPath, toolsToml(todoEntry(false, 5), { permissions: allow }));
  await client.reload();
  assert.equal((await client.toolsAvailable()).plugins.map((p) => [p.name, p.exposed]), [['todo', false]], 'expose = false unexposed it');
  // Exposed by a client with its own config: a changed entry is exposed again with the client's config.
  await client.exposeTools('todo', { max_steps: 7 });
  mark = daemon.stderr.length;
  writeFileSync(daemon.configPath, toolsToml(todoEntry(false, 5, 40_000), { permissions: allow }));
  await client.reload();
  await logged(daemon, 'todo: initialize max_steps=7', mark);
  assert.equal((await client.toolsAvailable()).plugins.map((p) => [p.name, p.exposed]), [['todo', true]]);

  writeFileSync(daemon.configPath, toolsToml([], { permissions: allow }));
  await client.reload();
  const removed = await log.next((e) => e.reason === 'reload');
  assert.equal(removed, { reason: 'reload', plugins: ['todo'], tools: [] });
  assert.instance(await rejection(client.callTool('plan_status')), UnknownToolError);
});

test('the watcher reloads a rebuilt [[tools]] file: the new version is exposed with the old config and announced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-toolwatch-'));
  try {
    copyFileSync(todoWasm, join(dir, 'tool.wasm'));
    await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'mine', path: join(dir, 'tool.wasm'), expose: true, config: { max_steps: 2 } }], { permissions: allow }) });
    await using client = await daemon.connect();
    const log = new DidChangeLog(client);
    assert.is((await client.callTool('plan_status')).plugin, 'mine');
    // A build that writes the new module next to the old one and renames it over.
    copyFileSync(tooltestWasm, join(dir, 'tool.wasm.tmp'));
    renameSync(join(dir, 'tool.wasm.tmp'), join(dir, 'tool.wasm'));
    const event = await log.next((e) => e.reason === 'reload');
    assert.equal(event.plugins, ['mine']);
    assert.ok(event.tools.includes('echo_args') && !event.tools.includes('plan_create'));
    assert.equal((await client.callTool('plan_status')).content, [{ type: 'text', text: 'tooltest' }]);
    assert.match(daemon.stderr, 'todo: shutdown', 'the old version was shut down');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a [[tools]] file rebuilt in place in two chunks 20 ms apart is never loaded half-way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-toolchunks-'));
  try {
    copyFileSync(todoWasm, join(dir, 'tool.wasm'));
    await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'mine', path: join(dir, 'tool.wasm'), expose: true }], { permissions: allow }) });
    await using client = await daemon.connect();
    const log = new DidChangeLog(client);
    assert.is((await client.callTool('plan_status')).plugin, 'mine');
    const bytes = readFileSync(tooltestWasm);
    // The first half alone is a truncated module: loading it would fail ("failed to load" logged).
    await writeInChunks(join(dir, 'tool.wasm'), bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1), 20);
    const event = await log.next((e) => e.reason === 'reload');
    assert.ok(event.tools.includes('echo_args'), JSON.stringify(event));
    assert.equal((await client.callTool('plan_status')).content, [{ type: 'text', text: 'tooltest' }]);
    assert.not.match(daemon.stderr, 'failed to load', 'no reload saw the half-written module');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tool call in flight when a reload removes its plugin finishes on it; new calls see the change', async () => {
  const config = (withTooltest: boolean) =>
    toolsToml(withTooltest ? [{ name: 'todo', path: todoWasm, expose: true }, { name: 'tooltest2', path: tooltestWasm }] : [{ name: 'todo', path: todoWasm, expose: true }], { permissions: allow });
  await using daemon = await DaemonProcess.start({ config: config(true) });
  await using client = await daemon.connect();
  await client.unexposeTools('todo');
  await client.exposeTools('tooltest2');
  const busy = client.callTool('busy', { ms: 1500 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  writeFileSync(daemon.configPath, config(false));
  await client.reload();
  assert.equal((await busy).content, [{ type: 'text', text: 'busy 1500' }], 'the call in flight finished on the removed plugin');
  assert.instance(await rejection(client.callTool('busy', { ms: 1 })), UnknownToolError);
  assert.equal((await client.toolsAvailable()).plugins.map((p) => p.name), ['todo']);
});

test('tools/exposeAll passes per-plugin configs to initialize; a config for an unknown plugin is refused', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm, config: { max_steps: 9 } }], { permissions: allow }) });
  await using client = await daemon.connect();
  assert.instance(await rejection(client.exposeAllTools({ nope: {} })), UnknownToolPluginError);
  assert.ok(!daemon.stderr.includes('todo: initialize'), 'nothing was exposed');
  assert.equal((await client.exposeAllTools({ todo: { max_steps: 1 } })).outcomes, [{ plugin: 'todo', exposed: true, error: null }]);
  await logged(daemon, 'todo: initialize max_steps=1');
  assert.equal((await client.exposeAllTools()).outcomes, [], 'nothing left to expose');
  await client.unexposeAllTools();
  await client.exposeAllTools();
  await logged(daemon, 'todo: initialize max_steps=9');
});

test('a tool call past timeout_ms is PluginTimeout; the plugin keeps serving', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'tooltest', path: tooltestWasm, expose: true, timeoutMs: 500 }], { permissions: allow }) });
  await using client = await daemon.connect();
  const timedOut = await rejection(client.callTool('spin'));
  assert.instance(timedOut, PluginTimeoutError);
  assert.is((timedOut as PluginTimeoutError).timeoutMs, 500);
  assert.is((await client.callTool('echo_args', { text: 'after' })).content[0]?.text, 'after');
});

test('a cancelled tool call stops the plugin at once (not at timeout_ms); the plugin keeps serving', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'tooltest', path: tooltestWasm, expose: true, timeoutMs: 60_000 }], { permissions: allow }) });
  await using client = await daemon.connect();
  const abort = new AbortController();
  const call = client.callTool('spin', {}, { signal: abort.signal }).catch((error: Error) => error);
  // A Wasm plugin's log records reach the daemon with the call's result, so nothing says the spin
  // has started: give the call time to reach the worker (sooner, the cancel skips it: no harm).
  await sleep(1000);
  abort.abort();
  assert.instance(await call, CancelledError);
  // The plugin's one worker was spinning: only a cancel that reached it frees it before 60 s.
  assert.is((await within(5000, 'the call after the cancel', client.callTool('echo_args', { text: 'after' }))).content[0]?.text, 'after');
});

test.run();
