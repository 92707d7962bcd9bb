import type { ComparisonResult } from './compare.js';
import type { GroupLayout } from './group.js';
import type { MachineInfo } from './machine.js';
import type { Counts, Role, SubjectResult } from './subject.js';

/** One measured (or failed) row. */
export interface RowReport {
  id: string;
  role: Role;
  label: string;
  description: string;
  result: SubjectResult | null;
  /** Why the subject could not be measured. */
  error: string | null;
  /** Wall time the subject took, set-up and teardown included. */
  durationMs: number;
}

export interface GroupReport {
  id: string;
  title: string;
  /** The group's table layout, or null for the call-latency layout. */
  layout: GroupLayout | null;
  rows: RowReport[];
  comparisons: ComparisonResult[];
}

/** Everything one run measured; `--json` prints exactly this. */
export interface Report {
  benchmark: 'plugd';
  startedAt: string;
  durationMs: number;
  mode: 'full' | 'quick';
  /** `--cpu-prof`: where daemon CPU profiles were written (the figures are skewed by profiling). */
  profileDir: string | null;
  counts: Counts;
  machine: MachineInfo;
  groups: GroupReport[];
}
