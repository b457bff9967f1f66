import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const root = mkdtempSync(join(tmpdir(), 'steward-code-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, 'Dockerfile'), 'FROM alpine:3.19\nCMD ["sh"]\n');

/** `steward check Dockerfile` with its own temp folder, where the code caches live. */
function check(temp: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, 'check', 'Dockerfile', '--format', 'json'], { cwd: root, encoding: 'utf8', env: { ...process.env, TMPDIR: temp, NO_COLOR: '1', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cacheFolder = (temp: string) => join(temp, `artifact-steward-code-cache-${process.getuid?.() ?? 'user'}`);
const caches = (temp: string) => readdirSync(cacheFolder(temp)).filter((name) => name.startsWith('checkCommand.js-'));
const builtIn = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

// Node ≥ 22.1 keeps its own cache (module.enableCompileCache); the CLI's loader is for older Node.
describe('the CLI\'s code cache of its bundles (Node < 22.1)', { skip: builtIn }, () => {
  it('is written by the first run and read by the next, which answers the same', () => {
    const temp = mkdtempSync(join(root, 'temp-'));
    const first = check(temp);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /label-missing/);
    assert.equal(caches(temp).length, 1);
    const [cache] = caches(temp);
    const second = check(temp);
    assert.deepEqual(second, first);
    assert.deepEqual(caches(temp), [cache], 'an accepted cache is not rewritten');
  });

  it('a cache V8 refuses (here: garbage) costs a compile, not a failure, and is replaced', () => {
    const temp = mkdtempSync(join(root, 'temp-'));
    const expected = check(temp);
    const [cache] = caches(temp);
    writeFileSync(join(cacheFolder(temp), cache!), 'not a V8 code cache');
    assert.deepEqual(check(temp), expected);
    assert.deepEqual(caches(temp), [cache]);
    assert.notEqual(readFileSync(join(cacheFolder(temp), cache!), 'utf8'), 'not a V8 code cache');
  });

  it('a cache folder others may write to is never used (its caches could be anyone\'s bytecode)', { skip: process.getuid === undefined }, () => {
    const temp = mkdtempSync(join(root, 'temp-'));
    mkdirSync(cacheFolder(temp));
    chmodSync(cacheFolder(temp), 0o777);
    const run = check(temp);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(cacheFolder(temp)), []);
  });

  it('NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node\'s own', () => {
    const temp = mkdtempSync(join(root, 'temp-'));
    assert.equal(check(temp, { NODE_DISABLE_COMPILE_CACHE: '1' }).code, 0);
    assert.deepEqual(readdirSync(temp), []);
  });
});
