import { RequestType } from 'vscode-jsonrpc';
import { z } from 'zod';
import type { ErrorInfo, PluginState } from './daemon.js';

/** What a provider plugin can do, derived from its exports. */
export interface FactoryCapabilities {
  /** `providers/chat`. */
  chat: boolean;
  /** `providers/chatStream`. */
  stream: boolean;
  /** `providers/embed`. */
  embed: boolean;
  /** `providers/complete`. */
  complete: boolean;
  /** `factories/listModels`. */
  listModels: boolean;
}

/** One configured provider plugin (a "factory" that builds providers). */
export interface FactoryInfo {
  /** The configured name; pass it as `provider` to `providers/build`. */
  name: string;
  /** Lifecycle state of the plugin. */
  state: PluginState;
  /** Why it is failed, when it is. */
  error: ErrorInfo | null;
  /** What it supports; all false until it is ready. */
  capabilities: FactoryCapabilities;
  /** The environment variable the plugin reads its API key from, if it names one. */
  apiKeyName: string | null;
  /** The plugin's default base URL, if it reports one. */
  baseUrl: string | null;
}

/** Lists every configured provider plugin, including failed ones. */
export namespace FactoriesListRequest {
  export const method = 'factories/list' as const;
  export const paramsSchema = z.strictObject({}).optional();
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** One entry per `[[providers]]` entry, in config order. */
    factories: FactoryInfo[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** Returns a provider plugin's configuration JSON Schema. */
export namespace FactoriesConfigSchemaRequest {
  export const method = 'factories/configSchema' as const;
  export const paramsSchema = z.strictObject({
    /** The provider plugin's configured name. */
    name: z.string().min(1),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** The JSON Schema (an object) the plugin's `config_schema` export returned. */
    schema: Record<string, unknown>;
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** Lists the models a provider offers. */
export namespace FactoriesListModelsRequest {
  export const method = 'factories/listModels' as const;
  export const paramsSchema = z.strictObject({
    /** The provider plugin's configured name. */
    name: z.string().min(1),
    /** Configuration overlaid on the plugin's `[providers.config]` defaults (e.g. an API key). */
    config: z.record(z.string(), z.unknown()).optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** Model names as the provider spells them. */
    models: string[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}
