import type { ComparisonResult } from './compare.js';
import type { GroupLayout } from './group.js';
import type { GroupReport, Report, RowReport } from './report.js';

/** Renders a report as an aligned plain-text table (default output) or as Markdown (`--markdown`). */

type Cell = string;
type Align = 'left' | 'right';

interface Table {
  header: Cell[];
  align: Align[];
  rows: Cell[][];
}

export function formatUs(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return '—';
  return us >= 1000 ? us.toFixed(0) : us.toFixed(1);
}

export function formatRate(perSec: number | undefined): string {
  if (perSec === undefined || !Number.isFinite(perSec)) return '—';
  return Math.round(perSec).toLocaleString('en-US');
}

function formatValue(c: ComparisonResult): string {
  if (c.value === null) return '—';
  if (c.unit === 'ms') return `${c.value.toFixed(1)} ms`;
  if (c.unit === 'count') return String(Math.round(c.value));
  // Three significant figures below 1, so a ratio just under a target (0.496) does not print as the target.
  return `${c.value >= 10 ? c.value.toFixed(1) : c.value >= 1 ? c.value.toFixed(2) : c.value.toFixed(3)}×`;
}

const OP_SIGNS = { '<=': '≤', '>=': '≥', '<': '<', '=': '=' } as const;

function formatTarget(c: ComparisonResult): string {
  if (!c.target) return '(info)';
  const unit = c.unit === 'ms' ? ' ms' : c.unit === 'count' ? '' : '×';
  return `${OP_SIGNS[c.target.op]} ${c.target.value}${unit}`;
}

/** A duration given in µs, in the layout's unit. */
function formatIn(unit: GroupLayout['latencyUnit'], us: number | undefined): string {
  if (unit === 'µs') return formatUs(us);
  return us === undefined || !Number.isFinite(us) ? '—' : (us / 1000).toFixed(1);
}

/** The in-flight levels that appear in a group, ascending (the calls/s columns). */
function inFlightLevels(group: GroupReport): number[] {
  const levels = new Set<number>();
  for (const row of group.rows) for (const k of Object.keys(row.result?.callsPerSec ?? {})) levels.add(Number(k));
  return [...levels].sort((a, b) => a - b);
}

function rowsTable(group: GroupReport): Table {
  if (group.layout) return layoutTable(group, group.layout);
  const levels = inFlightLevels(group);
  return {
    header: ['role', 'subject', 'median µs', 'p99 µs', ...levels.map((n) => `calls/s @${n}`), ...levels.map((n) => `CPU µs/call @${n}`)],
    align: ['left', 'left', 'right', 'right', ...levels.flatMap((): Align[] => ['right', 'right'])],
    rows: group.rows.map((row: RowReport) => {
      const mark = row.error ? ' (FAILED)' : row.result?.notes.length ? ' *' : '';
      return [
        row.role,
        row.label + mark,
        formatUs(row.result?.latency?.median),
        formatUs(row.result?.latency?.p99),
        ...levels.map((n) => formatRate(row.result?.callsPerSec[n])),
        ...levels.map((n) => formatCpu(row.result?.cpuUsPerCall[n])),
      ];
    }),
  };
}

/** A group's own layout: its latency statistics in its unit, the sample count, its counters. */
function layoutTable(group: GroupReport, layout: GroupLayout): Table {
  const counters = layout.counters ?? [];
  return {
    header: [
      'role',
      'subject',
      ...(layout.sampleCount ? ['n'] : []),
      ...layout.latencyStats.map((s) => `${s} ${layout.latencyUnit}`),
      ...counters.map((c) => c.label),
    ],
    align: ['left', 'left', ...(layout.sampleCount ? ['right' as const] : []), ...layout.latencyStats.map((): Align => 'right'), ...counters.map((): Align => 'right')],
    rows: group.rows.map((row: RowReport) => {
      const mark = row.error ? ' (FAILED)' : row.result?.notes.length ? ' *' : '';
      const latency = row.result?.latency;
      return [
        row.role,
        row.label + mark,
        ...(layout.sampleCount ? [latency ? String(latency.n) : '—'] : []),
        ...layout.latencyStats.map((s) => formatIn(layout.latencyUnit, latency?.[s])),
        ...counters.map((c) => {
          const n = row.result?.counters[c.key];
          return n === undefined ? '—' : n.toLocaleString('en-US');
        }),
      ];
    }),
  };
}

/** One line per row that reported named durations: each one's median / p90 in the layout's unit. */
function breakdownLines(group: GroupReport): string[] {
  const unit = group.layout?.latencyUnit ?? 'µs';
  const lines: string[] = [];
  for (const row of group.rows) {
    const series = Object.entries(row.result?.series ?? {});
    if (!series.length) continue;
    lines.push(`${row.id}: ${series.map(([name, s]) => `${name} ${formatIn(unit, s.median)} / ${formatIn(unit, s.p90)}`).join('; ')}`);
  }
  return lines;
}

function breakdownHeading(group: GroupReport): string {
  return `Breakdown, median / p90 in ${group.layout?.latencyUnit ?? 'µs'} of each step (steps measured separately; they need not add up to the row's figure):`;
}

function formatCpu(us: number | undefined): string {
  return us === undefined || !Number.isFinite(us) ? '—' : us.toFixed(0);
}

/** One line per row: its CPU per call split by process and thread group. */
function cpuLines(group: GroupReport): string[] {
  const lines: string[] = [];
  for (const row of group.rows) {
    const by = row.result?.cpuUsPerCallByThread;
    if (!by || Object.keys(by).length === 0) continue;
    const parts = Object.entries(by).map(
      ([level, threads]) =>
        `@${level}: ${Object.entries(threads)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(', ')}`,
    );
    lines.push(`${row.id}: ${parts.join('; ')}`);
  }
  return lines;
}

const CPU_HEADING = 'CPU µs per call by thread group ("main" = the event-loop thread, "threads" = all other threads of that process; bench = the client):';

function comparisonsTable(group: GroupReport): Table {
  return {
    header: [group.comparisons.every((c) => c.unit === 'ratio') ? 'ratio' : 'check', 'value', 'target', 'result'],
    align: ['left', 'right', 'left', 'left'],
    rows: group.comparisons.map((c) => [c.label, formatValue(c), formatTarget(c), c.verdict]),
  };
}

function footnotes(group: GroupReport): string[] {
  const lines: string[] = [];
  for (const row of group.rows) {
    if (row.error) lines.push(`${row.id}: FAILED: ${row.error}`);
    for (const note of row.result?.notes ?? []) lines.push(`* ${row.id}: ${note}`);
  }
  return lines;
}

function width(s: string): number {
  return [...s].length;
}

function textTable(t: Table): string[] {
  const widths = t.header.map((h, i) => Math.max(width(h), ...t.rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: Cell[]) =>
    cells
      .map((c, i) => (t.align[i] === 'right' ? c.padStart(widths[i]! - width(c) + c.length) : c.padEnd(widths[i]! - width(c) + c.length)))
      .join('  ')
      .trimEnd();
  return [line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)];
}

function markdownTable(t: Table): string[] {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${t.header.map(esc).join(' | ')} |`,
    `|${t.align.map((a) => (a === 'right' ? '---:' : ':---')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
}

export function machineLine(report: Report): string {
  const m = report.machine;
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os} (${m.kernel})`;
}

export function runLine(report: Report): string {
  const c = report.counts;
  const m = report.machine;
  const pkgs = Object.entries(m.packages)
    .map(([name, v]) => `${name} ${v}`)
    .join(', ');
  return (
    `${report.mode} run, ${report.startedAt}, ${(report.durationMs / 1000).toFixed(1)} s; ` +
    `per call subject: warm-up ${c.warmupSequential} sequential + ${c.warmupConcurrent} at ${c.inFlight} in flight, ` +
    `then ${c.rounds} interleaved round${c.rounds === 1 ? '' : 's'} totalling ${c.sequential} sequential + ${c.concurrent} at ${c.inFlight} in flight; ` +
    `per reload-group row: ${c.reloads} samples over the same rounds; ` +
    `load average ${m.loadAvgStart} at start, ${m.loadAvgEnd ?? '?'} at end; ${pkgs}` +
    (report.profileDir ? `; DAEMONS PROFILED (--cpu-prof ${report.profileDir}): figures are skewed` : '')
  );
}

export function renderText(report: Report): string {
  const out: string[] = [`plugd benchmark — ${machineLine(report)}`, runLine(report)];
  for (const group of report.groups) {
    out.push('', `== ${group.title} ==`, '', ...textTable(rowsTable(group)));
    if (group.comparisons.length) out.push('', ...textTable(comparisonsTable(group)));
    const breakdown = breakdownLines(group);
    if (breakdown.length) out.push('', breakdownHeading(group), ...breakdown.map((l) => `  ${l}`));
    const cpu = cpuLines(group);
    if (cpu.length) out.push('', CPU_HEADING, ...cpu.map((l) => `  ${l}`));
    const notes = footnotes(group);
    if (notes.length) out.push('', ...notes);
  }
  return out.join('\n') + '\n';
}

export function renderMarkdown(report: Report): string {
  const out: string[] = [`Machine: ${machineLine(report)}.`, '', `Run: ${runLine(report)}.`];
  for (const group of report.groups) {
    out.push('', `### ${group.title}`, '', ...markdownTable(rowsTable(group)));
    if (group.comparisons.length) out.push('', ...markdownTable(comparisonsTable(group)));
    const breakdown = breakdownLines(group);
    if (breakdown.length) out.push('', breakdownHeading(group), '', ...breakdown.map((l) => `- ${l}`));
    const cpu = cpuLines(group);
    if (cpu.length) out.push('', CPU_HEADING, '', ...cpu.map((l) => `- ${l}`));
    const notes = footnotes(group);
    if (notes.length) out.push('', ...notes.map((n) => `- ${n}`));
  }
  return out.join('\n') + '\n';
}
