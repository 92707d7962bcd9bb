import type { ErrorObject } from 'ajv';
import { compileConfigSchema } from '../providers/configValidator.js';
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

function describe(error: ErrorObject | undefined, root: string): { path: string; message: string } {
  if (!error) return { path: root, message: 'does not match the schema' };
  const base = error.instancePath
    .split('/')
    .slice(1)
    .reduce((out, key) => (/^\d+$/.test(key) ? `${out}[${key}]` : `${out}.${key.replace(/~1/g, '/').replace(/~0/g, '~')}`), root);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: `${base}.${String(params.missingProperty)}`, message: 'missing required property' };
    case 'enum':
      return { path: base, message: `must be one of ${JSON.stringify(params.allowedValues)}` };
    case 'additionalProperties':
      return { path: `${base}.${String(params.additionalProperty)}`, message: 'is not a property the tool accepts' };
    default:
      return { path: base, message: error.message ?? 'is invalid' };
  }
}
