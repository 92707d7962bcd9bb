import type { PlugdClient } from '../client.js';
import { resolveSocketPath } from '../../transport/socketPath.js';
import type { ClientOptions, ProviderOptions } from './args.js';
import type { CliIo } from './io.js';

/** Connects (honouring `--socket` and `$PLUGD_SOCKET`), runs `fn`, and always closes the client. */
export async function withClient<T>(io: CliIo, opts: ClientOptions, fn: (client: PlugdClient) => Promise<T>): Promise<T> {
  const client = await io.connect(resolveSocketPath(opts.socketPath, io.env));
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Extra build fields some commands set. */
export interface BuildExtras {
  system?: string | undefined;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
}

/** Builds a provider from the command's flags, runs `fn` with its handle, and disposes it. */
export async function withProvider<T>(
  client: PlugdClient,
  io: CliIo,
  opts: ProviderOptions & BuildExtras,
  signal: AbortSignal,
  fn: (handle: string) => Promise<T>,
): Promise<T> {
  const apiKey = opts.apiKey ?? (await apiKeyFromEnvironment(client, io, opts.provider, signal));
  const { handle } = await client.build(
    {
      provider: opts.provider,
      model: opts.model,
      apiKey,
      baseUrl: opts.baseUrl,
      system: opts.system,
      temperature: opts.temperature,
      maxTokens: opts.maxTokens,
    },
    { signal },
  );
  try {
    return await fn(handle);
  } finally {
    // Best effort: the daemon releases handles when the connection closes anyway.
    await client.dispose(handle).catch(() => undefined);
  }
}

/**
 * The API key from this shell's environment, under the variable the plugin names (e.g.
 * OPENAI_API_KEY), so `OPENAI_API_KEY=… plugd chat openai` works even when the daemon was
 * started without it. Undefined when the plugin names none or the variable is unset; the
 * daemon then falls back to its own configuration and environment.
 */
export async function apiKeyFromEnvironment(
  client: PlugdClient,
  io: CliIo,
  provider: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const { factories } = await client.listFactories(signal ? { signal } : undefined);
  const variable = factories.find((factory) => factory.name === provider)?.apiKeyName;
  return variable ? io.env[variable] || undefined : undefined;
}

/** The command's text argument, or the whole of stdin when it was omitted. */
export async function textOrStdin(io: CliIo, text: string | undefined, what: string): Promise<string> {
  if (text !== undefined) return text;
  if (io.stdinIsTTY) io.stderr.write(`plugd: reading the ${what} from stdin (end it with Ctrl-D)\n`);
  return io.readStdin();
}

