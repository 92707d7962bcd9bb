// Hot reload for native plugins: a rebuilt library under the same path is swapped in on reload,
// in a fresh process (or thread), and the old one stops.
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { nativeFixture, nativePlugin } from './helpers/paths.js';
import { eventually, waitSettled } from './helpers/serve.js';

const user = (content: string) => ({ role: 'user' as const, content });

for (const isolation of ['process', 'thread'] as const) {
  test(`a rebuilt native library under the same path is swapped in by plugins/reload (isolation = "${isolation}")`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugd-native-reload-'));
    const path = join(dir, 'plugin.so');
    copyFileSync(nativePlugin('native-echo'), path);
    try {
      await using daemon = await DaemonProcess.start({ config: [{ name: 'p', path, isolation }] });
      const client = await daemon.connect();
      try {
        await waitSettled(client);
        const first = await client.build({ provider: 'p' });
        assert.is((await client.chat(first.handle, [user('hello')])).text, 'hello');
        // "Rebuild": a different library renamed over the same path, as a build step writes it.
        copyFileSync(nativeFixture('crashy'), `${path}.tmp`);
        renameSync(`${path}.tmp`, path);
        const summary = await client.reload();
        assert.equal(summary.updated, ['p'], JSON.stringify(summary));
        const status = await client.status();
        assert.is(status.plugins[0]?.pluginName, 'crashy');
        assert.is(status.plugins[0]?.isolation, isolation);
        // The handle follows the new version.
        assert.is((await client.chat(first.handle, [user('hi')])).text, 'calls=1');
      } finally {
        await client.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the file watcher swaps in a native library rebuilt under the same path, without a reload request', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-native-watch-'));
  const path = join(dir, 'plugin.so');
  copyFileSync(nativePlugin('native-echo'), path);
  try {
    await using daemon = await DaemonProcess.start({ config: [{ name: 'p', path }] });
    const client = await daemon.connect();
    try {
      const before = await waitSettled(client);
      assert.is(before.watching, true);
      const { handle } = await client.build({ provider: 'p' });
      assert.is((await client.chat(handle, [user('hello')])).text, 'hello');
      copyFileSync(nativeFixture('crashy'), `${path}.tmp`);
      renameSync(`${path}.tmp`, path);
      await eventually('the rebuilt library serves', async () => (await client.status()).plugins[0]?.pluginName === 'crashy', 10_000);
      assert.is((await client.chat(handle, [user('hi')])).text, 'calls=1');
    } finally {
      await client.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
