import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from './serve.js';

/** Registries still running; stopped if this process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface RegistryOptions {
  /** Require basic auth (htpasswd, bcrypt) for this user. */
  user?: { name: string; password: string };
  /**
   * Require bearer tokens from a token service in this process (the registry's `auth: token`,
   * with a self-signed certificate made by openssl). With `tokenUser`, the token service wants
   * that user's basic credentials; without, it hands tokens to anyone (anonymous pulls and pushes).
   */
  token?: boolean;
  tokenUser?: { name: string; password: string };
}

const SERVICE = 'plugd-test';

/** A token service as registries use it: `GET /token?service=…&scope=…` answers a signed JWT. */
class TokenService {
  readonly requests: Array<{ service: string | null; scope: string | null; authorization: string | undefined }> = [];
  private constructor(
    private readonly server: Server,
    private readonly key: string,
    private readonly certDer: string,
    private readonly user: { name: string; password: string } | undefined,
  ) {}

  static async start(dir: string, user: { name: string; password: string } | undefined): Promise<TokenService> {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'token.key'), '-out', join(dir, 'token.pem'), '-days', '2', '-subj', '/CN=plugd-test-token'], { stdio: 'ignore' });
    const pem = readFileSync(join(dir, 'token.pem'), 'utf8');
    const der = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    let self!: TokenService;
    const server = createHttpServer((req, res) => self.answer(req, res));
    self = new TokenService(server, readFileSync(join(dir, 'token.key'), 'utf8'), der, user);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get realm(): string {
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/token`;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const scope = url.searchParams.get('scope');
    this.requests.push({ service: url.searchParams.get('service'), scope, authorization: req.headers.authorization });
    if (this.user) {
      const expected = `Basic ${Buffer.from(`${this.user.name}:${this.user.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
    }
    const access = (scope ?? '')
      .split(' ')
      .filter(Boolean)
      .map((s) => {
        const [type, name, actions] = s.split(':');
        return { type, name, actions: (actions ?? '').split(',') };
      });
    const now = Math.floor(Date.now() / 1000);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const signing = `${b64({ typ: 'JWT', alg: 'RS256', x5c: [this.certDer] })}.${b64({ iss: SERVICE, sub: this.user?.name ?? '', aud: SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: String(Math.random()), access })}`;
    const token = `${signing}.${sign('sha256', Buffer.from(signing), this.key).toString('base64url')}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A real OCI registry: Debian's `docker-registry` (distribution 2.8) on a free loopback port, its
 * storage in a temp directory (see NOTES: OCI registry for tests).
 */
export class TestRegistry implements AsyncDisposable {
  private child: ChildProcess | null = null;
  log = '';
  /** The token service, for registries started with `token`. */
  tokens: TokenService | null = null;

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
    let tokens: TokenService | null = null;
    if (options.token) {
      tokens = await TokenService.start(dir, options.tokenUser);
      lines.push('auth:', '  token:', `    realm: ${tokens.realm}`, `    service: ${SERVICE}`, `    issuer: ${SERVICE}`, `    rootcertbundle: ${join(dir, 'token.pem')}`);
    }
    const configPath = join(dir, 'config.yml');
    writeFileSync(configPath, lines.join('\n') + '\n');
    const registry = new TestRegistry(dir, port, configPath);
    registry.tokens = tokens;
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
    await this.tokens?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/**
 * A loopback HTTP proxy in front of a registry, for a network that fails mid-transfer: with
 * `stallBlobs` at `body`, a blob GET gets the registry's status and headers and the first half of
 * its body, then nothing more; at `headers`, it gets nothing at all (the connection stays open).
 * Everything else is passed through as is.
 */
export class StallingProxy implements AsyncDisposable {
  stallBlobs: 'body' | 'headers' | false = 'body';
  /** Stall manifest answers the same way (after the headers, or before them). */
  stallManifests: 'body' | 'headers' | false = false;
  /** Stalled responses whose connection the client closed. */
  abandoned = 0;
  private constructor(
    private readonly server: Server,
    private readonly upstream: string,
  ) {}

  static async start(upstream: string): Promise<StallingProxy> {
    let self!: StallingProxy;
    const server = createHttpServer((req, res) => {
      self.forward(req, res).catch((error: Error) => res.writeHead(502).end(error.message));
    });
    self = new StallingProxy(server, upstream);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  /** `127.0.0.1:PORT`, as an oci:// reference names it. */
  get host(): string {
    const address = this.server.address();
    return `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'authorization']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
    const response = await fetch(`http://${this.upstream}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, redirect: 'manual' });
    const body = Buffer.from(await response.arrayBuffer());
    const url = req.url ?? '';
    const stall = req.method === 'GET' && response.ok ? (/\/blobs\/sha256:/.test(url) ? this.stallBlobs : /\/manifests\//.test(url) ? this.stallManifests : false) : false;
    if (stall) res.on('close', () => this.abandoned++);
    if (stall === 'headers') return;
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'content-encoding' && name !== 'transfer-encoding' && name !== 'connection' && name !== 'keep-alive') out[name] = value;
    });
    res.writeHead(response.status, out);
    if (!stall) return void res.end(body);
    res.write(body.subarray(0, Math.floor(body.length / 2)));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close().catch(() => undefined);
  }
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
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

  /** Stores a bearer token for a registry (docker config `registrytoken`). */
  loginToken(registry: string, token: string): void {
    mkdirSync(join(this.dir, 'docker'), { recursive: true });
    writeFileSync(join(this.dir, 'docker', 'config.json'), JSON.stringify({ auths: { [registry]: { registrytoken: token } } }));
  }

  /** Runs the `plugd` CLI with this env, to completion. */
  cli(args: string[], timeoutMs = 30_000): Promise<CliRun> {
    return runCli(args, timeoutMs, this.env);
  }

  [Symbol.asyncDispose](): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
    return Promise.resolve();
  }
}
