export * from './chat.js';
export * from './daemon.js';
export * from './errors.js';
export * from './factories.js';
export * from './initialize.js';
export * from './providers.js';
export * from './version.js';
export * from './socketPath.js';
