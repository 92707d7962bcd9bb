// plugins.toml: bad files stop `plugd serve` with one precise line; the search order for the file;
// broken plugins beside a working one.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PlugdClient } from '../clients/client.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { fixturePlugin, samplePlugin } from './helpers/paths.js';
import { cleanEnv, serveToExit, spawnServe, waitForSocket, waitSettled } from './helpers/serve.js';

const echoPath = samplePlugin('echo');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'plugd-config-test-'));
}

/** Runs `plugd serve` on `text` as the config; returns the exit code and stderr. */
async function serveConfig(text: string): Promise<{ code: number | string; stderr: string; path: string }> {
  const dir = tempDir();
  try {
    const path = join(dir, 'plugins.toml');
    writeFileSync(path, text);
    const { code, stderr } = await serveToExit(['--config', path, '--socket', join(dir, 'plugd.sock')]);
    return { code, stderr, path };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The single line of stderr; fails when there is more than one. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.is(lines.length, 1, `exactly one stderr line, got:\n${stderr}`);
  return lines[0]!;
}

// ---------------------------------------------------------------------------------------------

const bad = suite('bad config files');

bad('a TOML syntax error names the file, line and column', async () => {
  const { code, stderr, path } = await serveConfig(`[[providers]]\nname = "echo"\nthreads = \npath = "${echoPath}"\n`);
  assert.is(code, 1);
  const line = oneLine(stderr);
  assert.match(line, `${path}:3:`);
  assert.match(line, /syntax/i);
});

bad('an unknown key names the file, its line and the key, and lists the valid keys', async () => {
  const { code, stderr, path } = await serveConfig(`[[providers]]\nname = "echo"\nthread = 2\npath = "${echoPath}"\n`);
  assert.is(code, 1);
  const line = oneLine(stderr);
  assert.match(line, `${path}:3:`);
  assert.match(line, '"thread"');
  assert.match(line, 'threads');
});

bad('a mistyped value names the file, line, key, expected type and the value found', async () => {
  const { code, stderr, path } = await serveConfig(`[[providers]]\nname = "echo"\nthreads = "2"\npath = "${echoPath}"\n`);
  assert.is(code, 1);
  const line = oneLine(stderr);
  assert.match(line, `${path}:3:`);
  assert.match(line, 'threads');
  assert.match(line, 'number');
  assert.match(line, '"2"');
});

bad('an out-of-range value in a later entry names that entry\'s line and key', async () => {
  const { code, stderr, path } = await serveConfig(
    `[[providers]]\nname = "one"\npath = "${echoPath}"\n\n[[providers]]\nname = "two"\npath = "${echoPath}"\ntimeout_ms = 0\n`,
  );
  assert.is(code, 1);
  const line = oneLine(stderr);
  assert.match(line, `${path}:8:`);
  assert.match(line, 'timeout_ms');
  assert.match(line, '"two"');
});

bad('duplicate provider names: the second one\'s line is named', async () => {
  const { code, stderr, path } = await serveConfig(
    `[[providers]]\nname = "echo"\npath = "${echoPath}"\n\n[[providers]]\nname = "echo"\npath = "${echoPath}"\n`,
  );
  assert.is(code, 1);
  const line = oneLine(stderr);
  assert.match(line, `${path}:6:`);
  assert.match(line, /duplicate/);
  assert.match(line, '"echo"');
});

bad('a missing path names the entry\'s line and the key', async () => {
  const { code, stderr, path } = await serveConfig(`# plugins\n[[providers]]\nname = "echo"\nthreads = 1\n`);
  assert.is(code, 1);
  const line = oneLine(stderr);
  assert.match(line, `${path}:2:`);
  assert.match(line, 'path');
  assert.match(line, /missing/);
});

bad('a bad [providers.config].allowed_hosts names its line', async () => {
  const { code, stderr, path } = await serveConfig(
    `[[providers]]\nname = "echo"\npath = "${echoPath}"\n\n[providers.config]\nprefix = ""\nallowed_hosts = "api.example.com"\n`,
  );
  assert.is(code, 1);
  const line = oneLine(stderr);
  assert.match(line, `${path}:7:`);
  assert.match(line, 'allowed_hosts');
});

bad('a host pattern that is not a host name is rejected', async () => {
  const { code, stderr, path } = await serveConfig(`[[providers]]\nname = "echo"\npath = "${echoPath}"\nallowed_hosts = ["https://api.example.com/"]\n`);
  assert.is(code, 1);
  const line = oneLine(stderr);
  assert.match(line, `${path}:4:`);
  assert.match(line, 'allowed_hosts');
});

bad('--config naming a missing file fails, naming the file', async () => {
  const { code, stderr } = await serveToExit(['--config', '/nonexistent/plugd/plugins.toml', '--socket', join(tmpdir(), 'plugd-never.sock')]);
  assert.is(code, 1);
  const line = oneLine(stderr);
  assert.match(line, '/nonexistent/plugd/plugins.toml');
  assert.match(line, '--config');
});

bad('$PLUGD_CONFIG naming a missing file fails, even when ./plugins.toml exists', async () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'plugins.toml'), '# empty\n');
    const { code, stderr } = await serveToExit(['--socket', join(dir, 's.sock')], {
      cwd: dir,
      env: cleanEnv({ HOME: dir, PLUGD_CONFIG: join(dir, 'missing.toml') }),
    });
    assert.is(code, 1);
    const line = oneLine(stderr);
    assert.match(line, join(dir, 'missing.toml'));
    assert.match(line, 'PLUGD_CONFIG');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

bad('no config anywhere: the message lists where it looked', async () => {
  const dir = tempDir();
  try {
    const { code, stderr } = await serveToExit(['--socket', join(dir, 's.sock')], {
      cwd: dir,
      env: cleanEnv({ HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg') }),
    });
    assert.is(code, 1);
    const line = oneLine(stderr);
    assert.match(line, join(dir, 'plugins.toml'));
    assert.match(line, join(dir, 'xdg', 'plugd', 'plugins.toml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

bad.run();

// ---------------------------------------------------------------------------------------------

const order = suite('config search order');

/** Starts `plugd serve` with no `--config` unless given; returns the daemon's configPath. */
async function loadedConfig(options: { cwd: string; env: NodeJS.ProcessEnv; config?: string; socket: string }): Promise<string> {
  const args = [...(options.config ? ['--config', options.config] : []), '--socket', options.socket];
  const run = spawnServe(args, { cwd: options.cwd, env: options.env });
  try {
    await waitForSocket(options.socket, run);
    const client = await PlugdClient.connect({ socketPath: options.socket });
    try {
      return (await client.status()).configPath;
    } finally {
      await client.close();
    }
  } finally {
    await run.stop();
  }
}

order('--config, then $PLUGD_CONFIG, then ./plugins.toml, then $XDG_CONFIG_HOME/plugd/plugins.toml', async () => {
  const dir = tempDir();
  try {
    const cwd = join(dir, 'work');
    const xdg = join(dir, 'xdg');
    mkdirSync(join(cwd, 'sub'), { recursive: true });
    mkdirSync(join(xdg, 'plugd'), { recursive: true });
    const files = {
      flag: join(cwd, 'sub', 'flag.toml'),
      env: join(dir, 'env.toml'),
      cwd: join(cwd, 'plugins.toml'),
      xdg: join(xdg, 'plugd', 'plugins.toml'),
    };
    for (const [name, path] of Object.entries(files)) writeFileSync(path, `# ${name}: no providers\n`);
    const socket = join(dir, 'plugd.sock');
    const env = cleanEnv({ HOME: dir, XDG_CONFIG_HOME: xdg, PLUGD_CONFIG: files.env });

    // A relative --config is resolved against the working directory.
    assert.is(await loadedConfig({ cwd, env, config: 'sub/flag.toml', socket }), files.flag, '--config wins');
    assert.is(await loadedConfig({ cwd, env, socket }), files.env, '$PLUGD_CONFIG next');
    const noEnv = cleanEnv({ HOME: dir, XDG_CONFIG_HOME: xdg });
    assert.is(await loadedConfig({ cwd, env: noEnv, socket }), files.cwd, './plugins.toml next');
    assert.is(await loadedConfig({ cwd: dir, env: noEnv, socket }), files.xdg, '$XDG_CONFIG_HOME/plugd/plugins.toml last');
    // XDG_CONFIG_HOME unset: ~/.config/plugd/plugins.toml.
    const home = join(dir, 'home');
    mkdirSync(join(home, '.config', 'plugd'), { recursive: true });
    writeFileSync(join(home, '.config', 'plugd', 'plugins.toml'), '# home\n');
    assert.is(await loadedConfig({ cwd: dir, env: cleanEnv({ HOME: home }), socket }), join(home, '.config', 'plugd', 'plugins.toml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

order.run();

// ---------------------------------------------------------------------------------------------

const broken = suite('broken plugins beside a working one');

broken('each broken plugin is failed with a reason naming its file, while echo is ready and answers', async () => {
  const dir = tempDir();
  try {
    // Relative paths are resolved against the config file's directory, not the daemon's cwd.
    copyFileSync(echoPath, join(dir, 'echo.wasm'));
    writeFileSync(join(dir, 'README.txt'), 'a text file, not a plugin\n');
    writeFileSync(join(dir, 'native.so'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(60)]));
    const cases = [
      { name: 'missing', path: join(dir, 'plugins', 'missing.wasm'), type: null, reason: /not found/ },
      { name: 'notwasm', path: fixturePlugin('notwasm'), type: null, reason: /not a WebAssembly module/ },
      { name: 'text', path: join(dir, 'README.txt'), type: null, reason: /not a WebAssembly module/ },
      { name: 'native', path: join(dir, 'native.so'), type: 'native', reason: /native/ },
      { name: 'noname', path: fixturePlugin('noname'), type: 'wasm', reason: /"name"/ },
      { name: 'namefails', path: fixturePlugin('namefails'), type: 'wasm', reason: /name is broken on purpose/ },
      { name: 'badschema', path: fixturePlugin('badschema'), type: 'wasm', reason: /config_schema.*JSON/ },
    ] as const;
    const toml = [
      `[[providers]]\nname = "echo"\npath = "echo.wasm"\n`,
      `[[providers]]\nname = "missing"\npath = "plugins/missing.wasm"\n`,
      `[[providers]]\nname = "notwasm"\npath = ${JSON.stringify(fixturePlugin('notwasm'))}\n`,
      `[[providers]]\nname = "text"\npath = "README.txt"\n`,
      `[[providers]]\nname = "native"\npath = "native.so"\n`,
      ...cases.slice(4).map((c) => `[[providers]]\nname = "${c.name}"\npath = ${JSON.stringify(c.path)}\n`),
    ].join('\n');
    writeFileSync(join(dir, 'plugins.toml'), toml);
    const socket = join(dir, 'plugd.sock');
    const run = spawnServe(['--config', join(dir, 'plugins.toml'), '--socket', socket]);
    try {
      await waitForSocket(socket, run);
      const client = await PlugdClient.connect({ socketPath: socket });
      try {
        const status = await waitSettled(client);
        const { factories } = await client.listFactories();
        assert.equal(status.plugins.map((p) => p.name), ['echo', ...cases.map((c) => c.name)]);
        const echo = status.plugins[0]!;
        assert.is(echo.state, 'ready');
        assert.is(echo.source, join(dir, 'echo.wasm'));
        for (const c of cases) {
          const p = status.plugins.find((x) => x.name === c.name)!;
          assert.is(p.state, 'failed', `${c.name} is failed`);
          assert.is(p.source, c.path, `${c.name}: source`);
          assert.is(p.type, c.type, `${c.name}: type`);
          assert.ok(p.error, `${c.name}: has an error`);
          assert.match(p.error!.message, c.path, `${c.name}: the error names the file: ${p.error!.message}`);
          assert.match(p.error!.message, c.reason, `${c.name}: the error says why: ${p.error!.message}`);
          assert.is(p.pluginName, null);
          const f = factories.find((x) => x.name === c.name)!;
          assert.is(f.state, 'failed', `${c.name}: factories/list state`);
          assert.equal(f.error, p.error, `${c.name}: factories/list error`);
          assert.equal(f.capabilities, { chat: false, stream: false, embed: false, complete: false, listModels: false });
        }
        assert.is(factories[0]?.state, 'ready');
        const { handle } = await client.build({ provider: 'echo' });
        assert.is((await client.chat(handle, [{ role: 'user', content: 'alive' }])).text, 'alive');
      } finally {
        await client.close();
      }
    } finally {
      await run.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

broken('allowed_hosts from the entry and from [providers.config] are accepted together', async () => {
  await using daemon = await DaemonProcess.start({
    config:
      `[[providers]]\nname = "echo"\npath = ${JSON.stringify(echoPath)}\nallowed_hosts = ["api.example.com", "*.example.org"]\n` +
      `[providers.config]\nprefix = "H:"\nallowed_hosts = ["other.example.net:8443"]\n`,
  });
  const client = await daemon.connect();
  try {
    const status = await waitSettled(client);
    assert.is(status.plugins[0]?.state, 'ready', JSON.stringify(status.plugins[0]?.error));
    const { handle } = await client.build({ provider: 'echo' });
    assert.is((await client.chat(handle, [{ role: 'user', content: 'hosts' }])).text, 'H:hosts', 'the rest of [providers.config] still applies');
  } finally {
    await client.close();
  }
});

broken.run();
