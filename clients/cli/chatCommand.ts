import type { ChatMessage } from '../../protocol/chat.js';
import type { PlugdClient } from '../client.js';
import { UnsupportedError } from '../errors.js';
import { UsageError, type InvocationOf } from './args.js';
import { formatChatResult, formatJson, formatJsonLine, formatToolCalls } from './format.js';
import { withInterrupt } from './interrupt.js';
import type { CliIo, Output } from './io.js';
import { textOrStdin, withClient, withProvider } from './session.js';

/** `plugd chat PROVIDER [MESSAGE]`: streams the answer to stdout; Ctrl-C cancels. */
export async function runChat(inv: InvocationOf<'chat'>, io: CliIo): Promise<void> {
  const message = await textOrStdin(io, inv.message, 'message');
  if (message.trim() === '') throw new UsageError('the message is empty', 'chat');
  const messages: ChatMessage[] = [{ role: 'user', content: message }];
  await withClient(io, inv.client, (client) =>
    withInterrupt(io, (signal) =>
      withProvider(client, io, inv, signal, async (handle) => {
        const call: ChatCall = { client, handle, messages, signal, io, json: inv.client.json };
        await (inv.stream ? streamChat(call) : wholeChat(call));
      }),
    ),
  );
}

interface ChatCall {
  client: PlugdClient;
  handle: string;
  messages: ChatMessage[];
  signal: AbortSignal;
  io: CliIo;
  json: boolean;
}

async function wholeChat({ client, handle, messages, signal, io, json }: ChatCall): Promise<void> {
  const result = await client.chat(handle, messages, { signal });
  io.stdout.write(json ? formatJson(result) : formatChatResult(result));
}

async function streamChat(call: ChatCall): Promise<void> {
  const { client, handle, messages, signal, io, json } = call;
  const stream = client.chatStream(handle, messages, { signal });
  const text = new LineTracker(io.stdout);
  let chunks = 0;
  try {
    for await (const chunk of stream) {
      chunks++;
      if (json) io.stdout.write(formatJsonLine(chunk));
      else if (chunk.type === 'text') text.write(chunk.text);
    }
  } catch (error) {
    // A plugin without streaming still answers a plain chat.
    if (chunks === 0 && error instanceof UnsupportedError) return wholeChat(call);
    text.endLine();
    throw error;
  }
  const result = await stream.result;
  if (json) {
    io.stdout.write(formatJsonLine(result));
    return;
  }
  text.endLine({ evenIfEmpty: true });
  io.stdout.write(formatToolCalls(result.toolCalls));
}

/** Writes streamed text and remembers whether the line is still open. */
class LineTracker {
  readonly #out: Output;
  #written = false;
  #open = false;

  constructor(out: Output) {
    this.#out = out;
  }

  write(text: string): void {
    if (text === '') return;
    this.#out.write(text);
    this.#written = true;
    this.#open = !text.endsWith('\n');
  }

  /** Ends the output with a newline if it does not already end with one. */
  endLine(opts: { evenIfEmpty?: boolean } = {}): void {
    if (this.#open || (opts.evenIfEmpty && !this.#written)) this.#out.write('\n');
    this.#open = false;
    this.#written = true;
  }
}
