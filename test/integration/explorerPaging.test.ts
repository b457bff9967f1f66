// A repository with thousands of tags in the explorer, on a real registry behind the counting proxy:
// the first page is one tag-list request, "Load more…" continues (from what that answer held, or
// from the next page by Link or `last` when the proxy pages like distribution 3 and ECR do), and
// sorting all of them by version is an explicit step that reports its progress.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExplorerModel, SORTED_LIMIT, TAG_PAGE } from '../../src/core/registry/explorer';
import type { ExplorerNode } from '../../src/core/registry/explorer';
import { noCredentials } from '../../src/core/registry/auth';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { Transport } from '../../src/core/registry/transport';
import { addTags, skopeoPush, writeOciLayout } from './fixtures';
import { startFaultProxy } from './faultProxy';
import type { FaultProxy } from './faultProxy';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';

const root = mkdtempSync(join(tmpdir(), 'steward-explorer-paging-'));
const REPOSITORY = 'big/app';
/** Past the size sorted on expanding, with versions whose registry order is not their version order. */
const TAGS = Array.from({ length: 2 * SORTED_LIMIT + 500 }, (_, index) => (index % 5 === 4 ? `build-${index}` : `1.${index}.0`));

type RepositoryNode = Extract<ExplorerNode, { kind: 'repository' }>;

describe('explorer paging of a repository with thousands of tags', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let transport: Transport;
  let repository: RepositoryNode;
  before(async () => {
    registry = await startRegistry('plain', join(root, 'registry'));
    writeOciLayout(join(root, 'layout'), [{ tag: 'seed' }]);
    await skopeoPush(registry, join(root, 'layout'), 'seed', REPOSITORY);
    await addTags(registry, REPOSITORY, 'seed', TAGS);
    proxy = await startFaultProxy(registry.host);
    transport = new Transport();
    const backend = new HttpRegistry(proxy.host, transport, noCredentials);
    const registryNode: ExplorerNode = { kind: 'registry', id: 'r', label: proxy.host, source: 'settings', backend };
    repository = { kind: 'repository', id: `r/${REPOSITORY}`, parent: registryNode, label: 'app', repository: REPOSITORY, backend };
  });
  after(async () => {
    await transport.close();
    await proxy.stop();
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const newModel = () => new ExplorerModel({ sort: () => 'version', describeError: (error) => ({ message: (error as Error).message, fix: 'retry' }) });
  const tagListRequests = () => proxy.requests.filter((request) => request.startsWith(`GET /v2/${REPOSITORY}/tags/list`));
  const tagsOf = (nodes: readonly ExplorerNode[]) => nodes.flatMap((node) => (node.kind === 'tag' ? [node.tag] : []));

  it('a registry that sends every tag at once: the first page is one request, Load more reads nothing more', async () => {
    proxy.tagPaging = undefined;
    proxy.reset();
    const model = newModel();
    const first = await model.children(repository);
    assert.deepEqual(tagListRequests(), [`GET /v2/${REPOSITORY}/tags/list?n=${TAG_PAGE}`]);
    assert.equal(tagsOf(first).length, TAG_PAGE);
    assert.deepEqual(first.slice(TAG_PAGE).map((node) => node.kind), ['loadMore', 'sortAll']);
    assert.equal(model.inRegistryOrder(repository), true, 'too many to sort unasked');
    model.showMore(repository);
    const more = await model.children(repository);
    assert.deepEqual(tagsOf(more).slice(0, TAG_PAGE), tagsOf(first), 'Load more appends');
    assert.equal(tagsOf(more).length, 2 * TAG_PAGE);
    assert.equal(tagListRequests().length, 1, 'the rest came with the first answer');
  });

  for (const mode of ['link', 'last-only'] as const) {
    it(`a registry that pages (${mode === 'link' ? 'Link headers' : 'n and last, no Link'}): one request per page shown, then sort all by version with progress`, async () => {
      proxy.tagPaging = mode;
      proxy.reset();
      const model = newModel();
      const first = await model.children(repository);
      assert.deepEqual(tagListRequests(), [`GET /v2/${REPOSITORY}/tags/list?n=${TAG_PAGE}`]);
      const lexical = [...TAGS, 'seed'].sort();
      assert.deepEqual(tagsOf(first), lexical.slice(0, TAG_PAGE), "the registry's order");
      assert.deepEqual(first.slice(TAG_PAGE).map((node) => node.kind), ['loadMore', 'sortAll']);

      model.showMore(repository);
      const more = await model.children(repository);
      assert.deepEqual(tagsOf(more), lexical.slice(0, 2 * TAG_PAGE));
      assert.deepEqual(tagListRequests(), [
        `GET /v2/${REPOSITORY}/tags/list?n=${TAG_PAGE}`,
        `GET /v2/${REPOSITORY}/tags/list?n=${TAG_PAGE}&last=${encodeURIComponent(lexical[TAG_PAGE - 1]!)}`,
      ]);

      const progress: number[] = [];
      const total = await model.sortAll(repository, (read) => progress.push(read));
      assert.equal(total, TAGS.length + 1);
      assert.ok(progress.length >= Math.ceil(total / TAG_PAGE) - 2, `progress after each page (${progress.length})`);
      assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
      assert.equal(progress.at(-1), total);
      assert.equal(model.inRegistryOrder(repository), false);
      const sortedNodes = await model.children(repository);
      assert.deepEqual(sortedNodes.slice(2 * TAG_PAGE).map((node) => node.kind), ['loadMore'], 'sorted: no more Sort all');
      const sorted = tagsOf(sortedNodes);
      assert.deepEqual(sorted.slice(0, 3), ['1.2498.0', '1.2497.0', '1.2496.0'], 'newest version first, over every tag');
      assert.equal(sorted.length, 2 * TAG_PAGE, 'still as many shown as before');
      const pages = tagListRequests().length;
      model.showMore(repository);
      await model.children(repository);
      assert.equal(tagListRequests().length, pages, 'all read: Load more asks nothing');
    });
  }
});
