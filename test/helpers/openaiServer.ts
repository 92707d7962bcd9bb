import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for OpenAI's API (the one paid remote service plugd talks to), on loopback,
 * speaking the chat-completions wire format as OpenAI documents it: JSON bodies, SSE with
 * `data: ` lines and blank-line separators, a first delta carrying the role, tool-call
 * arguments split across chunks, a final chunk with `finish_reason`, usage in a last chunk with
 * empty `choices` (`stream_options.include_usage`), `data: [DONE]`, and OpenAI's error bodies.
 *
 * What it answers is scripted by the last user message:
 *   anything else        "echo: <text>" (streamed word by word)
 *   "tool"               a get_weather tool call with {"city":"Paris","unit":"celsius"}
 *   "status <code>"      an error answer with that status (429 adds retry-after: 7;
 *                        "status 400 context" is OpenAI's context_length_exceeded)
 *   "cut"                three chunks, then the connection is destroyed mid-stream
 *   "slow <ms>"          waits that long before sending the response head
 *   "stall"              sends the head and one chunk, then nothing
 *   "long"               a chunk every 20 ms until the client goes away
 *   "count <n>"          n one-word chunks, written as fast as the socket takes them
 *   "paced <n> <ms>"     n one-word chunks, one every <ms> milliseconds
 */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface OpenAIServerOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Host to listen on (default 127.0.0.1). */
  host?: string;
}

const MODEL = 'gpt-test';

export class OpenAIServer implements AsyncDisposable {
  readonly requests: RecordedRequest[] = [];
  /** Streamed responses whose connection the client closed before the end (cancellations). */
  closedEarly = 0;
  private closeWaiters: Array<() => void> = [];
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly server: http.Server,
    private readonly options: OpenAIServerOptions,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
    const server = http.createServer();
    const self = new OpenAIServer(server, options);
    server.on('request', (req, res) => void self.handle(req, res));
    server.listen(0, options.host ?? '127.0.0.1');
    await once(server, 'listening');
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The API root, e.g. `http://127.0.0.1:PORT/v1`. */
  get baseUrl(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}/v1`;
  }

  /** Resolves when a streamed response has been closed by the client. */
  waitForEarlyClose(timeoutMs = 5000): Promise<void> {
    if (this.closedEarly > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the client did not close the stream')), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      return this.error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    this.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
    if (this.options.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      // OpenAI masks the key in this message; so does this server (the tests look for leaks).
      return this.error(res, 401, 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key');
    }
    if (req.method === 'GET' && path === '/v1/models') return this.models(res);
    if (req.method === 'POST' && path === '/v1/embeddings') return this.embeddings(res, body as { input: string[]; model: string });
    if (req.method === 'POST' && path === '/v1/completions') return this.completions(res, body as { prompt: string; model: string });
    if (req.method === 'POST' && path === '/v1/chat/completions') return this.chat(req, res, body as ChatBody);
    return this.error(res, 404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error', null);
  }

  private json(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    const payload = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
    res.end(payload);
  }

  private error(res: http.ServerResponse, status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): void {
    this.json(res, status, { error: { message, type, param: null, code } }, headers);
  }

  private models(res: http.ServerResponse): void {
    this.json(res, 200, {
      object: 'list',
      data: ['gpt-test', 'gpt-test-mini', 'text-embedding-test'].map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'plugd-test' })),
    });
  }

  private embeddings(res: http.ServerResponse, body: { input: string[] | string; model: string }): void {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    // Answered in reverse order: clients must use `index`, as OpenAI's docs say.
    const data = inputs.map((s, index) => ({ object: 'embedding', index, embedding: [s.length, [...s].reduce((a, c) => a + c.charCodeAt(0), 0) % 97, 0.5] })).reverse();
    this.json(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } });
  }

  private completions(res: http.ServerResponse, body: { prompt: string; model: string }): void {
    this.json(res, 200, {
      id: 'cmpl-1',
      object: 'text_completion',
      created: 1_700_000_000,
      model: body.model,
      choices: [{ text: `completed: ${body.prompt}`, index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  }

  private async chat(req: http.IncomingMessage, res: http.ServerResponse, body: ChatBody): Promise<void> {
    const prompt = lastUserText(body.messages);
    const [command, arg, extra] = prompt.split(/\s+/);
    if (command === 'status') {
      const status = Number(arg);
      if (status === 429) return this.error(res, 429, 'Rate limit reached for gpt-test on requests per min (RPM): Limit 3, Used 3, Requested 1.', 'requests', 'rate_limit_exceeded', { 'retry-after': '7' });
      if (status === 400 && extra === 'context') {
        return this.error(res, 400, "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.", 'invalid_request_error', 'context_length_exceeded');
      }
      return this.error(res, status, status >= 500 ? 'The server had an error while processing your request. Sorry about that!' : `status ${status}`, 'server_error', null);
    }
    if (command === 'slow') await sleep(Number(arg));
    const usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 };
    const tool = command === 'tool';
    if (!body.stream) {
      const message = tool
        ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } }], refusal: null }
        : { role: 'assistant', content: `echo: ${prompt}`, refusal: null };
      return this.json(res, 200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: body.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: tool ? 'tool_calls' : 'stop' }],
        usage,
        system_fingerprint: 'fp_test',
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let finished = false;
    res.once('close', () => {
      if (finished) return;
      this.closedEarly++;
      for (const wake of this.closeWaiters.splice(0)) wake();
    });
    const base = { id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1_700_000_000, model: body.model, system_fingerprint: 'fp_test' };
    const event = (choices: unknown[], extraFields: Record<string, unknown> = {}) => `data: ${JSON.stringify({ ...base, choices, ...extraFields })}\n\n`;
    const delta = (d: Record<string, unknown>, finish: string | null = null) => event([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
    const write = async (s: string) => {
      if (!res.write(s)) await once(res, 'drain');
    };
    await write(delta({ role: 'assistant', content: '', refusal: null }));

    if (command === 'cut') {
      for (const w of ['one ', 'two ', 'three ']) await write(delta({ content: w }));
      await sleep(20);
      req.socket.destroy();
      return;
    }
    if (command === 'stall') {
      await write(delta({ content: 'waiting' }));
      return; // never ends: the client's idle timeout must fire
    }
    if (command === 'long') {
      for (let i = 0; !res.destroyed && i < 10_000; i++) {
        await write(delta({ content: `tick${i} ` }));
        await sleep(20);
      }
      return;
    }
    if (tool) {
      const args = ['{"ci', 'ty":"Par', 'is","unit', '":"celsius"}'];
      await write(delta({ tool_calls: [{ index: 0, id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '' } }] }));
      for (const a of args) await write(delta({ tool_calls: [{ index: 0, function: { arguments: a } }] }));
      await write(delta({}, 'tool_calls'));
    } else {
      const counted = command === 'count' || command === 'paced';
      const words = counted ? Array.from({ length: Number(arg) }, (_, i) => `w${i} `) : `echo: ${prompt}`.split(/(?<= )/);
      const pause = command === 'paced' ? Number(extra) : 0;
      for (const w of words) {
        await write(delta({ content: w }));
        if (pause) await sleep(pause);
      }
      await write(delta({}, 'stop'));
    }
    await write(event([], { usage }));
    await write('data: [DONE]\n\n');
    finished = true;
    res.end();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  stream?: boolean;
}

function lastUserText(messages: ChatBody['messages']): string {
  const user = [...(messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  if (Array.isArray(user.content)) return user.content.map((p: { text?: string }) => p.text ?? '').join('');
  return '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
