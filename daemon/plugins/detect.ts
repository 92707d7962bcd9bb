import { extname } from 'node:path';
import type { PluginType } from '../../protocol/daemon.js';

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const NATIVE_MAGICS: Array<[string, number[]]> = [
  ['ELF', [0x7f, 0x45, 0x4c, 0x46]],
  ['Mach-O', [0xcf, 0xfa, 0xed, 0xfe]],
  ['Mach-O', [0xce, 0xfa, 0xed, 0xfe]],
  ['Mach-O (universal)', [0xca, 0xfe, 0xba, 0xbe]],
  ['PE', [0x4d, 0x5a]],
];
const NATIVE_EXTENSIONS = new Set(['.so', '.dylib', '.dll']);

export type Detection = { type: PluginType; format: string } | { type: null; reason: string };

/** Decides a plugin's kind from its first bytes, falling back to its file extension. */
export function detectPluginType(path: string, head: Uint8Array): Detection {
  if (startsWith(head, WASM_MAGIC)) return { type: 'wasm', format: 'WebAssembly' };
  const native = NATIVE_MAGICS.find(([, magic]) => startsWith(head, magic));
  if (native) return { type: 'native', format: native[0] };
  const ext = extname(path).toLowerCase();
  if (ext === '.wasm') return { type: null, reason: 'the file has a .wasm extension but is not a WebAssembly module (bad magic bytes)' };
  if (NATIVE_EXTENSIONS.has(ext)) return { type: 'native', format: ext };
  return { type: null, reason: 'not a WebAssembly module (expected the \\0asm magic bytes or a .wasm file)' };
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}
