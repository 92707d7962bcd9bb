#!/usr/bin/env node
// Builds the native plugins with the machine's C compiler (`cc`, or $CC): every directory under
// plugins/ with C sources and no index.ts (all its .c files → dist/plugins/<name>.so), and every
// test/fixtures/native/<name>.c (→ dist/test/fixtures/native/<name>.so). Each sees
// plugins/include/plugd.h. Up to date outputs are skipped. Usage: node scripts/buildNative.mjs [--force]
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const include = path.join(root, 'plugins', 'include');
const ext = process.platform === 'darwin' ? '.dylib' : process.platform === 'win32' ? '.dll' : '.so';
const cc = process.env.CC || 'cc';
const thisScript = fileURLToPath(import.meta.url);

function rel(p) {
  return path.relative(root, p).split(path.sep).join('/');
}

function targets() {
  const out = [];
  const plugins = path.join(root, 'plugins');
  for (const ent of readdirSync(plugins, { withFileTypes: true })) {
    if (!ent.isDirectory() || ent.name === 'include' || ent.name === 'sdk') continue;
    const dir = path.join(plugins, ent.name);
    const files = readdirSync(dir);
    if (files.includes('index.ts')) continue;
    const sources = files.filter((f) => f.endsWith('.c')).map((f) => path.join(dir, f));
    const headers = files.filter((f) => f.endsWith('.h')).map((f) => path.join(dir, f));
    if (sources.length) out.push({ name: ent.name, sources, deps: [...sources, ...headers, ...included([...sources, ...headers])], out: path.join(root, 'dist', 'plugins', `${ent.name}${ext}`) });
  }
  const fixtures = path.join(root, 'test', 'fixtures', 'native');
  if (existsSync(fixtures)) {
    for (const f of readdirSync(fixtures).filter((f) => f.endsWith('.c')).sort()) {
      const name = f.slice(0, -2);
      const source = path.join(fixtures, f);
      out.push({ name: `fixture ${name}`, sources: [source], deps: [source], out: path.join(root, 'dist', 'test', 'fixtures', 'native', `${name}${ext}`) });
    }
  }
  return out;
}

// Files a plugin's sources include from outside its directory (`#include "../native-echo/json.c"`):
// a change to them rebuilds the plugin too.
function included(files) {
  const found = [];
  for (const file of files) {
    for (const [, rel] of readFileSync(file, 'utf8').matchAll(/^#include "(\.\.\/[^"]+)"/gm)) {
      const dep = path.resolve(path.dirname(file), rel);
      if (existsSync(dep)) found.push(dep);
    }
  }
  return found;
}

function compile(args) {
  return new Promise((resolve) => {
    execFile(cc, args, { cwd: root }, (err, stdout, stderr) => resolve({ ok: !err, output: `${stdout}${stderr}`.trim(), err }));
  });
}

async function upToDate(target, shared) {
  try {
    const { mtimeMs } = await stat(target.out);
    return target.deps.every((d) => statSync(d).mtimeMs < mtimeMs) && shared < mtimeMs;
  } catch {
    return false;
  }
}

async function main() {
  const force = process.argv.includes('--force');
  const shared = Math.max(statSync(path.join(include, 'plugd.h')).mtimeMs, statSync(thisScript).mtimeMs);
  let failed = 0;
  for (const target of targets()) {
    if (!force && (await upToDate(target, shared))) {
      console.log(`${target.name}: up to date (${rel(target.out)})`);
      continue;
    }
    await mkdir(path.dirname(target.out), { recursive: true });
    const tmp = `${target.out}.tmp-${process.pid}`;
    const started = Date.now();
    const res = await compile(['-shared', '-fPIC', '-O2', '-Wall', '-I', include, '-o', tmp, ...target.sources, '-lm']);
    if (!res.ok) {
      failed++;
      await rm(tmp, { force: true });
      const missing = res.err?.code === 'ENOENT' ? `C compiler "${cc}" not found (install one, e.g. apt-get install gcc, or set CC)` : res.output;
      console.error(`${target.name}: FAILED (${target.sources.map(rel).join(' ')})\n${missing}`);
      continue;
    }
    // Renamed into place: a daemon watching the file never loads a half-written library.
    await rename(tmp, target.out);
    const { size } = await stat(target.out);
    console.log(`${target.name}: built ${rel(target.out)} (${size} bytes, ${((Date.now() - started) / 1000).toFixed(1)} s)${res.output ? `\n${res.output}` : ''}`);
  }
  if (failed) {
    console.error(`buildNative: ${failed} native plugin(s) failed to build`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(`buildNative: ${err?.stack ?? err}`);
    process.exitCode = 1;
  },
);
