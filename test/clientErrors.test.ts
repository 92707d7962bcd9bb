// fromResponseError: every wire code becomes its typed class with code, codeName and data;
// transport failures become ConnectionClosedError; everything else passes through.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, ConnectionErrors, ResponseError } from 'vscode-jsonrpc';
import {
  CancelledError,
  ConnectionClosedError,
  ContextWindowExceededError,
  HostNotAllowedError,
  ProviderAuthError,
  ProviderHttpError,
  ProviderTransportError,
  RateLimitedError,
  DaemonNotRunningError,
  fromResponseError,
  InternalError,
  InvalidParamsError,
  InvalidProviderConfigError,
  InvalidRequestError,
  MethodNotFoundError,
  ParseError,
  PluginCrashedError,
  PluginError,
  PluginFailedError,
  PluginNotReadyError,
  PluginTimeoutError,
  PlugdError,
  PlugdLocalError,
  ShuttingDownError,
  UnknownHandleError,
  UnknownProviderError,
  UnsupportedError,
  UnknownToolError,
  InvalidToolArgumentsError,
  PermissionDeniedError,
  ToolPluginNotExposedError,
  ToolNameCollisionError,
  UnknownToolPluginError,
  UnknownCommandError,
  ToolSourceUnavailableError,
} from '../clients/errors.js';
import { ErrorCodes, type ErrorCodeName } from '../protocol/errors.js';

const expectedClass: Record<ErrorCodeName, new (...args: never[]) => PlugdError> = {
  ParseError,
  InvalidRequest: InvalidRequestError,
  MethodNotFound: MethodNotFoundError,
  InvalidParams: InvalidParamsError,
  InternalError,
  RequestCancelled: CancelledError,
  UnknownProvider: UnknownProviderError,
  UnknownHandle: UnknownHandleError,
  PluginNotReady: PluginNotReadyError,
  PluginFailed: PluginFailedError,
  PluginError,
  PluginTimeout: PluginTimeoutError,
  PluginCrashed: PluginCrashedError,
  InvalidProviderConfig: InvalidProviderConfigError,
  Unsupported: UnsupportedError,
  ShuttingDown: ShuttingDownError,
  ProviderAuthentication: ProviderAuthError,
  ProviderRateLimited: RateLimitedError,
  ContextWindowExceeded: ContextWindowExceededError,
  ProviderHttpStatus: ProviderHttpError,
  ProviderTransport: ProviderTransportError,
  HostNotAllowed: HostNotAllowedError,
  UnknownTool: UnknownToolError,
  InvalidToolArguments: InvalidToolArgumentsError,
  PermissionDenied: PermissionDeniedError,
  ToolPluginNotExposed: ToolPluginNotExposedError,
  ToolNameCollision: ToolNameCollisionError,
  UnknownToolPlugin: UnknownToolPluginError,
  UnknownCommand: UnknownCommandError,
  ToolSourceUnavailable: ToolSourceUnavailableError,
};

test('every protocol error code maps to its own class, keeping code, codeName, message, data and cause', () => {
  for (const [name, code] of Object.entries(ErrorCodes) as Array<[ErrorCodeName, number]>) {
    const wire = new ResponseError(code, `message for ${name}`, { plugin: 'echo' });
    const error = fromResponseError(wire);
    assert.instance(error, expectedClass[name], name);
    assert.instance(error, PlugdError, name);
    const typed = error as PlugdError;
    assert.is(typed.code, code, name);
    assert.is(typed.codeName, name);
    assert.is(typed.message, `message for ${name}`);
    assert.equal(typed.data, { plugin: 'echo' });
    assert.is(typed.plugin, 'echo');
    assert.is(typed.cause, wire);
    assert.is(typed.name, expectedClass[name].name);
  }
});

test('the class table covers exactly the protocol codes', () => {
  assert.equal(Object.keys(expectedClass).sort(), Object.keys(ErrorCodes).sort());
});

test('subclasses expose their data members', () => {
  const plugin = fromResponseError(
    new ResponseError(ErrorCodes.PluginError, 'plugin failed', {
      plugin: 'openai',
      payload: { type: 'Auth', message: 'bad key', status: 401 },
    }),
  ) as PluginError;
  assert.equal(plugin.payload, { type: 'Auth', message: 'bad key', status: 401 });

  const params = fromResponseError(
    new ResponseError(ErrorCodes.InvalidParams, 'bad role', { path: 'messages[0].role', expected: 'a role' }),
  ) as InvalidParamsError;
  assert.is(params.path, 'messages[0].role');

  const config = fromResponseError(
    new ResponseError(ErrorCodes.InvalidProviderConfig, 'bad config', { path: 'model' }),
  ) as InvalidProviderConfigError;
  assert.is(config.path, 'model');

  const timeout = fromResponseError(new ResponseError(ErrorCodes.PluginTimeout, 'slow', { timeoutMs: 500 })) as PluginTimeoutError;
  assert.is(timeout.timeoutMs, 500);

  const failed = fromResponseError(new ResponseError(ErrorCodes.PluginFailed, 'failed', { reason: 'no file' })) as PluginFailedError;
  assert.is(failed.reason, 'no file');

  const crashed = fromResponseError(new ResponseError(ErrorCodes.PluginCrashed, 'crashed', { reason: 'trap' })) as PluginCrashedError;
  assert.is(crashed.reason, 'trap');
});

test('an unknown numeric code becomes a plain PlugdError without a codeName', () => {
  const error = fromResponseError(new ResponseError(-32095, 'from the future'));
  assert.is(error.constructor, PlugdError);
  assert.is((error as PlugdError).code, -32095);
  assert.is((error as PlugdError).codeName, undefined);
  assert.is((error as PlugdError).data, undefined);
});

test('non-object data is dropped rather than mistyped', () => {
  for (const data of ['text', 42, null, ['a']]) {
    const error = fromResponseError(new ResponseError(ErrorCodes.InternalError, 'x', data)) as PlugdError;
    assert.is(error.data, undefined, JSON.stringify(data));
  }
});

test('plain {code, message} objects are mapped like ResponseErrors', () => {
  const error = fromResponseError({ code: ErrorCodes.UnknownProvider, message: 'no such provider', data: { plugin: 'x' } });
  assert.instance(error, UnknownProviderError);
  assert.is((error as UnknownProviderError).plugin, 'x');
});

test("vscode-jsonrpc's transport failures become ConnectionClosedError", () => {
  for (const code of [-32099, -32097, -32096]) {
    const error = fromResponseError(new ResponseError(code, 'Pending response rejected since connection got disposed'));
    assert.instance(error, ConnectionClosedError, String(code));
    assert.is((error as ConnectionClosedError).code, 'ECLOSED');
  }
  const closed = fromResponseError(new ConnectionError(ConnectionErrors.Closed, 'Connection is closed.'));
  assert.instance(closed, ConnectionClosedError);
});

test('typed errors and other Errors pass through unchanged; other values are wrapped', () => {
  const typed = new PluginError('x');
  assert.is(fromResponseError(typed), typed);
  const local = new DaemonNotRunningError('/tmp/x.sock');
  assert.is(fromResponseError(local), local);
  const plain = new TypeError('boom');
  assert.is(fromResponseError(plain), plain);
  // Node system errors carry string codes: not wire errors.
  const system = Object.assign(new Error('connect EACCES'), { code: 'EACCES' });
  assert.is(fromResponseError(system), system);
  const wrapped = fromResponseError('just a string');
  assert.instance(wrapped, Error);
  assert.is(wrapped.message, 'just a string');
  assert.match(fromResponseError({ weird: true }).message, '{"weird":true}');
});

test('local errors carry string codes and helpful messages', () => {
  const missing = new DaemonNotRunningError('/run/user/1000/plugd/plugd.sock');
  assert.instance(missing, PlugdLocalError);
  assert.is(missing.code, 'ENODAEMON');
  assert.is(missing.socketPath, '/run/user/1000/plugd/plugd.sock');
  assert.match(missing.message, '/run/user/1000/plugd/plugd.sock');
  assert.match(missing.message, 'plugd serve');
  assert.match(missing.message, 'npm start');
  assert.is(missing.name, 'DaemonNotRunningError');
  const closed = new ConnectionClosedError();
  assert.is(closed.code, 'ECLOSED');
  assert.is(closed.name, 'ConnectionClosedError');
  assert.not.instance(closed, PlugdError);
});

test('CancelledError has a default message and the RequestCancelled code', () => {
  const error = new CancelledError();
  assert.is(error.message, 'request cancelled');
  assert.is(error.code, ErrorCodes.RequestCancelled);
  assert.is(error.codeName, 'RequestCancelled');
});

test.run();
