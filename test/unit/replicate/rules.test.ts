import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../src/core/lint/config';
import { carriesAttachment, matchesSource, sourceOf, tagSelector, targetOf } from '../../../src/core/replicate/rules';

describe('replication rules', () => {
  it('maps the folder before the first wildcard onto each target folder', () => {
    const rule = { from: 'registry-a.example.com/prod/**', to: ['registry-b.example.com/mirror/prod'] };
    assert.deepEqual(sourceOf(rule), { registry: 'registry-a.example.com', repositoryGlob: 'prod/**', folder: 'prod', exact: false });
    assert.deepEqual(targetOf(rule, rule.to[0]!, 'prod/team/app'), { registry: 'registry-b.example.com', repository: 'mirror/prod/team/app' });
    assert.deepEqual(targetOf(rule, 'registry-c:5000', 'prod/app'), { registry: 'registry-c:5000', repository: 'app' });
    assert.equal(matchesSource(rule)('prod/team/app'), true);
    assert.equal(matchesSource(rule)('staging/app'), false);
    const exact = { from: 'registry-a:5000/tools/cli', to: ['registry-b:5000/tools/'] };
    assert.deepEqual(sourceOf(exact), { registry: 'registry-a:5000', repositoryGlob: 'tools/cli', folder: 'tools', exact: true });
    assert.deepEqual(targetOf(exact, exact.to[0]!, 'tools/cli'), { registry: 'registry-b:5000', repository: 'tools/cli' });
  });

  it('selects tags by globs or a semver range, never attachment tags', () => {
    const globs = tagSelector({ from: 'r/a', to: ['s'], tags: ['v*'] });
    assert.deepEqual(['v1', 'v1.2.3', 'latest', 'sha256-' + 'a'.repeat(64), 'sha256-' + 'a'.repeat(64) + '.sig'].filter(globs), ['v1', 'v1.2.3']);
    const range = tagSelector({ from: 'r/a', to: ['s'], tags: '>=1.2.0 <2' });
    assert.deepEqual(['1.1.0', '1.2.0', 'v1.4.1', '1.3.0-rc.1', '2.0.0', 'latest'].filter(range), ['1.2.0', 'v1.4.1']);
    assert.deepEqual(['a', 'sha256-' + 'b'.repeat(64)].filter(tagSelector({ from: 'r/a', to: ['s'] })), ['a']);
  });

  it('carries the attachment kinds it includes, all without include', () => {
    const rule = { from: 'r/a', to: ['s'], include: ['signatures' as const] };
    assert.equal(carriesAttachment(rule, 'signature'), true);
    assert.equal(carriesAttachment(rule, 'sbom'), false);
    assert.equal(carriesAttachment({ from: 'r/a', to: ['s'], include: ['attestations'] }, 'provenance'), true);
    assert.equal(carriesAttachment({ from: 'r/a', to: ['s'] }, 'artifact'), true);
  });

  it('a broken rule in .steward.yaml names the file, the key and the position', () => {
    const problem = (text: string) => parseConfig(text, '.steward.yaml').error;
    assert.deepEqual(problem('replication:\n  - from: a.example.com/prod/**\n    to: [b.example.com/prod]\n    tags: ">=1.2 <<2"\n'), {
      file: '.steward.yaml', key: 'replication.0.tags', message: '">=1.2 <<2" is not a semver range (write tag globs as a list, e.g. ["v*"])', position: { line: 3, character: 10 },
    });
    assert.equal(problem('replication:\n  - from: "*.example.com/prod/**"\n    to: [b.example.com]\n')?.key, 'replication.0.from');
    assert.equal(problem('replication:\n  - from: a.example.com/prod/**\n    to: ["b.example.com/*"]\n')?.key, 'replication.0.to');
    assert.equal(problem('replication:\n  - from: a.example.com/prod/**\n    to: [b.example.com]\n    include: [logs]\n')?.key, 'replication.0.include.0');
    assert.equal(problem('replication:\n  - from: a.example.com\n    to: [b.example.com]\n')?.key, 'replication.0.from');
    const { config, error } = parseConfig('replication:\n  - from: a.example.com/prod/**\n    to: [b.example.com/prod]\n    tags: [v*]\n', '.steward.yaml');
    assert.equal(error, undefined);
    assert.deepEqual(config.replicationRules, [{ from: 'a.example.com/prod/**', to: ['b.example.com/prod'], tags: ['v*'] }]);
  });
});
