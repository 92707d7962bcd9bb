#!/usr/bin/env node
// The `plugd` command. The CLI is compiled TypeScript (dist/clients/cli/main.js, from
// clients/cli/main.ts); this file is committed so that the command exists in a fresh clone before
// the first build: npm links a package's bin only when its file exists, and `npx plugd` run
// before `npm start` had finished building would otherwise leave a link-less copy in npx's cache
// ("plugd: not found" from then on).
import { existsSync } from 'node:fs';

const main = new URL('../dist/clients/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('plugd: not built yet (dist/clients/cli/main.js is missing): run `npm run build`, or `npm start`, which builds first\n');
  process.exit(1);
}
await import(main.href);
