import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Finds plugins.toml: `--config PATH`, then `$PLUGD_CONFIG`, then `./plugins.toml`, then
 * `$XDG_CONFIG_HOME/plugd/plugins.toml` (XDG_CONFIG_HOME defaulting to ~/.config).
 * An explicitly named file must exist; the implicit places are tried in order.
 */
export function locateConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (explicit) return mustExist(resolve(cwd, explicit), '--config');
  if (env.PLUGD_CONFIG) return mustExist(resolve(cwd, env.PLUGD_CONFIG), '$PLUGD_CONFIG');
  const candidates = [join(cwd, 'plugins.toml'), join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'plugd', 'plugins.toml')];
  const found = candidates.find((path) => existsSync(path));
  if (found) return found;
  throw new ConfigError(
    'CONFIG_NOT_FOUND',
    `no plugins.toml found; looked for ${candidates.join(' and ')} (pass --config PATH or set $PLUGD_CONFIG)`,
  );
}

function mustExist(path: string, via: string): string {
  if (!existsSync(path)) throw new ConfigError('CONFIG_NOT_FOUND', `${path}: config file not found (named by ${via})`);
  return path;
}
