/**
 * QueryMT's plugin-side wire shapes (serde spellings), as plugins read and write them.
 * Only the daemon's translators use these; clients never see them.
 */
export type QmtContent =
  | { type: 'text'; text: string }
  | { type: 'image'; mime_type: string; data: number[] }
  | { type: 'image_url'; url: string }
  | { type: 'thinking'; text: string; signature?: string }
  | { type: 'tool_use'; id: string; name: string; arguments: unknown }
  | { type: 'tool_result'; id: string; name?: string; is_error: boolean; content: QmtContent[] };

export interface QmtMessage {
  role: 'User' | 'Assistant';
  content: QmtContent[];
}

export interface QmtTool {
  type: 'function';
  function: { name: string; description: string; parameters: unknown };
}

export interface QmtToolCall {
  id: string;
  type?: string;
  function: { name: string; arguments: string };
}

export interface QmtUsage {
  input_tokens?: number;
  output_tokens?: number;
  reasoning_tokens?: number;
  cache_read?: number;
  cache_write?: number;
}

export interface QmtChatResponse {
  text?: string | null;
  tool_calls?: QmtToolCall[] | null;
  thinking?: string | null;
  usage?: QmtUsage | null;
  finish_reason?: string | null;
}
