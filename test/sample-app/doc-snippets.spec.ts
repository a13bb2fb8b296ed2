import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The documents whose snippets must stay true to the sample app (its `src/` and its own `test/`). */
const DOCUMENTS = ['README.md', 'docs/sample-app.md'];
/** A fenced block whose info string names a sample-app file: ```ts sample-app/src/app.module.ts */
const SNIPPET = /^```\w+ (sample-app\/\S+)\n([\s\S]*?)^```$/gm;

interface Snippet {
  readonly document: string;
  readonly file: string;
  readonly code: string;
}

function snippetsOf(document: string): Snippet[] {
  const text = readFileSync(`${ROOT}${document}`, 'utf8');
  return [...text.matchAll(SNIPPET)].map(([, file, code]) => ({ document, file, code }));
}

/** Whether `code`'s lines appear, consecutive and in order, in `file`, all indented by the same amount there. */
function appearsIn(code: string, file: string): boolean {
  const wanted = code.replace(/\n$/, '').split('\n');
  const lines = readFileSync(`${ROOT}${file}`, 'utf8').split('\n');
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
  it('the README has its quick-start snippets', () => {
    const files = snippetsOf('README.md').map((snippet) => snippet.file);
    expect(files).toEqual(
      expect.arrayContaining([
        'sample-app/src/config/pathors.config.ts',
        'sample-app/src/app.module.ts',
        'sample-app/src/outcomes/conversation-outcomes.handler.ts',
        'sample-app/src/follow-ups/follow-ups.service.ts',
        'sample-app/test/conversation-outcomes.e2e-spec.ts',
      ]),
    );
  });

  it.each(snippets.map((snippet) => [`${snippet.document} → ${snippet.file}`, snippet] as const))(
    '%s exists verbatim in the sample app',
    (_name, snippet) => {
      expect(existsSync(`${ROOT}${snippet.file}`)).toBe(true);
      expect(appearsIn(snippet.code, snippet.file)).toBe(true);
    },
  );
});
