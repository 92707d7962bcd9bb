/** plugd's Node client: connect to a daemon and call it with typed results and errors. */
export { PlugdClient, type CallOptions, type ChatOptions, type ChatStream, type ConnectOptions, type StdioOptions } from './client.js';
export * from './errors.js';
export { resolveSocketPath } from '../transport/socketPath.js';
