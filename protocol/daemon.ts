import { RequestType } from 'vscode-jsonrpc';
import { z } from 'zod';

/**
 * Lifecycle state of one plugin: `loading` until its workers answered, then `ready`; `draining`
 * while it finishes calls in flight before stopping; `failed` when it could not load or crashed
 * past its restart budget (the status's `error` says why); `stopped` once shut down.
 */
export type PluginState = 'loading' | 'ready' | 'draining' | 'failed' | 'stopped';

/** The plugin's binary kind. */
export type PluginType = 'wasm' | 'native';

/** A plain, serialisable description of an error, as it appears in status results. */
export interface ErrorInfo {
  /** The error's class, e.g. `"PluginLoadError"`. */
  name: string;
  /** What went wrong, naming the file or field involved. */
  message: string;
  /** A string code (local errors) or the numeric wire code. */
  code: string | number;
}

/** Where a plugin's file came from: a local path, an https:// URL or an OCI registry. */
export interface PluginOrigin {
  /** `file` (a local path), `https` (a URL) or `oci` (a registry reference). */
  type: 'file' | 'https' | 'oci';
  /** The reference as configured (for `oci`, in canonical form with the default tag filled in). */
  ref: string;
  /** The resolved digest (`sha256:…`): the manifest's for `oci`, the file's for `https`; null for `file`. */
  digest: string | null;
  /** True when nothing was downloaded: the cache already held this version, or the source was unreachable. */
  fromCache: boolean;
  /** Set when the source could not be reached and the cached version was loaded instead. */
  warning: string | null;
}

/** Status of one configured plugin. */
export interface PluginStatus {
  /** The plugin's configured name (`[[providers]].name`, `[[tools]].name`, or a `plugins_dir` file's name). */
  name: string;
  /**
   * What the plugin provides: `provider` (a `[[providers]]` entry) or `tool` (a Wasm or native tool
   * plugin: a `[[tools]]` entry or a file in `plugins_dir`; MCP servers are listed by
   * `tools/available` only). A provider and a tool plugin may share a name.
   */
  kind: 'provider' | 'tool';
  /** The binary kind, or null when the file could not be read. */
  type: PluginType | null;
  /** Where it was loaded from: the resolved absolute path (for a download, the file in the cache). */
  source: string;
  /** Where the file came from and which version it is; null until a download has been resolved. */
  origin: PluginOrigin | null;
  /** Lifecycle state. */
  state: PluginState;
  /** Why the plugin is failed, or the last load error; null when healthy. */
  error: ErrorInfo | null;
  /**
   * Why the last reload could not load a new version of this plugin, while the version before it
   * keeps serving; null when the serving version is the configured one.
   */
  reloadError: ErrorInfo | null;
  /** The name the plugin reports through its `name` export, once loaded. */
  pluginName: string | null;
  /** How long loading took, in milliseconds; null until it finished. */
  loadTimeMs: number | null;
  /** When the plugin became ready (ISO 8601), or null. */
  readyAt: string | null;
  /** Worker threads (Wasm) or worker processes/threads (native) serving this plugin. */
  threads: number;
  /**
   * How a native plugin is isolated from the daemon: `process` (its own child process, the
   * default) or `thread` (a worker thread in the daemon's process; a crash takes the daemon down).
   * Null for Wasm plugins, which always run in worker threads.
   */
  isolation?: 'process' | 'thread' | null;
  /** The per-call limit in milliseconds. */
  timeoutMs: number;
  /** Plugin calls made since load. */
  calls: number;
  /** Plugin calls that failed (plugin errors, timeouts, crashes); cancelled calls are not counted. */
  errors: number;
  /** Worker restarts after a crash or timeout. */
  restarts: number;
}

/** Reports the daemon's identity and the state of every plugin. */
export namespace DaemonStatusRequest {
  export const method = 'daemon/status' as const;
  export const paramsSchema = z.strictObject({}).optional();
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** The daemon's package version. */
    version: string;
    /** The daemon's process id. */
    pid: number;
    /** Milliseconds since the daemon started. */
    uptimeMs: number;
    /** When the daemon started (ISO 8601). */
    startedAt: string;
    /** The absolute path of the loaded plugins.toml. */
    configPath: string;
    /** The unix socket the daemon listens on, or null when it serves stdio only. */
    socketPath: string | null;
    /** Connected clients. */
    clients: number;
    /** Every configured plugin: providers in config order, then tool plugins in `tools/available`'s order. */
    plugins: PluginStatus[];
    /** Why the last reload rejected the config file (the last good config still serves), or null. */
    configError: ErrorInfo | null;
    /** Reloads done since start (watcher, SIGHUP and `plugins/reload`). */
    reloads: number;
    /** Whether the daemon watches the config and plugin files. */
    watching: boolean;
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** Stops accepting work, waits for in-flight calls to finish, answers, then exits 0. */
export namespace DaemonShutdownRequest {
  export const method = 'daemon/shutdown' as const;
  export const paramsSchema = z
    .strictObject({
      /** How long to wait for in-flight calls before abandoning them, in milliseconds (default 10000). */
      drainTimeoutMs: z.number().int().min(0).max(600_000).optional(),
    })
    .optional();
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** In-flight calls that were still running when draining started. */
    drained: number;
  }
  export const type = new RequestType<Params, Result, void>(method);
}
