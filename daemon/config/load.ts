import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { displayPath, parseSource, ReferenceError, type SourceRef } from '../sources/reference.js';
import { lineOfKey, where } from './keyLines.js';
import { ConfigFileSchema, DEFAULTS, McpEntrySchema, ProviderEntrySchema, ToolEntrySchema, type PlugdConfig, type ProviderEntry } from './schema.js';
import { toolSections } from './toolSections.js';

/** Reads and validates plugins.toml. Every error names the file, the line and the key. */
export function loadConfig(path: string): PlugdConfig {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_NOT_FOUND', `${path}: cannot read config file (${(error as Error).message})`);
  }
  return parseConfig(source, path);
}

/** Validates config text; `path` is used for messages and to resolve relative plugin paths. */
export function parseConfig(source: string, path: string): PlugdConfig {
  let raw: unknown;
  try {
    raw = parse(source);
  } catch (error) {
    if (error instanceof TomlError) {
      const detail = error.message.replace(/^Invalid TOML document: /, '').split('\n')[0];
      throw new ConfigError('CONFIG_SYNTAX', `${path}:${error.line}:${error.column}: TOML syntax error: ${detail}`);
    }
    throw error;
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) throw describeIssue(parsed.error.issues[0], source, path, raw);

  const base = dirname(path);
  const providers: ProviderEntry[] = [];
  const seen = new Map<string, number>();
  (parsed.data.providers ?? []).forEach((entry, index) => {
    const previous = seen.get(entry.name);
    if (previous !== undefined) {
      const line = lineOfKey(source, 'providers', index, ['name']);
      throw new ConfigError(
        'CONFIG_INVALID',
        `${where(path, line)}: duplicate provider name "${entry.name}" (already used by [[providers]] #${previous + 1}); names must be unique`,
        { path: `providers[${index}].name` },
      );
    }
    seen.set(entry.name, index);
    const config = entry.config ?? {};
    const fromConfig = config.allowed_hosts;
    if (fromConfig !== undefined && !(Array.isArray(fromConfig) && fromConfig.every((h) => typeof h === 'string'))) {
      const line = lineOfKey(source, 'providers', index, ['config', 'allowed_hosts']);
      throw new ConfigError(
        'CONFIG_INVALID',
        `${where(path, line)}: [[providers]] #${index + 1} ("${entry.name}"): config.allowed_hosts: expected an array of host names`,
        { path: `providers[${index}].config.allowed_hosts` },
      );
    }
    let ref: SourceRef;
    try {
      ref = parseSource(entry.path);
    } catch (error) {
      if (!(error instanceof ReferenceError)) throw error;
      const line = lineOfKey(source, 'providers', index, ['path']);
      throw new ConfigError('CONFIG_INVALID', `${where(path, line)}: [[providers]] #${index + 1} ("${entry.name}"): path: ${error.message}`, { path: `providers[${index}].path` });
    }
    if (entry.sha256 !== undefined && ref.type !== 'https') {
      const line = lineOfKey(source, 'providers', index, ['sha256']);
      throw new ConfigError(
        'CONFIG_INVALID',
        `${where(path, line)}: [[providers]] #${index + 1} ("${entry.name}"): sha256: only an https:// path can be pinned this way (pin an oci:// reference with @sha256:…)`,
        { path: `providers[${index}].sha256` },
      );
    }
    providers.push({
      name: entry.name,
      path: entry.path,
      // Until downloaded, a remote entry shows its reference (without a URL's query string).
      resolvedPath: ref.type === 'file' ? resolve(base, entry.path) : displayPath(entry.path),
      sha256: entry.sha256 === undefined ? null : `sha256:${entry.sha256.replace(/^sha256:/, '').toLowerCase()}`,
      config,
      threads: entry.threads ?? DEFAULTS.threads,
      timeoutMs: entry.timeout_ms ?? DEFAULTS.timeoutMs,
      startTimeoutMs: entry.start_timeout_ms ?? DEFAULTS.startTimeoutMs,
      isolation: entry.isolation ?? 'process',
      allowedHosts: [...new Set([...(entry.allowed_hosts ?? []), ...((fromConfig as string[] | undefined) ?? [])])],
      http: {
        connectMs: entry.connect_timeout_ms ?? DEFAULTS.connectTimeoutMs,
        firstByteMs: entry.first_byte_timeout_ms ?? DEFAULTS.firstByteTimeoutMs,
        idleMs: entry.idle_timeout_ms ?? DEFAULTS.idleTimeoutMs,
      },
    });
  });
  const insecureRegistries = Object.entries(parsed.data.registries ?? {})
    .filter(([, settings]) => settings.insecure === true)
    .map(([host]) => host);
  return { path, providers, insecureRegistries, ...toolSections(parsed.data, source, path) };
}

const keysOf: Record<string, string> = {
  providers: Object.keys(ProviderEntrySchema.shape).join(', '),
  tools: Object.keys(ToolEntrySchema.shape).join(', '),
  mcp: Object.keys(McpEntrySchema.shape).join(', '),
};

function describeIssue(issue: z.core.$ZodIssue | undefined, source: string, path: string, raw: unknown): ConfigError {
  if (!issue) return new ConfigError('CONFIG_INVALID', `${path}: invalid config`);
  const [top, index, ...keyPath] = issue.path;
  if (top === 'registries' && typeof index === 'string') {
    const what = issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')} (expected: insecure)` : `${keyPath.map(String).join('.') || '(table)'}: ${issue.message}`;
    return new ConfigError('CONFIG_INVALID', `${path}: [registries."${index}"]: ${what}`, { path: `registries.${index}` });
  }
  const table = String(top);
  const entryKeys = keysOf[table] ?? '';
  if (top !== 'providers' && top !== 'tools' && top !== 'mcp') {
    if (issue.code === 'unrecognized_keys') {
      return new ConfigError(
        'CONFIG_INVALID',
        `${path}: unknown top-level key ${issue.keys.map((k) => `"${k}"`).join(', ')} (expected [[providers]], [[tools]], [[mcp]], [registries."HOST"], [permissions], plugins_dir or mcp_json)`,
        { path: issue.keys[0] ?? '' },
      );
    }
    const key = issue.path.map(String).join('.');
    return new ConfigError('CONFIG_INVALID', `${path}: "${key}": ${issue.message}`, { path: key });
  }
  if (typeof index !== 'number') {
    return new ConfigError('CONFIG_INVALID', `${path}: "${table}" must be an array of tables ([[${table}]]): ${issue.message}`, {
      path: table,
    });
  }
  const name = entryName(raw, table, index);
  const label = `[[${table}]] #${index + 1}${name ? ` ("${name}")` : ''}`;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const line = lineOfKey(source, table, index, [key]);
    return new ConfigError('CONFIG_INVALID', `${where(path, line)}: ${label}: unknown key "${key}" (expected one of: ${entryKeys})`, {
      path: `${table}[${index}].${key}`,
      expected: entryKeys,
    });
  }
  const keys = keyPath.map(String);
  const line = lineOfKey(source, table, index, keys.length ? [keys[0] ?? ''] : []);
  const field = keys.length ? keys.reduce((out, k) => (/^\d+$/.test(k) ? `${out}[${k}]` : `${out}.${k}`)) : '(entry)';
  const value = valueAt(raw, issue.path);
  const message =
    issue.code !== 'invalid_type'
      ? issue.message
      : value === undefined
        ? `missing required key (expected ${typeName(issue.expected)})`
        : `expected ${typeName(issue.expected)}, found ${tomlType(value)} ${JSON.stringify(value)}`;
  return new ConfigError('CONFIG_INVALID', `${where(path, line)}: ${label}: ${field}: ${message}`, {
    path: `${table}[${index}]${keys.length ? '.' + field : ''}`,
  });
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function typeName(expected: string): string {
  const names: Record<string, string> = { int: 'an integer', number: 'a number', string: 'a string', array: 'an array', object: 'a table', record: 'a table', boolean: 'a boolean' };
  return names[expected] ?? expected;
}

function tomlType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  return `a ${typeof value}`;
}

function entryName(raw: unknown, table: string, index: number): string | undefined {
  const entries = (raw as Record<string, unknown>)[table];
  const entry = Array.isArray(entries) ? (entries[index] as { name?: unknown } | undefined) : undefined;
  return typeof entry?.name === 'string' ? entry.name : undefined;
}

