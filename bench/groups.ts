import type { BenchGroup } from './group.js';
import { nativeCallGroup } from './groups/nativeCall.js';
import { reloadGroup } from './groups/reload.js';
import { sourcesGroup } from './groups/sources.js';
import { streamingGroup } from './groups/streaming.js';
import { toolCallGroup } from './groups/toolCall.js';
import { unaryCallGroup } from './groups/unaryCall.js';

/**
 * Every group the bench runs, in order. To add a measurement (e.g. streaming time-to-first-token,
 * native-plugin calls): write its subject(s) and floor under subjects/, a group
 * under groups/ with its comparisons and targets, and list it here.
 */
export function allGroups(inFlight: number): BenchGroup[] {
  return [unaryCallGroup(inFlight), nativeCallGroup(inFlight), reloadGroup(), sourcesGroup(), streamingGroup(), toolCallGroup(inFlight)];
}
