import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DaemonError } from '../errors.js';

const options = { strict: false, allErrors: false, validateFormats: false, logger: false } as const;
const draft07 = new Ajv(options);
const draft2020 = new Ajv2020(options);
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Validates a plugin's config (a provider's, or a tool plugin's `initialize` config) against its
 * JSON Schema. Plugins built with schemars emit draft-07 or 2020-12 schemas with non-standard
 * formats (`uint32`, `float`), so formats are not enforced; types, ranges, enums and required keys are.
 */
export function validatePluginConfig(kind: 'provider' | 'tool plugin', plugin: string, schema: Record<string, unknown>, config: Record<string, unknown>): void {
  const validate = compileConfigSchema(schema);
  if (validate(config)) return;
  const { path, message } = describe(validate.errors?.[0], 'config', 'plugin');
  throw new DaemonError('INVALID_PROVIDER_CONFIG', `invalid config for ${kind} "${plugin}": ${path}: ${message}`, {
    plugin,
    path,
    expected: message,
  });
}

/** Compiles (once) a plugin's config schema; throws when it is not a valid JSON Schema. */
export function compileConfigSchema(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    const ajv = String(schema.$schema ?? '').includes('2020-12') ? draft2020 : draft07;
    validate = ajv.compile(schema);
    // The validator stands alone; Ajv would otherwise keep every schema it compiled (one per
    // plugin version and per MCP tools/list, for ever) and refuse a second schema with the same $id.
    ajv.removeSchema(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * The first schema error as a path under `root` (`config.steps[0].name`, `arguments.path`) and what
 * was expected there; shared by provider configs, tool plugin configs and tool arguments. `owner`
 * is who accepts the properties (the plugin, or the tool).
 */
export function describe(error: ErrorObject | undefined, root: string, owner: 'plugin' | 'tool'): { path: string; message: string } {
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
      return { path: `${base}.${String(params.additionalProperty)}`, message: `is not a property the ${owner} accepts` };
    default:
      return { path: base, message: error.message ?? 'is invalid' };
  }
}
