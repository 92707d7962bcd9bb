#!/usr/bin/env node
import { processIo } from './processIo.js';
import { runCli } from './run.js';

// `plugd … | head` closes our stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// exitCode rather than exit(): pending stdout writes still flush, and `serve` keeps running.
process.exitCode = await runCli(process.argv.slice(2), processIo());
