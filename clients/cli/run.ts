import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { parseCliArgs, UsageError, type Invocation } from './args.js';
import { runChat } from './chatCommand.js';
import { runReload, runServe, runShutdown, runStatus } from './daemonCommands.js';
import { runFactories, runModels, runSchema } from './factoryCommands.js';
import { describeError, formatJson } from './format.js';
import { InterruptedError } from './interrupt.js';
import type { CliIo } from './io.js';
import { runComplete, runEmbed } from './providerCommands.js';
import { runCache, runPull, runPush } from './sourceCommands.js';
import { runCall, runCommands, runRun, runTools } from './toolCommands.js';
import { formatUsageError, renderHelp } from './usage.js';
import { packageVersion } from './version.js';

/** Exit statuses. */
export const ExitCode = {
  Ok: 0,
  /** The command failed at run time (daemon not running, plugin error, …). */
  Failure: 1,
  /** The command line was wrong. */
  Usage: 2,
  /** Ctrl-C cancelled the request (128 + SIGINT). */
  Interrupted: 130,
} as const;

/**
 * Runs the `plugd` command line (`argv` without `node` and the script) and returns the exit
 * status. Failures are reported as one `plugd: …` line on stderr; nothing is thrown.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await dispatch(parseCliArgs(argv), io);
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(formatUsageError(error) + '\n');
      return ExitCode.Usage;
    }
    io.stderr.write(`plugd: ${describeError(error)}\n`);
    return error instanceof InterruptedError ? ExitCode.Interrupted : ExitCode.Failure;
  }
}

async function dispatch(inv: Invocation, io: CliIo): Promise<void> {
  switch (inv.command) {
    case 'help':
      io.stdout.write(renderHelp(inv.topic));
      return;
    case 'version':
      io.stdout.write(
        inv.json
          ? formatJson({ version: packageVersion(), protocolVersion: PROTOCOL_VERSION })
          : `plugd ${packageVersion()} (protocol ${PROTOCOL_VERSION})\n`,
      );
      return;
    case 'serve':
      return runServe(inv, io);
    case 'status':
      return runStatus(inv, io);
    case 'reload':
      return runReload(inv, io);
    case 'shutdown':
      return runShutdown(inv, io);
    case 'factories':
      return runFactories(inv, io);
    case 'schema':
      return runSchema(inv, io);
    case 'models':
      return runModels(inv, io);
    case 'chat':
      return runChat(inv, io);
    case 'embed':
      return runEmbed(inv, io);
    case 'complete':
      return runComplete(inv, io);
    case 'pull':
      return runPull(inv, io);
    case 'push':
      return runPush(inv, io);
    case 'cache':
      return runCache(inv, io);
    case 'tools':
      return runTools(inv, io);
    case 'call':
      return runCall(inv, io);
    case 'commands':
      return runCommands(inv, io);
    case 'run':
      return runRun(inv, io);
  }
}
