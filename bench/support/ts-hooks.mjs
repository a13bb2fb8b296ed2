// Module hooks that let the benchmarks run the TypeScript sources directly (no build step, no stale dist):
// `.js` specifiers resolve to the `.ts` file beside them, `nestjs-pathors[/sub]` to `libs/pathors/src` (or to the
// source folder register.mjs passes, see `initialize`), and `.ts` files are transpiled with TypeScript's own
// `transpileModule`, which (unlike esbuild-based runners) emits the decorator metadata Nest's dependency injection reads.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const root = new URL('../../', import.meta.url);
let library = new URL('libs/pathors/src/', root);
// Transpiled files are cached by content, so app processes after the first one never load the compiler (whose
// memory would otherwise show in every RSS figure).
const cacheDir = fileURLToPath(new URL('.bench-results/transpiled/', root));

let ts;
const compilerOptions = () => ({
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  useDefineForClassFields: false,
  esModuleInterop: true,
  inlineSourceMap: true,
  inlineSources: true,
});

/** Takes the package's source folder from register.mjs, when one is given. */
export function initialize(data) {
  if (data?.librarySource) library = pathToFileURL(`${data.librarySource.replace(/\/+$/, '')}/`);
}

export async function resolve(specifier, context, nextResolve) {
  const subpath = /^nestjs-pathors(?:\/(.+))?$/.exec(specifier);
  if (subpath) {
    const url = new URL(subpath[1] ? `${subpath[1]}/index.ts` : 'index.ts', library);
    return { url: url.href, format: 'module', shortCircuit: true };
  }
  if (
    (specifier.startsWith('.') || specifier.startsWith('file:')) &&
    specifier.endsWith('.js') &&
    context.parentURL
  ) {
    const candidate = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (
      candidate.protocol === 'file:' &&
      existsSync(fileURLToPath(candidate)) &&
      !existsSync(fileURLToPath(new URL(specifier, context.parentURL)))
    ) {
      return { url: candidate.href, format: 'module', shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path, 'utf8');
  const cached = `${cacheDir}${createHash('sha256').update(path).update('\0').update(source).digest('hex')}.js`;
  if (existsSync(cached))
    return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };

  ts ??= (await import('typescript')).default;
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: compilerOptions(),
    fileName: pathToFileURL(path).pathname,
  });
  mkdirSync(cacheDir, { recursive: true });
  // Written aside then renamed: another app process may be reading the cache at the same moment.
  const partial = `${cached}.${process.pid}.tmp`;
  writeFileSync(partial, outputText);
  renameSync(partial, cached);
  return { format: 'module', source: outputText, shortCircuit: true };
}
