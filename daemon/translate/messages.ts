import type { ChatMessage, ContentPart, ToolDefinition } from '../../protocol/chat.js';
import type { QmtContent, QmtMessage, QmtTool } from './qmtTypes.js';

/**
 * Client messages → QueryMT's content-block messages. QueryMT has no system role: system
 * messages are returned separately, for the caller to put into `cfg.system`.
 */
export function toQmtMessages(messages: readonly ChatMessage[]): { messages: QmtMessage[]; system: string[] } {
  const out: QmtMessage[] = [];
  const system: string[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      system.push(typeof message.content === 'string' ? message.content : textOf(message.content));
      continue;
    }
    const parts = typeof message.content === 'string' ? [{ type: 'text', text: message.content } as const] : message.content;
    out.push({ role: message.role === 'user' ? 'User' : 'Assistant', content: parts.map(toQmtContent) });
  }
  return { messages: out, system };
}

function toQmtContent(part: ContentPart): QmtContent {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image':
      return { type: 'image', mime_type: part.mimeType, data: [...Buffer.from(part.data, 'base64')] };
    case 'imageUrl':
      return { type: 'image_url', url: part.url };
    case 'thinking':
      return part.signature === undefined ? { type: 'thinking', text: part.text } : { type: 'thinking', text: part.text, signature: part.signature };
    case 'toolUse':
      return { type: 'tool_use', id: part.id, name: part.name, arguments: part.arguments ?? {} };
    case 'toolResult':
      return { type: 'tool_result', id: part.toolUseId, is_error: part.isError ?? false, content: [{ type: 'text', text: part.content }] };
  }
}

function textOf(parts: readonly ContentPart[]): string {
  return parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** Client tool definitions → QueryMT's function tools (`description` and `parameters` are required there). */
export function toQmtTools(tools: readonly ToolDefinition[] | undefined): QmtTool[] | null {
  if (!tools || tools.length === 0) return null;
  return tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.inputSchema } }));
}
