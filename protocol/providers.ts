import { NotificationType, RequestType } from 'vscode-jsonrpc';
import { z } from 'zod';
import { ChatMessageSchema, ToolDefinitionSchema, type ChatResult, type StreamChunk } from './chat.js';

const handle = z.string().min(1);

/**
 * Builds a provider from a factory, with QueryMT LLMBuilder semantics: start from the
 * plugin's `[providers.config]` defaults, fill the API key from the environment variable the
 * plugin names, overlay the builder fields below, keep only keys the plugin's schema declares,
 * validate against the schema, then run the plugin's `from_config`.
 */
export namespace ProvidersBuildRequest {
  export const method = 'providers/build' as const;
  export const paramsSchema = z.strictObject({
    /** The provider plugin's configured name. */
    provider: z.string().min(1),
    /** The model to use (config key `model`). */
    model: z.string().optional(),
    /** The API key (config key `api_key`); defaults to the plugin's API key environment variable. */
    apiKey: z.string().optional(),
    /** The endpoint (config key `base_url`). */
    baseUrl: z.string().optional(),
    /** Sampling temperature (config key `temperature`). */
    temperature: z.number().optional(),
    /** Token limit per response (config key `max_tokens`). */
    maxTokens: z.number().int().positive().optional(),
    /** System prompt (config key `system`). */
    system: z.string().optional(),
    /** Any further plugin-specific config keys, overlaid last. */
    parameters: z.record(z.string(), z.unknown()).optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** An opaque handle for the built provider, valid on this connection until disposed. */
    handle: string;
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** Releases a provider handle. Handles are also released when their connection closes. */
export namespace ProvidersDisposeRequest {
  export const method = 'providers/dispose' as const;
  export const paramsSchema = z.strictObject({
    /** The handle from `providers/build`. */
    handle,
  });
  export type Params = z.infer<typeof paramsSchema>;
  export type Result = Record<string, never>;
  export const type = new RequestType<Params, Result, void>(method);
}

const chatFields = {
  /** The handle from `providers/build`. */
  handle,
  /** The conversation, oldest first. At least one message. */
  messages: z.array(ChatMessageSchema).min(1),
  /** Tools the model may call. */
  tools: z.array(ToolDefinitionSchema).optional(),
};

/** One chat turn; answers when the whole response is ready. */
export namespace ProvidersChatRequest {
  export const method = 'providers/chat' as const;
  export const paramsSchema = z.strictObject(chatFields);
  export type Params = z.infer<typeof paramsSchema>;
  export type Result = ChatResult;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * One streamed chat turn. While it runs, the daemon sends `providers/chatChunk` notifications
 * carrying `streamId` to the calling client, in order, ending with a `done` chunk; the request
 * then answers with the assembled result. `$/cancelRequest` stops the stream and the plugin's work.
 */
export namespace ProvidersChatStreamRequest {
  export const method = 'providers/chatStream' as const;
  export const paramsSchema = z.strictObject({
    ...chatFields,
    /** A client-chosen id that tags this stream's chunk notifications. */
    streamId: z.union([z.string().min(1), z.number().int()]),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export type Result = ChatResult;
  export const type = new RequestType<Params, Result, void>(method);
}

/** A chunk of a running `providers/chatStream`, sent by the daemon to the client that started it. */
export namespace ProvidersChatChunkNotification {
  export const method = 'providers/chatChunk' as const;
  export interface Params {
    /** The `streamId` of the request this chunk belongs to. */
    streamId: string | number;
    /** Position of this chunk in its stream, from 0. */
    seq: number;
    /** The chunk. */
    chunk: StreamChunk;
  }
  export const type = new NotificationType<Params>(method);
}

/** Embeds texts into vectors. */
export namespace ProvidersEmbedRequest {
  export const method = 'providers/embed' as const;
  export const paramsSchema = z.strictObject({
    /** The handle from `providers/build`. */
    handle,
    /** The texts to embed. At least one. */
    inputs: z.array(z.string()).min(1),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** One vector per input, in input order. */
    embeddings: number[][];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** Text completion (fill-in-the-middle when `suffix` is given). */
export namespace ProvidersCompleteRequest {
  export const method = 'providers/complete' as const;
  export const paramsSchema = z.strictObject({
    /** The handle from `providers/build`. */
    handle,
    /** The text to complete. */
    prompt: z.string(),
    /** Text that follows the completion point, for fill-in-the-middle. */
    suffix: z.string().optional(),
    /** Token limit for this completion. */
    maxTokens: z.number().int().positive().optional(),
    /** Sampling temperature for this completion. */
    temperature: z.number().optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** The completion. */
    text: string;
  }
  export const type = new RequestType<Params, Result, void>(method);
}
