#!/usr/bin/env node
// The package README (libs/pathors/README.md, what npm shows) is the root README from its
// `<!-- package-readme:start -->` marker on, under the package's own title. One source, no drift:
// `node scripts/sync-package-readme.mjs` writes it, `--check` fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';

const MARKER = '<!-- package-readme:start -->';
const root = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const start = root.indexOf(MARKER);
if (start < 0) throw new Error(`README.md has no ${MARKER} marker`);
const intro = root
  .slice(0, start)
  .split('\n')
  .filter((line) => !/^(npm|```)/.test(line))
  .join('\n');
const body = `${intro.trim()}\n\n${root.slice(start + MARKER.length).trim()}\n`;
const target = new URL('../libs/pathors/README.md', import.meta.url);

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== body) {
    console.error('libs/pathors/README.md is stale: run `npm run readme` and commit it.');
    process.exit(1);
  }
  console.log('libs/pathors/README.md is in sync with README.md');
} else {
  writeFileSync(target, body);
  console.log('wrote libs/pathors/README.md');
}
