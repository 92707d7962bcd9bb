#!/usr/bin/env node
import { processIo } from './processIo.js';
import { runCli } from './run.js';

// `plugd … | head` closes our stdout early; that is the reader's choice, not an error. Not for
// `serve`: there stdout may be the JSON-RPC channel, and the daemon handles its own stdio.
if (process.argv[2] !== 'serve') {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`plugd: cannot write output: ${error.message}\n`);
    process.exit(1);
  });
}

// exitCode rather than exit(): pending stdout writes still flush, and `serve` keeps running.
process.exitCode = await runCli(process.argv.slice(2), processIo());
