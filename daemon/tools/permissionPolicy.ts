import type { PermissionOutcome } from '../../protocol/permissions.js';
import type { PermissionPolicy } from '../config/schema.js';

/**
 * The call's signature as `allow_calls`/`deny_calls` globs see it: `TOOL ARGUMENTS-JSON`, compact,
 * with every object's keys sorted (at every depth), so that a glob does not depend on the order
 * in which the client happened to write the arguments.
 */
export function callSignature(tool: string, args: Record<string, unknown>): string {
  return `${tool} ${sortedJson(args)}`;
}

/** JSON.stringify with object keys in sorted order (JavaScript's string order: UTF-16 code units). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => sortedJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object)
      .filter((k) => object[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(object[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether `text` matches a glob: `*` is any run of characters, `?` one character, everything else literal. */
function globMatch(pattern: string, text: string): boolean {
  let regex = globCache.get(pattern);
  if (!regex) {
    const body = [...pattern].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
    regex = new RegExp(`^${body}$`);
    globCache.set(pattern, regex);
  }
  return regex.test(text);
}
const globCache = new Map<string, RegExp>();

/** What the policy says before asking anyone: a decided outcome, or `ask`. */
type PolicyVerdict = PermissionOutcome | 'ask';

/**
 * The static part of the permission decision. Deny always wins: a tool or call on a deny list is
 * refused even when auto-approved, allowed or remembered. Then an earlier `denyAlways` or
 * `allowAlways` on this connection, then the plugin's `auto_approved_tools`, then the allow lists,
 * then the default.
 */
export function decide(policy: PermissionPolicy, tool: string, args: Record<string, unknown>, autoApproved: boolean, remembered: boolean | undefined): PolicyVerdict {
  // Serialized only when a call glob is there to see it (most policies have none).
  let signature: string | undefined;
  const sig = () => (signature ??= callSignature(tool, args));
  const denied = policy.deny.find((p) => globMatch(p, tool)) ?? policy.denyCalls.find((p) => globMatch(p, sig()));
  if (denied !== undefined) return { allowed: false, source: 'denyList', pattern: denied };
  if (remembered !== undefined) return { allowed: remembered, source: 'remembered' };
  if (autoApproved) return { allowed: true, source: 'autoApproved' };
  const allowed = policy.allow.find((p) => globMatch(p, tool)) ?? policy.allowCalls.find((p) => globMatch(p, sig()));
  if (allowed !== undefined) return { allowed: true, source: 'allowList', pattern: allowed };
  if (policy.default === 'ask') return 'ask';
  return { allowed: policy.default === 'allow', source: 'default' };
}
