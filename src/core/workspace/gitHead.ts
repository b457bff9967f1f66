import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A ref HEAD may name: under refs/, no `..` (a hostile HEAD must not send us reading elsewhere). */
const REF = /^refs\/(?:[\w.-]+\/)*[\w.-]+$/;

const read = (path: string) => readFile(path, 'utf8').then((text) => text.trim(), () => undefined);

/** The git directory of a checkout: `.git`, or where a `.git` file (`gitdir: …`, worktrees and submodules) points. */
async function gitDirectory(repositoryRoot: string): Promise<string> {
  const dotGit = join(repositoryRoot, '.git');
  const pointer = await read(dotGit);
  const target = pointer?.startsWith('gitdir:') ? pointer.slice('gitdir:'.length).trim() : undefined;
  return target ? (isAbsolute(target) ? target : resolve(repositoryRoot, target)) : dotGit;
}

/**
 * The commit HEAD is at, read from `.git` without running git: running git in a workspace runs
 * what its config says (`core.fsmonitor`), which an untrusted repository must not get to do.
 * Follows a symbolic HEAD to its loose ref, then `packed-refs`; a worktree's refs live in its
 * common directory. Undefined when there is no repository or no commit yet.
 */
export async function headCommit(repositoryRoot: string): Promise<string | undefined> {
  const gitDir = await gitDirectory(repositoryRoot);
  const head = await read(join(gitDir, 'HEAD'));
  if (!head) return undefined;
  if (COMMIT.test(head)) return head;
  const ref = head.startsWith('ref:') ? head.slice('ref:'.length).trim() : undefined;
  if (!ref || !REF.test(ref) || ref.split('/').includes('..')) return undefined;
  const common = await read(join(gitDir, 'commondir'));
  const commonDir = common ? resolve(gitDir, common) : gitDir;
  for (const dir of [gitDir, commonDir]) {
    const loose = await read(join(dir, ref));
    if (loose && COMMIT.test(loose)) return loose;
  }
  const packed = await read(join(commonDir, 'packed-refs'));
  const line = packed?.split('\n').find((entry) => entry.endsWith(` ${ref}`));
  const commit = line?.split(' ')[0];
  return commit && COMMIT.test(commit) ? commit : undefined;
}
