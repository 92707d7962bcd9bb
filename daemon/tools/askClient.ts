import { CancellationTokenSource } from 'vscode-jsonrpc';
import { PermissionsRequest, type PermissionDecision, type PermissionOutcome } from '../../protocol/permissions.js';
import type { CancelSignal } from '../cancelSignal.js';
import { PluginCallError } from '../errors.js';
import type { Session } from '../rpc/session.js';

const decisions: ReadonlySet<string> = new Set<PermissionDecision>(['allow', 'deny', 'allowAlways', 'denyAlways']);

/**
 * Sends `permissions/request` to the client that made the call and waits for its decision. No
 * answer within `timeoutMs` (the request is then cancelled with `$/cancelRequest`), an error
 * answer (for example a client with no handler: MethodNotFound), a malformed answer, or a
 * disconnect all mean deny. Cancelling the tool call itself rejects with CANCELLED.
 */
export function askClient(session: Session, params: PermissionsRequest.Params, signal: CancelSignal): Promise<PermissionOutcome> {
  const cancelled = () => new PluginCallError('CANCELLED', `tools/call "${params.tool}" was cancelled while waiting for permission`, { plugin: params.plugin, tool: params.tool });
  return new Promise((resolve, reject) => {
    if (session.isClosed) return resolve({ allowed: false, source: 'disconnected' });
    if (signal.aborted) return reject(cancelled());
    const source = new CancellationTokenSource();
    let settled = false;
    const settle = (outcome: PermissionOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    // `$/cancelRequest` for the prompt, while there is a connection to carry it (on a closed one
    // vscode-jsonrpc's send throws, and the token's listener prints the stack to stderr).
    const cancelPrompt = () => {
      if (!session.isClosed) source.cancel();
    };
    const timer = setTimeout(() => {
      cancelPrompt();
      settle({ allowed: false, source: 'timeout' });
    }, params.timeoutMs);
    // A disconnect aborts the call's signal too (the session closes first, then cancels its calls).
    const unsubscribe = signal.onAbort(() => {
      cancelPrompt();
      settle(session.isClosed ? { allowed: false, source: 'disconnected' } : cancelled());
    });
    session.connection.sendRequest(PermissionsRequest.type, params, source.token).then(
      (answer) => {
        const decision = (answer as { decision?: unknown } | null)?.decision;
        if (typeof decision !== 'string' || !decisions.has(decision)) return settle({ allowed: false, source: 'noHandler' });
        settle({ allowed: decision === 'allow' || decision === 'allowAlways', source: 'client', decision: decision as PermissionDecision });
      },
      () => settle(session.isClosed ? { allowed: false, source: 'disconnected' } : { allowed: false, source: 'noHandler' }),
    );
  });
}
