import { resolve } from 'node:path';
import type { InvocationOf } from './args.js';
import { formatJson } from './format.js';
import type { CliIo } from './io.js';
import { formatBytes, ProgressLine } from './progressLine.js';
import { renderTable } from './table.js';

// The daemon's source code is loaded on demand, so other commands never pay for it.
const sources = () => import('../../daemon/sources/index.js');

interface PullOutcome {
  target: string;
  ref: string;
  digest: string | null;
  file: string;
  fromCache: boolean;
  warning: string | null;
  /** The digest the cache held for this reference before, when it changed. */
  previous: string | null;
}

/**
 * `plugd pull`: resolves references (given, or named by config entries, or every download in
 * the config) into the cache the daemon reads. Runs in this process: no daemon needed.
 */
export async function runPull(inv: InvocationOf<'pull'>, io: CliIo): Promise<void> {
  const { Cache, cacheDir, resolveSource, loadConfig, locateConfig, isRemotePath, canonicalRef, displayPath } = await sources();
  const env = io.env as NodeJS.ProcessEnv;
  const cache = new Cache(cacheDir(env));
  const refs = inv.targets.filter((t) => isRemotePath(t));
  const names = inv.targets.filter((t) => !isRemotePath(t));
  let config: ReturnType<typeof loadConfig> | null = null;
  if (names.length > 0 || refs.length === 0 || inv.configPath) config = loadConfig(locateConfig(inv.configPath, env));
  else {
    // References alone need no config, but one found where the daemon would look may say how to
    // reach their registries ([registries."host"] insecure = true).
    let path: string | null = null;
    try {
      path = locateConfig(undefined, env);
    } catch {
      // None: the defaults.
    }
    if (path) {
      try {
        config = loadConfig(path);
      } catch (error) {
        io.stderr.write(`plugd: warning: the registry settings of the config are not used: ${(error as Error).message}\n`);
      }
    }
  }
  const jobs: Array<{ target: string; path: string; sha256: string | null }> = refs.map((r) => ({ target: r, path: r, sha256: null }));
  if (config) {
    const entries = names.length === 0 && refs.length === 0 ? config.providers.filter((p) => isRemotePath(p.path)) : [];
    for (const name of names) {
      const entry = config.providers.find((p) => p.name === name);
      if (!entry) throw new Error(`pull: no provider named "${name}" in ${config.path} (configured: ${config.providers.map((p) => p.name).join(', ') || 'none'})`);
      if (!isRemotePath(entry.path)) throw new Error(`pull: provider "${name}" is a local file (${entry.path}); nothing to download`);
      entries.push(entry);
    }
    for (const e of entries) jobs.push({ target: e.name, path: e.path, sha256: e.sha256 });
    if (jobs.length === 0) throw new Error(`pull: ${config.path} names no https:// or oci:// plugins`);
  }
  const progress = new ProgressLine(io.stderr, io.stderrIsTTY === true);
  const outcomes: PullOutcome[] = [];
  let failures = 0;
  for (const job of jobs) {
    progress.restart();
    try {
      const before = await cache.readRecord(canonicalRef(job.path));
      const resolved = await resolveSource(job.path, job.sha256, {
        cache,
        insecureRegistries: config?.insecureRegistries ?? [],
        env,
        revalidate: inv.refresh,
        onProgress: (p) => {
          if (p.phase === 'downloading') progress.update(p.ref, p.bytes ?? 0, p.total);
        },
      });
      progress.end();
      const outcome: PullOutcome = {
        target: job.target,
        ref: resolved.origin.ref,
        digest: resolved.origin.digest,
        file: resolved.path,
        fromCache: resolved.origin.fromCache,
        warning: resolved.warning,
        previous: before && before.digest !== resolved.origin.digest ? before.digest : null,
      };
      outcomes.push(outcome);
      if (resolved.warning) io.stderr.write(`plugd: warning: ${resolved.warning}\n`);
      if (!inv.json) io.stdout.write(describePull(outcome));
    } catch (error) {
      progress.end();
      failures++;
      io.stderr.write(`plugd: pull ${displayPath(job.target)}: ${(error as Error).message}\n`);
    }
  }
  if (inv.json) io.stdout.write(formatJson(outcomes));
  else if (outcomes.some((o) => o.previous)) io.stdout.write('a tag moved: run `plugd reload` to load the new version in a running daemon\n');
  if (failures) throw new Error(`pull: ${failures} of ${jobs.length} failed`);
}

function describePull(o: PullOutcome): string {
  const how = o.warning ? 'from the cache (source unreachable)' : o.fromCache ? 'up to date' : 'downloaded';
  const moved = o.previous ? ` (was ${o.previous})` : '';
  return `${o.target === o.ref ? o.ref : `${o.target}: ${o.ref}`}\n  ${o.digest ?? '-'} ${how}${moved}\n  ${o.file}\n`;
}

/** `plugd push FILE oci://…`. */
export async function runPush(inv: InvocationOf<'push'>, io: CliIo): Promise<void> {
  const { pushPlugin, parseOci } = await sources();
  const ref = parseOci(inv.ref);
  const progress = new ProgressLine(io.stderr, io.stderrIsTTY === true);
  const result = await pushPlugin(resolve(inv.file), inv.ref, {
    platform: inv.platform,
    insecureRegistries: inv.insecure ? [ref.registry] : [],
    env: io.env as NodeJS.ProcessEnv,
    onProgress: (p) => (p.phase === 'done' ? progress.end() : progress.note(`uploading ${p.what} (${formatBytes(p.bytes)})`)),
  });
  progress.end();
  if (inv.json) {
    io.stdout.write(formatJson(result));
    return;
  }
  io.stdout.write(`pushed ${result.type} plugin ${inv.file} to ${result.ref}\n  ${result.digest}\n`);
  if (result.platforms) io.stdout.write(`  index platforms: ${result.platforms.join(', ')}\n`);
}

/** `plugd cache ls|prune`. */
export async function runCache(inv: InvocationOf<'cache'>, io: CliIo): Promise<void> {
  const { Cache, cacheDir } = await sources();
  const cache = new Cache(cacheDir(io.env as NodeJS.ProcessEnv));
  if (inv.action === 'prune') {
    const result = await cache.prune(inv.all);
    io.stdout.write(inv.json ? formatJson(result) : `removed ${result.removed} item(s), ${formatBytes(result.bytes)} from ${cache.root}\n`);
    return;
  }
  const records = await cache.records();
  if (inv.json) {
    io.stdout.write(formatJson({ root: cache.root, entries: records }));
    return;
  }
  if (records.length === 0) {
    io.stdout.write(`the cache is empty (${cache.root})\n`);
    return;
  }
  const table = renderTable(
    [{ header: 'REFERENCE' }, { header: 'DIGEST' }, { header: 'SIZE', right: true }, { header: 'FETCHED' }],
    records.map((r) => [r.ref, r.digest.slice(0, 19), formatBytes(r.size), r.fetchedAt.replace(/\.\d+Z$/, 'Z')]),
  );
  io.stdout.write(`${cache.root}\n${table.join('\n')}\n`);
}
