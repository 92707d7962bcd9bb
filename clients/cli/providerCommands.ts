import { UsageError, type InvocationOf, type ProviderOptions } from './args.js';
import { ensureNewline, formatEmbeddings, formatJson } from './format.js';
import { withInterrupt } from './interrupt.js';
import type { CliIo } from './io.js';
import { textOrStdin, withClient, withProvider } from './session.js';

/** `plugd embed PROVIDER TEXT...`. */
export async function runEmbed(inv: InvocationOf<'embed'>, io: CliIo): Promise<void> {
  const result = await withClient(io, inv.client, (client) =>
    withInterrupt(io, (signal) =>
      withProvider(client, io, providerOf(inv), signal, (handle) => client.embed(handle, inv.inputs, { signal })),
    ),
  );
  io.stdout.write(inv.client.json ? formatJson(result) : formatEmbeddings(result, inv.inputs));
}

/** `plugd complete PROVIDER [PROMPT]`. */
export async function runComplete(inv: InvocationOf<'complete'>, io: CliIo): Promise<void> {
  const prompt = await textOrStdin(io, inv.prompt, 'prompt');
  if (prompt === '') throw new UsageError('the prompt is empty', 'complete');
  const result = await withClient(io, inv.client, (client) =>
    withInterrupt(io, (signal) =>
      withProvider(client, io, providerOf(inv), signal, (handle) =>
        client.complete(
          { handle, prompt, suffix: inv.suffix, maxTokens: inv.maxTokens, temperature: inv.temperature },
          { signal },
        ),
      ),
    ),
  );
  io.stdout.write(inv.client.json ? formatJson(result) : ensureNewline(result.text));
}

/** Only the build flags: the completion's own limits go on the call, not into the provider config. */
function providerOf(inv: ProviderOptions): ProviderOptions {
  return { provider: inv.provider, model: inv.model, apiKey: inv.apiKey, baseUrl: inv.baseUrl };
}
