// plugins.toml's tool sections: [[tools]], plugins_dir, allowed_paths, and their errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../daemon/config/load.js';
import { defaultPluginsDir, importMcpJson } from '../daemon/config/toolSections.js';
import { ConfigError } from '../daemon/errors.js';

const at = '/etc/plugd/plugins.toml';

test('[[tools]] entries get defaults, resolved paths and allowed_paths; plugins_dir resolves like paths', () => {
  const config = parseConfig(
    'plugins_dir = "~/plugd-tools"\n\n[[tools]]\nname = "todo"\npath = "todo.wasm"\nexpose = true\n[tools.config]\nmax_steps = 4\n\n[[tools]]\nname = "files"\npath = "/opt/files.wasm"\ntimeout_ms = 500\n[tools.config]\nallowed_paths = ["notes", "/srv/data", "~/docs"]\n',
    at,
  );
  assert.equal(config.tools, [
    { name: 'todo', path: 'todo.wasm', resolvedPath: '/etc/plugd/todo.wasm', sha256: null, config: { max_steps: 4 }, threads: 1, timeoutMs: 120_000, startTimeoutMs: 10_000, isolation: 'process', allowedHosts: [], expose: true, foundIn: 'config' },
    {
      name: 'files',
      path: '/opt/files.wasm',
      resolvedPath: '/opt/files.wasm',
      sha256: null,
      config: { allowed_paths: ['notes', '/srv/data', '~/docs'] },
      threads: 1,
      timeoutMs: 500,
      startTimeoutMs: 10_000,
      isolation: 'process',
      allowedHosts: [],
      allowedPaths: ['/etc/plugd/notes', '/srv/data', join(homedir(), 'docs')],
      expose: false,
      foundIn: 'config',
    },
  ]);
  assert.is(config.pluginsDir, join(homedir(), 'plugd-tools'));
  // A native tool plugin takes `isolation` as a provider does (it applies to native libraries only).
  assert.is(parseConfig('[[tools]]\nname = "n"\npath = "n.so"\nisolation = "thread"\n', at).tools?.[0]?.isolation, 'thread');
  assert.equal(config.providers, []);
  assert.is(defaultPluginsDir({ XDG_DATA_HOME: '/data' }), '/data/plugd/plugins');
  assert.is(defaultPluginsDir({}), join(homedir(), '.local', 'share', 'plugd', 'plugins'));
  assert.is(parseConfig('', at).pluginsDir, defaultPluginsDir());
});

test('tool section errors name the file, line, entry and key', () => {
  const fail = (text: string, message: string) =>
    assert.throws(() => parseConfig(text, at), (e: unknown) => e instanceof ConfigError && e.message === message, message);
  fail('[[tools]]\nname = "t"\npath = "t.wasm"\nexpsoe = true\n', `${at}:4: [[tools]] #1 ("t"): unknown key "expsoe" (expected one of: name, path, config, threads, timeout_ms, start_timeout_ms, isolation, allowed_hosts, expose)`);
  fail('[[tools]]\nname = "t"\npath = "t.wasm"\nexpose = "yes"\n', `${at}:4: [[tools]] #1 ("t"): expose: expected a boolean, found a string "yes"`);
  fail('[[tools]]\nname = "t"\npath = "t.wasm"\n[tools.config]\nallowed_paths = "/tmp"\n', `${at}:5: [[tools]] #1 ("t"): config.allowed_paths: expected an array of directory paths`);
  fail('[[tools]]\nname = "t"\npath = "a.wasm"\n\n[[tools]]\nname = "t"\npath = "b.wasm"\n', `${at}:6: duplicate tool plugin name "t" in [[tools]] #2 (already used by [[tools]] #1); names must be unique across [[tools]] and [[mcp]]`);
  fail('toolz = 1\n', `${at}: unknown top-level key "toolz" (expected [[providers]], [[tools]], [[mcp]], [registries."HOST"], [permissions], plugins_dir or mcp_json)`);
  fail('[[tools]]\nname = "t"\npath = "t.so"\nisolation = "fork"\n', `${at}:4: [[tools]] #1 ("t"): isolation: expected "process" or "thread"`);
  fail('[[tools]]\nname = "t"\npath = "oci://127.0.0.1:5000/tools/t:1"\n', `${at}:3: [[tools]] #1 ("t"): path: tool plugins load from local files in this version (https:// and oci:// sources are for [[providers]]; \`plugd pull\` one and point path at the file)`);
  fail('[permissions]\nask_timeout_ms = 0\n', `${at}: "permissions.ask_timeout_ms": Too small: expected number to be >=1`);
});

test('an mcp_json server needs a command or an http(s) URL; the error names the file and the server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-mcpjson-'));
  try {
    const file = join(dir, 'servers.json');
    const check = (servers: unknown, message: string) => {
      writeFileSync(file, JSON.stringify({ mcpServers: servers }));
      assert.throws(() => importMcpJson(file), (e: unknown) => e instanceof ConfigError && e.message === message, message);
    };
    check({ web: { url: 'not a url' } }, `${file}: mcpServers.web.url: expected an http:// or https:// URL`);
    check({ web: { url: 'ftp://example.com/mcp' } }, `${file}: mcpServers.web.url: expected an http:// or https:// URL`);
    check({ web: { url: 42 } }, `${file}: mcpServers.web.url: expected an http:// or https:// URL`);
    writeFileSync(file, JSON.stringify({ mcpServers: { web: { url: 'http://127.0.0.1:9/mcp' } } }));
    assert.equal(importMcpJson(file).map((e) => e.transport), [{ type: 'http', url: 'http://127.0.0.1:9/mcp' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
