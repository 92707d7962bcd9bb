// The files sample plugin (WASI) reads only under the directories its `allowed_paths` grants;
// grants are per plugin (WASI preopens); tool plugins found in plugins_dir are available
// without an entry and follow the directory's changes.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { samplePlugin } from './helpers/paths.js';
import { eventually } from './helpers/serve.js';
import { todoWasm, toolsToml, tooltestWasm } from './helpers/tools.js';

const filesWasm = samplePlugin('files');

/** A temp tree: granted/{note.txt, sub/inner.txt, escape -> ../secret.txt}, other/other.txt, secret.txt. */
function tree(): { root: string; granted: string; other: string; [Symbol.dispose](): void } {
  const root = mkdtempSync(join(tmpdir(), 'plugd-files-'));
  const granted = join(root, 'granted');
  const other = join(root, 'other');
  mkdirSync(join(granted, 'sub'), { recursive: true });
  mkdirSync(other);
  writeFileSync(join(granted, 'note.txt'), 'granted text\n');
  writeFileSync(join(granted, 'sub', 'inner.txt'), 'inner\n');
  writeFileSync(join(other, 'other.txt'), 'other text\n');
  writeFileSync(join(root, 'secret.txt'), 'secret\n');
  symlinkSync(join(root, 'secret.txt'), join(granted, 'escape'));
  return { root, granted, other, [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }) };
}

const text = (r: { content: Array<{ type: string; text?: unknown }> }) => r.content.map((b) => b.text).join('');

test('files reads and lists inside its grant and refuses everything outside it', async () => {
  using dir = tree();
  await using daemon = await DaemonProcess.start({
    config: toolsToml([{ name: 'files', path: filesWasm, expose: true, config: { allowed_paths: [dir.granted] } }], { permissions: { default: 'allow' } }),
  });
  await using client = await daemon.connect();
  const allowed = await client.callTool('list_allowed_paths');
  assert.equal([allowed.structuredContent, allowed.permission.source], [{ paths: [dir.granted] }, 'autoApproved']);
  const listing = await client.callTool('list_directory', { path: dir.granted });
  assert.equal([listing.isError, text(listing)], [false, 'escape\nnote.txt\nsub/']);
  assert.equal(await client.callTool('read_file', { path: join(dir.granted, 'note.txt') }).then((r) => [r.isError, text(r)]), [false, 'granted text\n']);
  assert.equal(await client.callTool('read_file', { path: join(dir.granted, 'sub', 'inner.txt') }).then((r) => [r.isError, text(r)]), [false, 'inner\n']);

  const refused: Array<[string, string, string]> = [
    ['read_file', join(dir.root, 'secret.txt'), `access denied: ${join(dir.root, 'secret.txt')} is outside the granted directories (${dir.granted})`],
    ['read_file', join(dir.other, 'other.txt'), 'is outside the granted directories'],
    ['list_directory', '/etc', 'access denied: /etc is outside the granted directories'],
    ['read_file', `${dir.granted}/../secret.txt`, 'must not contain "." or ".." segments'],
    // Another spelling of a granted file: refused, so a deny_calls glob over paths cannot be walked around.
    ['read_file', `/${dir.granted}/note.txt`, 'must not contain empty segments ("//")'],
    ['read_file', `${dir.granted}//note.txt`, 'must not contain empty segments ("//")'],
    ['read_file', join(dir.granted, 'escape'), 'is a symbolic link (links are not followed)'],
    ['read_file', 'note.txt', 'path must be absolute'],
    ['read_file', join(dir.granted, 'missing.txt'), 'no such file or directory'],
    ['read_file', join(dir.granted, 'sub'), 'is a directory'],
    ['list_directory', join(dir.granted, 'note.txt'), 'not a directory'],
  ];
  for (const [tool, path, message] of refused) {
    const result = await client.callTool(tool, { path });
    assert.is(result.isError, true, `${tool} ${path}`);
    assert.match(text(result), message, `${tool} ${path}`);
    assert.not.match(text(result), 'secret\n');
  }
});

test('grants are per plugin: WASI preopens only that plugin\'s directories, and refuses ".." and absolute escapes itself', async () => {
  using dir = tree();
  await using daemon = await DaemonProcess.start({
    config: toolsToml(
      [
        { name: 'files', path: filesWasm, expose: true, config: { allowed_paths: [dir.other] } },
        { name: 'tooltest', path: tooltestWasm, expose: true, config: { allowed_paths: [dir.granted] } },
        { name: 'files2', path: filesWasm },
      ],
      { permissions: { default: 'allow' } },
    ),
  });
  await using client = await daemon.connect();
  assert.equal((await client.callTool('list_allowed_paths')).structuredContent, { paths: [dir.other] });
  assert.match(text(await client.callTool('read_file', { path: join(dir.granted, 'note.txt') })), 'outside the granted directories');
  // tooltest reads through its own preopen without any check of its own: WASI still confines it.
  assert.is(text(await client.callTool('raw_read', { relative: 'note.txt' })), 'granted text\n');
  for (const relative of ['../secret.txt', 'sub/../../secret.txt', join(dir.root, 'secret.txt'), '../other/other.txt']) {
    const result = await client.callTool('raw_read', { relative });
    assert.equal([result.isError, text(result)], [true, 'outside the granted directories'], relative);
  }
  // A plugin without allowed_paths has no directory at all.
  await client.unexposeTools('files');
  await client.exposeTools('files2');
  assert.equal((await client.callTool('list_allowed_paths')).structuredContent, { paths: [] });
  assert.match(text(await client.callTool('read_file', { path: join(dir.other, 'other.txt') })), "none: set allowed_paths in the plugin's [tools.config]");
});

test('plugins_dir: *.wasm files are available without an entry, follow the directory, and a config entry shadows one', async () => {
  const pluginsDir = mkdtempSync(join(tmpdir(), 'plugd-pluginsdir-'));
  try {
    copyFileSync(todoWasm, join(pluginsDir, 'planner.wasm'));
    writeFileSync(join(pluginsDir, 'notes.txt'), 'not a plugin');
    const config = (entries: string) => `plugins_dir = ${JSON.stringify(pluginsDir)}\n\n${entries}${toolsToml([], { permissions: { default: 'allow' } })}`;
    await using daemon = await DaemonProcess.start({ config: config('') });
    await using client = await daemon.connect();
    let available = await client.toolsAvailable();
    assert.equal(available.plugins.map((p) => [p.name, p.origin, p.source, p.state, p.exposed]), [['planner', 'plugins_dir', join(pluginsDir, 'planner.wasm'), 'ready', false]]);
    await client.exposeTools('planner');
    assert.is((await client.callTool('plan_status')).plugin, 'planner');

    // The daemon watches the directory: a new file appears, a removed one goes (and its tools with it).
    copyFileSync(tooltestWasm, join(pluginsDir, 'extra.wasm'));
    await eventually('extra.wasm discovered', async () => (await client.toolsAvailable()).plugins.some((p) => p.name === 'extra' && p.state === 'ready'), 10_000);
    unlinkSync(join(pluginsDir, 'planner.wasm'));
    await eventually('planner.wasm gone', async () => !(await client.toolsAvailable()).plugins.some((p) => p.name === 'planner'), 10_000);
    assert.equal((await client.listTools()).tools, []);

    // A [[tools]] entry with the same name wins over the file.
    copyFileSync(todoWasm, join(pluginsDir, 'planner.wasm'));
    writeFileSync(daemon.configPath, config(`[[tools]]\nname = "extra"\npath = ${JSON.stringify(todoWasm)}\n\n`));
    await client.reload();
    available = await client.toolsAvailable();
    assert.equal(available.plugins.map((p) => [p.name, p.origin]), [['extra', 'config'], ['planner', 'plugins_dir']]);
  } finally {
    rmSync(pluginsDir, { recursive: true, force: true });
  }
});

test.run();
