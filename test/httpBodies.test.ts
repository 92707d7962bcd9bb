// HTTP bodies in QueryMT's JSON (one number per byte), both ways. A *_request export's output →
// the request the host sends: the body decoded straight into bytes, whatever the key order or
// spacing, anything that is not a byte array refused with the same words as before. A response →
// the parse_* input: exactly what JSON.stringify wrote.
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { byteArrayJson, responseJson } from '../workers/http/bodyJson.js';
import { BadRequestError } from '../workers/http/errors.js';
import { requestFromOutput } from '../workers/http/request.js';

const test = suite('http bodies');
const head = { method: 'POST', uri: 'http://127.0.0.1:8080/v1/chat/completions', headers: { 'content-type': 'application/json' }, version: 'HTTP/1.1' };

function bytesOf(body: unknown): number[] {
  assert.ok(body instanceof Uint8Array || Array.isArray(body), `body is bytes (${typeof body})`);
  return [...(body as ArrayLike<number> & Iterable<number>)];
}

function refused(text: string): string {
  try {
    requestFromOutput(text, 'chat_request');
  } catch (error) {
    assert.instance(error, BadRequestError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${text.slice(0, 120)}`);
}

test('every byte value, in a body of 64 KiB, arrives as it was written', () => {
  const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(65_536)]);
  const req = requestFromOutput(JSON.stringify({ req: { head, body: [...body] } }), 'chat_request');
  assert.ok(req.body instanceof Uint8Array, 'decoded into bytes, not an array of numbers');
  assert.ok(Buffer.from(req.body).equals(body));
  assert.equal(req.head, head);
});

test('key order, spacing, and "body" inside strings do not matter', () => {
  const texts = [
    `{"req":{"body":[104, 105],"head":${JSON.stringify(head)}}}`,
    `{ "req" : { "head" : ${JSON.stringify({ ...head, headers: { 'x-note': '"body":[1,2]', 'x-q': 'a\\"b' } })} ,\n "body" :\t[ 104 ,105 ]\r\n } }`,
    `{"meta":{"body":[1,2,3]},"req":{"head":${JSON.stringify(head)},"body":[104,105]}}`,
  ];
  for (const text of texts) assert.equal(bytesOf(requestFromOutput(text, 'chat_request').body), [104, 105], text);
});

test('numbers the fast path does not read (1e2) still count as bytes, through JSON.parse', () => {
  assert.equal(bytesOf(requestFromOutput(`{"req":{"head":${JSON.stringify(head)},"body":[1e2, 7]}}`, 'chat_request').body), [100, 7]);
});

test('an empty, null or missing body sends none', () => {
  assert.equal(bytesOf(requestFromOutput(`{"req":{"head":${JSON.stringify(head)},"body":[]}}`, 'chat_request').body), []);
  assert.is(requestFromOutput(`{"req":{"head":${JSON.stringify(head)},"body":null}}`, 'chat_request').body, null);
  assert.is(requestFromOutput(`{"req":{"head":${JSON.stringify(head)}}}`, 'chat_request').body, undefined);
});

test('a body that is not an array of bytes is refused, naming the export', () => {
  for (const body of ['[256]', '[-1]', '[1.5]', '["a"]', '[1,[2]]', '{"a":1}', '"abc"', '[true]']) {
    assert.is(refused(`{"req":{"head":${JSON.stringify(head)},"body":${body}}}`), 'chat_request returned a request body that is not an array of bytes', body);
  }
});

test('malformed output says what was wrong, as before', () => {
  assert.match(refused(`{"req":{"head":${JSON.stringify(head)},"body":[1,2,]}}`), 'chat_request returned invalid JSON');
  assert.match(refused(`{"req":{"head":${JSON.stringify(head)},"body":[01]}}`), 'chat_request returned invalid JSON');
  assert.match(refused(`{"req":{"head":${JSON.stringify(head)},"body":[1 2]}}`), 'chat_request returned invalid JSON');
  assert.match(refused('{"req":{"head":{"method":"POST"},"body":[1]}}'), 'chat_request returned an unexpected value (expected an HTTP request');
  assert.match(refused('{"body":[1]}'), 'chat_request returned an unexpected value');
  assert.match(refused('not json'), 'chat_request returned invalid JSON: not json');
});

test('a response body is written as JSON.stringify wrote it: every byte value, empty, and given as numbers', () => {
  const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(10_000)]);
  assert.is(byteArrayJson(bytes), JSON.stringify([...bytes]));
  assert.is(byteArrayJson(new Uint8Array(0)), '[]');
  assert.is(byteArrayJson([7, 0, 255]), '[7,0,255]');
  const resp = { head: { status: 429, headers: { 'retry-after': '2' }, version: 'HTTP/1.1' }, body: Buffer.from('{"error":"slow down"}') };
  assert.is(responseJson(resp), JSON.stringify({ head: resp.head, body: [...resp.body] }));
  assert.equal(JSON.parse(responseJson(resp)), { head: resp.head, body: [...resp.body] });
});

test.run();
