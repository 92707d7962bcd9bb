// What the CLI's pull/push/cache commands use (loaded on demand by clients/cli/sourceCommands.ts).
export { Cache, cacheDir } from './cache.js';
export { resolveSource } from './resolve.js';
export { pushPlugin } from './push.js';
export { canonicalRef, displayPath, isRemotePath, parseOci } from './reference.js';
export { loadConfig } from '../config/load.js';
export { locateConfig } from '../config/locate.js';
