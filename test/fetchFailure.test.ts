// How a failed fetch is worded for sources: never the URL (fetch's messages repeat it, with a
// presigned query or credentials), but enough to act on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fetchFailure } from '../daemon/sources/fetchFailure.js';

const failed = (cause?: unknown) => new TypeError('fetch failed', cause === undefined ? undefined : { cause });

test('the cause\'s code, else its message when it names no URL, else the error\'s kind', () => {
  assert.is(fetchFailure(failed(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))), 'ECONNREFUSED');
  assert.is(fetchFailure(failed(new Error('redirect count exceeded'))), 'redirect count exceeded');
  assert.is(fetchFailure(failed(new Error('bad port in https://user:secret@example.com/?sig=abc'))), 'request failed: TypeError');
  assert.is(fetchFailure(failed(new Error('credentials user:secret@example.com'))), 'request failed: TypeError');
  assert.is(fetchFailure(failed()), 'request failed: TypeError');
});

test('a reason plugd gave when it aborted wins', () => {
  const abort = new AbortController();
  abort.abort(new Error('no answer within 3000 ms'));
  assert.is(fetchFailure(new DOMException('aborted', 'AbortError'), abort.signal), 'no answer within 3000 ms');
});

test.run();
