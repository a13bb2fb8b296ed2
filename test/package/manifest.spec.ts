import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const PACKAGE_DIR = join(import.meta.dirname, '../../libs/pathors');
const SOURCE = join(PACKAGE_DIR, 'src');

interface Manifest {
  name: string;
  bin?: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as Manifest;

/** Optional peers; each must stay out of the main entry point at run time. */
const KNOWN_OPTIONAL_PEERS = [
  'ioredis',
  'bullmq',
  '@nestjs/bullmq',
  '@nestjs/swagger',
  '@nestjs/terminus',
  '@opentelemetry/api',
];

/** The specifiers of a file's `import type` declarations, erased from the JavaScript it compiles to. */
function typeOnlyImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
  return source.statements
    .filter(ts.isImportDeclaration)
    .filter((declaration) => declaration.importClause?.isTypeOnly === true)
    .map((declaration) => (declaration.moduleSpecifier as ts.StringLiteral).text);
}

/**
 * Every published source file (specs excluded) with the module specifiers it really imports (comments ignored), and
 * those it still imports once compiled (`import type` removed).
 */
const sources = readdirSync(SOURCE, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
  .map((file) => {
    const text = readFileSync(join(SOURCE, file), 'utf8');
    const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
    const runtimeSpecifiers = [...specifiers];
    for (const erased of typeOnlyImports(file, text))
      runtimeSpecifiers.splice(runtimeSpecifiers.indexOf(erased), 1);
    return { file: file.split('\\').join('/'), specifiers, runtimeSpecifiers };
  });

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBare = (specifier: string): boolean => !specifier.startsWith('.') && !isBuiltin(specifier);

const declared = new Set([
  ...Object.keys(manifest.dependencies ?? {}),
  ...Object.keys(manifest.peerDependencies ?? {}),
]);
const optionalPeers = Object.entries(manifest.peerDependenciesMeta ?? {})
  .filter(([, meta]) => meta.optional)
  .map(([name]) => name);
const subpathFolders = Object.keys(manifest.exports)
  .filter((key) => key !== '.' && key !== './package.json')
  .map((key) => key.slice(2));

/** Files reachable from an entry file through relative imports. */
function reachableFrom(entry: string): Set<string> {
  const byFile = new Map(sources.map((source) => [source.file, source.specifiers]));
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of byFile.get(file) ?? []) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(SOURCE, resolve(SOURCE, dirname(file), specifier))
        .replace(/\.js$/, '.ts')
        .split('\\')
        .join('/');
      queue.push(byFile.has(target) ? target : `${target.replace(/\.ts$/, '')}/index.ts`);
    }
  }
  return seen;
}

describe('libs/pathors/package.json against the source', () => {
  it('declares every bare import as a dependency or peer (self-references only to exported subpaths)', () => {
    const undeclared = sources.flatMap(({ file, specifiers }) =>
      specifiers
        .filter(isBare)
        .filter((specifier) =>
          packageOf(specifier) === manifest.name
            ? !(`.${specifier.slice(manifest.name.length)}` in manifest.exports)
            : !declared.has(packageOf(specifier)),
        )
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('uses every runtime dependency it declares', () => {
    const imported = new Set(sources.flatMap(({ specifiers }) => specifiers.filter(isBare).map(packageOf)));
    expect(Object.keys(manifest.dependencies ?? {}).filter((name) => !imported.has(name))).toEqual([]);
  });

  it('marks ioredis, bullmq, @nestjs/swagger, @nestjs/terminus and @opentelemetry/api optional wherever it imports them', () => {
    const imported = new Set(sources.flatMap(({ specifiers }) => specifiers.filter(isBare).map(packageOf)));
    const notOptional = KNOWN_OPTIONAL_PEERS.filter(
      (name) => imported.has(name) && !optionalPeers.includes(name),
    );
    expect(notOptional).toEqual([]);
  });

  it('imports optional peers at run time only from subpath folders, never from the main entry point', () => {
    // A type-only import is erased; the main entry point loads @opentelemetry/api guarded (see telemetry/).
    const misplaced = sources.flatMap(({ file, runtimeSpecifiers }) =>
      runtimeSpecifiers
        .filter(
          (specifier) =>
            optionalPeers.includes(packageOf(specifier)) ||
            KNOWN_OPTIONAL_PEERS.includes(packageOf(specifier)),
        )
        .filter(() => !subpathFolders.includes(file.split('/')[0]))
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(misplaced).toEqual([]);

    const main = reachableFrom('index.ts');
    expect(main.size).toBeGreaterThan(10);
    const leaked = sources
      .filter(({ file }) => main.has(file))
      .flatMap(({ file, runtimeSpecifiers }) =>
        runtimeSpecifiers.filter((s) => optionalPeers.includes(packageOf(s))).map((s) => `${file}: ${s}`),
      );
    expect(leaked).toEqual([]);
  });

  it('maps every exported subpath to a source folder with an index.ts, types first', () => {
    for (const [key, target] of Object.entries(manifest.exports)) {
      if (key === './package.json') continue;
      const folder = key === '.' ? '' : `${key.slice(2)}/`;
      expect(existsSync(join(SOURCE, `${folder}index.ts`))).toBe(true);
      expect(target).toEqual({ types: `./dist/${folder}index.d.ts`, default: `./dist/${folder}index.js` });
      expect(Object.keys(target)[0]).toBe('types');
    }
    for (const bin of Object.values(manifest.bin ?? {})) {
      expect(existsSync(join(SOURCE, bin.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    }
  });
});
