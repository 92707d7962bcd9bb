// Plugin schemas (provider config_schema, tool inputSchema) compile once per schema object, each
// on its own: plugins reloaded or MCP servers re-listing tools bring new schema objects, often
// with the same $id.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileConfigSchema } from '../daemon/providers/configValidator.js';
import { validateToolArguments } from '../daemon/tools/argValidator.js';
import { DaemonError } from '../daemon/errors.js';

const schema = (max: number) => ({ $id: 'https://example.com/plan.json', type: 'object', properties: { steps: { type: 'integer', maximum: max } }, required: ['steps'] });

test('two versions of a schema with the same $id both compile and each validates by its own rules', () => {
  const v1 = compileConfigSchema(schema(3));
  const v2 = compileConfigSchema(schema(10));
  assert.is(v1({ steps: 5 }), false);
  assert.is(v2({ steps: 5 }), true);
  assert.is(compileConfigSchema(schema(3))({ steps: 3 }), true, 'a third object with that $id too');
});

test('tool arguments are checked against the schema of the version that declared them', () => {
  validateToolArguments('plan', 'todo', schema(10), { steps: 5 });
  assert.throws(
    () => validateToolArguments('plan', 'todo', schema(3), { steps: 5 }),
    (e: unknown) => e instanceof DaemonError && e.code === 'INVALID_TOOL_ARGUMENTS' && e.message === 'invalid arguments for tool "plan": arguments.steps: must be <= 3',
  );
});

test.run();
