// Importing @extism/extism loads node:wasi, which prints an ExperimentalWarning on every worker
// start. Drop that one warning; keep every other warning on stderr (never stdout: the daemon may
// be speaking JSON-RPC there).
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'ExperimentalWarning') process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
export {};
