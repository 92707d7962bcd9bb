// A plugins/reload that waited behind another reload answers with what both changed
// (daemon/reload/mergeSummaries.ts): the cases a script editing plugins.toml relies on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReloadSummary } from '../protocol/plugins.js';
import { mergeSummaries } from '../daemon/reload/mergeSummaries.js';

const summary = (s: Partial<ReloadSummary>): ReloadSummary => ({ added: [], removed: [], updated: [], unchanged: [], failed: [], configError: null, ...s });
const failure = (name: string, message: string) => ({ name, error: { name: 'PluginLoadError', code: 'PLUGIN_INVALID', message } });

test('an edit applied by the first reload is listed even though the second found nothing to do', () => {
  const merged = mergeSummaries(summary({ updated: ['a'], unchanged: ['b'] }), summary({ unchanged: ['a', 'b'] }));
  assert.equal(merged, summary({ updated: ['a'], unchanged: ['b'] }));
});

test('added then updated is added; removed then added back is updated; added then removed is nothing', () => {
  const merged = mergeSummaries(summary({ added: ['new'], removed: ['gone'], unchanged: ['x', 'y'] }), summary({ added: ['gone'], updated: ['new'], removed: ['x'], unchanged: ['y'] }));
  assert.equal(merged, summary({ added: ['new'], removed: ['x'], updated: ['gone'], unchanged: ['y'] }));
  const flash = mergeSummaries(summary({ added: ['t'], unchanged: ['y'] }), summary({ removed: ['t'], unchanged: ['y'] }));
  assert.equal(flash, summary({ unchanged: ['y'] }));
});

test("failures are the second reload's, unless it rejected the config; the config error is the latest", () => {
  const first = summary({ unchanged: ['a'], failed: [failure('a', 'bad module')] });
  assert.equal(mergeSummaries(first, summary({ updated: ['a'] })).failed, [], 'fixed by the second');
  const configError = { name: 'ConfigError', code: 'CONFIG_INVALID', message: 'plugins.toml:3: bad' };
  const merged = mergeSummaries(first, summary({ unchanged: ['a'], configError }));
  assert.equal(merged.failed, first.failed, 'still failing: the second changed nothing');
  assert.equal(merged.configError, configError);
  assert.is(mergeSummaries(summary({ configError, unchanged: ['a'] }), summary({ unchanged: ['a'] })).configError, null);
});

test.run();
