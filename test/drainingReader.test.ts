// The client's reader: chat chunks handled as soon as they are read, everything else (and the end
// of input) through vscode-jsonrpc's queue, after them.
import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createMessageConnection, NullLogger } from 'vscode-jsonrpc/node';
import { DrainingMessageReader, END_OF_INPUT } from '../transport/drainingReader.js';
import { FramedMessageWriter } from '../transport/framedWriter.js';

const test = suite('draining reader');

function frame(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

function connected(): { input: PassThrough; reader: DrainingMessageReader; events: string[]; closed: Promise<void> } {
  const input = new PassThrough();
  const reader = new DrainingMessageReader(input);
  const connection = createMessageConnection(reader, new FramedMessageWriter(new PassThrough(), false), NullLogger);
  const events: string[] = [];
  connection.onNotification('other/note', (params: { n: number }) => void events.push(`queued ${params.n}`));
  connection.onNotification('chat/chunk', (params: { n: number }) => void events.push(`queued chunk ${params.n}`));
  connection.onNotification(END_OF_INPUT, () => reader.drained());
  const closed = new Promise<void>((resolve) => connection.onClose(() => resolve()));
  connection.listen();
  return { input, reader, events, closed };
}

test('a routed notification is handled in the read that completes it, before queued messages read earlier', async () => {
  const c = connected();
  c.reader.handleDirectly('chat/chunk', (params) => void c.events.push(`direct chunk ${(params as { n: number }).n}`));
  c.input.write(Buffer.concat([frame({ jsonrpc: '2.0', method: 'other/note', params: { n: 1 } }), frame({ jsonrpc: '2.0', method: 'chat/chunk', params: { n: 2 } })]));
  await new Promise((resolve) => process.nextTick(resolve));
  assert.equal(c.events, ['direct chunk 2'], 'the chunk is handled before the event loop turns; the other message waits in the queue');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(c.events, ['direct chunk 2', 'queued 1']);
  c.input.end(frame({ jsonrpc: '2.0', method: 'chat/chunk', params: { n: 3 } }));
  await c.closed;
  assert.equal(c.events, ['direct chunk 2', 'queued 1', 'direct chunk 3'], 'nothing is lost, and the close comes after the queue has drained');
});

test('after its disposable is disposed, the method goes through the queue again', async () => {
  const c = connected();
  const route = c.reader.handleDirectly('chat/chunk', () => void c.events.push('direct'));
  route.dispose();
  c.input.end(frame({ jsonrpc: '2.0', method: 'chat/chunk', params: { n: 1 } }));
  await c.closed;
  assert.equal(c.events, ['queued chunk 1']);
});

test.run();
