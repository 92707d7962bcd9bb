// The openai plugin's SSE parser, called as the host calls it (one line per call, each with its
// `\n`), on the built plugin in this process. An event that is one `data:` line of whole JSON —
// what OpenAI-compatible servers send — comes out at that line, not a call later at the blank line
// that ends it: the first token's time through plugd counts every parser call. Events split over
// several `data:` lines still come out whole at their blank line.
import { readFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plugin } from '@extism/extism';
import { samplePlugin } from './helpers/paths.js';

const test = suite('openai stream parser');

let plugin: Plugin;

test.before(async () => {
  const { createPlugin } = await import('@extism/extism');
  const module = await WebAssembly.compile(await readFile(samplePlugin('openai')));
  plugin = await createPlugin(module, {
    useWasi: true,
    runInWorker: false,
    functions: { 'extism:host/user': { qmt_yield_chunk: () => undefined, qmt_log: () => undefined } },
  });
});

test.after(async () => {
  await plugin.close();
});

async function call(fn: string, input: string): Promise<string> {
  try {
    return (await plugin.call(fn, input))?.text() ?? '';
  } finally {
    await plugin.reset();
  }
}

/** Opens a parser; `feed` passes one line and returns the chunks it produced. */
async function parser(): Promise<{ feed(line: string): Promise<unknown[]>; finish(): Promise<unknown[]>; close(): Promise<void> }> {
  const id = Number(await call('chat_stream_parser_start', '{"model":"m"}'));
  assert.ok(Number.isSafeInteger(id) && id > 0, `parser id ${id}`);
  return {
    async feed(line) {
      const bytes = [...Buffer.from(line, 'utf8')];
      return JSON.parse(await call('chat_stream_parser_parse', JSON.stringify({ parser_id: id, chunk: bytes }))) as unknown[];
    },
    async finish() {
      return JSON.parse(await call('chat_stream_parser_finish', String(id))) as unknown[];
    },
    async close() {
      await call('chat_stream_parser_close', String(id));
    },
  };
}

const delta = (content: string) => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
const text = (s: string) => ({ chunk: { text: s } });

test('a one-line JSON event comes out at its data line; its blank line adds nothing', async () => {
  const p = await parser();
  assert.equal(await p.feed(`data: ${delta('Hel')}\n`), [text('Hel')]);
  assert.equal(await p.feed('\n'), []);
  assert.equal(await p.feed(`data: ${delta('lo')}\n`), [text('lo')]);
  assert.equal(await p.feed('\r\n'), []);
  const done = await p.feed('data: [DONE]\n');
  assert.equal(done.length, 1, 'the [DONE] line completes the stream');
  assert.ok(JSON.stringify(done[0]).includes('"done"'), JSON.stringify(done));
  assert.equal(await p.feed('\n'), []);
  assert.equal(await p.finish(), [], 'nothing more once done');
  await p.close();
});

test('an event whose JSON spans several data lines comes out whole at its blank line', async () => {
  const p = await parser();
  const json = delta('joined');
  const cut = json.indexOf('"choices"');
  assert.equal(await p.feed(`data: ${json.slice(0, cut)}\n`), [], 'not JSON yet: held');
  assert.equal(await p.feed(`data: ${json.slice(cut)}\n`), []);
  assert.equal(await p.feed('\n'), [text('joined')]);
  await p.close();
});

test('a data line after an event was handled is ignored up to the blank line; the next event is read', async () => {
  const p = await parser();
  assert.equal(await p.feed(`data: ${delta('first')}\n`), [text('first')]);
  assert.equal(await p.feed(`data: ${delta('same event')}\n`), [], 'joined to the first, the payload would not be JSON');
  assert.equal(await p.feed('\n'), []);
  assert.equal(await p.feed(': keep-alive\n'), []);
  assert.equal(await p.feed(`data: ${delta('next')}\n`), [text('next')]);
  await p.close();
});

test('lines split across calls are put together before they are read', async () => {
  const p = await parser();
  const line = `data: ${delta('split')}\n`;
  assert.equal(await p.feed(line.slice(0, 20)), []);
  assert.equal(await p.feed(line.slice(20)), [text('split')]);
  await p.close();
});

test.run();
