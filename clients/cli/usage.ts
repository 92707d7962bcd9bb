import type { UsageError } from './args.js';
import { clientFlags, commands, findCommand, helpFlags, type CommandName, type FlagSpec } from './commands.js';

/** The help text for plugd as a whole (no topic) or for one command. Ends with a newline. */
export function renderHelp(topic?: CommandName): string {
  const spec = topic === undefined ? undefined : findCommand(topic);
  return spec ? renderCommandHelp(spec.name) : renderOverallHelp();
}

/** The one-line message for a usage error, pointing at the relevant help. */
export function formatUsageError(error: UsageError): string {
  const help = error.command && error.command !== 'help' ? `plugd ${error.command} --help` : 'plugd --help';
  return `plugd: ${error.message} (see '${help}')`;
}

function renderOverallHelp(): string {
  const lines = ['plugd - a plugin runtime daemon for LLM provider and tool plugins', '', 'Usage:', '  plugd <command> [options]'];
  for (const group of ['Daemon', 'Provider', 'Tool', 'Plugins'] as const) {
    lines.push('', `${group} commands:`);
    const members = commands.filter((command) => command.group === group);
    lines.push(...columns(members.map((command) => [command.synopsis.split(' [')[0]!, command.summary])));
  }
  lines.push('', 'Global options:', ...flagLines({ ...clientFlags, ...helpFlags }));
  lines.push(
    '',
    'Examples:',
    '  plugd serve --config ./plugins.toml',
    '  plugd status',
    '  plugd chat openai --model gpt-4o-mini "Say hello"',
    '  echo "Summarise this" | plugd chat anthropic',
    '',
    "Run 'plugd <command> --help' for a command's options and examples.",
  );
  return lines.join('\n') + '\n';
}

function renderCommandHelp(name: CommandName): string {
  const spec = findCommand(name)!;
  const lines = [`plugd ${spec.name} - ${spec.summary}`, '', 'Usage:', `  plugd ${spec.synopsis}`];
  if (Object.keys(spec.flags).length > 0) lines.push('', 'Options:', ...flagLines(spec.flags));
  lines.push('', 'Global options:', ...flagLines({ ...(spec.client ? clientFlags : {}), ...helpFlags }));
  if (spec.notes) lines.push('', ...spec.notes);
  lines.push('', 'Examples:', ...spec.examples.map((example) => `  ${example}`));
  return lines.join('\n') + '\n';
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  return columns(
    Object.entries(flags).map(([name, flag]) => {
      const names = flag.short ? `-${flag.short}, --${name}` : `--${name}`;
      return [flag.valueName ? `${names} ${flag.valueName}` : names, flag.description];
    }),
  );
}

function columns(rows: Array<[string, string]>): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
