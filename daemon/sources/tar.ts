import { promisify } from 'node:util';
import { gunzip, gzipSync } from 'node:zlib';
import { SourceError } from './errors.js';

const BLOCK = 512;
/** The most an archive may unpack to: a plugin library, not a disk-filling bomb. */
const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);

/**
 * Takes the one regular file out of a tar+gzip layer (a native plugin's library). Directories
 * are skipped; links, devices, absolute names, `..` components and a second regular file are
 * refused, so nothing can be written outside the cache. Unpacks on libuv's thread pool: a large
 * layer must not hold up the daemon's event loop (and with it every client).
 */
export async function extractSingleFile(gzipped: Uint8Array, what: string): Promise<{ name: string; bytes: Buffer }> {
  let tar: Buffer;
  try {
    tar = await gunzipAsync(gzipped, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new SourceError('SOURCE_FORMAT', `${what}: the archive unpacks to more than ${MAX_UNPACKED_BYTES} bytes`);
    throw new SourceError('SOURCE_FORMAT', `${what}: not a gzip archive (${(error as Error).message})`);
  }
  let found: { name: string; bytes: Buffer } | null = null;
  let longName: string | null = null;
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = parseOctal(header.subarray(124, 136), what);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = cString(header.subarray(345, 500));
    let name = longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    const body = tar.subarray(offset + BLOCK, offset + BLOCK + size);
    if (body.length < size) throw new SourceError('SOURCE_FORMAT', `${what}: truncated tar archive`);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = cString(body);
      continue;
    }
    if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
      if (path !== undefined) longName = path;
      continue;
    }
    if (type === 'g') continue;
    longName = null;
    checkName(name, what);
    name = name.replace(/^(\.\/)+/, '');
    if (type === '5') continue;
    if (type === '1' || type === '2') throw new SourceError('SOURCE_UNSAFE', `${what}: the archive holds a link ("${name}"); only a regular file is accepted`);
    if (type !== '0' && type !== '\0' && type !== '7') throw new SourceError('SOURCE_UNSAFE', `${what}: the archive holds "${name}", which is not a regular file (type ${JSON.stringify(type)})`);
    if (found) throw new SourceError('SOURCE_FORMAT', `${what}: the archive holds more than one file ("${found.name}", "${name}"); expected exactly one library`);
    found = { name, bytes: Buffer.from(body) };
  }
  if (!found) throw new SourceError('SOURCE_FORMAT', `${what}: the archive holds no regular file`);
  const base = found.name.split('/').pop()!;
  if (base === '' || base === '.') throw new SourceError('SOURCE_FORMAT', `${what}: the archive entry "${found.name}" has no file name`);
  return { name: base, bytes: found.bytes };
}

function checkName(name: string, what: string): void {
  if (name === '' || name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) {
    throw new SourceError('SOURCE_UNSAFE', `${what}: the archive entry "${name}" has an absolute or invalid path`);
  }
  if (name.split('/').includes('..')) throw new SourceError('SOURCE_UNSAFE', `${what}: the archive entry "${name}" points outside its directory ("..")`);
}

/** A tar+gzip archive holding one regular file (what `plugd push` publishes for native plugins). */
export function packSingleFile(name: string, bytes: Uint8Array, mode = 0o755): Buffer {
  const header = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`file name "${name}" is longer than 100 bytes`);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(mode, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(bytes.length, 12), 124);
  header.write(octal(0, 12), 136); // a fixed mtime keeps the layer's digest reproducible
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((BLOCK - (bytes.length % BLOCK)) % BLOCK);
  return gzipSync(Buffer.concat([header, Buffer.from(bytes), padding, Buffer.alloc(BLOCK * 2)]), { level: 9 });
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function parseOctal(field: Uint8Array, what: string): number {
  const text = cString(field).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new SourceError('SOURCE_FORMAT', `${what}: invalid tar header`);
  return parseInt(text, 8);
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(end === -1 ? bytes : bytes.subarray(0, end)).toString('utf8');
}
