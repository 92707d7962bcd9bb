/** A bare child process that sends every IPC message straight back (bench/subjects/forkRoundTrip.ts). */
process.on('message', (message) => process.send?.(message));
