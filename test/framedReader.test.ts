// The daemon's and the client's JSON-RPC reader: frames split anywhere, many frames per read,
// UTF-8 split mid-character, and every malformed header reported once, naming what is wrong.
import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Message } from 'vscode-jsonrpc';
import { FramedMessageReader } from '../transport/framedReader.js';
import { FramedMessageWriter } from '../transport/framedWriter.js';

const test = suite('framed reader');

function frame(body: string, header = ''): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`${header}Content-Length: ${bytes.length}\r\n\r\n`, 'latin1'), bytes]);
}

function reading(): { stream: PassThrough; messages: Message[]; errors: string[]; closed: () => boolean } {
  const stream = new PassThrough();
  const reader = new FramedMessageReader(stream);
  const messages: Message[] = [];
  const errors: string[] = [];
  let closed = false;
  reader.onError((error) => errors.push(error.message));
  reader.onClose(() => (closed = true));
  reader.listen((message) => messages.push(message));
  return { stream, messages, errors, closed: () => closed };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a frame written one byte at a time arrives once, whole', async () => {
  const r = reading();
  const bytes = frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'daemon/status', params: { text: 'héllo ✓ 😀' } }));
  for (let i = 0; i < bytes.length; i++) {
    r.stream.write(bytes.subarray(i, i + 1));
    await settle();
    if (i < bytes.length - 1) assert.is(r.messages.length, 0, `delivered early, after byte ${i}`);
  }
  assert.equal(r.messages, [{ jsonrpc: '2.0', id: 1, method: 'daemon/status', params: { text: 'héllo ✓ 😀' } }]);
  assert.equal(r.errors, []);
});

test('many frames in one read are delivered in order, and a frame split across reads completes', async () => {
  const r = reading();
  const all = Buffer.concat(Array.from({ length: 50 }, (_, i) => frame(JSON.stringify({ jsonrpc: '2.0', method: 'n', params: { i, pad: 'x'.repeat(i * 37) } }))));
  const cut = Math.floor(all.length / 3);
  r.stream.write(all.subarray(0, cut));
  r.stream.write(all.subarray(cut, 2 * cut));
  r.stream.write(all.subarray(2 * cut));
  await settle();
  assert.equal(
    r.messages.map((m) => (m as unknown as { params: { i: number } }).params.i),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.equal(r.errors, []);
});

test('header names are case-insensitive and a utf-8 Content-Type is accepted', async () => {
  const r = reading();
  const body = '{"jsonrpc":"2.0","method":"x"}';
  r.stream.write(Buffer.from(`content-type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-LENGTH: ${body.length}\r\n\r\n${body}`));
  await settle();
  assert.equal(r.messages, [{ jsonrpc: '2.0', method: 'x' }]);
});

test('what FramedMessageWriter writes, FramedMessageReader reads back', async () => {
  const r = reading();
  const writer = new FramedMessageWriter(r.stream);
  const sent: Message[] = [
    { jsonrpc: '2.0', id: 1, method: 'a', params: { s: 'naïve — 日本語' } } as Message,
    { jsonrpc: '2.0', id: 1, result: { big: 'y'.repeat(200_000) } } as Message,
  ];
  for (const message of sent) await writer.write(message);
  await settle();
  assert.equal(r.messages, sent);
});

test('the close is reported after the frames read before it', async () => {
  const r = reading();
  r.stream.end(frame('{"jsonrpc":"2.0","method":"last"}'));
  await new Promise((resolve) => r.stream.once('close', resolve));
  assert.is(r.messages.length, 1);
  assert.ok(r.closed());
});

const bad: Array<[string, Buffer, RegExp]> = [
  ['no Content-Length', Buffer.from('Content-Type: application/json\r\n\r\n{}'), /no Content-Length/],
  ['a non-numeric Content-Length', Buffer.from('Content-Length: abc\r\n\r\n{}'), /Content-Length must be a number of bytes, got "abc"/],
  ['a header line without a colon', Buffer.from('\x00\x01GARBAGE\r\n\r\n', 'latin1'), /malformed header line/],
  ['a charset other than utf-8', Buffer.from('Content-Type: application/json; charset=latin1\r\nContent-Length: 2\r\n\r\n{}'), /unsupported charset "latin1"/],
  ['a body that is not JSON', frame('{"jsonrpc":'), /not valid JSON/],
  ['a header that never ends', Buffer.from(`X-Pad: ${'a'.repeat(9000)}`), /no end of header within 8192 bytes/],
];

for (const [what, bytes, expected] of bad) {
  test(`${what} is reported once, and nothing after it is delivered`, async () => {
    const r = reading();
    r.stream.write(bytes);
    r.stream.write(frame('{"jsonrpc":"2.0","method":"after"}'));
    await settle();
    assert.is(r.errors.length, 1, `errors: ${JSON.stringify(r.errors)}`);
    assert.match(r.errors[0] ?? '', expected);
    assert.equal(r.messages, []);
  });
}

test.run();
