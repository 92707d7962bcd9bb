import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Credentials for one registry, from `~/.docker/config.json`. */
export type Credentials = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string } | { kind: 'identity'; username: string; token: string };

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>;
}

/** The docker config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/**
 * The credentials `docker login` stored for `registry` (keys may be `host:port` or a URL), or
 * null. Credential helpers (`credsStore`) are not run.
 */
export function credentialsFor(registry: string, env: NodeJS.ProcessEnv = process.env): Credentials | null {
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(dockerConfigPath(env), 'utf8')) as DockerConfig;
  } catch {
    return null;
  }
  const auths = config.auths ?? {};
  const key = Object.keys(auths).find((k) => hostOf(k) === registry) ?? (registry === 'docker.io' ? Object.keys(auths).find((k) => hostOf(k) === 'index.docker.io') : undefined);
  const entry = key === undefined ? undefined : auths[key];
  if (!entry) return null;
  if (entry.registrytoken) return { kind: 'bearer', token: entry.registrytoken };
  let username = entry.username;
  let password = entry.password;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon !== -1) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  if (entry.identitytoken) return { kind: 'identity', username: username ?? '<token>', token: entry.identitytoken };
  if (username !== undefined && password !== undefined) return { kind: 'basic', username, password };
  return null;
}

function hostOf(key: string): string {
  try {
    return /^[a-z]+:\/\//i.test(key) ? new URL(key).host : key.replace(/\/.*$/, '');
  } catch {
    return key;
  }
}
