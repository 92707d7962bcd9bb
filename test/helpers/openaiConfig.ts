import { samplePlugin } from './paths.js';

/**
 * A plugins.toml entry pointed at a test server: the openai sample plugin, or the plugin at `path`
 * (another OpenAI-compatible one); `extra` is TOML for the entry, `config` for its config table.
 */
export function openaiToml(options: { name?: string; path?: string; baseUrl: string; extra?: string; config?: string; threads?: number }): string {
  return [
    '[[providers]]',
    `name = ${JSON.stringify(options.name ?? 'openai')}`,
    `path = ${JSON.stringify(options.path ?? samplePlugin('openai'))}`,
    ...(options.threads ? [`threads = ${options.threads}`] : []),
    ...(options.extra ? [options.extra] : []),
    '[providers.config]',
    `base_url = ${JSON.stringify(options.baseUrl)}`,
    'model = "gpt-test"',
    ...(options.config ? [options.config] : []),
    '',
  ].join('\n');
}
