import { z } from 'zod';

/**
 * Client-facing chat types. These are plugd's own camelCase, self-describing shapes;
 * the daemon translates them to and from the QueryMT plugin wire shapes
 * (daemon/translate/), so clients never see plugin-side serde spellings.
 */

/** One typed part of a message's content. Tagged by `type`. */
export const ContentPartSchema = z.discriminatedUnion('type', [
  z.strictObject({
    /** Plain text. */
    type: z.literal('text'),
    /** The text itself. */
    text: z.string(),
  }),
  z.strictObject({
    /** An inline image. */
    type: z.literal('image'),
    /** The image's media type, e.g. `"image/png"`. */
    mimeType: z.string().min(1),
    /** The image bytes, base64-encoded. */
    data: z.string(),
  }),
  z.strictObject({
    /** An image referenced by URL. */
    type: z.literal('imageUrl'),
    /** The image's URL. */
    url: z.string().min(1),
  }),
  z.strictObject({
    /** Model reasoning carried back into the conversation. */
    type: z.literal('thinking'),
    /** The reasoning text. */
    text: z.string(),
    /** The provider's signature over the reasoning, when it sent one. */
    signature: z.string().optional(),
  }),
  z.strictObject({
    /** A tool call the assistant made (replayed in history). */
    type: z.literal('toolUse'),
    /** The tool call's id, as the provider assigned it. */
    id: z.string(),
    /** The tool's name. */
    name: z.string(),
    /** The call's arguments. */
    arguments: z.unknown(),
  }),
  z.strictObject({
    /** The result of a tool call, sent back to the model. */
    type: z.literal('toolResult'),
    /** The id of the `toolUse` this answers. */
    toolUseId: z.string(),
    /** The tool's output as text. */
    content: z.string(),
    /** Whether the tool failed. */
    isError: z.boolean().optional(),
  }),
]);
export type ContentPart = z.infer<typeof ContentPartSchema>;

/** A message's author. `system` messages become the provider's system prompt. */
export const RoleSchema = z.enum(['system', 'user', 'assistant']);
export type Role = z.infer<typeof RoleSchema>;

/** One message of a conversation. */
export const ChatMessageSchema = z.strictObject({
  /** Who wrote the message. */
  role: RoleSchema,
  /** The content: a plain string, or a list of typed parts. */
  content: z.union([z.string(), z.array(ContentPartSchema)]),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** A tool (function) the model may call. */
export const ToolDefinitionSchema = z.strictObject({
  /** The tool's name, unique within the request. */
  name: z.string().min(1),
  /** What the tool does, for the model. */
  description: z.string().optional(),
  /** A JSON Schema for the tool's arguments. */
  inputSchema: z.record(z.string(), z.unknown()),
});
export type ToolDefinition = z.infer<typeof ToolDefinitionSchema>;

/** A tool call the model asked for. */
export interface ToolCall {
  /** The call's id, to be echoed in the matching `toolResult`. */
  id: string;
  /** The tool's name. */
  name: string;
  /** The arguments, parsed from the model's JSON when it was valid JSON, else the raw string. */
  arguments: unknown;
}

/** Token accounting as the provider reported it. */
export interface Usage {
  /** Tokens in the prompt. */
  inputTokens: number;
  /** Tokens generated. */
  outputTokens: number;
  /** Tokens spent on reasoning, when reported. */
  reasoningTokens?: number;
  /** Prompt tokens served from the provider's cache, when reported. */
  cacheReadTokens?: number;
  /** Prompt tokens written to the provider's cache, when reported. */
  cacheWriteTokens?: number;
}

/** Why generation stopped. */
export type FinishReason = 'stop' | 'length' | 'toolCalls' | 'contentFilter' | 'error' | 'other' | 'unknown';

/** The complete answer to a chat request (also the final result of a streamed one). */
export interface ChatResult {
  /** The generated text, or null when the model produced none (for example only tool calls). */
  text: string | null;
  /** Tool calls the model made, in order. Empty when none. */
  toolCalls: ToolCall[];
  /** The model's reasoning, when the provider exposes it. */
  thinking: string | null;
  /** Token usage, when reported. */
  usage: Usage | null;
  /** Why generation stopped, when reported. */
  finishReason: FinishReason | null;
}

/** One piece of a streamed chat. Tagged by `type`; delivered in order. */
export type StreamChunk =
  | {
      /** A piece of generated text. */
      type: 'text';
      /** The text delta. */
      text: string;
    }
  | {
      /** A piece of the model's reasoning. */
      type: 'thinking';
      /** The reasoning delta. */
      text: string;
    }
  | {
      /** The model started a tool call. */
      type: 'toolUseStart';
      /** The tool call's position among this response's tool calls. */
      index: number;
      /** The tool call's id. */
      id: string;
      /** The tool's name. */
      name: string;
    }
  | {
      /** A fragment of a tool call's JSON arguments. */
      type: 'toolUseInputDelta';
      /** The tool call's position among this response's tool calls. */
      index: number;
      /** The raw JSON fragment (concatenate the fragments of one index). */
      partialJson: string;
    }
  | {
      /** A tool call is complete. */
      type: 'toolUseComplete';
      /** The tool call's position among this response's tool calls. */
      index: number;
      /** The complete call. */
      toolCall: ToolCall;
    }
  | {
      /** Token usage, usually near the end of the stream. */
      type: 'usage';
      /** The usage figures. */
      usage: Usage;
    }
  | {
      /** The stream is complete. Always the last chunk of a successful stream. */
      type: 'done';
      /** Why generation stopped. */
      finishReason: FinishReason;
    };
