import { parseArgs, type ParseArgsConfig } from 'node:util';
import { clientFlags, findCommand, helpFlags, type CommandName, type CommandSpec, type FlagSpec } from './commands.js';

/** A mistake on the command line. The CLI prints it with a pointer to `--help` and exits 2. */
export class UsageError extends Error {
  /** The command whose help explains the mistake, if one was recognised. */
  readonly command: CommandName | undefined;

  constructor(message: string, command?: CommandName) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Options shared by every command that talks to a daemon. */
export interface ClientOptions {
  /** `--socket`, if given (the environment is consulted later). */
  socketPath: string | undefined;
  /** `--json`. */
  json: boolean;
}

/** Flags shared by the commands that build a provider. */
export interface ProviderOptions {
  provider: string;
  model: string | undefined;
  apiKey: string | undefined;
  baseUrl: string | undefined;
}

/** What the command line asks for. */
export type Invocation =
  | { command: 'help'; topic: CommandName | undefined }
  | { command: 'version'; json: boolean }
  | { command: 'serve'; configPath: string | undefined; socketPath: string | undefined; stdio: boolean; watch: boolean }
  | { command: 'status'; client: ClientOptions }
  | { command: 'reload'; client: ClientOptions; refresh: boolean }
  | { command: 'shutdown'; client: ClientOptions; drainTimeoutMs: number | undefined }
  | { command: 'factories'; client: ClientOptions }
  | { command: 'schema'; client: ClientOptions; name: string }
  | { command: 'models'; client: ClientOptions; name: string; apiKey: string | undefined; baseUrl: string | undefined }
  | (ProviderOptions & {
      command: 'chat';
      client: ClientOptions;
      system: string | undefined;
      temperature: number | undefined;
      maxTokens: number | undefined;
      stream: boolean;
      /** The message, or undefined to read it from stdin. */
      message: string | undefined;
    })
  | (ProviderOptions & { command: 'embed'; client: ClientOptions; inputs: string[] })
  | { command: 'pull'; refresh: boolean; configPath: string | undefined; json: boolean; targets: string[] }
  | { command: 'push'; file: string; ref: string; platform: string | undefined; insecure: boolean; json: boolean }
  | { command: 'cache'; action: 'ls' | 'prune'; all: boolean; json: boolean }
  | (ProviderOptions & {
      command: 'complete';
      client: ClientOptions;
      suffix: string | undefined;
      temperature: number | undefined;
      maxTokens: number | undefined;
      /** The prompt, or undefined to read it from stdin. */
      prompt: string | undefined;
    })
  | { command: 'tools'; client: ClientOptions; action: { type: 'list' } | { type: 'expose'; plugin: string; config: Record<string, unknown> | undefined } | { type: 'unexpose'; plugin: string } }
  | { command: 'call'; client: ClientOptions; tool: string; arguments: Record<string, unknown> }
  | { command: 'commands'; client: ClientOptions }
  | { command: 'run'; client: ClientOptions; name: string; args: string[] };

/** The invocation for one command. */
export type InvocationOf<C extends Invocation['command']> = Extract<Invocation, { command: C }>;

type Values = Record<string, string | boolean | undefined>;

/**
 * Parses the CLI's arguments (without `node` and the script). Pure: never touches the
 * environment or stdio.
 * @throws UsageError for unknown commands or flags, missing or surplus arguments, bad numbers.
 */
export function parseCliArgs(argv: readonly string[]): Invocation {
  const end = argv.indexOf('--');
  const flagArea = end === -1 ? argv : argv.slice(0, end);
  const commandIndex = findCommandIndex(flagArea);
  const commandName = commandIndex === -1 ? undefined : flagArea[commandIndex];
  const spec = commandName === undefined ? undefined : findCommand(commandName);

  // Help and version win over everything else, so `plugd chat --help` works without a PROVIDER.
  if (flagArea.includes('--help') || flagArea.includes('-h')) return { command: 'help', topic: spec?.name };
  if (flagArea.includes('--version')) return { command: 'version', json: flagArea.includes('--json') };
  if (commandName === undefined) {
    parseWith({ ...helpFlags, ...clientFlags }, argv, undefined);
    return { command: 'help', topic: undefined };
  }
  if (!spec) throw new UsageError(`unknown command '${commandName}'`);

  const rest = [...argv.slice(0, commandIndex), ...argv.slice(commandIndex + 1)];
  const { values, positionals } = parseFor(spec, rest);
  return toInvocation(spec, values, positionals);
}

/** The index of the first positional before any `--`, skipping values of global string flags. */
function findCommandIndex(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--socket') i++;
    else if (!arg.startsWith('-') || arg === '-') return i;
  }
  return -1;
}

function parseFor(spec: CommandSpec, args: string[]): { values: Values; positionals: string[] } {
  const flags = { ...helpFlags, ...(spec.client ? clientFlags : {}), ...spec.flags };
  return parseWith(flags, args, spec.name);
}

function parseWith(
  flags: Record<string, FlagSpec>,
  args: readonly string[],
  command: CommandName | undefined,
): { values: Values; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, flag] of Object.entries(flags)) {
    options[name] = flag.short ? { type: flag.type, short: flag.short } : { type: flag.type };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values as Values, positionals };
  } catch (error) {
    throw new UsageError(describeParseError(error), command);
  }
}

/** Shortens node:util's messages ("Unknown option '--x'. To specify a positional…") to their first sentence. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split(/\.\s/)[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

function toInvocation(spec: CommandSpec, values: Values, positionals: string[]): Invocation {
  const name = spec.name;
  const client: ClientOptions = { socketPath: str(values.socket), json: values.json === true };
  const args = new Positionals(name, positionals);
  switch (name) {
    case 'help': {
      const topic = args.optional();
      args.done();
      if (topic === undefined) return { command: 'help', topic: undefined };
      const topicSpec = findCommand(topic);
      if (!topicSpec) throw new UsageError(`unknown command '${topic}'`);
      return { command: 'help', topic: topicSpec.name };
    }
    case 'serve':
      args.done();
      return {
        command: 'serve',
        configPath: str(values.config),
        socketPath: str(values.socket),
        stdio: values.stdio === true,
        watch: values['no-watch'] !== true,
      };
    case 'status':
    case 'factories':
    case 'commands':
      args.done();
      return { command: name, client };
    case 'reload':
      args.done();
      return { command: 'reload', client, refresh: values.refresh === true };
    case 'shutdown':
      args.done();
      return {
        command: 'shutdown',
        client,
        drainTimeoutMs: integer(name, 'drain-timeout', values['drain-timeout'], 0),
      };
    case 'schema': {
      const schemaName = args.required('NAME');
      args.done();
      return { command: 'schema', client, name: schemaName };
    }
    case 'models': {
      const modelsName = args.required('NAME');
      args.done();
      return {
        command: 'models',
        client,
        name: modelsName,
        apiKey: str(values['api-key']),
        baseUrl: str(values['base-url']),
      };
    }
    case 'chat':
      return {
        command: 'chat',
        client,
        ...providerOptions(values, args.required('PROVIDER')),
        system: str(values.system),
        temperature: finite(name, 'temperature', values.temperature),
        maxTokens: integer(name, 'max-tokens', values['max-tokens'], 1),
        stream: values['no-stream'] !== true,
        message: args.joinedRest(),
      };
    case 'embed': {
      const provider = args.required('PROVIDER');
      const inputs = args.rest();
      if (inputs.length === 0) throw new UsageError('missing TEXT', name);
      return { command: 'embed', client, ...providerOptions(values, provider), inputs };
    }
    case 'pull':
      return { command: 'pull', refresh: values.refresh === true, configPath: str(values.config), json: values.json === true, targets: args.rest() };
    case 'push': {
      const file = args.required('FILE');
      const ref = args.required('oci://REFERENCE');
      args.done();
      if (!/^oci:\/\//.test(ref)) throw new UsageError(`expected an oci:// reference, got '${ref}'`, name);
      return { command: 'push', file, ref, platform: str(values.platform), insecure: values.insecure === true, json: values.json === true };
    }
    case 'cache': {
      const action = args.required('ls or prune');
      args.done();
      if (action !== 'ls' && action !== 'prune') throw new UsageError(`unknown cache action '${action}' (expected ls or prune)`, name);
      if (values.all === true && action !== 'prune') throw new UsageError('--all goes with prune', name);
      return { command: 'cache', action, all: values.all === true, json: values.json === true };
    }
    case 'complete':
      return {
        command: 'complete',
        client,
        ...providerOptions(values, args.required('PROVIDER')),
        suffix: str(values.suffix),
        temperature: finite(name, 'temperature', values.temperature),
        maxTokens: integer(name, 'max-tokens', values['max-tokens'], 1),
        prompt: args.joinedRest(),
      };
    case 'tools': {
      const sub = args.optional();
      if (sub === undefined) {
        if (values.config !== undefined) throw new UsageError('--config goes with `tools expose NAME`', name);
        return { command: 'tools', client, action: { type: 'list' } };
      }
      if (sub !== 'expose' && sub !== 'unexpose') throw new UsageError(`unknown tools subcommand '${sub}' (expected expose or unexpose)`, name);
      const plugin = args.required('NAME');
      args.done();
      if (sub === 'unexpose') {
        if (values.config !== undefined) throw new UsageError('--config goes with `tools expose NAME`', name);
        return { command: 'tools', client, action: { type: 'unexpose', plugin } };
      }
      const config = typeof values.config === 'string' ? jsonObject(name, '--config', values.config) : undefined;
      return { command: 'tools', client, action: { type: 'expose', plugin, config } };
    }
    case 'call': {
      const tool = args.required('TOOL');
      const json = args.optional();
      args.done();
      return { command: 'call', client, tool, arguments: json === undefined ? {} : jsonObject(name, 'JSON', json) };
    }
    case 'run':
      return { command: 'run', client, name: args.required('COMMAND'), args: args.rest() };
  }
}

/** Parses a JSON object argument, naming it in the usage error. */
function jsonObject(command: CommandName, what: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON (${(error as Error).message})`, command);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${what} must be a JSON object, like '{"key": "value"}'`, command);
  return value as Record<string, unknown>;
}

function providerOptions(values: Values, provider: string): ProviderOptions {
  return {
    provider,
    model: str(values.model),
    apiKey: str(values['api-key']),
    baseUrl: str(values['base-url']),
  };
}

/** Consumes positionals in order, raising usage errors that name what is missing or surplus. */
class Positionals {
  readonly #command: CommandName;
  readonly #values: string[];

  constructor(command: CommandName, values: string[]) {
    this.#command = command;
    this.#values = [...values];
  }

  required(what: string): string {
    const value = this.#values.shift();
    if (value === undefined || value === '') throw new UsageError(`missing ${what}`, this.#command);
    return value;
  }

  optional(): string | undefined {
    return this.#values.shift();
  }

  rest(): string[] {
    return this.#values.splice(0);
  }

  /** The remaining words joined by spaces, so an unquoted message still works; undefined when none. */
  joinedRest(): string | undefined {
    const words = this.rest();
    return words.length === 0 ? undefined : words.join(' ');
  }

  done(): void {
    const surplus = this.#values[0];
    if (surplus !== undefined) throw new UsageError(`unexpected argument '${surplus}'`, this.#command);
  }
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function finite(command: CommandName, flag: string, value: string | boolean | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const number = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(number)) throw new UsageError(`--${flag} must be a number (got '${value}')`, command);
  return number;
}

function integer(
  command: CommandName,
  flag: string,
  value: string | boolean | undefined,
  min: number,
): number | undefined {
  if (typeof value !== 'string') return undefined;
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    const kind = min > 0 ? 'a positive integer' : 'a non-negative integer';
    throw new UsageError(`--${flag} must be ${kind} (got '${value}')`, command);
  }
  return number;
}
