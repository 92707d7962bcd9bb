// MCP servers as a tool source, with real servers from npm (server-everything, server-filesystem)
// and a real SDK server from test/fixtures/mcp: prefixed tools through the same expose,
// validation, permission and call path; a filesystem server refusing a path outside its grant;
// tools/list_changed; a server that dies and is restarted; .mcp.json import; reload.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidToolArgumentsError, PermissionDeniedError, ToolPluginNotExposedError, ToolSourceUnavailableError, UnknownToolError } from '../clients/errors.js';
import { parseConfig } from '../daemon/config/load.js';
import { ConfigError } from '../daemon/errors.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { freePort } from './helpers/registry.js';
import { eventually, rejection, within } from './helpers/serve.js';
import { DidChangeLog, logged, mcpBin, toolsToml, toolsSettled } from './helpers/tools.js';
import { alive } from './helpers/workerProcesses.js';

const everything = `[[mcp]]\nname = "everything"\ncommand = ${JSON.stringify(mcpBin('mcp-server-everything'))}\nexpose = true`;
const dynamicServer = fileURLToPath(new URL('./fixtures/mcp/dynamicServer.js', import.meta.url));
const dynamic = `[[mcp]]\nname = "dyn"\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(dynamicServer)}]\nexpose = true`;

test('server-everything: prefixed tools, validated arguments, permission path, MCP-shaped results, instructions', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'ask', allow: ['everything__echo', 'everything__get-sum'] }, extra: everything }) });
  await using client = await daemon.connect();
  const available = await client.toolsAvailable();
  const server = available.plugins[0]!;
  assert.equal([server.name, server.kind, server.state, server.exposed], ['everything', 'mcp', 'ready', true]);
  assert.type(server.pid, 'number');
  assert.ok(server.tools.includes('everything__echo') && server.tools.includes('everything__get-sum'));
  const { tools } = await client.listTools();
  const echo = tools.find((t) => t.name === 'everything__echo')!;
  assert.equal([echo.plugin, echo.autoApproved, echo.inputSchema.type], ['everything', false, 'object']);

  const echoed = await client.callTool('everything__echo', { message: 'hello' });
  assert.equal(echoed.content, [{ type: 'text', text: 'Echo: hello' }]);
  assert.equal([echoed.isError, echoed.plugin, echoed.permission], [false, 'everything', { allowed: true, source: 'allowList', pattern: 'everything__echo' }]);
  assert.match(JSON.stringify((await client.callTool('everything__get-sum', { a: 2, b: 3 })).content), '5');

  const invalid = await rejection(client.callTool('everything__get-sum', { a: 'two', b: 3 }));
  assert.instance(invalid, InvalidToolArgumentsError);
  assert.is((invalid as InvalidToolArgumentsError).path, 'arguments.a');
  const asked = await rejection(client.callTool('everything__get-tiny-image'));
  assert.instance(asked, PermissionDeniedError, 'not on the allow list: asked, and this client has no handler');
  assert.is((asked as PermissionDeniedError).reason, 'noHandler');
  client.onPermissionRequest(() => ({ decision: 'allow' }));
  const image = await client.callTool('everything__get-tiny-image');
  assert.ok(image.content.some((b) => b.type === 'image' && typeof b.data === 'string' && b.mimeType === 'image/png'), 'non-text content passes through');
  assert.instance(await rejection(client.callTool('echo', { message: 'x' })), UnknownToolError, 'MCP tools exist only under their prefix');

  assert.ok((await client.systemInstructions()).plugins.includes('everything'));
  await client.unexposeTools('everything');
  assert.instance(await rejection(client.callTool('everything__echo', { message: 'x' })), ToolPluginNotExposedError);
});

test('server-filesystem: reads inside its granted directory; a path outside is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-mcpfs-'));
  try {
    mkdirSync(join(dir, 'granted'));
    writeFileSync(join(dir, 'granted', 'note.txt'), 'inside\n');
    writeFileSync(join(dir, 'secret.txt'), 'outside\n');
    const fs = `[[mcp]]\nname = "fs"\ncommand = ${JSON.stringify(mcpBin('mcp-server-filesystem'))}\nargs = [${JSON.stringify(join(dir, 'granted'))}]\nexpose = true`;
    await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' }, extra: fs }) });
    await using client = await daemon.connect();
    const inside = await client.callTool('fs__read_text_file', { path: join(dir, 'granted', 'note.txt') });
    assert.equal([inside.isError, inside.content], [false, [{ type: 'text', text: 'inside\n' }]]);
    const outside = await client.callTool('fs__read_text_file', { path: join(dir, 'secret.txt') });
    assert.is(outside.isError, true);
    assert.match(JSON.stringify(outside.content), 'Access denied');
    assert.not.match(JSON.stringify(outside.content), 'outside\\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an MCP server that dies is restarted: tools/didChange, a new process, calls work again', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' }, extra: everything }) });
  await using client = await daemon.connect();
  const log = new DidChangeLog(client);
  const before = (await client.toolsAvailable()).plugins[0]!;
  assert.is(before.state, 'ready');
  process.kill(before.pid!, 'SIGKILL');
  await eventually('the killed server is gone', () => !alive(before.pid!));
  const down = await log.next((e) => e.reason === 'restart');
  assert.equal(down.plugins, ['everything']);
  await eventually('the server is back', async () => {
    const info = (await client.toolsAvailable()).plugins[0]!;
    return info.state === 'ready' && info.pid !== null && info.pid !== before.pid;
  }, 15_000);
  const after = (await client.toolsAvailable()).plugins[0]!;
  assert.ok(alive(after.pid!));
  assert.is(after.exposed, true, 'still exposed after the restart');
  assert.equal((await client.callTool('everything__echo', { message: 'back' })).content, [{ type: 'text', text: 'Echo: back' }]);
  assert.ok(log.events.filter((e) => e.reason === 'restart').length >= 2, 'announced going down and coming back');
  assert.match(daemon.stderr, 'mcp:everything: the server went away; restarting it');
  await client.close();
  await daemon.stop();
  await eventually('the daemon stopped its MCP server on exit', () => !alive(after.pid!));
});

test('tools/list_changed from the server updates tools/list and is announced with tools/didChange', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' }, extra: dynamic }) });
  await using client = await daemon.connect();
  const log = new DidChangeLog(client);
  assert.equal((await client.listTools()).tools.map((t) => t.name), ['dyn__add_tool', 'dyn__remove_tool', 'dyn__slow']);
  assert.equal(await client.systemInstructions(), { text: 'The dynamic test server.', plugins: ['dyn'] });
  await client.callTool('dyn__add_tool', { name: 'extra' });
  const added = await log.next((e) => e.reason === 'listChanged' && e.tools.includes('dyn__extra'));
  assert.equal(added.plugins, ['dyn']);
  assert.equal((await client.callTool('dyn__extra')).content, [{ type: 'text', text: 'extra ran' }]);
  await client.callTool('dyn__remove_tool', { name: 'extra' });
  await log.next((e) => e.reason === 'listChanged' && !e.tools.includes('dyn__extra'));
  assert.instance(await rejection(client.callTool('dyn__extra')), UnknownToolError);
});

test('a long MCP call is cancelled by $/cancelRequest and the server sees the cancel; timeout_ms limits it', async () => {
  const limited = `[[mcp]]\nname = "dynt"\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(dynamicServer)}]\nexpose = true\ntimeout_ms = 1500`;
  await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' }, extra: `${dynamic}\n\n${limited}` }) });
  await using client = await daemon.connect();
  const abort = new AbortController();
  const call = client.callTool('dyn__slow', { ms: 60_000 }, { signal: abort.signal });
  const at = await logged(daemon, 'mcp:dyn: slow 60000: started');
  abort.abort();
  assert.is((await rejection(call)).name, 'CancelledError');
  // No timeout_ms on "dyn" (60 s by default): only the cancel reaching the server ends it this soon.
  await logged(daemon, 'mcp:dyn: slow 60000: cancelled', at, 5000);
  assert.equal((await within(5000, 'the next call', client.callTool('dyn__slow', { ms: 10 }))).content, [{ type: 'text', text: 'slept 10' }]);
  // timeout_ms bounds its start-up too: on a busy machine it may need another attempt.
  await eventually('"dynt" is connected', async () => (await client.toolsAvailable()).plugins.find((p) => p.name === 'dynt')?.state === 'ready', 15_000);
  const timedOut = await rejection(client.callTool('dynt__slow', { ms: 10_000 }));
  assert.is(timedOut.name, 'PluginTimeoutError', `${timedOut.name}: ${timedOut.message}`);
  assert.equal((await client.callTool('dynt__slow', { ms: 10 })).content, [{ type: 'text', text: 'slept 10' }]);
});

test('daemon/shutdown lets an MCP call in flight finish, and counts it', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' }, extra: dynamic }) });
  await using client = await daemon.connect();
  await using other = await daemon.connect();
  const call = client.callTool('dyn__slow', { ms: 1500 }).catch((error: Error) => error);
  await logged(daemon, 'mcp:dyn: slow 1500: started');
  const drained = await other.shutdown({ drainTimeoutMs: 20_000 });
  const answer = await call;
  assert.ok(!(answer instanceof Error), `the call in flight answered normally, not with ${answer instanceof Error ? `${answer.name}: ${answer.message}` : ''}`);
  assert.equal(answer.content, [{ type: 'text', text: 'slept 1500' }]);
  assert.equal(drained, { drained: 1 });
});

test('an MCP tool whose inputSchema cannot be compiled is left out, naming the server and the tool; the others serve', async () => {
  const badSchemaServer = fileURLToPath(new URL('./fixtures/mcp/badSchemaServer.js', import.meta.url));
  const bad = `[[mcp]]\nname = "bad"\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(badSchemaServer)}]\nexpose = true`;
  await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' }, extra: bad }) });
  await using client = await daemon.connect();
  assert.equal((await client.toolsAvailable()).plugins.map((p) => [p.name, p.state, p.exposed, p.tools]), [['bad', 'ready', true, ['bad__ok']]]);
  assert.equal((await client.listTools()).tools.map((t) => t.name), ['bad__ok']);
  assert.match(daemon.stderr, 'mcp:bad: tool "draft2019" is left out: its inputSchema is not a JSON Schema plugd can check arguments with');
  assert.match(daemon.stderr, 'mcp:bad: tool "dangling" is left out');
  assert.instance(await rejection(client.callTool('bad__draft2019')), UnknownToolError);
  assert.equal((await client.callTool('bad__ok', { n: 1 })).content, [{ type: 'text', text: 'ok ran' }]);
  assert.instance(await rejection(client.callTool('bad__ok', { n: 'one' })), InvalidToolArgumentsError);
});

test('mcp_json imports .mcp.json servers (not exposed); reload adds and removes [[mcp]] servers and stops removed ones', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' } }) });
  writeFileSync(join(daemon.dir, 'servers.json'), JSON.stringify({ mcpServers: { imported: { command: mcpBin('mcp-server-everything'), args: [] } } }));
  await using client = await daemon.connect();
  const log = new DidChangeLog(client);
  writeFileSync(daemon.configPath, `mcp_json = "servers.json"\n\n${toolsToml([], { permissions: { default: 'allow' }, extra: dynamic })}`);
  const summary = await client.reload();
  assert.is(summary.configError, null);
  await toolsSettled(client);
  const available = await client.toolsAvailable();
  assert.equal(available.plugins.map((p) => [p.name, p.exposed, p.state]), [['dyn', true, 'ready'], ['imported', false, 'ready']]);
  const added = await log.next((e) => e.reason === 'reload');
  assert.equal(added.plugins, ['dyn', 'imported']);
  assert.ok(added.tools.includes('dyn__slow'));
  await client.exposeTools('imported');
  assert.equal((await client.callTool('imported__echo', { message: 'i' })).content, [{ type: 'text', text: 'Echo: i' }]);

  const pids = available.plugins.map((p) => p.pid!);
  writeFileSync(daemon.configPath, toolsToml([], { permissions: { default: 'allow' } }));
  await client.reload();
  assert.equal((await client.toolsAvailable()).plugins, []);
  assert.equal((await client.listTools()).tools, []);
  await eventually('removed servers were stopped', () => pids.every((pid) => !alive(pid)));
});

test('a url server over streamable HTTP (server-everything in streamableHttp mode)', async () => {
  const port = await freePort();
  const server = spawn(mcpBin('mcp-server-everything'), ['streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let serverLog = '';
  server.stderr.on('data', (d: Buffer) => (serverLog += d.toString()));
  try {
    await eventually('the HTTP server listens', () => serverLog.includes(`listening on port ${port}`), 15_000);
    const http = `[[mcp]]\nname = "web"\nurl = "http://127.0.0.1:${port}/mcp"\nexpose = true`;
    await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' }, extra: http }) });
    await using client = await daemon.connect();
    const info = (await client.toolsAvailable()).plugins[0]!;
    assert.equal([info.name, info.kind, info.state, info.exposed, info.source, info.pid], ['web', 'mcp', 'ready', true, `http://127.0.0.1:${port}/mcp`, null]);
    assert.equal((await client.callTool('web__echo', { message: 'over http' })).content, [{ type: 'text', text: 'Echo: over http' }]);
  } finally {
    server.kill('SIGTERM');
  }
});

test('while a dead server cannot come back, its tools fail with ToolSourceUnavailable; once it can, it is back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-mcp-refuse-'));
  const refuse = join(dir, 'refuse');
  try {
    const config = `[[mcp]]\nname = "dyn"\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(dynamicServer)}]\nexpose = true\n[mcp.env]\nDYN_REFUSE_FILE = ${JSON.stringify(refuse)}`;
    await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' }, extra: config }) });
    await using client = await daemon.connect();
    const before = (await client.toolsAvailable()).plugins[0]!;
    writeFileSync(refuse, '');
    process.kill(before.pid!, 'SIGKILL');
    await eventually('the server is down', async () => (await client.toolsAvailable()).plugins[0]!.state === 'restarting');
    const down = await rejection(client.callTool('dyn__slow', { ms: 1 }));
    assert.instance(down, ToolSourceUnavailableError);
    assert.match(down.message, 'MCP server "dyn"');
    assert.match((down as ToolSourceUnavailableError).reason ?? '', 'MCP server "dyn"');
    assert.equal((await client.listTools()).tools.map((t) => t.name), ['dyn__add_tool', 'dyn__remove_tool', 'dyn__slow'], 'its tools stay listed while it is down');
    rmSync(refuse);
    await eventually('the server is back', async () => (await client.toolsAvailable()).plugins[0]!.state === 'ready', 15_000);
    assert.equal((await client.callTool('dyn__slow', { ms: 1 })).content, [{ type: 'text', text: 'slept 1' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a server that cannot start is reported as restarting with the reason, and logged; the others serve', async () => {
  const broken = `[[mcp]]\nname = "ghost"\ncommand = "/nonexistent/mcp-server"\nexpose = true`;
  await using daemon = await DaemonProcess.start({ config: toolsToml([], { permissions: { default: 'allow' }, extra: `${broken}\n\n${dynamic}` }) });
  await using client = await daemon.connect();
  const [ghost, dyn] = (await client.toolsAvailable()).plugins;
  assert.equal([ghost!.name, ghost!.state, ghost!.exposed, ghost!.tools, ghost!.error?.code], ['ghost', 'restarting', true, [], 'TOOL_SOURCE_UNAVAILABLE']);
  assert.match(ghost!.error!.message, 'cannot connect to MCP server "ghost" (/nonexistent/mcp-server)');
  assert.is(dyn!.state, 'ready');
  assert.equal((await client.callTool('dyn__slow', { ms: 1 })).content, [{ type: 'text', text: 'slept 1' }]);
  await eventually('the reason is logged', () => daemon.stderr.includes('mcp:ghost: cannot connect to MCP server "ghost"'));
});

test('[[mcp]] config errors name the file, the entry and what was expected', () => {
  const fail = (text: string, message: string) =>
    assert.throws(() => parseConfig(text, '/etc/plugd/plugins.toml'), (e: unknown) => e instanceof ConfigError && e.message === message, message);
  fail('[[mcp]]\nname = "x"\n', '/etc/plugd/plugins.toml:1: [[mcp]] #1 ("x"): expected exactly one of "command" (a server started on stdio) or "url" (streamable HTTP)');
  fail('[[mcp]]\nname = "x"\ncommand = "a"\nurl = "http://localhost:1/mcp"\n', '/etc/plugd/plugins.toml:1: [[mcp]] #1 ("x"): expected exactly one of "command" (a server started on stdio) or "url" (streamable HTTP)');
  fail('[[mcp]]\nname = "x"\nurl = "ftp://h/"\n', '/etc/plugd/plugins.toml:3: [[mcp]] #1 ("x"): url: expected an http:// or https:// URL');
  fail('[[mcp]]\nname = "x"\ncommand = "a"\nport = 3\n', '/etc/plugd/plugins.toml:4: [[mcp]] #1 ("x"): unknown key "port" (expected one of: name, command, args, env, cwd, url, expose, timeout_ms)');
  fail('[[tools]]\nname = "x"\npath = "a.wasm"\n\n[[mcp]]\nname = "x"\ncommand = "a"\n', '/etc/plugd/plugins.toml:6: duplicate tool plugin name "x" in [[mcp]] #1 (already used by [[tools]] #1); names must be unique across [[tools]] and [[mcp]]');
  fail('[permissions]\ndefault = "maybe"\n', '/etc/plugd/plugins.toml: "permissions.default": Invalid option: expected one of "allow"|"deny"|"ask"');
  const ok = parseConfig('[[mcp]]\nname = "web"\nurl = "https://example.com/mcp"\n', '/etc/plugd/plugins.toml');
  assert.equal(ok.mcp, [{ name: 'web', transport: { type: 'http', url: 'https://example.com/mcp' }, expose: false, timeoutMs: 60_000 }]);
  assert.equal(ok.permissions, { default: 'ask', allow: [], deny: [], allowCalls: [], denyCalls: [], askTimeoutMs: 60_000 });
});

test.run();
