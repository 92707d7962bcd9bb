import { compileConfigSchema, describe } from '../providers/configValidator.js';
import { DaemonError } from '../errors.js';

/**
 * Checks a tool call's arguments against the tool's `inputSchema` before the plugin sees them.
 * The error names the tool, the argument path (`arguments.steps[0]`) and what was expected.
 */
export function validateToolArguments(tool: string, plugin: string, schema: Record<string, unknown>, args: Record<string, unknown>): void {
  const validate = compileConfigSchema(schema);
  if (validate(args)) return;
  const { path, message } = describe(validate.errors?.[0], 'arguments');
  throw new DaemonError('INVALID_TOOL_ARGUMENTS', `invalid arguments for tool "${tool}": ${path}: ${message}`, { tool, plugin, path, expected: message });
}

/** Checks a tool plugin's `initialize` config against its `config_schema`. */
export function validateToolConfig(plugin: string, schema: Record<string, unknown>, config: Record<string, unknown>): void {
  const validate = compileConfigSchema(schema);
  if (validate(config)) return;
  const { path, message } = describe(validate.errors?.[0], 'config');
  throw new DaemonError('INVALID_PROVIDER_CONFIG', `invalid config for tool plugin "${plugin}": ${path}: ${message}`, { plugin, path, expected: message });
}
