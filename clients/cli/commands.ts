/**
 * The CLI's commands and flags as data. The argument parser (args.ts) and the help text
 * (usage.ts) are both derived from this table, so they cannot drift apart.
 */

/** One flag of a command. */
export interface FlagSpec {
  /** `string` flags take a value; `boolean` flags do not. */
  type: 'string' | 'boolean';
  /** A one-letter alias, e.g. `h` for `-h`. */
  short?: string;
  /** The value's placeholder in help, e.g. `PATH`. */
  valueName?: string;
  /** One line for the help text. */
  description: string;
}

/** Names of the CLI's commands. */
export type CommandName =
  | 'serve'
  | 'status'
  | 'reload'
  | 'shutdown'
  | 'factories'
  | 'schema'
  | 'models'
  | 'chat'
  | 'embed'
  | 'complete'
  | 'pull'
  | 'push'
  | 'cache'
  | 'tools'
  | 'call'
  | 'commands'
  | 'run'
  | 'help';

/** One command. */
export interface CommandSpec {
  name: CommandName;
  /** What it does, for the command list. */
  summary: string;
  /** The synopsis after `plugd `, e.g. `schema NAME`. */
  synopsis: string;
  /** Where it is listed in the overall help. */
  group: 'Daemon' | 'Provider' | 'Tool' | 'Plugins' | 'Other';
  /** True for commands that talk to a running daemon (they accept `--socket` and `--json`). */
  client: boolean;
  /** The command's own flags (the global ones are added by the parser). */
  flags: Record<string, FlagSpec>;
  /** Example command lines. */
  examples: string[];
  /** Further explanation shown in the command's help, if any. */
  notes?: string[];
}

/** Flags every client command accepts. */
export const clientFlags: Record<string, FlagSpec> = {
  socket: {
    type: 'string',
    valueName: 'PATH',
    description: "the daemon's socket (default: $PLUGD_SOCKET, else $XDG_RUNTIME_DIR/plugd/plugd.sock)",
  },
  json: { type: 'boolean', description: "print the daemon's answer as JSON" },
};

/** Flags every command accepts. */
export const helpFlags: Record<string, FlagSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  version: { type: 'boolean', description: "print plugd's version" },
};

const providerFlags: Record<string, FlagSpec> = {
  model: { type: 'string', valueName: 'M', description: 'the model to use' },
  'api-key': {
    type: 'string',
    valueName: 'K',
    description: "the API key (default: the plugin's API key variable, from this shell's environment or the daemon's)",
  },
  'base-url': { type: 'string', valueName: 'U', description: "the provider's endpoint" },
};

/** Every command, in help order. */
export const commands: readonly CommandSpec[] = [
  {
    name: 'serve',
    summary: 'run the daemon in the foreground',
    synopsis: 'serve [--config PATH] [--socket PATH] [--stdio] [--no-watch]',
    group: 'Daemon',
    client: false,
    flags: {
      config: { type: 'string', valueName: 'PATH', description: 'the plugins.toml to load' },
      socket: {
        type: 'string',
        valueName: 'PATH',
        description: 'where to listen (default: $PLUGD_SOCKET, else $XDG_RUNTIME_DIR/plugd/plugd.sock)',
      },
      stdio: { type: 'boolean', description: 'serve JSON-RPC on stdin/stdout (logs go to stderr)' },
      'no-watch': { type: 'boolean', description: 'do not reload when the configuration changes' },
    },
    examples: ['plugd serve', 'plugd serve --config ./plugins.toml', 'plugd serve --socket /tmp/plugd.sock --no-watch'],
  },
  {
    name: 'status',
    summary: 'show the daemon and the state of every plugin',
    synopsis: 'status',
    group: 'Daemon',
    client: true,
    flags: {},
    examples: ['plugd status', "plugd status --json | jq '.plugins[] | select(.state == \"failed\")'"],
  },
  {
    name: 'reload',
    summary: 're-read plugins.toml and the plugin files, and swap in what changed',
    synopsis: 'reload [--refresh]',
    group: 'Daemon',
    client: true,
    flags: {
      refresh: { type: 'boolean', description: 'also re-resolve oci:// tags and revalidate https:// URLs (a moved tag is loaded)' },
    },
    examples: ['plugd reload', 'plugd reload --refresh', "plugd reload --json | jq '.updated'"],
    notes: [
      'Plugins whose entry or file changed load beside the old versions; calls in flight finish on the old ones.',
      'Exits 1 when the config was rejected or a plugin failed to load (the last good version keeps serving).',
      'The daemon also reloads on SIGHUP, and by itself when the files change unless it runs with --no-watch.',
    ],
  },
  {
    name: 'shutdown',
    summary: 'stop the daemon once in-flight calls finish',
    synopsis: 'shutdown [--drain-timeout MS]',
    group: 'Daemon',
    client: true,
    flags: {
      'drain-timeout': {
        type: 'string',
        valueName: 'MS',
        description: 'how long to wait for in-flight calls (default: 10000)',
      },
    },
    examples: ['plugd shutdown', 'plugd shutdown --drain-timeout 0'],
  },
  {
    name: 'factories',
    summary: 'list the configured provider plugins',
    synopsis: 'factories',
    group: 'Provider',
    client: true,
    flags: {},
    examples: ['plugd factories', 'plugd factories --json'],
  },
  {
    name: 'schema',
    summary: "print a provider's configuration JSON Schema",
    synopsis: 'schema NAME',
    group: 'Provider',
    client: true,
    flags: {},
    examples: ['plugd schema openai'],
  },
  {
    name: 'models',
    summary: "list a provider's models",
    synopsis: 'models NAME [--api-key K] [--base-url U]',
    group: 'Provider',
    client: true,
    flags: { 'api-key': providerFlags['api-key']!, 'base-url': providerFlags['base-url']! },
    examples: ['plugd models openai', 'plugd models ollama --base-url http://localhost:11434'],
  },
  {
    name: 'chat',
    summary: 'send one message to a model and print the answer',
    synopsis: 'chat PROVIDER [options] [MESSAGE]',
    group: 'Provider',
    client: true,
    flags: {
      ...providerFlags,
      system: { type: 'string', valueName: 'S', description: 'the system prompt' },
      temperature: { type: 'string', valueName: 'T', description: 'sampling temperature' },
      'max-tokens': { type: 'string', valueName: 'N', description: 'token limit for the answer' },
      'no-stream': { type: 'boolean', description: 'wait for the whole answer instead of streaming it' },
    },
    examples: [
      'plugd chat openai --model gpt-4o-mini "Write a haiku about sockets"',
      'plugd chat anthropic --system "Answer in French" "How are you?"',
      'git diff | plugd chat openai --model gpt-4o-mini',
      'plugd chat openai --json "Hi" | jq -r \'select(.type == "text") | .text\'',
    ],
    notes: [
      'Without MESSAGE the whole of stdin is the message.',
      'The answer is streamed as it arrives; Ctrl-C cancels the request.',
      'With --json: one JSON chunk per line, then the final result.',
    ],
  },
  {
    name: 'embed',
    summary: 'embed texts into vectors',
    synopsis: 'embed PROVIDER [--model M] TEXT...',
    group: 'Provider',
    client: true,
    flags: providerFlags,
    examples: ['plugd embed openai --model text-embedding-3-small "first text" "second text"', 'plugd embed ollama --json "hello"'],
    notes: ['Each TEXT is embedded separately. Use --json for the full vectors.'],
  },
  {
    name: 'complete',
    summary: 'complete a prompt (fill-in-the-middle with --suffix)',
    synopsis: 'complete PROVIDER [options] [PROMPT]',
    group: 'Provider',
    client: true,
    flags: {
      ...providerFlags,
      suffix: { type: 'string', valueName: 'S', description: 'text after the completion point' },
      temperature: { type: 'string', valueName: 'T', description: 'sampling temperature' },
      'max-tokens': { type: 'string', valueName: 'N', description: 'token limit for the completion' },
    },
    examples: ['plugd complete mistral --model codestral-latest "def fib(n):"', 'plugd complete mistral --suffix "return x" "def f(x):"'],
    notes: ['Without PROMPT the whole of stdin is the prompt.'],
  },
  {
    name: 'pull',
    summary: 'download plugins (oci:// references, https:// URLs) into the cache',
    synopsis: 'pull [--refresh] [--config PATH] [REF|NAME...]',
    group: 'Plugins',
    client: false,
    flags: {
      refresh: { type: 'boolean', description: 're-resolve tags and revalidate URLs even when the cache has them' },
      config: { type: 'string', valueName: 'PATH', description: 'the plugins.toml whose entries NAME refers to (found as `serve` finds it)' },
      json: { type: 'boolean', description: 'print the results as JSON' },
    },
    examples: [
      'plugd pull',
      'plugd pull --refresh openai',
      'plugd pull oci://ghcr.io/querymt/openai:latest',
    ],
    notes: [
      'Without REF or NAME, pulls every https:// and oci:// plugin in plugins.toml; a NAME is a [[providers]] entry.',
      'Fills the cache the daemon uses ($PLUGD_CACHE_DIR, else $XDG_CACHE_HOME/plugd, else ~/.cache/plugd).',
      'Without --refresh a tag or URL already in the cache is not asked for again; a pinned digest never is.',
      'A running daemon picks a moved tag up at its next `plugd reload`.',
    ],
  },
  {
    name: 'push',
    summary: 'publish a Wasm or native plugin to an OCI registry',
    synopsis: 'push FILE oci://REGISTRY/REPO:TAG [--platform OS/ARCH] [--insecure]',
    group: 'Plugins',
    client: false,
    flags: {
      platform: { type: 'string', valueName: 'OS/ARCH', description: 'the platform entry to add to the tag\'s index (native: default from the file; Wasm: wasi/wasm)' },
      insecure: { type: 'boolean', description: 'use plain http:// for a registry that is not on loopback' },
      json: { type: 'boolean', description: 'print the result as JSON' },
    },
    examples: ['plugd push dist/plugins/echo.wasm oci://localhost:5000/plugins/echo:1.0', 'plugd push libopenai.so oci://registry.lan/openai:1.0 --platform linux/amd64'],
    notes: [
      'A Wasm module is one layer of type application/vnd.wasm.v1.layer+wasm; a native library a tar+gzip layer in an image index entry for its platform.',
      'Credentials come from ~/.docker/config.json ($DOCKER_CONFIG), as `docker login` stores them.',
    ],
  },
  {
    name: 'cache',
    summary: 'list or prune the download cache',
    synopsis: 'cache ls|prune [--all]',
    group: 'Plugins',
    client: false,
    flags: {
      all: { type: 'boolean', description: 'prune: remove everything, not only what no reference needs' },
      json: { type: 'boolean', description: 'print the result as JSON' },
    },
    examples: ['plugd cache ls', 'plugd cache prune', 'plugd cache prune --all'],
  },
  {
    name: 'tools',
    summary: 'list tool plugins and exposed tools, or expose / unexpose a plugin',
    synopsis: 'tools [expose NAME [--config JSON] | unexpose NAME]',
    group: 'Tool',
    client: true,
    flags: { config: { type: 'string', valueName: 'JSON', description: "the config for the plugin's initialize (with expose)" } },
    examples: ['plugd tools', 'plugd tools expose todo', 'plugd tools expose todo --config \'{"max_steps": 5}\'', 'plugd tools unexpose todo'],
    notes: ['Without a subcommand: every tool plugin (exposed or not) and the tools of the exposed ones.'],
  },
  {
    name: 'call',
    summary: 'call an exposed tool with JSON arguments',
    synopsis: 'call TOOL [JSON]',
    group: 'Tool',
    client: true,
    flags: {},
    examples: ['plugd call plan_create \'{"title": "Release", "steps": ["build", "test"]}\'', 'plugd call plan_status'],
    notes: [
      'JSON defaults to {}. The tool\'s text output is printed; exits 1 when the tool reports an error.',
      'When the permission policy asks, plugd asks you on the terminal; when not on a terminal it denies.',
    ],
  },
  {
    name: 'commands',
    summary: 'list the user commands of exposed tool plugins',
    synopsis: 'commands',
    group: 'Tool',
    client: true,
    flags: {},
    examples: ['plugd commands'],
  },
  {
    name: 'run',
    summary: 'run a user command',
    synopsis: 'run COMMAND [ARGS...]',
    group: 'Tool',
    client: true,
    flags: {},
    examples: ['plugd run plan'],
    notes: ["ARGS fill the command's parameters in order (see `plugd commands`)."],
  },
  {
    name: 'help',
    summary: "show help for plugd or one command",
    synopsis: 'help [COMMAND]',
    group: 'Other',
    client: false,
    flags: {},
    examples: ['plugd help', 'plugd help chat'],
  },
];

/** Looks up a command by name. */
export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((command) => command.name === name);
}
