import type { PermissionsRequest } from '../../protocol/permissions.js';
import type { ToolCallResult, ToolsAvailableRequest, ToolDeclaration } from '../../protocol/tools.js';
import type { CommandsListRequest } from '../../protocol/commands.js';
import type { PlugdClient } from '../client.js';
import { UsageError, type InvocationOf } from './args.js';
import { ensureNewline, formatJson } from './format.js';
import { withInterrupt } from './interrupt.js';
import type { CliIo } from './io.js';
import { withClient } from './session.js';
import { renderTable } from './table.js';

/** `plugd tools`, `plugd tools expose NAME [--config JSON]`, `plugd tools unexpose NAME`. */
export async function runTools(inv: InvocationOf<'tools'>, io: CliIo): Promise<void> {
  const { action } = inv;
  await withClient(io, inv.client, async (client) => {
    if (action.type === 'expose') {
      const result = await client.exposeTools(action.plugin, action.config);
      io.stdout.write(inv.client.json ? formatJson(result) : `exposed ${action.plugin}: ${result.tools.join(', ') || '(no tools)'}\n`);
    } else if (action.type === 'unexpose') {
      const result = await client.unexposeTools(action.plugin);
      io.stdout.write(inv.client.json ? formatJson(result) : result.wasExposed ? `unexposed ${action.plugin}\n` : `${action.plugin} was not exposed\n`);
    } else {
      const [available, list] = await Promise.all([client.toolsAvailable(), client.listTools()]);
      io.stdout.write(inv.client.json ? formatJson({ ...available, exposedTools: list.tools }) : formatTools(available, list.tools));
    }
  });
}

/** `plugd call TOOL [JSON]`: answers permission requests on the terminal, denies off one. */
export async function runCall(inv: InvocationOf<'call'>, io: CliIo): Promise<void> {
  const result = await withClient(io, inv.client, (client) =>
    withInterrupt(io, (signal) => {
      answerPermissions(client, io);
      return client.callTool(inv.tool, inv.arguments, { signal });
    }),
  );
  io.stdout.write(inv.client.json ? formatJson(result) : formatToolResult(result));
  // The tool ran and reported its own failure: printed above, then exit 1.
  if (result.isError) throw new Error(`tool "${inv.tool}" reported an error`);
}

/** `plugd commands`. */
export async function runCommands(inv: InvocationOf<'commands'>, io: CliIo): Promise<void> {
  const result = await withClient(io, inv.client, (client) => client.listCommands());
  io.stdout.write(inv.client.json ? formatJson(result) : formatCommands(result));
}

/** `plugd run COMMAND [ARGS...]`: ARGS fill the command's parameters in order. */
export async function runRun(inv: InvocationOf<'run'>, io: CliIo): Promise<void> {
  const result = await withClient(io, inv.client, async (client) => {
    const { commands } = await client.listCommands();
    const command = commands.find((c) => c.name === inv.name);
    const parameters = command?.parameters ?? [];
    if (command && inv.args.length > parameters.length) {
      throw new UsageError(`command '${inv.name}' takes ${parameters.length === 0 ? 'no arguments' : `at most ${parameters.length} argument(s): ${parameters.map((p) => p.name).join(' ')}`}`, 'run');
    }
    const args = Object.fromEntries(inv.args.map((value, i) => [parameters[i]?.name ?? String(i), value]));
    return withInterrupt(io, (signal) => client.runCommand(inv.name, args, { signal }));
  });
  io.stdout.write(inv.client.json ? formatJson(result) : ensureNewline(result.text));
  if (result.isError) throw new Error(`command "${inv.name}" reported an error`);
}

/** Registers the terminal prompt as this connection's permission handler. */
export function answerPermissions(client: PlugdClient, io: CliIo): void {
  client.onPermissionRequest(async (request, signal): Promise<PermissionsRequest.Result> => {
    const question = `plugd: allow ${request.plugin} to run ${request.tool} ${JSON.stringify(request.arguments)}? [y]es, [n]o, [a]lways, n[e]ver: `;
    const answer = io.prompt ? await io.prompt(question, signal) : undefined;
    if (answer === undefined) {
      // An aborted question: the daemon stopped waiting (ask_timeout_ms) or the call was cancelled.
      const why = signal.aborted ? 'no answer in time' : 'not on a terminal to ask (allow it in [permissions] instead)';
      io.stderr.write(`plugd: permission to run ${request.tool} denied: ${why}\n`);
      return { decision: 'deny' };
    }
    return { decision: decisionOf(answer) };
  });
}

/** Maps a typed answer to a decision; anything unrecognised is a deny. */
export function decisionOf(answer: string): PermissionsRequest.Result['decision'] {
  switch (answer.trim().toLowerCase()) {
    case 'y':
    case 'yes':
      return 'allow';
    case 'a':
    case 'always':
      return 'allowAlways';
    case 'e':
    case 'never':
      return 'denyAlways';
    default:
      return 'deny';
  }
}

function formatTools(available: ToolsAvailableRequest.Result, tools: ToolDeclaration[]): string {
  if (available.plugins.length === 0) return 'no tool plugins (add [[tools]] or [[mcp]] entries, or put plugins in plugins_dir)\n';
  const lines = renderTable(
    [{ header: 'PLUGIN' }, { header: 'KIND' }, { header: 'STATE' }, { header: 'EXPOSED' }, { header: 'TOOLS', right: true }],
    available.plugins.map((p) => [p.name, p.kind, p.state, p.exposed ? 'yes' : 'no', String(p.tools.length)]),
  );
  for (const p of available.plugins) if (p.error) lines.push(`  ${p.name}: ${p.error.message}`);
  for (const c of available.collisions) lines.push(`  collision: ${c.plugin} declares "${c.tool}", owned by ${c.owner}`);
  if (tools.length > 0) {
    lines.push('', ...renderTable([{ header: 'TOOL' }, { header: 'PLUGIN' }, { header: 'AUTO' }, { header: 'DESCRIPTION' }], tools.map((t) => [t.name, t.plugin, t.autoApproved ? 'yes' : '', firstLine(t.description ?? '')])));
  }
  return lines.join('\n') + '\n';
}

function formatToolResult(result: ToolCallResult): string {
  const parts = result.content.map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : `[${block.type}]`));
  return ensureNewline(parts.join('\n'));
}

function formatCommands(result: CommandsListRequest.Result): string {
  if (result.commands.length === 0) return 'no user commands (expose a tool plugin that has some)\n';
  return (
    renderTable(
      [{ header: 'COMMAND' }, { header: 'PLUGIN' }, { header: 'SHARED' }, { header: 'DESCRIPTION' }],
      result.commands.map((c) => [[c.name, ...(c.parameters ?? []).map((p) => (p.required ? p.name.toUpperCase() : `[${p.name.toUpperCase()}]`))].join(' '), c.plugin, c.shareWithModel ? 'yes' : '', c.description]),
    ).join('\n') + '\n'
  );
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 70 ? `${line.slice(0, 67)}...` : line;
}
