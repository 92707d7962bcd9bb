#!/usr/bin/env node
// Runs every compiled uvu test file (dist/test/**/*.test.js) in its own Node process, two at a
// time, and ends with the line CI reads: `N passed, N failed`. Each file runs in a fresh process
// because the tests start real daemons, workers and sockets; one file's crash cannot hide
// another's results. Usage: node scripts/runTests.mjs [substring-filter ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testDir = join(root, 'dist', 'test');
const filters = process.argv.slice(2);
const parallel = Number(process.env.PLUGD_TEST_JOBS || 2);
const fileTimeoutMs = Number(process.env.PLUGD_TEST_FILE_TIMEOUT_MS || 300_000);

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'helpers' ? [] : findTests(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const files = findTests(testDir)
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files found under ${testDir}${filters.length ? ` matching ${filters.join(', ')}` : ''} (run \`npm run build\` first)`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [file], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[runTests] ${relative(root, file)} exceeded ${fileTimeoutMs} ms; killed\n`;
      child.kill('SIGKILL');
    }, fileTimeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
      let failed = total - passed - skipped;
      // A file that died before uvu's summary, or exited non-zero, counts as a failure.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ file, out, code, signal, passed, failed, skipped, ms: Date.now() - started });
    });
  });
}

const queue = [...files];
const results = [];
async function worker() {
  for (let file = queue.shift(); file; file = queue.shift()) {
    const r = await runFile(file);
    results.push(r);
    const status = r.failed ? 'FAIL' : 'ok  ';
    console.log(`${status} ${relative(testDir, r.file).padEnd(40)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${(r.ms / 1000).toFixed(1)} s`);
    if (r.failed) console.log(r.out.replace(/^/gm, '     | '));
  }
}
await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
