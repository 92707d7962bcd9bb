// A plugin's kind comes from its file: the magic bytes first (Wasm, ELF, Mach-O 64 and 32 bit as
// Apple's linkers write them, universal Mach-O, PE), then the extension (.so, .dylib, .dll; a .wasm
// without the magic is an error saying so); anything else is not a plugin.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { detectPluginType } from '../daemon/plugins/detect.js';

const bytes = (...b: number[]) => Uint8Array.from([...b, 0, 0, 0, 0]);
const text = (s: string) => new TextEncoder().encode(s);

test('the WebAssembly magic is wasm, whatever the name', () => {
  assert.equal(detectPluginType('/p/echo.wasm', bytes(0x00, 0x61, 0x73, 0x6d, 0x01)), { type: 'wasm', format: 'WebAssembly' });
  assert.equal(detectPluginType('/p/echo.so', bytes(0x00, 0x61, 0x73, 0x6d, 0x01)), { type: 'wasm', format: 'WebAssembly' });
});

test('native magics: ELF (with or without an extension), Mach-O 64 and 32 bit, universal Mach-O, PE', () => {
  for (const [path, head, format] of [
    ['/p/libecho.so', bytes(0x7f, 0x45, 0x4c, 0x46, 0x02), 'ELF'],
    ['/p/echo', bytes(0x7f, 0x45, 0x4c, 0x46, 0x02), 'ELF'],
    ['/p/echo.plugin', bytes(0x7f, 0x45, 0x4c, 0x46, 0x01), 'ELF'],
    ['/p/libecho.dylib', bytes(0xcf, 0xfa, 0xed, 0xfe), 'Mach-O'],
    ['/p/libecho', bytes(0xce, 0xfa, 0xed, 0xfe), 'Mach-O'],
    ['/p/libecho.dylib', bytes(0xca, 0xfe, 0xba, 0xbe), 'Mach-O (universal)'],
    ['/p/echo.dll', text('MZ\x90\x00\x03\x00'), 'PE'],
    ['/p/echo', text('MZ'), 'PE'],
  ] as const) {
    assert.equal(detectPluginType(path, head), { type: 'native', format }, path);
  }
});

test('without a known magic the extension decides: .so, .dylib, .dll (any case) are native', () => {
  const unknown = text('#!/bin/sh\n');
  assert.equal(detectPluginType('/p/libecho.so', unknown), { type: 'native', format: '.so' });
  assert.equal(detectPluginType('/p/libecho.dylib', unknown), { type: 'native', format: '.dylib' });
  assert.equal(detectPluginType('/p/ECHO.DLL', unknown), { type: 'native', format: '.dll' });
});

test('a .wasm file without the magic is an error saying so; an unknown file without a known extension is not a plugin', () => {
  const wrong = detectPluginType('/p/echo.wasm', text('<html>'));
  assert.is(wrong.type, null);
  assert.match((wrong as { reason: string }).reason, /\.wasm extension but is not a WebAssembly module \(bad magic bytes\)/);
  const short = detectPluginType('/p/echo.wasm', new Uint8Array([0x00, 0x61]));
  assert.is(short.type, null, 'a truncated magic is not a module');
  const other = detectPluginType('/p/notes.txt', text('hello'));
  assert.is(other.type, null);
  assert.match((other as { reason: string }).reason, /expected the \\0asm magic bytes or a \.wasm file/);
  assert.is(detectPluginType('/p/empty', new Uint8Array()).type, null);
});

test.run();
