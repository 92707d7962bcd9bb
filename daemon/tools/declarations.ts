import type { ToolContent } from '../../protocol/tools.js';
import { DaemonError, PluginCallError, PluginLoadError } from '../errors.js';
import { compileConfigSchema } from '../providers/configValidator.js';
import type { CommandSpec, ToolOutput, ToolSpec } from './toolSource.js';

const toolName = /^[A-Za-z0-9_.-]{1,128}$/;

/** Parses and checks a plugin's `tools` output: names unique and well-formed, input schemas valid object schemas. */
export function parseToolDeclarations(plugin: string, where: string, text: string | null): ToolSpec[] {
  const fail = (message: string) => new PluginLoadError('PLUGIN_INVALID', `${where}: tools: ${message}`, { plugin });
  const list = parseJson(text, () => fail('expected a JSON array of tool declarations'));
  if (!Array.isArray(list)) throw fail('expected a JSON array of tool declarations');
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const decl = raw as Record<string, unknown>;
    if (typeof decl !== 'object' || decl === null) throw fail(`[${i}]: expected an object`);
    const name = decl.name;
    if (typeof name !== 'string' || !toolName.test(name)) throw fail(`[${i}].name: expected 1-128 letters, digits, "_", "." or "-"`);
    if (seen.has(name)) throw fail(`[${i}].name: "${name}" is declared twice`);
    seen.add(name);
    if (decl.description !== undefined && typeof decl.description !== 'string') throw fail(`[${i}] ("${name}").description: expected a string`);
    const schema = decl.inputSchema;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || (schema as { type?: unknown }).type !== 'object') {
      throw fail(`[${i}] ("${name}").inputSchema: expected a JSON Schema object with "type": "object"`);
    }
    try {
      compileConfigSchema(schema as Record<string, unknown>);
    } catch (error) {
      throw fail(`[${i}] ("${name}").inputSchema: not a valid JSON Schema (${(error as Error).message})`);
    }
    const spec: ToolSpec = { name, inputSchema: schema as Record<string, unknown> };
    if (typeof decl.description === 'string') spec.description = decl.description;
    if (isObject(decl.outputSchema)) spec.outputSchema = decl.outputSchema;
    if (isObject(decl.annotations)) spec.annotations = decl.annotations;
    return spec;
  });
}

/** Parses `auto_approved_tools`: a JSON array of tool names. */
export function parseNameList(plugin: string, where: string, fn: string, text: string | null): string[] {
  const fail = () => new PluginLoadError('PLUGIN_INVALID', `${where}: ${fn}: expected a JSON array of tool names`, { plugin });
  const list = parseJson(text, fail);
  if (!Array.isArray(list) || !list.every((n) => typeof n === 'string')) throw fail();
  return list as string[];
}

/** Parses `user_commands`: `[{name, description, shareWithModel, parameters?}]`. */
export function parseCommands(plugin: string, where: string, text: string | null): CommandSpec[] {
  const fail = (message: string) => new PluginLoadError('PLUGIN_INVALID', `${where}: user_commands: ${message}`, { plugin });
  const list = parseJson(text, () => fail('expected a JSON array'));
  if (!Array.isArray(list)) throw fail('expected a JSON array');
  return list.map((raw, i) => {
    const c = raw as Record<string, unknown>;
    if (!isObject(c) || typeof c.name !== 'string' || !toolName.test(c.name)) throw fail(`[${i}].name: expected 1-128 letters, digits, "_", "." or "-"`);
    const spec: CommandSpec = { name: c.name, description: typeof c.description === 'string' ? c.description : '', shareWithModel: c.shareWithModel === true };
    if (c.parameters !== undefined) {
      if (!Array.isArray(c.parameters) || !c.parameters.every((p) => isObject(p) && typeof (p as { name?: unknown }).name === 'string')) {
        throw fail(`[${i}] ("${c.name}").parameters: expected an array of {name, description?, required?}`);
      }
      spec.parameters = (c.parameters as Array<Record<string, unknown>>).map((p) => ({
        name: p.name as string,
        ...(typeof p.description === 'string' && { description: p.description }),
        ...(typeof p.required === 'boolean' && { required: p.required }),
      }));
    }
    return spec;
  });
}

/** Parses `call_tool` output: MCP's CallToolResult. */
export function parseToolOutput(plugin: string, tool: string, text: string | null): ToolOutput {
  const fail = (message: string) => new PluginCallError('PLUGIN_OUTPUT', `plugin "${plugin}": call_tool "${tool}": ${message}`, { plugin, tool });
  const out = parseJson(text, () => fail('expected a JSON object {content, isError?, structuredContent?}'));
  if (!isObject(out) || !Array.isArray(out.content)) throw fail('expected a JSON object with a "content" array');
  return normalizeToolOutput(out, fail);
}

/** Checks a CallToolResult-shaped value (from a Wasm plugin or an MCP server). */
export function normalizeToolOutput(out: Record<string, unknown>, fail: (message: string) => DaemonError): ToolOutput {
  const content = (out.content as unknown[]).map((block, i) => {
    if (!isObject(block) || typeof block.type !== 'string') throw fail(`content[${i}]: expected an object with a string "type"`);
    if (block.type === 'text' && typeof block.text !== 'string') throw fail(`content[${i}].text: expected a string`);
    return block as ToolContent;
  });
  if (out.isError !== undefined && typeof out.isError !== 'boolean') throw fail('isError: expected a boolean');
  if (out.structuredContent !== undefined && !isObject(out.structuredContent)) throw fail('structuredContent: expected an object');
  const result: ToolOutput = { content, isError: out.isError === true };
  if (isObject(out.structuredContent)) result.structuredContent = out.structuredContent;
  return result;
}

/** Parses `run_command` output: `{text, isError?}`. */
export function parseCommandOutput(plugin: string, command: string, text: string | null): { text: string; isError: boolean } {
  const fail = () => new PluginCallError('PLUGIN_OUTPUT', `plugin "${plugin}": run_command "${command}": expected a JSON object {text, isError?}`, { plugin });
  const out = parseJson(text, fail);
  if (!isObject(out) || typeof out.text !== 'string') throw fail();
  return { text: out.text, isError: out.isError === true };
}

function parseJson(text: string | null, fail: () => Error): unknown {
  if (text === null) throw fail();
  try {
    return JSON.parse(text);
  } catch {
    throw fail();
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
