import type { ProvidersBuildRequest } from '../../protocol/providers.js';

/**
 * QueryMT's LLMBuilder semantics, step by step: start from `[providers.config]`, fill `api_key`
 * from the plugin's API key variable when none is set, overlay the builder fields (builder wins),
 * then keep only the keys the plugin's schema declares (recursively through nested `properties`).
 */
export function buildProviderConfig(options: {
  defaults: Record<string, unknown>;
  apiKeyName: string | null;
  env: NodeJS.ProcessEnv;
  schema: Record<string, unknown> | null;
  overlay: Record<string, unknown>;
}): Record<string, unknown> {
  const config: Record<string, unknown> = structuredClone(options.defaults);
  if (!config.api_key && options.apiKeyName && options.env[options.apiKeyName]) config.api_key = options.env[options.apiKeyName];
  for (const [key, value] of Object.entries(options.overlay)) if (value !== undefined) config[key] = value;
  return options.schema ? (pruneBySchema(config, options.schema) as Record<string, unknown>) : config;
}

/** The builder fields of `providers/build`, spelled as QueryMT config keys. */
export function builderOverlay(params: ProvidersBuildRequest.Params): Record<string, unknown> {
  return {
    api_key: params.apiKey,
    base_url: params.baseUrl,
    model: params.model,
    temperature: params.temperature,
    max_tokens: params.maxTokens,
    system: params.system,
    ...params.parameters,
  };
}

export function pruneBySchema(value: unknown, schema: Record<string, unknown>): unknown {
  const props = schema.properties;
  if (!isObject(value) || !isObject(props)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const prop = props[key];
    if (!isObject(prop)) continue;
    out[key] = isObject(prop.properties) ? pruneBySchema(v, prop) : v;
  }
  return out;
}

/** Whether the schema declares a top-level key. A plugin without a schema accepts anything. */
export function schemaDeclares(schema: Record<string, unknown> | null, key: string): boolean {
  if (!schema) return true;
  const props = schema.properties;
  return isObject(props) && key in props;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
