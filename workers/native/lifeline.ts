import koffi from 'koffi';

const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;

/**
 * Ties a native worker process to the daemon: it exits when the IPC channel closes (the daemon
 * exited or disconnected it), and on Linux the kernel also kills it when the daemon dies, even
 * while a plugin call is stuck in native code and no JavaScript can run (PR_SET_PDEATHSIG).
 */
export function holdLifeline(): void {
  process.on('disconnect', () => process.exit(0));
  if (process.platform !== 'linux') return;
  const parent = process.ppid;
  try {
    const libc = koffi.load('libc.so.6');
    const prctl = libc.func('int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)');
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  } catch {
    // Not glibc: the IPC channel check below and 'disconnect' still apply.
  }
  // The daemon may have died before prctl took effect.
  if (process.ppid !== parent || !process.connected) process.exit(0);
}
