/**
 * `npm run bench`: measures plugd's call path against the floors set by its dependencies, and
 * prints one table per group (see groups.ts) with PASS/MISS against each target. A benchmark,
 * not a test: it exits 0 whatever the verdicts, and 1 only when a subject could not be measured.
 */
import '../workers/quietWarnings.js';
import { evaluate } from './compare.js';
import { allGroups } from './groups.js';
import { loadAvgNow, machineInfo } from './machine.js';
import { FULL_COUNTS, QUICK_COUNTS } from './measure.js';
import { parseOptions, USAGE, type Options } from './options.js';
import type { GroupReport, Report, RowReport } from './report.js';
import type { SubjectResult } from './subject.js';
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
      console.log(`${group.title}`);
      for (const s of group.subjects) console.log(`  ${s.id.padEnd(18)} ${s.role.padEnd(9)} ${s.description}`);
    }
    return 0;
  }
  const unknown = options.only?.filter((id) => !known.includes(id)) ?? [];
  if (unknown.length) throw new Error(`unknown subject id(s): ${unknown.join(', ')} (known: ${known.join(', ')})`);

  const machine = machineInfo();
  const startedAt = new Date();
  const began = performance.now();
  let failed = 0;
  const groupReports: GroupReport[] = [];

  for (const group of groups) {
    const rows: RowReport[] = [];
    const results = new Map<string, SubjectResult | null>();
    for (const subject of group.subjects) {
      if (options.only && !options.only.includes(subject.id)) continue;
      const t0 = performance.now();
      progress(`${subject.id}: ${subject.label}`);
      let result: SubjectResult | null = null;
      let error: string | null = null;
      try {
        result = await subject.run({ counts, progress: (m) => progress(`${subject.id}: ${m}`) });
      } catch (e) {
        failed++;
        error = (e as Error)?.stack ?? String(e);
        progress(`${subject.id}: FAILED: ${error}`);
      }
      results.set(subject.id, result);
      rows.push({ id: subject.id, role: subject.role, label: subject.label, description: subject.description, result, error, durationMs: Math.round(performance.now() - t0) });
      progress(`${subject.id}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      // Let the previous subject's processes and threads wind down before the next measures.
      await new Promise((r) => setTimeout(r, 200));
    }
    groupReports.push({ id: group.id, title: group.title, rows, comparisons: group.comparisons.map((c) => evaluate(c, results)) });
  }

  machine.loadAvgEnd = loadAvgNow();
  const report: Report = {
    benchmark: 'plugd',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - began),
    mode: options.quick ? 'quick' : 'full',
    counts,
    machine,
    groups: groupReports,
  };
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : options.markdown ? renderMarkdown(report) : renderText(report));
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
run(options).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
