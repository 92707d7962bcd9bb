import type { Comparison } from './compare.js';
import type { Subject } from './subject.js';

/**
 * A set of rows measured and printed together: the subject, the floors it is judged against,
 * components that explain it, and the ratios (with or without targets) between them.
 * A new kind of measurement (streaming time-to-first-token, native-plugin calls, reload latency)
 * is a new group in groups.ts with its own subject and floor(s).
 */
export interface BenchGroup {
  id: string;
  title: string;
  subjects: Subject[];
  comparisons: Comparison[];
}
