import type { ReloadSummary } from '../../protocol/plugins.js';

/**
 * What two reloads in a row changed, as one summary. A `plugins/reload` that arrives while
 * another reload runs (often the watcher's, for the very edit the client is asking about) waits
 * for that one and then runs again; it answers with everything applied while it waited, so a
 * script that edits plugins.toml and at once asks for a reload sees its edit listed whichever
 * reload applied it.
 */
export function mergeSummaries(first: ReloadSummary, second: ReloadSummary): ReloadSummary {
  const before = new Set([...first.removed, ...first.updated, ...first.unchanged]);
  const after = [...second.added, ...second.updated, ...second.unchanged];
  const touched = new Set([first, second].flatMap((s) => [...s.added, ...s.removed, ...s.updated]));
  return {
    added: after.filter((name) => !before.has(name)),
    removed: [...before].filter((name) => !after.includes(name)),
    updated: after.filter((name) => before.has(name) && touched.has(name)),
    unchanged: after.filter((name) => before.has(name) && !touched.has(name)),
    // Every plugin that failed in the first reload is tried again by the second, unless the
    // second rejected the config and changed nothing.
    failed: second.configError ? first.failed : second.failed,
    configError: second.configError,
  };
}
