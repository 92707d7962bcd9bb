// `plugd tools|call|commands|run` as real CLI processes against a real daemon with the todo
// plugin; the permission prompt's answers through the CLI's handler; argument parsing.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCliArgs, UsageError } from '../clients/cli/args.js';
import type { CliIo } from '../clients/cli/io.js';
import { answerPermissions, decisionOf } from '../clients/cli/toolCommands.js';
import { PermissionDeniedError } from '../clients/errors.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { cliMain } from './helpers/paths.js';
import { cleanEnv, rejection, runCli } from './helpers/serve.js';
import { todoWasm, toolsToml } from './helpers/tools.js';

/** Runs the real CLI against `daemon` with stdin not a terminal (killed after runCli's timeout). */
const plugd = (daemon: DaemonProcess, ...args: string[]) => runCli(['--socket', daemon.socketPath, ...args]);

test('plugd tools / tools expose / call / commands / run / tools unexpose against a daemon', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm }], { permissions: { default: 'allow' } }) });
  let run = await plugd(daemon, 'tools');
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^PLUGIN\s+KIND\s+STATE\s+EXPOSED\s+TOOLS\ntodo\s+wasm\s+ready\s+no\s+4\n$/);

  run = await plugd(daemon, 'tools', 'expose', 'todo', '--config', '{"max_steps": 3}');
  assert.equal([run.code, run.stdout], [0, 'exposed todo: plan_create, plan_add_step, plan_update_step, plan_status\n'], run.stderr);
  run = await plugd(daemon, 'tools');
  assert.match(run.stdout, /todo\s+wasm\s+ready\s+yes\s+4/);
  assert.match(run.stdout, /plan_status\s+todo\s+yes\s+Show the current plan/);

  run = await plugd(daemon, 'call', 'plan_create', '{"title": "CLI", "steps": ["one"]}');
  assert.equal([run.code, run.stdout], [0, 'Created Plan: CLI\n1. [ ] one\n(0/1 done)\n'], run.stderr);
  run = await plugd(daemon, 'call', 'plan_update_step', '{"step": 4, "status": "done"}');
  assert.equal([run.code, run.stdout, run.stderr], [1, 'there is no step 4: the plan has 1 step(s)\n', 'plugd: tool "plan_update_step" reported an error\n']);
  run = await plugd(daemon, 'call', 'plan_update_step', '{"step": "4"}');
  assert.is(run.code, 1);
  assert.match(run.stderr, 'invalid arguments for tool "plan_update_step"');
  run = await plugd(daemon, 'call', 'plan_status', '--json');
  assert.equal(JSON.parse(run.stdout).permission, { allowed: true, source: 'autoApproved' });

  run = await plugd(daemon, 'commands');
  assert.match(run.stdout, /^COMMAND\s+PLUGIN\s+SHARED\s+DESCRIPTION\nplan\s+todo\s+yes\s+Show the current plan\n$/);
  run = await plugd(daemon, 'run', 'plan');
  assert.equal([run.code, run.stdout], [0, 'Plan: CLI\n1. [ ] one\n(0/1 done)\n']);
  run = await plugd(daemon, 'run', 'plan', 'extra');
  assert.equal([run.code, run.stderr], [2, "plugd: command 'plan' takes no arguments (see 'plugd run --help')\n"]);

  run = await plugd(daemon, 'tools', 'unexpose', 'todo');
  assert.equal([run.code, run.stdout], [0, 'unexposed todo\n']);
  run = await plugd(daemon, 'call', 'plan_status');
  assert.is(run.code, 1);
  assert.match(run.stderr, 'which is not exposed');
});

test('plugd call off a terminal denies what the policy asks about, and says so', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm, expose: true }], { permissions: { default: 'ask' } }) });
  const run = await plugd(daemon, 'call', 'plan_create', '{"title": "x"}');
  assert.is(run.code, 1);
  assert.match(run.stderr, 'plugd: permission to run plan_create denied: not on a terminal to ask');
  assert.match(run.stderr, 'was not allowed to run: denied by the client (deny)');
  const status = await plugd(daemon, 'call', 'plan_status');
  assert.equal([status.code, status.stdout], [0, 'No plan yet.\n'], 'auto-approved tools need no answer');
});

/**
 * Runs the real CLI on a pseudo-terminal (util-linux `script`), typing `answer` and Enter when
 * the permission prompt appears (nothing when `answer` is null). Resolves with the exit code and everything the terminal showed.
 */
function plugdOnTerminal(daemon: DaemonProcess, answer: string | null, ...args: string[]): Promise<{ code: number | null; screen: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const line = [process.execPath, cliMain, '--socket', daemon.socketPath, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', line, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv() });
  let screen = '';
  let typed = false;
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    if (!typed && answer !== null && screen.includes('n[e]ver: ')) {
      typed = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, screen })));
}

test('plugd call on a terminal asks, and applies the answer typed', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm, expose: true }], { permissions: { default: 'ask' } }) });
  const no = await plugdOnTerminal(daemon, 'n', 'call', 'plan_create', '{"title": "tty"}');
  assert.is(no.code, 1);
  assert.match(no.screen, 'plugd: allow todo to run plan_create {"title":"tty"}? [y]es, [n]o, [a]lways, n[e]ver: ');
  assert.match(no.screen, 'denied by the client (deny)');
  const yes = await plugdOnTerminal(daemon, 'y', 'call', 'plan_create', '{"title": "tty"}');
  assert.is(yes.code, 0, yes.screen);
  assert.match(yes.screen, 'Created Plan: tty');
});

test('plugd call on a terminal that gets no answer within ask_timeout_ms says so', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm, expose: true }], { permissions: { default: 'ask', ask_timeout_ms: 1000 } }) });
  const late = await plugdOnTerminal(daemon, null, 'call', 'plan_create', '{"title": "late"}');
  assert.is(late.code, 1);
  assert.match(late.screen, 'plugd: permission to run plan_create denied: no answer in time');
  assert.not.match(late.screen, 'not on a terminal');
});

test('Ctrl-C at the permission prompt cancels the command; Ctrl-D answers no', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm, expose: true }], { permissions: { default: 'ask' } }) });
  const interrupted = await plugdOnTerminal(daemon, '\x03', 'call', 'plan_create', '{"title": "ctrl-c"}');
  assert.is(interrupted.code, 130, interrupted.screen);
  assert.match(interrupted.screen, 'plugd: cancelled');
  assert.not.match(interrupted.screen, 'not on a terminal');
  const ended = await plugdOnTerminal(daemon, '\x04', 'call', 'plan_create', '{"title": "ctrl-d"}');
  assert.is(ended.code, 1, ended.screen);
  assert.match(ended.screen, 'denied by the client (deny)');
  assert.not.match(ended.screen, 'not on a terminal');
});

test('the CLI permission handler maps terminal answers to decisions the daemon applies', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml([{ name: 'todo', path: todoWasm, expose: true }], { permissions: { default: 'ask' } }) });
  await using client = await daemon.connect();
  const answers = ['n', 'y', 'always'];
  const questions: string[] = [];
  const stderr: string[] = [];
  const io = { stderr: { write: (t: string) => stderr.push(t) }, prompt: async (q: string) => (questions.push(q), answers.shift()) } as unknown as CliIo;
  answerPermissions(client, io);
  assert.instance(await rejection(client.callTool('plan_create', { title: 'A' })), PermissionDeniedError);
  assert.is(questions[0], 'plugd: allow todo to run plan_create {"title":"A"}? [y]es, [n]o, [a]lways, n[e]ver: ');
  assert.equal((await client.callTool('plan_create', { title: 'B' })).permission, { allowed: true, source: 'client', decision: 'allow' });
  assert.equal((await client.callTool('plan_add_step', { description: 'c' })).permission, { allowed: true, source: 'client', decision: 'allowAlways' });
  assert.equal((await client.callTool('plan_add_step', { description: 'd' })).permission.source, 'remembered');
  assert.is(questions.length, 3);
  assert.equal([decisionOf(' Yes '), decisionOf('a'), decisionOf('e'), decisionOf('never'), decisionOf(''), decisionOf('maybe')], ['allow', 'allowAlways', 'denyAlways', 'denyAlways', 'deny', 'deny']);
});

test('the tool commands are listed in the overall help and have their own', async () => {
  const { renderHelp } = await import('../clients/cli/usage.js');
  const help = renderHelp();
  assert.match(help, /Tool commands:\n {2}tools\s+list tool plugins and exposed tools, or expose \/ unexpose a plugin\n {2}call TOOL\s+call an exposed tool with JSON arguments\n {2}commands\s+list the user commands of exposed tool plugins\n {2}run COMMAND\s+run a user command\n/);
  assert.match(renderHelp('call'), 'When the permission policy asks, plugd asks you on the terminal; when not on a terminal it denies.');
  assert.match(renderHelp('tools'), '--config JSON');
});

test('argument parsing for tools, call, commands and run', () => {
  const client = { socketPath: undefined, json: false };
  assert.equal(parseCliArgs(['tools']), { command: 'tools', client, action: { type: 'list' } });
  assert.equal(parseCliArgs(['tools', 'expose', 'todo', '--config', '{"a":1}']), { command: 'tools', client, action: { type: 'expose', plugin: 'todo', config: { a: 1 } } });
  assert.equal(parseCliArgs(['tools', 'unexpose', 'todo']), { command: 'tools', client, action: { type: 'unexpose', plugin: 'todo' } });
  assert.equal(parseCliArgs(['call', 'plan_status']), { command: 'call', client, tool: 'plan_status', arguments: {} });
  assert.equal(parseCliArgs(['run', 'plan', 'a', 'b']), { command: 'run', client, name: 'plan', args: ['a', 'b'] });
  assert.equal(parseCliArgs(['commands', '--json']), { command: 'commands', client: { socketPath: undefined, json: true } });
  const usage = (argv: string[], message: string) =>
    assert.throws(() => parseCliArgs(argv), (e: unknown) => e instanceof UsageError && e.message === message, argv.join(' '));
  usage(['tools', 'list'], "unknown tools subcommand 'list' (expected expose or unexpose)");
  usage(['tools', 'expose'], 'missing NAME');
  usage(['tools', 'unexpose', 'x', '--config', '{}'], '--config goes with `tools expose NAME`');
  usage(['call'], 'missing TOOL');
  usage(['call', 'x', '{'], "JSON is not valid JSON (Expected property name or '}' in JSON at position 1)");
  usage(['call', 'x', '[1]'], `JSON must be a JSON object, like '{"key": "value"}'`);
  usage(['run'], 'missing COMMAND');
});

test.run();
