import { fileURLToPath } from 'node:url';

/** The repository root (this file compiles to dist/test/helpers/paths.js). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The compiled `plugd` CLI. */
export const cliMain = fileURLToPath(new URL('../../clients/cli/main.js', import.meta.url));

/** A built sample plugin (dist/plugins/NAME.wasm). */
export function samplePlugin(name: string): string {
  return fileURLToPath(new URL(`../../plugins/${name}.wasm`, import.meta.url));
}

/** A built test fixture plugin (dist/test/fixtures/plugins/NAME.wasm). */
export function fixturePlugin(name: string): string {
  return fileURLToPath(new URL(`../fixtures/plugins/${name}.wasm`, import.meta.url));
}

const nativeExt = process.platform === 'darwin' ? 'dylib' : process.platform === 'win32' ? 'dll' : 'so';

/** A built native sample plugin (dist/plugins/NAME.so, built by scripts/buildNative.mjs). */
export function nativePlugin(name: string): string {
  return fileURLToPath(new URL(`../../plugins/${name}.${nativeExt}`, import.meta.url));
}

/** A built native test fixture (dist/test/fixtures/native/NAME.so, from test/fixtures/native/NAME.c). */
export function nativeFixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/native/${name}.${nativeExt}`, import.meta.url));
}
