import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import ignore from 'ignore';
import type { Ignore } from 'ignore';
import { fileKindOf } from './fileKinds';

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules']);

interface IgnoreScope {
  readonly dir: string;
  readonly rules: Ignore;
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

async function gitignoreIn(dir: string): Promise<IgnoreScope | undefined> {
  const text = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : { dir, rules: ignore().add(text) };
}

function isIgnored(path: string, isDirectory: boolean, scopes: readonly IgnoreScope[]): boolean {
  return scopes.some((scope) => {
    const relativePath = toPosix(relative(scope.dir, path)) + (isDirectory ? '/' : '');
    return relativePath !== '' && !relativePath.startsWith('..') && scope.rules.ignores(relativePath);
  });
}

export interface WalkOptions {
  /** Called with each candidate's absolute path; true skips it (config `exclude`). */
  readonly isExcluded: (absolutePath: string) => boolean;
  readonly signal?: AbortSignal;
}

/**
 * Files to lint under `root` (a folder or a file): Dockerfiles and YAML, skipping `.git`,
 * `node_modules`, git-ignored paths (every .gitignore on the way) and excluded paths. Symbolic
 * links to folders are not followed (no cycles); links to files are yielded like files.
 */
export async function* lintableFiles(root: string, options: WalkOptions): AsyncGenerator<string> {
  const rootStat = await stat(root);
  if (!rootStat.isDirectory()) {
    yield root;
    return;
  }
  const pending: { dir: string; scopes: readonly IgnoreScope[] }[] = [{ dir: root, scopes: [] }];
  while (pending.length > 0) {
    options.signal?.throwIfAborted();
    const { dir, scopes: parentScopes } = pending.pop()!;
    const own = await gitignoreIn(dir);
    const scopes = own ? [...parentScopes, own] : parentScopes;
    const names = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    const subfolders: string[] = [];
    for (const entry of names) {
      if (ALWAYS_SKIPPED.has(entry.name)) continue;
      const path = join(dir, entry.name);
      const isDirectory = entry.isDirectory();
      if (isIgnored(path, isDirectory, scopes) || options.isExcluded(path)) continue;
      if (isDirectory) subfolders.push(path);
      else if ((entry.isFile() || entry.isSymbolicLink()) && fileKindOf(entry.name) !== undefined) yield path;
    }
    for (const folder of subfolders.reverse()) pending.push({ dir: folder, scopes });
  }
}

const exists = (path: string) => lstat(path).then(() => true, () => false);

/**
 * The folder whose config applies to `start`: the nearest one up to the repository root (or
 * `stopAt`, a workspace folder) that holds one of `markerFiles`, else the repository root (the
 * folder with `.git`), else `stopAt`, else `start` itself.
 */
export async function findConfigRoot(start: string, markerFiles: readonly string[], stopAt?: string): Promise<string> {
  for (let dir = start; ; ) {
    for (const marker of markerFiles) if (await exists(join(dir, marker))) return dir;
    if (dir === stopAt || (await exists(join(dir, '.git')))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return stopAt ?? start;
    dir = parent;
  }
}

/** The folder holding `.git` at or above `start`, if any. */
export async function findRepositoryRoot(start: string): Promise<string | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    if (await exists(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The folder reads for `path` stay inside (no symlink leads out): its repository, else `path` itself. */
export async function readRootFor(path: string): Promise<string> {
  return (await findRepositoryRoot(path)) ?? path;
}
