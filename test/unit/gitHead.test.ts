import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { headCommit } from '../../src/core/workspace/gitHead';

const root = mkdtempSync(join(tmpdir(), 'steward-githead-'));
after(() => rmSync(root, { recursive: true, force: true }));
const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();

describe('HEAD read from .git without running git', () => {
  it('agrees with git rev-parse HEAD on a branch, after pack-refs, detached, and in a worktree', () => {
    const repository = join(root, 'repository');
    mkdirSync(repository);
    git(repository, 'init', '-q');
    return (async () => {
      assert.equal(await headCommit(repository), undefined, 'no commit yet');
      git(repository, 'commit', '-q', '--allow-empty', '-m', 'one');
      assert.equal(await headCommit(repository), git(repository, 'rev-parse', 'HEAD'));
      git(repository, 'commit', '-q', '--allow-empty', '-m', 'two');
      git(repository, 'pack-refs', '--all');
      assert.equal(await headCommit(repository), git(repository, 'rev-parse', 'HEAD'), 'packed-refs');
      git(repository, 'checkout', '-q', '--detach', 'HEAD~1');
      assert.equal(await headCommit(repository), git(repository, 'rev-parse', 'HEAD'), 'detached');
      git(repository, 'worktree', 'add', '-q', '-b', 'feature', join(root, 'worktree'), 'main');
      git(join(root, 'worktree'), 'commit', '-q', '--allow-empty', '-m', 'three');
      assert.equal(await headCommit(join(root, 'worktree')), git(join(root, 'worktree'), 'rev-parse', 'HEAD'), 'worktree');
    })();
  });

  it('a hostile HEAD reads nothing outside the repository', async () => {
    const hostile = join(root, 'hostile');
    mkdirSync(join(hostile, '.git'), { recursive: true });
    writeFileSync(join(root, 'secret'), 'a'.repeat(40));
    writeFileSync(join(hostile, '.git', 'HEAD'), 'ref: refs/../../secret\n');
    assert.equal(await headCommit(hostile), undefined);
    writeFileSync(join(hostile, '.git', 'HEAD'), 'not a ref\n');
    assert.equal(await headCommit(hostile), undefined);
    assert.equal(await headCommit(join(root, 'nothing-here')), undefined);
  });
});
