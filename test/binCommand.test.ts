// The `plugd` command as package.json names it (bin/plugd.js, committed, so that npm can link it
// in a fresh clone before the first build): it runs the built CLI with its arguments and exit
// code, and before a build it says what to run instead of failing obscurely.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './helpers/paths.js';

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
const command = join(repoRoot, packageJson.bin.plugd ?? '');

test('package.json names bin/plugd.js as the plugd command; it runs the built CLI', () => {
  assert.is(packageJson.bin.plugd, 'bin/plugd.js');
  const version = spawnSync(process.execPath, [command, '--version'], { encoding: 'utf8' });
  assert.is(version.status, 0, version.stderr);
  assert.match(version.stdout, `plugd ${packageJson.version}`);
  const wrong = spawnSync(process.execPath, [command, 'no-such-command'], { encoding: 'utf8' });
  assert.is(wrong.status, 2, `a usage error keeps the CLI's exit code (stderr: ${wrong.stderr})`);
  assert.match(wrong.stderr, 'no-such-command');
});

test('before a build, the command says to build instead of failing obscurely', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugd-bin-'));
  try {
    mkdirSync(join(dir, 'bin'));
    copyFileSync(command, join(dir, 'bin', 'plugd.js'));
    copyFileSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
    const run = spawnSync(process.execPath, [join(dir, 'bin', 'plugd.js'), 'status'], { encoding: 'utf8' });
    assert.is(run.status, 1);
    assert.match(run.stderr, 'plugd: not built yet (dist/clients/cli/main.js is missing)');
    assert.match(run.stderr, 'npm run build');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
