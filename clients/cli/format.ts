import type { ChatResult, ToolCall } from '../../protocol/chat.js';
import type { DaemonShutdownRequest, DaemonStatusRequest, ErrorInfo, PluginStatus } from '../../protocol/daemon.js';
import type { ReloadSummary } from '../../protocol/plugins.js';
import type { FactoriesListModelsRequest, FactoriesListRequest, FactoryCapabilities } from '../../protocol/factories.js';
import type { ProvidersEmbedRequest } from '../../protocol/providers.js';
import {
  InvalidParamsError,
  InvalidProviderConfigError,
  PluginCrashedError,
  PluginError,
  PluginFailedError,
  PluginTimeoutError,
  UnknownProviderError,
} from '../errors.js';
import { renderTable } from './table.js';

/** Machine output: pretty-printed JSON and a newline. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** One compact JSON line (for streamed output, one value per line). */
export function formatJsonLine(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

/** `plugd status`: a header about the daemon, then a table of plugins; failed plugins show their error. */
export function formatStatus(status: DaemonStatusRequest.Result): string {
  const clients = status.clients === 1 ? '1 client' : `${status.clients} clients`;
  const lines = [
    `plugd ${status.version}  pid ${status.pid}  up ${formatUptime(status.uptimeMs)}  ${clients}`,
    `config: ${status.configPath}`,
    `socket: ${status.socketPath ?? 'none (stdio only)'}`,
    ...(status.configError ? [`config rejected at the last reload (the last good config serves): ${formatErrorInfo(status.configError)}`] : []),
    '',
  ];
  if (status.plugins.length === 0) return [...lines, 'no plugins configured', ''].join('\n');
  const table = renderTable(
    [
      { header: 'PLUGIN' },
      { header: 'STATE' },
      { header: 'TYPE' },
      { header: 'CALLS', right: true },
      { header: 'ERRORS', right: true },
      { header: 'RESTARTS', right: true },
      { header: 'LOAD TIME', right: true },
    ],
    status.plugins.map((plugin) => [
      plugin.name,
      plugin.state,
      plugin.kind === 'tool' ? `${plugin.type ?? '-'} tool` : (plugin.type ?? '-'),
      String(plugin.calls),
      String(plugin.errors),
      String(plugin.restarts),
      plugin.loadTimeMs === null ? '-' : formatDuration(plugin.loadTimeMs),
    ]),
  );
  lines.push(table[0]!);
  status.plugins.forEach((plugin: PluginStatus, i) => {
    lines.push(table[i + 1]!);
    if (plugin.origin && plugin.origin.type !== 'file') {
      const digest = plugin.origin.digest ? ` ${plugin.origin.digest.slice(0, 19)}` : '';
      lines.push(`  from: ${plugin.origin.ref}${digest}${plugin.origin.fromCache ? ' (cache)' : ''}`);
      if (plugin.origin.warning) lines.push(`  warning: ${plugin.origin.warning}`);
    }
    if (plugin.error) lines.push(`  error: ${formatErrorInfo(plugin.error)}`);
    if (plugin.reloadError) lines.push(`  new version failed to load (the previous one serves): ${formatErrorInfo(plugin.reloadError)}`);
  });
  return lines.join('\n') + '\n';
}

/** `plugd factories`: name, state, capabilities and API key variable per provider plugin. */
export function formatFactories(result: FactoriesListRequest.Result): string {
  if (result.factories.length === 0) return 'no providers configured\n';
  const table = renderTable(
    [{ header: 'PROVIDER' }, { header: 'STATE' }, { header: 'CAPABILITIES' }, { header: 'API KEY' }],
    result.factories.map((factory) => [
      factory.name,
      factory.state,
      formatCapabilities(factory.capabilities),
      factory.apiKeyName ?? '-',
    ]),
  );
  const lines = [table[0]!];
  result.factories.forEach((factory, i) => {
    lines.push(table[i + 1]!);
    if (factory.error) lines.push(`  error: ${formatErrorInfo(factory.error)}`);
  });
  return lines.join('\n') + '\n';
}

/** The capabilities that are true, by their protocol names, or `-` when none. */
export function formatCapabilities(capabilities: FactoryCapabilities): string {
  const names = (Object.keys(capabilities) as Array<keyof FactoryCapabilities>).filter((name) => capabilities[name]);
  return names.length === 0 ? '-' : names.join(', ');
}

/** `plugd models`: one model per line. */
export function formatModels(result: FactoriesListModelsRequest.Result): string {
  return result.models.map((model) => `${model}\n`).join('');
}

/** `plugd embed`: per input, its dimension count, the vector's ends, and the input. */
export function formatEmbeddings(result: ProvidersEmbedRequest.Result, inputs: readonly string[]): string {
  return result.embeddings
    .map((vector, i) => `${vector.length} dims  ${previewVector(vector)}  ${previewText(inputs[i] ?? '')}\n`)
    .join('');
}

/**
 * `plugd reload`: one line of counts, one line per non-empty list of names, then the config
 * error or the plugins that failed to load, if any.
 */
export function formatReload(summary: ReloadSummary): string {
  if (summary.configError) {
    return [
      'config rejected; nothing changed (the last good config keeps serving)',
      `  error: ${formatErrorInfo(summary.configError)}`,
      '',
    ].join('\n');
  }
  const lists: Array<[string, string[]]> = [
    ['added', summary.added],
    ['updated', summary.updated],
    ['removed', summary.removed],
    ['unchanged', summary.unchanged],
  ];
  const lines = [`reloaded: ${lists.map(([label, names]) => `${names.length} ${label}`).join(', ')}`];
  const width = Math.max(...lists.map(([label]) => label.length)) + 1;
  for (const [label, names] of lists) if (names.length) lines.push(`  ${`${label}:`.padEnd(width)} ${names.join(', ')}`);
  if (summary.failed.length) {
    lines.push('failed to load (a plugin that was serving keeps its last good version):');
    for (const failure of summary.failed) lines.push(`  ${failure.name}: ${formatErrorInfo(failure.error)}`);
  }
  return lines.join('\n') + '\n';
}

/** `plugd shutdown`. */
export function formatShutdown(result: DaemonShutdownRequest.Result): string {
  const drained = result.drained === 1 ? '1 in-flight call' : `${result.drained} in-flight calls`;
  return `daemon stopped (drained ${drained})\n`;
}

/** The tool calls of a chat result, one line each. */
export function formatToolCalls(toolCalls: readonly ToolCall[]): string {
  return toolCalls.map((call) => `[tool call ${call.id}] ${call.name} ${JSON.stringify(call.arguments)}\n`).join('');
}

/** A non-streamed chat answer: its text, then any tool calls. */
export function formatChatResult(result: ChatResult): string {
  return ensureNewline(result.text ?? '') + formatToolCalls(result.toolCalls);
}

/** Appends a newline unless the text already ends with one. */
export function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : text + '\n';
}

/** A short duration: `850 ms`, `12.3 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatUptime(ms);
}

/** A long duration in its two largest units: `45s`, `3m 12s`, `2h 5m`, `1d 3h`. */
export function formatUptime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const units: Array<[string, number]> = [
    ['d', Math.floor(seconds / 86_400)],
    ['h', Math.floor(seconds / 3600) % 24],
    ['m', Math.floor(seconds / 60) % 60],
    ['s', seconds % 60],
  ];
  const first = units.findIndex(([, value]) => value > 0);
  if (first === -1) return '0s';
  return units
    .slice(first, first + 2)
    .map(([unit, value]) => `${value}${unit}`)
    .join(' ');
}

/** A status-style error: `PluginLoadError: cannot read …`. */
export function formatErrorInfo(error: ErrorInfo): string {
  return oneLine(`${error.name}: ${error.message}`);
}

/**
 * The message for an error the CLI reports (without the `plugd: ` prefix), on one line,
 * adding what the error's data says when the message does not already.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return oneLine(String(error));
  let message = error.message || error.name;
  const add = (detail: string | undefined, render: (detail: string) => string): void => {
    if (detail && !message.includes(detail)) message += render(detail);
  };
  if (error instanceof InvalidParamsError || error instanceof InvalidProviderConfigError) {
    add(error.path, (path) => ` (at ${path})`);
    add(error.data?.expected, (expected) => ` (expected ${expected})`);
  } else if (error instanceof PluginError) {
    const payload = error.payload;
    if (payload) add(payload.message, (detail) => `: ${payload.type}: ${detail}`);
  } else if (error instanceof PluginFailedError || error instanceof PluginCrashedError) {
    add(error.reason, (reason) => `: ${reason}`);
  } else if (error instanceof PluginTimeoutError) {
    add(error.timeoutMs === undefined ? undefined : String(error.timeoutMs), (ms) => ` (limit ${ms} ms)`);
  } else if (error instanceof UnknownProviderError) {
    message += " (see 'plugd factories')";
  }
  return oneLine(message);
}

function previewVector(vector: readonly number[]): string {
  const show = (values: readonly number[]): string => values.map((value) => value.toFixed(4)).join(', ');
  if (vector.length <= 6) return `[${show(vector)}]`;
  return `[${show(vector.slice(0, 3))}, ..., ${show(vector.slice(-2))}]`;
}

function previewText(text: string): string {
  const flat = oneLine(text);
  return JSON.stringify(flat.length > 40 ? `${flat.slice(0, 39)}…` : flat);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
