import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE_SOURCE = 'libs/pathors/src';

/** A version of the package's source the benchmark loads: this checkout's, or a commit's copied out of the repo. */
export interface PackageSource {
  /** What the tables call it: `current <sha>` or `baseline <sha>`, with `+changes` for an uncommitted work tree. */
  readonly label: string;
  /** The commit, 40 hex digits. */
  readonly commit: string;
  /** Absolute path of its `libs/pathors/src` folder. */
  readonly librarySource: string;
}

/** A commit's package source in a temporary folder outside the repo; {@link remove} deletes the folder. */
export interface BaselineSource extends PackageSource {
  /** The temporary folder holding `libs/pathors/src`, `libs/pathors/package.json` and the `node_modules` links. */
  readonly directory: string;
  /** Deletes the folder (the `node_modules` links, not what they point to); safe to call twice. */
  remove(): void;
}

function git(args: readonly string[]): string {
  return execFileSync('git', [...args], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
}

const short = (commit: string): string => commit.slice(0, 7);

/** This checkout's package source, labelled with HEAD and whether `libs/pathors/src` has uncommitted changes. */
export function currentSource(): PackageSource {
  const commit = git(['rev-parse', 'HEAD']);
  const changed = git(['status', '--porcelain', '--', PACKAGE_SOURCE]) !== '';
  return {
    label: `current ${short(commit)}${changed ? '+changes' : ''}`,
    commit,
    librarySource: join(REPO_ROOT, PACKAGE_SOURCE),
  };
}

/**
 * The commit `ref` names, checked to hold the package's source; throws an error naming what is wrong otherwise.
 */
export function baselineCommit(ref: string): string {
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    throw new Error(`--compare ${ref}: no such commit in this repository`);
  }
  if (git(['ls-tree', '--name-only', commit, `${PACKAGE_SOURCE}/index.ts`]) === '') {
    throw new Error(`--compare ${ref}: commit ${short(commit)} has no ${PACKAGE_SOURCE}/index.ts`);
  }
  return commit;
}

/**
 * Copies the package source of `ref` (any git revision: a commit, a branch, a tag) out of the repository with
 * `git archive` into a new temporary folder, and links that folder's `node_modules` (and `libs/pathors/node_modules`)
 * to this checkout's, so the baseline resolves Nest, class-validator and the rest to the very same installed files as
 * the current code: only the package's own source differs between the two. Nothing in the repository changes (no
 * worktree, no checkout).
 */
export function checkoutBaseline(ref: string): BaselineSource {
  const commit = baselineCommit(ref);
  const directory = mkdtempSync(join(tmpdir(), `nestjs-pathors-baseline-${short(commit)}-`));
  const links: string[] = [];
  const remove = () => {
    for (const link of links.splice(0)) if (existsSync(link)) unlinkSync(link);
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    const archive = execFileSync(
      'git',
      ['archive', '--format=tar', commit, PACKAGE_SOURCE, 'libs/pathors/package.json'],
      { cwd: REPO_ROOT, maxBuffer: 512 * 2 ** 20 },
    );
    execFileSync('tar', ['-x', '-C', directory], { input: archive });
    for (const modules of ['node_modules', 'libs/pathors/node_modules']) {
      const installed = join(REPO_ROOT, modules);
      if (!existsSync(installed)) continue;
      const link = join(directory, modules);
      symlinkSync(realpathSync(installed), link, 'dir');
      links.push(link);
    }
  } catch (error) {
    remove();
    throw error;
  }
  return {
    label: `baseline ${short(commit)}`,
    commit,
    librarySource: join(directory, PACKAGE_SOURCE),
    directory,
    remove,
  };
}
