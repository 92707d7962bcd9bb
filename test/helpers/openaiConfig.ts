import { samplePlugin } from './paths.js';

/** A plugins.toml entry for the openai sample plugin pointed at a test server. */
export function openaiToml(options: { name?: string; baseUrl: string; extra?: string; config?: string; threads?: number }): string {
  return [
    '[[providers]]',
    `name = ${JSON.stringify(options.name ?? 'openai')}`,
    `path = ${JSON.stringify(samplePlugin('openai'))}`,
    ...(options.threads ? [`threads = ${options.threads}`] : []),
    ...(options.extra ? [options.extra] : []),
    '[providers.config]',
    `base_url = ${JSON.stringify(options.baseUrl)}`,
    'model = "gpt-test"',
    ...(options.config ? [options.config] : []),
    '',
  ].join('\n');
}
