// The CLI's argument parsing (pure) and its usage/help text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCliArgs, UsageError, type Invocation } from '../clients/cli/args.js';
import { commands } from '../clients/cli/commands.js';
import { formatUsageError, renderHelp } from '../clients/cli/usage.js';

const noClient = { socketPath: undefined, json: false };

function usageError(argv: string[]): UsageError {
  try {
    parseCliArgs(argv);
  } catch (error) {
    assert.instance(error, UsageError);
    return error as UsageError;
  }
  throw new Error(`expected a usage error for ${JSON.stringify(argv)}`);
}

test('no arguments asks for the overall help', () => {
  assert.equal(parseCliArgs([]), { command: 'help', topic: undefined });
});

test('help: --help, -h, `help`, and per command (even without required arguments)', () => {
  assert.equal(parseCliArgs(['--help']), { command: 'help', topic: undefined });
  assert.equal(parseCliArgs(['-h']), { command: 'help', topic: undefined });
  assert.equal(parseCliArgs(['help']), { command: 'help', topic: undefined });
  assert.equal(parseCliArgs(['help', 'chat']), { command: 'help', topic: 'chat' });
  assert.equal(parseCliArgs(['chat', '--help']), { command: 'help', topic: 'chat' });
  assert.equal(parseCliArgs(['--socket', '/x', 'models', '-h']), { command: 'help', topic: 'models' });
  assert.equal(parseCliArgs(['status', '--bogus', '--help']), { command: 'help', topic: 'status' });
  assert.is(usageError(['help', 'nope']).message, "unknown command 'nope'");
});

test('--help after `--` is a message, not a flag', () => {
  const inv = parseCliArgs(['chat', 'echo', '--', '--help']) as Extract<Invocation, { command: 'chat' }>;
  assert.is(inv.command, 'chat');
  assert.is(inv.message, '--help');
});

test('--version, optionally as JSON', () => {
  assert.equal(parseCliArgs(['--version']), { command: 'version', json: false });
  assert.equal(parseCliArgs(['--version', '--json']), { command: 'version', json: true });
});

test('serve: flags map to serve() options; watch is on unless --no-watch', () => {
  assert.equal(parseCliArgs(['serve']), {
    command: 'serve',
    configPath: undefined,
    socketPath: undefined,
    stdio: false,
    watch: true,
  });
  assert.equal(parseCliArgs(['serve', '--config', 'a.toml', '--socket', '/s.sock', '--stdio', '--no-watch']), {
    command: 'serve',
    configPath: 'a.toml',
    socketPath: '/s.sock',
    stdio: true,
    watch: false,
  });
  assert.equal(parseCliArgs(['serve', '--config=b.toml']).command, 'serve');
  assert.is(usageError(['serve', '--json']).message, "unknown option '--json'");
});

test('client commands accept --socket and --json before or after the command', () => {
  const expected = { command: 'status', client: { socketPath: '/tmp/p.sock', json: true } };
  assert.equal(parseCliArgs(['status', '--socket', '/tmp/p.sock', '--json']), expected);
  assert.equal(parseCliArgs(['--socket', '/tmp/p.sock', '--json', 'status']), expected);
  assert.equal(parseCliArgs(['--socket=/tmp/p.sock', 'status', '--json']), expected);
  assert.equal(parseCliArgs(['factories']), { command: 'factories', client: noClient });
});

test('schema and models take a NAME', () => {
  assert.equal(parseCliArgs(['schema', 'openai']), { command: 'schema', client: noClient, name: 'openai' });
  assert.equal(parseCliArgs(['models', 'ollama', '--base-url', 'http://h:1']), {
    command: 'models',
    client: noClient,
    name: 'ollama',
    apiKey: undefined,
    baseUrl: 'http://h:1',
  });
  const missing = usageError(['schema']);
  assert.is(missing.message, 'missing NAME');
  assert.is(missing.command, 'schema');
  assert.is(usageError(['models', 'a', 'b']).message, "unexpected argument 'b'");
});

test('chat: every flag, message words joined', () => {
  assert.equal(
    parseCliArgs([
      'chat',
      'openai',
      '--model',
      'gpt-4o-mini',
      '--system',
      'Be brief',
      '--api-key',
      'sk-1',
      '--base-url',
      'http://localhost:1',
      '--temperature',
      '0.2',
      '--max-tokens',
      '64',
      '--no-stream',
      'hello',
      'there',
    ]),
    {
      command: 'chat',
      client: noClient,
      provider: 'openai',
      model: 'gpt-4o-mini',
      apiKey: 'sk-1',
      baseUrl: 'http://localhost:1',
      system: 'Be brief',
      temperature: 0.2,
      maxTokens: 64,
      stream: false,
      message: 'hello there',
    },
  );
});

test('chat without MESSAGE reads stdin (message undefined) and streams by default', () => {
  const inv = parseCliArgs(['chat', 'echo']) as Extract<Invocation, { command: 'chat' }>;
  assert.is(inv.message, undefined);
  assert.is(inv.stream, true);
  assert.is(inv.temperature, undefined);
});

test('chat usage errors: missing provider, bad numbers, missing flag value', () => {
  assert.is(usageError(['chat']).message, 'missing PROVIDER');
  assert.is(usageError(['chat', 'x', '--temperature', 'hot']).message, "--temperature must be a number (got 'hot')");
  assert.is(usageError(['chat', 'x', '--max-tokens', '0']).message, "--max-tokens must be a positive integer (got '0')");
  assert.is(usageError(['chat', 'x', '--max-tokens', '1.5']).message, "--max-tokens must be a positive integer (got '1.5')");
  assert.match(usageError(['chat', 'x', '--model']).message, "option '--model <value>' argument missing");
  assert.is(usageError(['chat', 'x', '--no-stream=yes']).command, 'chat');
});

test('embed takes one or more TEXTs; complete takes an optional PROMPT and call-level limits', () => {
  assert.equal(parseCliArgs(['embed', 'echo', '--model', 'm', 'a', 'b c']), {
    command: 'embed',
    client: noClient,
    provider: 'echo',
    model: 'm',
    apiKey: undefined,
    baseUrl: undefined,
    inputs: ['a', 'b c'],
  });
  assert.is(usageError(['embed', 'echo']).message, 'missing TEXT');
  assert.equal(parseCliArgs(['complete', 'echo', '--suffix', '}', '--max-tokens', '5', 'fn main() {']), {
    command: 'complete',
    client: noClient,
    provider: 'echo',
    model: undefined,
    apiKey: undefined,
    baseUrl: undefined,
    suffix: '}',
    temperature: undefined,
    maxTokens: 5,
    prompt: 'fn main() {',
  });
});

test('shutdown --drain-timeout accepts 0 and rejects negatives', () => {
  assert.equal(parseCliArgs(['shutdown', '--drain-timeout', '0']), {
    command: 'shutdown',
    client: noClient,
    drainTimeoutMs: 0,
  });
  assert.match(usageError(['shutdown', '--drain-timeout', '-5']).message, 'drain-timeout');
});

test('unknown commands and flags are usage errors naming them', () => {
  const unknown = usageError(['frobnicate']);
  assert.is(unknown.message, "unknown command 'frobnicate'");
  assert.is(unknown.command, undefined);
  const flag = usageError(['status', '--bogus']);
  assert.is(flag.message, "unknown option '--bogus'");
  assert.is(flag.command, 'status');
  assert.is(usageError(['--bogus']).message, "unknown option '--bogus'");
  assert.is(usageError(['status', 'extra']).message, "unexpected argument 'extra'");
});

test('formatUsageError is one line pointing at the relevant help', () => {
  assert.is(formatUsageError(new UsageError('missing PROVIDER', 'chat')), "plugd: missing PROVIDER (see 'plugd chat --help')");
  assert.is(formatUsageError(new UsageError("unknown command 'x'")), "plugd: unknown command 'x' (see 'plugd --help')");
});

test('overall help lists every command and the global flags, with examples', () => {
  const help = renderHelp();
  for (const command of commands.filter((c) => c.name !== 'help')) assert.match(help, `  ${command.name}`);
  for (const flag of ['--socket PATH', '--json', '-h, --help', '--version', 'Examples:']) assert.match(help, flag);
  assert.ok(help.endsWith('\n'));
});

test("each command's help shows its synopsis, its flags and examples", () => {
  for (const command of commands) {
    const help = renderHelp(command.name);
    assert.match(help, `plugd ${command.synopsis}`, command.name);
    for (const flag of Object.keys(command.flags)) assert.match(help, `--${flag}`, `${command.name} --${flag}`);
    assert.match(help, 'Examples:');
    for (const example of command.examples) assert.match(help, example);
    // Client commands print the daemon's answer with --json; others (pull, push, cache) declare their own.
    assert.is(help.includes('--json'), command.client || 'json' in command.flags, `${command.name} --json`);
  }
});

test('every example in the help parses', () => {
  for (const command of commands) {
    for (const example of command.examples) {
      const plugd = example.slice(example.indexOf('plugd ') + 'plugd '.length).split(' | ')[0]!;
      const argv = [...plugd.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
      assert.not.throws(() => parseCliArgs(argv), example);
    }
  }
});

test.run();
