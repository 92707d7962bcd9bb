import { NotificationType, RequestType } from 'vscode-jsonrpc';
import { z } from 'zod';
import type { ErrorInfo } from './daemon.js';

/** A plugin that could not be (re)loaded, and why. */
export interface PluginFailure {
  /** The plugin's configured name. */
  name: string;
  /** What went wrong, naming the file and the reason. */
  error: ErrorInfo;
}

/** What a reload changed. Every configured plugin appears in exactly one of the name lists. */
export interface ReloadSummary {
  /** Plugins that were not configured before and now serve (or are failed, see `failed`). */
  added: string[];
  /** Plugins no longer configured; their calls in flight finished before they were stopped. */
  removed: string[];
  /** Plugins whose entry or file changed and whose new version now serves. */
  updated: string[];
  /** Plugins left exactly as they were. */
  unchanged: string[];
  /**
   * Plugins whose new version failed to load. A plugin that was serving keeps serving its last
   * good version (it is also listed in `unchanged`); a new one is listed in `added` and is failed.
   */
  failed: PluginFailure[];
  /** Why the config file itself was rejected (nothing changed then), or null. */
  configError: ErrorInfo | null;
}

/**
 * Re-reads plugins.toml and the plugin files it names, and swaps in what changed: new versions
 * load beside the old ones, new calls go to them once they are ready, and calls in flight finish
 * on the old ones. The file watcher and SIGHUP use the same path.
 */
export namespace PluginsReloadRequest {
  export const method = 'plugins/reload' as const;
  export const paramsSchema = z
    .strictObject({
      /** Also re-resolve every `oci://` tag and revalidate every https:// URL, so a moved tag is picked up (default false). */
      refresh: z.boolean().optional(),
    })
    .optional();
  export type Params = z.infer<typeof paramsSchema>;
  export type Result = ReloadSummary;
  export const type = new RequestType<Params, Result, void>(method);
}

/** Sent to every client after each reload (whatever triggered it), with what it changed. */
export namespace PluginsDidChangeNotification {
  export const method = 'plugins/didChange' as const;
  export type Params = ReloadSummary & {
    /** What triggered the reload. */
    trigger: 'request' | 'watch' | 'signal';
  };
  export const type = new NotificationType<Params>(method);
}

/**
 * Sent to every client while the daemon resolves a plugin's https:// or oci:// source (at start,
 * and in reloads): each phase once, and `downloading` at most every 250 ms while bytes arrive.
 */
export namespace PluginsSourceProgressNotification {
  export const method = 'plugins/sourceProgress' as const;
  export interface Params {
    /** The plugin's configured name. */
    name: string;
    /** The reference being resolved, as configured (canonical form for oci://). */
    ref: string;
    /** `resolving` (asking the registry or server), `downloading`, `extracting` (a native tar layer), `done`. */
    phase: 'resolving' | 'downloading' | 'extracting' | 'done';
    /** Bytes received so far (`downloading`, `done`), else null. */
    bytes: number | null;
    /** Bytes expected, when known, else null. */
    total: number | null;
  }
  export const type = new NotificationType<Params>(method);
}
