/**
 * `npm run bench`: measures plugd's call path against the floors set by its dependencies, and
 * prints one table per group (see groups.ts) with PASS/MISS against each target. A benchmark,
 * not a test: it exits 0 whatever the verdicts, and 1 only when a subject could not be measured.
 */
import '../workers/quietWarnings.js';
import { resolve } from 'node:path';
import { allGroups } from './groups.js';
import { loadAvgNow, machineInfo } from './machine.js';
import { FULL_COUNTS, QUICK_COUNTS } from './measure.js';
import { parseOptions, USAGE, type Options } from './options.js';
import type { GroupReport, Report } from './report.js';
import { runGroup } from './runner.js';
import { renderMarkdown, renderText } from './table.js';

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

async function run(options: Options): Promise<number> {
  const counts = options.quick ? QUICK_COUNTS : FULL_COUNTS;
  const groups = allGroups(counts.inFlight);
  const known = groups.flatMap((g) => g.subjects.map((s) => s.id));

  if (options.list) {
    for (const group of groups) {
      console.log(`${group.title} (group id: ${group.id})`);
      for (const s of group.subjects) console.log(`  ${s.id.padEnd(20)} ${s.role.padEnd(10)} ${s.description}`);
    }
    return 0;
  }
  // A group's id stands for all of its rows.
  const only = options.only?.flatMap((id) => groups.find((g) => g.id === id)?.subjects.map((s) => s.id) ?? [id]) ?? null;
  const unknown = only?.filter((id) => !known.includes(id)) ?? [];
  if (unknown.length) {
    process.stderr.write(`bench: unknown subject id(s): ${unknown.join(', ')} (known: ${[...groups.map((g) => g.id), ...known].join(', ')})\n`);
    return 2;
  }

  const machine = machineInfo();
  const startedAt = new Date();
  const began = performance.now();
  const profileDir = options.cpuProf ? resolve(options.cpuProf) : null;
  const deadline = began + counts.budgetMs;
  const groupReports: GroupReport[] = [];
  const selected = (s: { id: string }) => !only || only.includes(s.id);
  for (const group of groups) {
    // --only: a group none of whose rows was asked for is left out of the report.
    if (!group.subjects.some(selected)) continue;
    groupReports.push(await runGroup(group, { counts, profileDir, deadline }, selected, progress));
  }
  const failed = groupReports.flatMap((g) => g.rows).filter((r) => r.error).length;

  machine.loadAvgEnd = loadAvgNow();
  const report: Report = {
    benchmark: 'plugd',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - began),
    mode: options.quick ? 'quick' : 'full',
    profileDir,
    counts,
    machine,
    groups: groupReports,
  };
  const text = options.json ? `${JSON.stringify(report, null, 2)}\n` : options.markdown ? renderMarkdown(report) : renderText(report);
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  return failed ? 1 : 0;
}

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
// Ctrl-C or kill: exit through process.exit so the 'exit' hooks stop the daemons this run started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
run(options).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
