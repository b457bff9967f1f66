import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ExplorerModel, groupRepositories, isDigestTag } from '../../src/core/registry/explorer';
import type { RegistryBackend } from '../../src/core/registry/types';
import { newerVersionTags } from '../../src/core/registry/newestTag';

describe('registry explorer helpers', () => {
  it('hides digest tags (referrer indexes, cosign artifacts)', () => {
    assert.equal(isDigestTag(`sha256-${'a'.repeat(64)}`), true);
    assert.equal(isDigestTag(`sha256-${'a'.repeat(64)}.sig`), true);
    assert.equal(isDigestTag('sha-3f2a1bc'), false);
  });
  it('groups repositories into namespaces by path segment', () => {
    const { namespaces, leaves } = groupRepositories(['team/a', 'team/b', 'team/sub/c', 'solo'], 0);
    assert.deepEqual(leaves, ['solo']);
    assert.deepEqual([...namespaces], [['team', ['team/a', 'team/b', 'team/sub/c']]]);
    assert.deepEqual(groupRepositories(['team/a', 'team/sub/c'], 1).leaves, ['team/a']);
  });
});

describe('newest version for a floating tag', () => {
  const tags = ['latest', '20', '20-alpine', '20.11.0-alpine3.19', '20.11.1-alpine3.19', '20.11.1', '20.12.0-rc.1-alpine', '21.0.0-alpine', '1.9.0', 'v2.0.0'];
  it('keeps the variant suffix', () => assert.deepEqual(newerVersionTags('20-alpine', tags).slice(0, 3), ['21.0.0-alpine', '20.11.1-alpine3.19', '20.11.0-alpine3.19']));
  it('offers plain releases for latest and channels', () => assert.deepEqual(newerVersionTags('latest', tags), ['20.11.1', 'v2.0.0', '1.9.0']));
});

describe('registries without a catalog', () => {
  it('show the configured repositories without asking the registry', async () => {
    const backend = { name: 'ghcr.io', listRepositories: () => { throw new Error('no catalog request expected'); } } as unknown as RegistryBackend;
    const model = new ExplorerModel({ sort: () => 'version', describeError: (error) => ({ message: (error as Error).message, fix: 'retry' }) });
    const children = await model.children({ kind: 'registry', id: 'r', label: 'ghcr.io', source: 'settings', backend, repositories: ['acme/web', 'acme/api'] });
    assert.deepEqual(children.map((node) => node.kind === 'namespace' ? node.repositories : node.kind), [['acme/api', 'acme/web']]);
  });
});
