import { ResponseError } from 'vscode-jsonrpc';
import type { z } from 'zod';
import { ErrorCodes, type ErrorData } from '../../protocol/errors.js';

/**
 * Checks a request's params against the method's schema where the message enters the daemon.
 * The error names the method, the field (as a path like `messages[0].role`) and what was expected.
 */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown, method: string): z.infer<S> {
  const result = schema.safeParse(params ?? undefined);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  let path = formatPath(issue?.path ?? []);
  let message = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    path = formatPath([...issue.path, issue.keys[0] ?? '']);
    message = `unknown field (not part of ${method}'s params)`;
  }
  else if (issue?.code === 'invalid_type' && valueAt(params, issue.path) === undefined) message = `missing required field (expected ${issue.expected})`;
  const where = path ? `params.${path}` : 'params';
  throw new ResponseError<ErrorData>(ErrorCodes.InvalidParams, `${method}: ${where}: ${message}`, { path: path || 'params', expected: message });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}
