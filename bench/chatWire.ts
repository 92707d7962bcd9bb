/**
 * The streamed chat the streaming rows ask the OpenAI-compatible test server for, and how they read
 * its SSE answer: shared by the direct fetch (the floor) and the hop relay, so both send the same
 * request and find the first text the same way.
 */

/** A message of a conversation, as both the direct fetch and PlugdClient send it. */
export interface BenchMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** Earlier turns of about `kb` kilobytes of text, for the rows that stream a long conversation. */
export function conversation(kb: number): BenchMessage[] {
  const turn = 'Lorem ipsum "dolor" sit amet, consectetur adipiscing elit; sed do eiusmod tempor. '.repeat(6).slice(0, 500);
  return Array.from({ length: Math.ceil((kb * 1000) / 500) }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: turn }));
}

/** The chat-completions request body: the history, then the prompt, streamed with usage. */
export function streamRequestBody(prompt: string, history: BenchMessage[] = []): string {
  return JSON.stringify({ model: 'gpt-test', messages: [...history, { role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } });
}

/** A handler for a response's text (`setEncoding('utf8')`), calling `onText` with each text delta of the SSE stream. */
export function textDeltas(onText: (text: string) => void): (piece: string) => void {
  let rest = '';
  return (piece) => {
    const lines = (rest + piece).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('data: {')) continue;
      const event = JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> };
      const content = event.choices[0]?.delta?.content;
      if (content) onText(content);
    }
  };
}
