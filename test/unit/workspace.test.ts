import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mergeConfigFiles, resolveConfig } from '../../src/core/lint/config';
import { httpsUrlFromRemote, remoteUrlFromGitConfig } from '../../src/core/workspace/gitRemote';
import { fileKindOf } from '../../src/core/workspace/fileKinds';

describe('git remote → source URL', () => {
  const cases: [string, string | undefined][] = [
    ['git@github.com:acme/app.git', 'https://github.com/acme/app'],
    ['ssh://git@gitlab.example.com:2222/group/sub/app.git', 'https://gitlab.example.com/group/sub/app'],
    ['https://user:secret-token@github.com/acme/app.git', 'https://github.com/acme/app'],
    ['https://github.com/acme/app', 'https://github.com/acme/app'],
    ['/srv/git/app.git', undefined],
    ['file:///srv/git/app.git', undefined],
  ];
  for (const [remote, expected] of cases) it(`${remote} → ${String(expected)}`, () => assert.equal(httpsUrlFromRemote(remote), expected));
  it('never carries credentials into the URL', () => assert.doesNotMatch(httpsUrlFromRemote('https://user:secret-token@github.com/acme/app.git')!, /secret/));
  it('prefers origin, else the first remote', () => {
    assert.equal(remoteUrlFromGitConfig('[core]\n\tbare = false\n[remote "upstream"]\n\turl = git@a.example:x/y.git\n[remote "origin"]\n\turl = git@b.example:x/y.git\n'), 'git@b.example:x/y.git');
    assert.equal(remoteUrlFromGitConfig('[remote "fork"]\n\turl = https://c.example/x/y\n'), 'https://c.example/x/y');
    assert.equal(remoteUrlFromGitConfig('[core]\n\turl = nope\n'), undefined);
  });
});

describe('settings under the config file', () => {
  it('the file wins for every key it sets; settings fill the rest; rules merge per id', () => {
    const merged = mergeConfigFiles(
      { rules: { 'image-latest': 'error', 'image-unpinned': 'warning' }, labels: { defaults: false, required: ['a'] }, production: ['live/**'], exclude: ['x/**'] },
      { rules: { 'image-latest': 'info' }, labels: { required: ['b'] } },
    );
    const config = resolveConfig(merged);
    assert.equal(config.severities.get('image-latest'), 'info');
    assert.equal(config.severities.get('image-unpinned'), 'warning');
    assert.deepEqual(config.requiredLabels.map((label) => label.key), ['b']);
    assert.deepEqual([...config.productionGlobs], ['live/**']);
    assert.equal(config.isExcluded('x/Dockerfile'), true);
  });
});

describe('file kinds', () => {
  const cases: [string, string | undefined][] = [
    ['Dockerfile', 'dockerfile'], ['Containerfile', 'dockerfile'], ['api.Dockerfile', 'dockerfile'], ['Dockerfile.prod', 'dockerfile'],
    ['build/app.dockerfile', 'dockerfile'], ['Dockerfile.dockerignore', undefined], ['.dockerignore', undefined],
    ['k8s/app.yaml', 'yaml'], ['ci.YML', 'yaml'], ['README.md', undefined],
  ];
  for (const [path, kind] of cases) it(`${path} → ${String(kind)}`, () => assert.equal(fileKindOf(path), kind));
});
