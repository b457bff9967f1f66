import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExplorerModel, TAG_PAGE } from '../../src/core/registry/explorer';
import type { ExplorerNode } from '../../src/core/registry/explorer';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { tagsOfDigest } from '../../src/core/registry/inspect';
import { Transport } from '../../src/core/registry/transport';
import { attachSbom, copyWithinRegistry, skopeoPush, writeOciLayout } from './fixtures';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';

const root = mkdtempSync(join(tmpdir(), 'steward-explorer-'));

describe('explorer model on a real registry', () => {
  let registry: RunningRegistry;
  let requests = 0;
  let model: ExplorerModel;
  let rootNode: ExplorerNode;
  before(async () => {
    registry = await startRegistry('plain', join(root, 'registry'));
    const layout = join(root, 'layout');
    writeOciLayout(layout, [{ tag: '1.0.0' }, { tag: 'multi', created: '2024-06-01T08:00:00Z', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] }]);
    await skopeoPush(registry, layout, '1.0.0', 'team/api');
    await skopeoPush(registry, layout, 'multi', 'team/api');
    await skopeoPush(registry, layout, '1.0.0', 'team/api', 'stable');
    await copyWithinRegistry(registry, 'team/api', '1.0.0', 'solo');
    await copyWithinRegistry(registry, 'team/api', '1.0.0', 'team/many');
    const manifest = Buffer.from(await (await fetch(`${registry.url}/v2/team/many/manifests/1.0.0`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).arrayBuffer());
    for (let index = 0; index < TAG_PAGE + 5; index += 1) {
      await fetch(`${registry.url}/v2/team/many/manifests/0.${index}.0`, { method: 'PUT', body: manifest, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    }
    const client = new HttpRegistry(registry.host, new Transport({ logger: { debug: (line) => void (/→ \d{3}/.test(line) && (requests += 1)), info() {}, warn() {}, error() {} } }), { get: async () => undefined });
    const subject = await client.resolve('team/api', '1.0.0');
    await attachSbom(registry, 'team/api', subject, '{"spdxVersion":"SPDX-2.3"}');
    model = new ExplorerModel({ sort: () => 'version', describeError: (error) => ({ message: (error as Error).message, fix: 'retry' }) });
    rootNode = { kind: 'registry', id: 'r', label: registry.host, source: 'settings', backend: client };
  });
  after(async () => {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const labelOf = (node: ExplorerNode) => ('label' in node ? node.label : node.kind === 'tag' ? node.tag : node.kind);

  it('shows the first level with one request, namespaces as folders', async () => {
    requests = 0;
    const top = await model.children(rootNode);
    assert.equal(requests, 1);
    assert.deepEqual(top.map((node) => `${node.kind}:${labelOf(node)}`), ['namespace:team', 'repository:solo']);
  });

  it('lists tags newest first, hides the sha256- tag, pages with Load more, and resolves only what is shown', async () => {
    const [team] = await model.children(rootNode);
    const repositories = await model.children(team!);
    assert.deepEqual(repositories.map(labelOf), ['api', 'many']);
    const tags = await model.children(repositories[0]!);
    assert.deepEqual(tags.map(labelOf), ['1.0.0', 'multi', 'stable']);
    const many = await model.children(repositories[1]!);
    assert.equal(many.filter((node) => node.kind === 'tag').length, TAG_PAGE);
    assert.equal(many.at(-1)!.kind, 'loadMore');
    model.showMore(repositories[1]!);
    assert.equal((await model.children(repositories[1]!)).filter((node) => node.kind === 'tag').length, TAG_PAGE + 6);
    requests = 0;
    const shown = tags.filter((node): node is Extract<ExplorerNode, { kind: 'tag' }> => node.kind === 'tag');
    await model.resolveTags(shown, () => undefined);
    assert.equal(requests, 7, 'per shown tag its manifest and its image config (an index: its first platform\'s manifest and config)');
    const stable = shown.find((node) => node.tag === 'stable')!;
    assert.deepEqual(stable.details?.sameImage, ['1.0.0']);
    assert.equal(stable.details?.created, '2024-05-01T12:00:00Z');
    assert.ok((stable.details?.size ?? 0) > 0);
    const multi = shown.find((node) => node.tag === 'multi')!;
    assert.equal(multi.details?.platforms, 2);
    assert.equal(multi.details?.created, '2024-06-01T08:00:00Z', 'a multi-arch tag has an age too');
  });

  it('filters per repository without changing the facts: "same image as" still names the hidden tags', async () => {
    const filtered = new ExplorerModel({ sort: () => 'version', describeError: (error) => ({ message: (error as Error).message, fix: 'retry' }) });
    const [team] = await filtered.children(rootNode);
    const [api, many] = await filtered.children(team!) as Extract<ExplorerNode, { kind: 'repository' }>[];
    filtered.setFilter(api!, 'STA');
    assert.deepEqual(filtered.activeFilters(), [{ repository: 'team/api', text: 'STA' }]);
    const tags = await filtered.children(api!);
    assert.deepEqual(tags.map(labelOf), ['stable'], 'case-insensitive');
    assert.equal((await filtered.children(many!)).filter((node) => node.kind === 'tag').length, TAG_PAGE, 'another repository keeps all its tags');
    await filtered.resolveTags(tags as Extract<ExplorerNode, { kind: 'tag' }>[], () => undefined);
    assert.deepEqual((tags[0] as Extract<ExplorerNode, { kind: 'tag' }>).details?.sameImage, ['1.0.0']);
    filtered.setFilter(api!, '');
    assert.deepEqual((await filtered.children(api!)).map(labelOf), ['1.0.0', 'multi', 'stable']);
    assert.deepEqual(filtered.activeFilters(), []);
  });

  it('sorts by created date when asked, newest first', async () => {
    const byDate = new ExplorerModel({ sort: () => 'date', describeError: (error) => ({ message: (error as Error).message, fix: 'retry' }) });
    const [team] = await byDate.children(rootNode);
    const [api] = await byDate.children(team!);
    const tags = await byDate.children(api!);
    // The index's first platform is of 2024-06-01; 1.0.0 and stable share the config of 2024-05-01 (then version order).
    assert.deepEqual(tags.map(labelOf), ['multi', '1.0.0', 'stable']);
  });

  it('shows platforms of a multi-arch image and the SBOM attached to an image', async () => {
    const [team] = await model.children(rootNode);
    const [api] = await model.children(team!);
    const tags = await model.children(api!);
    const multi = await model.children(tags.find((node) => labelOf(node) === 'multi')!);
    assert.deepEqual(multi.map(labelOf), ['linux/amd64', 'linux/arm64']);
    const single = await model.children(tags.find((node) => labelOf(node) === '1.0.0')!);
    assert.deepEqual(single.map((node) => (node.kind === 'attachment' ? node.attachment.kind : node.kind)), ['sbom']);
  });

  it('finds every tag a delete by digest would take with it', async () => {
    const client = (rootNode as Extract<ExplorerNode, { kind: 'registry' }>).backend;
    const digest = (await client.resolve('team/api', 'stable')).digest;
    assert.deepEqual(await tagsOfDigest(client, 'team/api', digest), ['1.0.0', 'stable']);
  });

  it('turns a failure into an error node that names the operation', async () => {
    const broken: ExplorerNode = { kind: 'registry', id: 'b', label: '127.0.0.1:1', source: 'settings', backend: new HttpRegistry('127.0.0.1:1', new Transport({ maxRetries: 0 }), { get: async () => undefined }) };
    const [error] = await model.children(broken);
    assert.equal(error!.kind, 'error');
    assert.match((error as Extract<ExplorerNode, { kind: 'error' }>).message, /^list repositories of 127\.0\.0\.1:1: /);
  });
});
