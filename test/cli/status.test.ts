import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT, temporaryRepository } from '../helpers';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A repository root holding `files`; `steward` runs in it with no Docker config of the machine. */
const workspace = (files: Record<string, string>) => temporaryRepository(files, roots, 'steward-status-');

function steward(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, HOME: cwd, DOCKER_CONFIG: join(cwd, 'none') } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('steward status without a registry to ask', () => {
  it('a workspace with no environment layout says so and exits 0, --check too', () => {
    const root = workspace({ 'k8s/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - {name: a, image: "registry.example.com/a:1.0.0"}\n' });
    for (const args of [['status'], ['status', '--check']]) {
      const run = steward(args, root);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'Environments: none — inferred from no known layout; list them under environments: in .steward.yaml to set their order and files\n\nNo environment deploys an image.\n\nNo drift.\n');
    }
  });

  it('a broken environments: list names the file, position and key, and exits 2', () => {
    const root = workspace({ '.steward.yaml': 'environments:\n  - {name: prod, paths: ["deploy/prod/**"]}\n  - {name: prod, paths: ["live/**"]}\n' });
    const run = steward(['status'], root);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `steward: ${join(root, '.steward.yaml')}:3:12: environments.1.name: the environment "prod" is listed twice\n`);
    assert.equal(run.stdout, '');
  });

  it('usage errors exit 2 with the command\'s help', () => {
    const root = workspace({});
    for (const [args, message] of [
      [['status', '--promote', 'registry.example.com/a'], '--promote and --from go together'],
      [['status', '--dry-run'], '--dry-run and --allow-downgrade go with --promote'],
      [['status', '--gates', '--promote', 'registry.example.com/a', '--from', 'staging'], '--gates does not go with --promote, which checks the gates of the next environment itself'],
      [['status', '--promote', 'registry.example.com/a:1.0', '--from', 'staging'], '--promote takes a repository (host/path, no tag or digest); got "registry.example.com/a:1.0"'],
    ] as const) {
      const run = steward([...args], root);
      assert.equal(run.code, 2, run.stderr);
      assert.ok(run.stderr.startsWith(`steward: ${message}\n\nUsage:\n  steward status`), run.stderr);
    }
  });
});
