import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliMain } from './paths.js';
import { cleanEnv } from './serve.js';

/** Registries still running; stopped if this process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface RegistryOptions {
  /** Require basic auth (htpasswd, bcrypt) for this user. */
  user?: { name: string; password: string };
}

/**
 * A real OCI registry: Debian's `docker-registry` (distribution 2.8) on a free loopback port, its
 * storage in a temp directory (see NOTES: OCI registry for tests).
 */
export class TestRegistry implements AsyncDisposable {
  private child: ChildProcess | null = null;
  log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly configPath: string,
  ) {}

  /** `127.0.0.1:PORT`, as an oci:// reference names it. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(options: RegistryOptions = {}): Promise<TestRegistry> {
    const dir = mkdtempSync(join(tmpdir(), 'plugd-registry-'));
    const port = await freePort();
    const lines = ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'store')}`, '  delete:', '    enabled: true', 'http:', `  addr: 127.0.0.1:${port}`];
    if (options.user) {
      const entry = execFileSync('htpasswd', ['-Bbn', options.user.name, options.user.password], { encoding: 'utf8' }).trim();
      writeFileSync(join(dir, 'htpasswd'), entry + '\n');
      lines.push('auth:', '  htpasswd:', '    realm: plugd-test', `    path: ${join(dir, 'htpasswd')}`);
    }
    const configPath = join(dir, 'config.yml');
    writeFileSync(configPath, lines.join('\n') + '\n');
    const registry = new TestRegistry(dir, port, configPath);
    await registry.resume();
    return registry;
  }

  /** Starts (again) on the same port and storage. */
  async resume(): Promise<void> {
    const child = spawn('docker-registry', ['serve', this.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    live.add(child);
    child.once('exit', () => live.delete(child));
    this.child = child;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${this.log}`);
      try {
        const response = await fetch(`http://${this.host}/v2/`);
        if (response.status === 200 || response.status === 401) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${this.host}:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the process (storage stays), so the registry is unreachable. */
  async pause(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }

  /** Where the registry keeps a blob's bytes (to corrupt it). */
  blobData(digest: string): string {
    const hex = digest.replace(/^sha256:/, '');
    return join(this.dir, 'store', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
  }

  async stop(): Promise<void> {
    await this.pause();
    rmSync(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A private cache and docker config for one test: the env the CLI and the daemon get. */
export class SourceEnv implements AsyncDisposable {
  readonly dir = mkdtempSync(join(tmpdir(), 'plugd-src-'));
  readonly env: NodeJS.ProcessEnv = { XDG_CACHE_HOME: join(this.dir, 'cache'), DOCKER_CONFIG: join(this.dir, 'docker'), PLUGD_CACHE_DIR: '' };

  get cacheRoot(): string {
    return join(this.dir, 'cache', 'plugd');
  }

  /** Stores `docker login`-style credentials for a registry. */
  login(registry: string, user: string, password: string): void {
    mkdirSync(join(this.dir, 'docker'), { recursive: true });
    const auth = Buffer.from(`${user}:${password}`).toString('base64');
    writeFileSync(join(this.dir, 'docker', 'config.json'), JSON.stringify({ auths: { [registry]: { auth } } }));
  }

  /** Runs the `plugd` CLI with this env, to completion. */
  async cli(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [cliMain, ...args], { env: cleanEnv(this.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code] = (await once(child, 'close')) as [number | null];
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  [Symbol.asyncDispose](): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
    return Promise.resolve();
  }
}
