/**
 * Summarises a V8 .cpuprofile (e.g. one written by `npm run bench -- --cpu-prof DIR`): self time
 * by origin (package, plugd folder, Node internals, native) and by function.
 *
 *   node dist/bench/profileSummary.js FILE.cpuprofile [top-N]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function comes from: an npm package, a plugd source folder, a Node internal module, or native. */
export function origin(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const plugd = /\/dist\/((?:[^/]+\/)*)[^/]+\.js$/.exec(url);
  if (plugd) return `plugd ${plugd[1]!.replace(/\/$/, '')}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 3).join('/');
  if (url.startsWith('wasm://')) return '(wasm)';
  return url;
}

export function summarizeProfile(profile: Profile): { totalMs: number; byOrigin: Map<string, number>; byFunction: Map<string, number> } {
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (!us) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const o = origin(url, functionName);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'}  [${o}${url ? `:${lineNumber + 1}` : ''}]`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  return { totalMs: total / 1000, byOrigin, byFunction };
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/profileSummary.js FILE.cpuprofile [top-N]\n');
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  const { totalMs, byOrigin, byFunction } = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const idle = byOrigin.get('(idle)') ?? 0;
  const busyUs = totalMs * 1000 - idle;
  const show = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      const pct = name.startsWith('(idle)') ? '' : `${((us / busyUs) * 100).toFixed(1).padStart(5)}% of busy`;
      console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${pct.padEnd(14)}  ${name}`);
    }
  };
  console.log(`${file}: ${totalMs.toFixed(0)} ms sampled, ${(busyUs / 1000).toFixed(0)} ms busy (${((busyUs / (totalMs * 1000)) * 100).toFixed(0)}%)`);
  show('self time by origin', byOrigin);
  show('self time by function', byFunction);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
