import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine and software a run was measured on. */
export interface MachineInfo {
  cpuModel: string;
  /** Logical CPUs available to Node. */
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  kernel: string;
  /** 1-minute load average when the run started and ended (other work on the machine skews results). */
  loadAvgStart: number;
  loadAvgEnd: number | null;
  /** Versions of the dependencies on the measured path. */
  packages: Record<string, string>;
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpuModel(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: osName(),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvgStart: round2(os.loadavg()[0] ?? 0),
    loadAvgEnd: null,
    packages: Object.fromEntries(['@extism/extism', 'piscina', 'vscode-jsonrpc', 'chokidar'].map((name) => [name, packageVersion(name)])),
  };
}

export function loadAvgNow(): number {
  return round2(os.loadavg()[0] ?? 0);
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    const model = line?.split(':').slice(1).join(':').trim();
    if (model) return model;
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model.trim() || 'unknown';
}

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) return pretty;
  } catch {
    // no os-release
  }
  return `${os.type()} ${os.release()}`;
}

function packageVersion(name: string): string {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
