#!/usr/bin/env node
// Builds plugd's AssemblyScript Wasm plugins with the locally installed asc.
//
//   plugins/<x>/index.ts                   -> dist/plugins/<x>.wasm (every plugin but sdk/)
//   test/fixtures/plugins/<x>/index.ts     -> dist/test/fixtures/plugins/<x>.wasm
//   (and writes dist/test/fixtures/plugins/notwasm.wasm, a text file, for the "invalid Wasm" test)
//
// Usage: node scripts/buildPlugins.mjs [--force] [name ...]
//   --force   rebuild even when the output is newer than every source
//   name ...  build only these plugins (e.g. `echo counter`)
//
// A plugin is skipped when its .wasm is newer than all files in its directory,
// in plugins/sdk/, this script and the compiler's package.json. Builds run in
// parallel (at most 2 at a time). One line is printed per plugin; on a compile
// error the compiler's output is printed and the exit code is 1.
// An optional asconfig.json in a plugin directory is passed with --config.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ascBin = path.join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const ascPkg = path.join(root, 'node_modules', 'assemblyscript', 'package.json');
const sdkDir = path.join(root, 'plugins', 'sdk');
const fixturesDir = path.join(root, 'test', 'fixtures', 'plugins');
const thisScript = fileURLToPath(import.meta.url);

/** Flags shared by every plugin (paths are relative to the repo root, asc's cwd). */
const COMMON_FLAGS = [
  '--runtime', 'stub',
  '--optimize',
  // Extism has no `env.abort`; route aborts to the SDK's handler instead.
  '--use', 'abort=plugins/sdk/extism/sdkAbort',
  '--noColors',
];

const NOT_WASM = 'This is a text file, not a WebAssembly module (fixture for the invalid-Wasm test).\n';

function rel(p) {
  return path.relative(root, p).split(path.sep).join('/');
}

function listTargets() {
  // Every directory with an AssemblyScript entry point (index.ts) is a Wasm plugin; the SDK is not.
  const scan = (base, outDir) =>
    existsSync(base)
      ? readdirSync(base, { withFileTypes: true })
          .filter((ent) => ent.isDirectory() && !ent.name.startsWith('_') && !ent.name.startsWith('.') && ent.name !== 'sdk')
          .filter((ent) => existsSync(path.join(base, ent.name, 'index.ts')))
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((ent) => ({ name: ent.name, dir: path.join(base, ent.name), out: path.join(outDir, `${ent.name}.wasm`) }))
      : [];
  return [...scan(path.join(root, 'plugins'), path.join(root, 'dist', 'plugins')), ...scan(fixturesDir, path.join(root, 'dist', 'test', 'fixtures', 'plugins'))];
}

/** Newest mtime (ms) of all files under `dir` (recursively). */
function newestMtime(dir) {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (ent.isFile()) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

async function isUpToDate(target, sharedNewest) {
  let out;
  try {
    out = await stat(target.out);
  } catch {
    return false;
  }
  return out.mtimeMs > Math.max(sharedNewest, newestMtime(target.dir));
}

function runAsc(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [ascBin, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ ok: !err, code: err ? (err.code ?? 1) : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

async function build(target) {
  const started = Date.now();
  await mkdir(path.dirname(target.out), { recursive: true });
  const tmp = `${target.out}.tmp-${process.pid}`;
  const args = [rel(path.join(target.dir, 'index.ts')), '-o', rel(tmp), ...COMMON_FLAGS];
  const asconfig = path.join(target.dir, 'asconfig.json');
  if (existsSync(asconfig)) args.push('--config', rel(asconfig));
  const res = await runAsc(args);
  if (!res.ok) {
    await rm(tmp, { force: true });
    return { ok: false, message: res.output || `asc exited with code ${res.code}` };
  }
  await rename(tmp, target.out); // atomic: watchers never see a half-written module
  const { size } = await stat(target.out);
  return { ok: true, size, ms: Date.now() - started };
}

async function writeNotWasm() {
  const out = path.join(root, 'dist', 'test', 'fixtures', 'plugins', 'notwasm.wasm');
  let current = null;
  try {
    current = await readFile(out, 'utf8');
  } catch {
    // missing
  }
  if (current === NOT_WASM) return `notwasm: up to date (${rel(out)})`;
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, NOT_WASM);
  return `notwasm: wrote ${rel(out)} (${NOT_WASM.length} bytes, text)`;
}

async function main() {
  const argv = process.argv.slice(2);
  const force = argv.includes('--force');
  const only = argv.filter((a) => !a.startsWith('--'));
  const unknownFlags = argv.filter((a) => a.startsWith('--') && a !== '--force');
  if (unknownFlags.length > 0) {
    console.error(`buildPlugins: unknown option ${unknownFlags.join(' ')} (usage: node scripts/buildPlugins.mjs [--force] [name ...])`);
    return 2;
  }
  if (!existsSync(ascBin)) {
    console.error(`buildPlugins: AssemblyScript compiler not found at ${rel(ascBin)}; run npm install`);
    return 1;
  }

  let targets = listTargets();
  if (only.length > 0) {
    const names = new Set(targets.map((t) => t.name));
    const missing = only.filter((n) => !names.has(n) && n !== 'notwasm');
    if (missing.length > 0) {
      console.error(`buildPlugins: no such plugin: ${missing.join(', ')} (known: ${[...names].join(', ')}, notwasm)`);
      return 2;
    }
    targets = targets.filter((t) => only.includes(t.name));
  }

  const sharedNewest = Math.max(newestMtime(sdkDir), statSync(thisScript).mtimeMs, statSync(ascPkg).mtimeMs);
  const concurrency = Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length));
  let failed = 0;
  let next = 0;

  async function worker() {
    while (next < targets.length) {
      const target = targets[next++];
      if (!force && (await isUpToDate(target, sharedNewest))) {
        console.log(`${target.name}: up to date (${rel(target.out)})`);
        continue;
      }
      const res = await build(target);
      if (res.ok) {
        console.log(`${target.name}: built ${rel(target.out)} (${res.size} bytes, ${(res.ms / 1000).toFixed(1)} s)`);
      } else {
        failed++;
        console.error(`${target.name}: FAILED (${rel(path.join(target.dir, 'index.ts'))})\n${res.message}`);
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  if (only.length === 0 || only.includes('notwasm')) console.log(await writeNotWasm());
  if (failed > 0) {
    console.error(`buildPlugins: ${failed} plugin(s) failed to build`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`buildPlugins: ${err?.stack ?? err}`);
    process.exitCode = 1;
  },
);
