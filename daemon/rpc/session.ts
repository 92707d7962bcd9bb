import type { Readable, Writable } from 'node:stream';
import { Message, type MessageConnection, type RequestMessage, type RequestType, ResponseError, type ResponseMessage } from 'vscode-jsonrpc';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import { ErrorCodes } from '../../protocol/errors.js';
import type { Logger } from '../log.js';
import { CancelSignal } from '../cancelSignal.js';
import { FramedMessageReader } from '../../transport/framedReader.js';
import { FramedMessageWriter } from '../../transport/framedWriter.js';
import { RoutedMessageReader } from '../../transport/routedReader.js';
import { parseParams } from './params.js';
import { toResponseError } from './wireErrors.js';

/** JSON-RPC's cancellation notification (vscode-jsonrpc's `CancelNotification`, which it does not export). */
const CANCEL_REQUEST = '$/cancelRequest';

/** A method as protocol/ declares it: literal name, params schema, typed RequestType. */
export interface MethodSpec<S extends z.ZodType, R> {
  method: string;
  paramsSchema: S;
  type: RequestType<z.infer<S>, R, void>;
}

/** What a handler gets besides its params. */
export interface RequestContext {
  /** Aborted on `$/cancelRequest` or when the client disconnects. */
  signal: CancelSignal;
  session: Session;
}

/**
 * One client connection over any pair of streams (a socket, stdio, or an in-memory pair).
 * Malformed frames close this connection only.
 */
export class Session implements Disposable {
  private static nextId = 1;
  readonly id = Session.nextId++;
  readonly connection: MessageConnection;
  /** One signal per request in flight, aborted on cancel or disconnect. */
  private readonly active = new Set<CancelSignal>();
  /** The same signals by request id, for `$/cancelRequest`. */
  private readonly byId = new Map<number | string, CancelSignal>();
  /** The registered methods (see handle). */
  private readonly handlers = new Map<string, (params: unknown, signal: CancelSignal) => Promise<unknown>>();
  private readonly writer: FramedMessageWriter;
  private closed = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly logger: Logger,
    private readonly gate: () => ResponseError<unknown> | undefined,
  ) {
    this.writer = new FramedMessageWriter(output);
    // Requests for registered methods, and their cancellations, are handled as they are read;
    // everything else (other notifications, answers to the daemon's own requests, unknown
    // methods) goes through the connection.
    this.connection = createMessageConnection(new RoutedMessageReader(new FramedMessageReader(input), (message) => this.route(message)), this.writer);
    this.connection.onError(([error]) => {
      this.logger.warn(`client #${this.id}: closing the connection after a protocol error: ${error.message}`);
      // JSON-RPC's answer to an unreadable message, before hanging up (the stream is unsynced).
      const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.ParseError, message: `Parse error: ${error.message}` } });
      if (!this.closed && output.writable) output.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      this.dispose();
      if ('destroy' in input && typeof input.destroy === 'function') input.destroy();
    });
    this.connection.onClose(() => this.dispose());
    input.on('close', () => this.dispose());
  }

  /** Registers a request handler; params are validated before it runs, errors mapped to wire codes. */
  handle<S extends z.ZodType, R>(spec: MethodSpec<S, R>, handler: (params: z.infer<S>, ctx: RequestContext) => Promise<R> | R, options: { duringShutdown?: boolean } = {}): void {
    this.handlers.set(spec.method, async (raw, signal) => {
      try {
        const refused = options.duringShutdown ? undefined : this.gate();
        if (refused) throw refused;
        // Params are checked against the schema (which decides whether they are optional) as
        // they came, by name: by-position params are not JSON objects and are refused by it.
        const params = parseParams(spec.paramsSchema, raw, spec.method);
        return await handler(params, { signal, session: this });
      } catch (error) {
        throw toResponseError(error, spec.method, this.logger);
      }
    });
  }

  /**
   * vscode-jsonrpc dispatches each message read in an event-loop turn of its own and creates a
   * cancellation source per request; handled here instead, a request starts in the turn its last
   * byte arrives (50–100 µs sooner on a chat's first token: docs/performance.md §12.7).
   */
  private route(message: Message): boolean {
    if (Message.isRequest(message)) {
      const handler = this.handlers.get(message.method);
      if (!handler) return false;
      void this.answer(message, handler);
      return true;
    }
    if (Message.isNotification(message) && message.method === CANCEL_REQUEST) {
      // Every request the connection could still be working on is one of these (it answers an
      // unknown method at once), so a cancel that finds nothing came late and is dropped: passed
      // on, vscode-jsonrpc would keep its id for a request that never comes.
      const id = (message.params as { id?: unknown } | undefined)?.id;
      if (typeof id === 'number' || typeof id === 'string') this.byId.get(id)?.abort();
      return true;
    }
    return false;
  }

  private async answer(request: RequestMessage, handler: (params: unknown, signal: CancelSignal) => Promise<unknown>): Promise<void> {
    if (this.closed) return;
    const signal = new CancelSignal();
    const id = request.id;
    this.active.add(signal);
    if (id !== null) this.byId.set(id, signal);
    let response: ResponseMessage;
    try {
      const result = await handler(request.params, signal);
      response = { jsonrpc: '2.0', id, result: result === undefined ? null : result };
    } catch (error) {
      response = { jsonrpc: '2.0', id, error: (error as ResponseError<unknown>).toJson() };
    } finally {
      this.active.delete(signal);
      if (id !== null && this.byId.get(id) === signal) this.byId.delete(id);
    }
    if (!this.closed) this.writer.write(response).catch(() => undefined);
  }

  listen(): void {
    this.connection.listen();
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.active) controller.abort();
    this.connection.dispose();
    // Tell the client we are gone; for a socket this flushes what is queued, then sends FIN.
    if (this.output !== process.stdout) this.output.end();
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

export function shuttingDown(): ResponseError<unknown> {
  return new ResponseError(ErrorCodes.ShuttingDown, 'the daemon is shutting down and accepts no new work');
}
