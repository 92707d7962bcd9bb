import { compileConfigSchema, describe } from '../providers/configValidator.js';
import { DaemonError } from '../errors.js';

/**
 * Checks a tool call's arguments against the tool's `inputSchema` before the plugin sees them.
 * The error names the tool, the argument path (`arguments.steps[0]`) and what was expected.
 */
export function validateToolArguments(tool: string, plugin: string, schema: Record<string, unknown>, args: Record<string, unknown>): void {
  const validate = compileConfigSchema(schema);
  if (validate(args)) return;
  const { path, message } = describe(validate.errors?.[0], 'arguments', 'tool');
  throw new DaemonError('INVALID_TOOL_ARGUMENTS', `invalid arguments for tool "${tool}": ${path}: ${message}`, { tool, plugin, path, expected: message });
}
