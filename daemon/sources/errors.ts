import { PluginLoadError } from '../errors.js';

/**
 * A plugin source that could not be resolved or downloaded: an unreachable or refusing registry,
 * a digest or size mismatch, an unsafe archive. The plugin is `failed` with it; nothing is cached.
 */
export class SourceError extends PluginLoadError {
  override name = 'SourceError';
}
