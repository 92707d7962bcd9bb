/** One `[[providers]]` entry for a generated plugins.toml. */
export interface ProviderSpec {
  name: string;
  path: string;
  threads?: number;
  timeoutMs?: number;
  startTimeoutMs?: number;
  isolation?: 'process' | 'thread';
  config?: Record<string, string | number | boolean | string[]>;
}

/** Writes plugins.toml text for the given providers. */
export function providersToml(providers: ProviderSpec[]): string {
  return providers
    .map((p) => {
      const lines = ['[[providers]]', `name = ${JSON.stringify(p.name)}`, `path = ${JSON.stringify(p.path)}`];
      if (p.threads !== undefined) lines.push(`threads = ${p.threads}`);
      if (p.timeoutMs !== undefined) lines.push(`timeout_ms = ${p.timeoutMs}`);
      if (p.startTimeoutMs !== undefined) lines.push(`start_timeout_ms = ${p.startTimeoutMs}`);
      if (p.isolation !== undefined) lines.push(`isolation = ${JSON.stringify(p.isolation)}`);
      if (p.config) {
        lines.push('[providers.config]');
        for (const [k, v] of Object.entries(p.config)) lines.push(`${k} = ${JSON.stringify(v)}`);
      }
      return lines.join('\n');
    })
    .join('\n\n') + '\n';
}
