import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { isRemotePath } from '../sources/reference.js';
import { lineOfKey, where } from './keyLines.js';
import { DEFAULTS, type ConfigFileSchema, type McpEntry, type PermissionPolicy, type ToolEntry } from './schema.js';

/** Defaults of the tool sections (docs/config.md). */
export const TOOL_DEFAULTS = {
  permission: 'ask',
  askTimeoutMs: 60_000,
  mcpTimeoutMs: 60_000,
} as const;

/** The default `plugins_dir`: `$XDG_DATA_HOME/plugd/plugins`, else `~/.local/share/plugd/plugins`. */
export function defaultPluginsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'plugd', 'plugins');
}

type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Validates `[[tools]]`, `[[mcp]]`, `mcp_json`, `[permissions]` and `plugins_dir`; names are unique across tools and MCP servers. */
export function toolSections(file: ConfigFile, source: string, path: string): Required<Pick<import('./schema.js').PlugdConfig, 'tools' | 'mcp' | 'permissions' | 'pluginsDir'>> {
  const base = dirname(path);
  const seen = new Map<string, string>();
  const claim = (name: string, label: string, table: string, index: number) => {
    const previous = seen.get(name);
    if (previous !== undefined) {
      const line = lineOfKey(source, table, index, ['name']);
      throw new ConfigError('CONFIG_INVALID', `${where(path, line)}: duplicate tool plugin name "${name}" in ${label} (already used by ${previous}); names must be unique across [[tools]] and [[mcp]]`, {
        path: `${table}[${index}].name`,
      });
    }
    seen.set(name, label);
  };

  const tools: ToolEntry[] = (file.tools ?? []).map((entry, index) => {
    claim(entry.name, `[[tools]] #${index + 1}`, 'tools', index);
    if (isRemotePath(entry.path)) {
      const line = lineOfKey(source, 'tools', index, ['path']);
      throw new ConfigError('CONFIG_INVALID', `${where(path, line)}: [[tools]] #${index + 1} ("${entry.name}"): path: tool plugins load from local files in this version (https:// and oci:// sources are for [[providers]]; \`plugd pull\` one and point path at the file)`, {
        path: `tools[${index}].path`,
      });
    }
    const paths = entry.config?.allowed_paths;
    if (paths !== undefined && !(Array.isArray(paths) && paths.every((p) => typeof p === 'string' && p.length > 0))) {
      const line = lineOfKey(source, 'tools', index, ['config', 'allowed_paths']);
      throw new ConfigError('CONFIG_INVALID', `${where(path, line)}: [[tools]] #${index + 1} ("${entry.name}"): config.allowed_paths: expected an array of directory paths`, {
        path: `tools[${index}].config.allowed_paths`,
      });
    }
    const allowedPaths = ((paths as string[] | undefined) ?? []).map((p) => resolve(base, expandHome(p)));
    return {
      name: entry.name,
      path: entry.path,
      resolvedPath: resolve(base, entry.path),
      sha256: null,
      config: entry.config ?? {},
      threads: entry.threads ?? DEFAULTS.threads,
      timeoutMs: entry.timeout_ms ?? DEFAULTS.timeoutMs,
      startTimeoutMs: entry.start_timeout_ms ?? DEFAULTS.startTimeoutMs,
      isolation: entry.isolation ?? 'process',
      allowedHosts: entry.allowed_hosts ?? [],
      ...(allowedPaths.length > 0 && { allowedPaths }),
      expose: entry.expose ?? false,
      foundIn: 'config',
    };
  });

  const mcp: McpEntry[] = (file.mcp ?? []).map((entry, index) => {
    claim(entry.name, `[[mcp]] #${index + 1}`, 'mcp', index);
    const line = lineOfKey(source, 'mcp', index, []);
    const label = `${where(path, line)}: [[mcp]] #${index + 1} ("${entry.name}")`;
    if ((entry.command === undefined) === (entry.url === undefined)) {
      throw new ConfigError('CONFIG_INVALID', `${label}: expected exactly one of "command" (a server started on stdio) or "url" (streamable HTTP)`, { path: `mcp[${index}]` });
    }
    if (entry.url !== undefined && (entry.args || entry.env || entry.cwd)) {
      throw new ConfigError('CONFIG_INVALID', `${label}: "args", "env" and "cwd" apply only to a "command" server, not to a "url" one`, { path: `mcp[${index}]` });
    }
    return {
      name: entry.name,
      transport: entry.url !== undefined
        ? { type: 'http', url: entry.url }
        : { type: 'stdio', command: resolveCommand(entry.command!, base), args: entry.args ?? [], env: entry.env ?? {}, cwd: resolve(base, entry.cwd ?? '.') },
      expose: entry.expose ?? false,
      timeoutMs: entry.timeout_ms ?? TOOL_DEFAULTS.mcpTimeoutMs,
    };
  });

  if (file.mcp_json !== undefined) {
    for (const entry of importMcpJson(resolve(base, expandHome(file.mcp_json)))) {
      claim(entry.name, `mcp_json (${file.mcp_json})`, 'mcp', 0);
      mcp.push(entry);
    }
  }

  const p = file.permissions ?? {};
  const permissions: PermissionPolicy = {
    default: p.default ?? TOOL_DEFAULTS.permission,
    allow: p.allow ?? [],
    deny: p.deny ?? [],
    allowCalls: p.allow_calls ?? [],
    denyCalls: p.deny_calls ?? [],
    askTimeoutMs: p.ask_timeout_ms ?? TOOL_DEFAULTS.askTimeoutMs,
  };
  return { tools, mcp, permissions, pluginsDir: file.plugins_dir !== undefined ? resolve(base, expandHome(file.plugins_dir)) : defaultPluginsDir() };
}

/** `~/x` is relative to the home directory (TOML has no such notion; people write it anyway). */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** A command with a slash is a path relative to the config file; a bare name is looked up on PATH. */
function resolveCommand(command: string, base: string): string {
  return command.includes('/') ? resolve(base, command) : command;
}

/**
 * Reads a `.mcp.json` file (`{"mcpServers": {NAME: {command, args, env} | {url}}}`, the format
 * Claude Code and other MCP clients use). Imported servers are not exposed until asked.
 */
export function importMcpJson(file: string): McpEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError('CONFIG_INVALID', `${file}: cannot read the mcp_json file (${(error as Error).message})`, { path: 'mcp_json' });
  }
  const servers = (raw as { mcpServers?: unknown })?.mcpServers;
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new ConfigError('CONFIG_INVALID', `${file}: expected an object with an "mcpServers" object`, { path: 'mcp_json' });
  }
  const base = dirname(file);
  return Object.entries(servers as Record<string, unknown>).map(([name, value]) => {
    const server = value as { command?: unknown; args?: unknown; env?: unknown; url?: unknown; cwd?: unknown };
    const where = `${file}: mcpServers.${name}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) throw new ConfigError('CONFIG_INVALID', `${where}: expected a name of letters, digits, "_" or "-"`, { path: 'mcp_json' });
    const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (server?.url !== undefined) {
      if (typeof server.url !== 'string' || !URL.canParse(server.url) || !/^https?:$/.test(new URL(server.url).protocol)) {
        throw new ConfigError('CONFIG_INVALID', `${where}.url: expected an http:// or https:// URL`, { path: 'mcp_json' });
      }
      return { name, transport: { type: 'http', url: server.url }, expose: false, timeoutMs: TOOL_DEFAULTS.mcpTimeoutMs };
    }
    if (typeof server?.command !== 'string' || !server.command) throw new ConfigError('CONFIG_INVALID', `${where}: expected "command" (a string) or "url"`, { path: 'mcp_json' });
    if (server.args !== undefined && !strings(server.args)) throw new ConfigError('CONFIG_INVALID', `${where}.args: expected an array of strings`, { path: 'mcp_json' });
    const env = server.env ?? {};
    if (typeof env !== 'object' || env === null || !Object.values(env).every((v) => typeof v === 'string')) {
      throw new ConfigError('CONFIG_INVALID', `${where}.env: expected an object of strings`, { path: 'mcp_json' });
    }
    return {
      name,
      transport: { type: 'stdio', command: resolveCommand(server.command, base), args: (server.args as string[] | undefined) ?? [], env: env as Record<string, string>, cwd: resolve(base, typeof server.cwd === 'string' ? server.cwd : '.') },
      expose: false,
      timeoutMs: TOOL_DEFAULTS.mcpTimeoutMs,
    } satisfies McpEntry;
  });
}
