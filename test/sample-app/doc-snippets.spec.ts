import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The documents whose snippets must stay true to the code they show: the README and every page of `docs/`. */
const DOCUMENTS = [
  'README.md',
  ...readdirSync(`${ROOT}docs`)
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
/**
 * A fenced block whose info string names the file it is taken from, in the sample app or in the README's quick start
 * (`test/docs/`): ```ts sample-app/src/app.module.ts
 */
const SNIPPET = /^```\w+ ((?:sample-app|test\/docs)\/\S+)\n([\s\S]*?)^```$/gm;
/** The README's quick start, which is copied as is: each of its blocks is the whole file. */
const QUICK_START = ['test/docs/quick-start/app.module.ts', 'test/docs/quick-start/call-outcomes.handler.ts'];

interface Snippet {
  readonly document: string;
  readonly file: string;
  readonly code: string;
}

const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');

function snippetsOf(document: string): Snippet[] {
  return [...read(document).matchAll(SNIPPET)].map(([, file, code]) => ({ document, file, code }));
}

/** Whether `code`'s lines appear, consecutive and in order, in `file`, all indented by the same amount there. */
function appearsIn(code: string, file: string): boolean {
  const wanted = code.replace(/\n$/, '').split('\n');
  const lines = read(file).split('\n');
  return lines.some((line, start) => {
    if (!line.endsWith(wanted[0])) return false;
    const indent = line.slice(0, line.length - wanted[0].length);
    if (indent.trim() !== '') return false;
    return wanted.every((expected, offset) => {
      const actual = lines[start + offset];
      return actual !== undefined && (expected === '' ? actual.trim() === '' : actual === indent + expected);
    });
  });
}

const snippets = DOCUMENTS.flatMap(snippetsOf);

describe('documentation snippets', () => {
  it('the README has its quick start, its examples and its complete test', () => {
    const files = snippetsOf('README.md').map((snippet) => snippet.file);
    expect(files).toEqual(
      expect.arrayContaining([
        ...QUICK_START,
        'sample-app/src/outcomes/session-summaries.handler.ts',
        'sample-app/src/follow-ups/follow-ups.service.ts',
        'sample-app/test/conversation-outcomes.e2e-spec.ts',
      ]),
    );
  });

  it('every TypeScript block of the README names the file it is checked against', () => {
    const fences = read('README.md').match(/^```ts\b.*$/gm) ?? [];
    expect(fences.filter((fence) => !/^```ts (?:sample-app|test\/docs)\/\S+$/.test(fence))).toEqual([]);
    expect(snippetsOf('README.md')).toHaveLength(fences.length);
  });

  it.each(QUICK_START)("the README's quick start shows all of %s", (file) => {
    const shown = snippetsOf('README.md').find((snippet) => snippet.file === file);
    expect(shown?.code).toBe(read(file));
  });

  it.each(snippets.map((snippet) => [`${snippet.document} → ${snippet.file}`, snippet] as const))(
    '%s exists verbatim in its file',
    (_name, snippet) => {
      expect(existsSync(`${ROOT}${snippet.file}`)).toBe(true);
      expect(appearsIn(snippet.code, snippet.file)).toBe(true);
    },
  );
});
