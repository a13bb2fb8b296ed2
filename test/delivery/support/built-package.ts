import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LIB = join(process.cwd(), 'libs/pathors');
const ENTRY_POINTS = ['index.js', 'inbox/index.js', 'redis/index.js'];

const newestSource = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return Math.max(newest, newestSource(path));
    return entry.name.endsWith('.ts') ? Math.max(newest, statSync(path).mtimeMs) : newest;
  }, 0);

const isFresh = (): boolean => {
  const source = newestSource(join(LIB, 'src'));
  return ENTRY_POINTS.every((file) => {
    const built = join(LIB, 'dist', file);
    return existsSync(built) && statSync(built).mtimeMs >= source;
  });
};

/**
 * Makes sure `libs/pathors/dist` (what `import 'nestjs-pathors'` loads outside Jest) is built from the current
 * sources, running `npm run build` when it is missing or older than a source file. CI builds before testing.
 */
export function ensureBuiltPackage(): void {
  if (isFresh()) return;
  try {
    execFileSync('npm', ['run', 'build'], { cwd: process.cwd(), stdio: 'pipe' });
  } catch (error) {
    // tsc emits despite type errors elsewhere in the tree; only a missing output is fatal.
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    if (!ENTRY_POINTS.every((file) => existsSync(join(LIB, 'dist', file)))) {
      throw new Error(
        `The child-process tests need the built package; \`npm run build\` failed:\n${output}`,
        {
          cause: error,
        },
      );
    }
  }
}
