import type { InvocationOf } from './args.js';
import { formatFactories, formatJson, formatModels } from './format.js';
import type { CliIo } from './io.js';
import { apiKeyFromEnvironment, withClient } from './session.js';

/** `plugd factories`. */
export async function runFactories(inv: InvocationOf<'factories'>, io: CliIo): Promise<void> {
  const result = await withClient(io, inv.client, (client) => client.listFactories());
  io.stdout.write(inv.client.json ? formatJson(result) : formatFactories(result));
}

/** `plugd schema NAME`: the schema is JSON either way; `--json` prints the whole result. */
export async function runSchema(inv: InvocationOf<'schema'>, io: CliIo): Promise<void> {
  const result = await withClient(io, inv.client, (client) => client.configSchema(inv.name));
  io.stdout.write(formatJson(inv.client.json ? result : result.schema));
}

/** `plugd models NAME`. */
export async function runModels(inv: InvocationOf<'models'>, io: CliIo): Promise<void> {
  const result = await withClient(io, inv.client, async (client) => {
    const apiKey = inv.apiKey ?? (await apiKeyFromEnvironment(client, io, inv.name));
    // listModels takes raw plugin config, so these use the plugin-side key names.
    const config: Record<string, unknown> = {};
    if (apiKey !== undefined) config.api_key = apiKey;
    if (inv.baseUrl !== undefined) config.base_url = inv.baseUrl;
    return client.listModels(inv.name, Object.keys(config).length > 0 ? config : undefined);
  });
  if (inv.client.json) io.stdout.write(formatJson(result));
  else if (result.models.length === 0) io.stderr.write(`plugd: ${inv.name} reported no models\n`);
  else io.stdout.write(formatModels(result));
}
