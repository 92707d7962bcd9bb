// The permission path of tools/call with a real daemon and the todo plugin: every way a call is
// allowed or denied, including a client that answers each decision, one with no handler, one
// that never answers, and one that disconnects while asked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PermissionDeniedError, ToolPluginNotExposedError } from '../clients/errors.js';
import type { PermissionsRequest } from '../protocol/permissions.js';
import { DaemonProcess } from './helpers/daemonProcess.js';
import { eventually, rejection } from './helpers/serve.js';
import { todoWasm, toolsToml } from './helpers/tools.js';

const todo = [{ name: 'todo', path: todoWasm, expose: true }];

async function denied(promise: Promise<unknown>, reason: string): Promise<PermissionDeniedError> {
  const error = await rejection(promise);
  assert.instance(error, PermissionDeniedError);
  assert.is((error as PermissionDeniedError).reason, reason);
  return error as PermissionDeniedError;
}

test('ask: the calling client decides allow / deny / allowAlways / denyAlways; "always" is remembered per connection', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml(todo, { permissions: { default: 'ask', ask_timeout_ms: 10_000 } }) });
  await using client = await daemon.connect();
  const asked: PermissionsRequest.Params[] = [];
  let answer: PermissionsRequest.Result['decision'] = 'allow';
  client.onPermissionRequest((request) => {
    asked.push(request);
    return { decision: answer };
  });

  const allowed = await client.callTool('plan_create', { title: 'A' });
  assert.equal(allowed.permission, { allowed: true, source: 'client', decision: 'allow' });
  assert.equal(asked[0], { tool: 'plan_create', arguments: { title: 'A' }, plugin: 'todo', signature: 'plan_create {"title":"A"}', timeoutMs: 10_000 });

  answer = 'deny';
  const error = await denied(client.callTool('plan_add_step', { description: 'x' }), 'client');
  assert.match(error.message, 'denied by the client (deny)');
  assert.equal((await client.callTool('plan_status')).structuredContent, { title: 'A', steps: [] }, 'the denied call never ran');
  assert.is(asked.length, 2, 'plan_status is auto-approved: not asked');

  answer = 'allowAlways';
  assert.equal((await client.callTool('plan_add_step', { description: 'one' })).permission, { allowed: true, source: 'client', decision: 'allowAlways' });
  answer = 'deny';
  assert.equal((await client.callTool('plan_add_step', { description: 'two' })).permission, { allowed: true, source: 'remembered' });
  assert.is(asked.length, 3);

  answer = 'denyAlways';
  await denied(client.callTool('plan_update_step', { step: 1, status: 'done' }), 'client');
  answer = 'allow';
  await denied(client.callTool('plan_update_step', { step: 1, status: 'done' }), 'remembered');
  assert.is(asked.length, 4);

  // Another connection has its own memory.
  await using other = await daemon.connect();
  let otherAsked = 0;
  other.onPermissionRequest(() => (otherAsked++, { decision: 'allow' }));
  assert.is((await other.callTool('plan_update_step', { step: 1, status: 'done' })).permission.source, 'client');
  assert.is(otherAsked, 1);
});

test('ask: no handler, a malformed answer, no answer within ask_timeout_ms, a disconnect — each is deny and the tool never runs', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml(todo, { permissions: { default: 'ask', ask_timeout_ms: 600 } }) });
  await using watcher = await daemon.connect();
  const planTitle = async () => ((await watcher.callTool('plan_status')).structuredContent as { title: string | null }).title;

  await using silent = await daemon.connect();
  await denied(silent.callTool('plan_create', { title: 'no handler' }), 'noHandler');

  silent.onPermissionRequest(() => ({ decision: 'sure' }) as unknown as PermissionsRequest.Result);
  await denied(silent.callTool('plan_create', { title: 'malformed' }), 'noHandler');

  let cancelled = false;
  silent.onPermissionRequest((_request, signal) => new Promise(() => signal.addEventListener('abort', () => (cancelled = true))));
  const started = Date.now();
  await denied(silent.callTool('plan_create', { title: 'never answered' }), 'timeout');
  assert.ok(Date.now() - started >= 550, 'waited for the timeout');
  await eventually('the client saw $/cancelRequest for the unanswered request', () => cancelled);

  const disconnects = () => daemon.stderr.split('\n').filter((line) => / client #\d+ disconnected/.test(line)).length;
  const disconnectsBefore = disconnects();
  const leaving = await daemon.connect();
  let askedLeaving = false;
  leaving.onPermissionRequest(() => {
    askedLeaving = true;
    void leaving.close();
    return new Promise(() => undefined);
  });
  await rejection(leaving.callTool('plan_create', { title: 'disconnected' }));
  assert.ok(askedLeaving);
  await eventually('the daemon log shows the disconnect', () => disconnects() > disconnectsBefore);
  assert.is(await planTitle(), null, 'no denied call ran');
  assert.is((await watcher.status()).clients, 2, 'the daemon serves on');
  assert.not.match(daemon.stderr, 'ConnectionError', 'no stack in the daemon log for a prompt the client left');
});

test('policy lists: deny wins over auto-approval and allow lists; allow lists by name glob and call signature; default deny/allow', async () => {
  await using daemon = await DaemonProcess.start({
    config: toolsToml(todo, {
      permissions: { default: 'deny', allow: ['plan_*'], deny: ['plan_status'], deny_calls: ['plan_create *secret*'] },
    }),
  });
  await using client = await daemon.connect();
  client.onPermissionRequest(() => {
    throw new Error('the policy never asks here');
  });
  const created = await client.callTool('plan_create', { title: 'public' });
  assert.equal(created.permission, { allowed: true, source: 'allowList', pattern: 'plan_*' });
  const secret = await denied(client.callTool('plan_create', { title: 'top secret' }), 'denyList');
  assert.match(secret.message, 'the deny list (plan_create *secret*)');
  const status = await denied(client.callTool('plan_status'), 'denyList');
  assert.match(status.message, 'the deny list (plan_status)');
  assert.is((await client.runCommand('plan')).text.split('\n')[0], 'Plan: public', 'user commands need no permission; the secret plan was never created');

  await using allowAll = await DaemonProcess.start({ config: toolsToml(todo, { permissions: { default: 'deny', deny_calls: ['* *rm -rf*'] } }) });
  await using second = await allowAll.connect();
  assert.equal((await second.callTool('plan_status')).permission, { allowed: true, source: 'autoApproved' });
  await denied(second.callTool('plan_create', { title: 'x' }), 'default');

  await using open = await DaemonProcess.start({ config: toolsToml(todo, { permissions: { default: 'allow', deny_calls: ['* *rm -rf*'] } }) });
  await using third = await open.connect();
  assert.equal((await third.callTool('plan_create', { title: 'x' })).permission, { allowed: true, source: 'default' });
  await denied(third.callTool('plan_create', { title: 'please rm -rf /' }), 'denyList');
});

test('call globs see the arguments with their keys sorted, whatever order the client wrote them in', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml(todo, { permissions: { default: 'ask', deny_calls: ['plan_update_step {"status":"done"*'] } }) });
  await using client = await daemon.connect();
  const asked: string[] = [];
  client.onPermissionRequest((request) => (asked.push(request.signature), { decision: 'allow' }));
  await client.callTool('plan_create', { title: 'T', steps: ['a', 'b'] });
  assert.equal(asked, ['plan_create {"steps":["a","b"],"title":"T"}'], 'the signature the client is shown is the one globs see');
  const error = await denied(client.callTool('plan_update_step', { step: 1, status: 'done' }), 'denyList');
  assert.match(error.message, 'plan_update_step {"status":"done"*');
  assert.is(asked.length, 1, 'denied before asking');
  assert.equal((await client.callTool('plan_status')).structuredContent, { title: 'T', steps: [{ description: 'a', status: 'pending' }, { description: 'b', status: 'pending' }] }, 'the denied call never ran');
});

test('a call allowed by the client after its plugin was unexposed meanwhile does not run', async () => {
  await using daemon = await DaemonProcess.start({ config: toolsToml(todo, { permissions: { default: 'ask', ask_timeout_ms: 10_000 } }) });
  await using client = await daemon.connect();
  await using admin = await daemon.connect();
  let release!: () => void;
  const answered = new Promise<void>((resolve) => (release = resolve));
  let asked = 0;
  client.onPermissionRequest(async () => {
    asked++;
    await answered;
    return { decision: 'allow' };
  });
  const call = client.callTool('plan_create', { title: 'late' });
  await eventually('the client was asked', () => asked === 1);
  assert.equal(await admin.unexposeTools('todo'), { wasExposed: true });
  release();
  const error = await rejection(call);
  assert.instance(error, ToolPluginNotExposedError, `${error.name}: ${error.message}`);
  assert.match(error.message, 'while the call waited for permission');
  await admin.exposeTools('todo');
  assert.equal((await admin.callTool('plan_status')).structuredContent, { title: null, steps: [] }, 'nothing ran on the unexposed plugin');
});

test.run();
