import type { Readable, Writable } from 'node:stream';
import { type CancellationToken, type GenericRequestHandler, type MessageConnection, type RequestType, ResponseError } from 'vscode-jsonrpc';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import { ErrorCodes } from '../../protocol/errors.js';
import type { Logger } from '../log.js';
import { CancelSignal } from '../cancelSignal.js';
import { FramedMessageReader } from '../../transport/framedReader.js';
import { FramedMessageWriter } from '../../transport/framedWriter.js';
import { parseParams } from './params.js';
import { toResponseError } from './wireErrors.js';

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
  private closed = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly logger: Logger,
    private readonly gate: () => ResponseError<unknown> | undefined,
  ) {
    this.connection = createMessageConnection(new FramedMessageReader(input), new FramedMessageWriter(output));
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
    // Registered by name, not by RequestType, so that a request without `params` reaches the
    // schema (which decides whether params are optional) instead of being refused by
    // vscode-jsonrpc's parameter-count check. The cancellation token always comes last.
    const handlerFn = async (...args: unknown[]): Promise<R> => {
      const token = args.pop() as CancellationToken;
      const raw = args.length <= 1 ? args[0] : args;
      const controller = new CancelSignal();
      this.active.add(controller);
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        const refused = options.duringShutdown ? undefined : this.gate();
        if (refused) throw refused;
        if (this.closed || token.isCancellationRequested) controller.abort();
        const params = parseParams(spec.paramsSchema, raw, spec.method);
        return await handler(params, { signal: controller, session: this });
      } catch (error) {
        throw toResponseError(error, spec.method, this.logger);
      } finally {
        subscription.dispose();
        this.active.delete(controller);
      }
    };
    this.connection.onRequest(spec.method, handlerFn as GenericRequestHandler<unknown, void>);
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
