// The explorer on a repository with 100,000 tags (one manifest, 100,000 tag PUTs, on Debian's
// docker-registry): time and tag-list requests to show its first 100 tags, against reading the
// whole list and sorting it (what expanding it cost before paging), in the same run. Twice: the
// registry as it is (distribution 2.8 sends every tag in one answer) and behind the test proxy
// paging by n/last with Link headers, as distribution 3, ECR, GAR and Harbor do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noCredentials } from '../src/core/registry/auth';
import { ExplorerModel, TAG_PAGE } from '../src/core/registry/explorer';
import type { ExplorerNode } from '../src/core/registry/explorer';
import { HttpRegistry } from '../src/core/registry/httpRegistry';
import { allTags } from '../src/core/registry/inspect';
import { sortTags } from '../src/core/registry/tagOrder';
import { Transport } from '../src/core/registry/transport';
import { startFaultProxy } from '../test/integration/faultProxy';
import { addTags, skopeoPush, writeOciLayout } from '../test/integration/fixtures';
import { startRegistry } from '../test/integration/registryServer';
import { compareAsync, missingTools, ratio, row, timed } from './measure';

const TAGS = 100_000;
const REPOSITORY = 'huge/app';

export async function benchExplorer(): Promise<void> {
  const missing = missingTools(['docker-registry', 'skopeo']);
  if (missing.length > 0) {
    console.log(`\nExplorer on 100,000 tags: skipped (missing ${missing.join(', ')}; npm test installs them as root)`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-explorer-'));
  const registry = await startRegistry('plain', join(root, 'registry'));
  const proxy = await startFaultProxy(registry.host);
  try {
    writeOciLayout(join(root, 'layout'), [{ tag: 'seed' }]);
    await skopeoPush(registry, join(root, 'layout'), 'seed', REPOSITORY);
    const pushing = await timed(() => addTags(registry, REPOSITORY, 'seed', Array.from({ length: TAGS - 1 }, (_, index) => `1.${Math.floor(index / 1000)}.${index % 1000}`)));
    const withClient = async <T>(run: (backend: HttpRegistry) => Promise<T>): Promise<T> => {
      const transport = new Transport();
      try {
        return await run(new HttpRegistry(proxy.host, transport, noCredentials));
      } finally {
        await transport.close();
      }
    };
    const firstPage = () => withClient(async (backend) => {
      const model = new ExplorerModel({ sort: () => 'version', describeError: (error) => ({ message: (error as Error).message, fix: 'retry' }) });
      const registryNode: ExplorerNode = { kind: 'registry', id: 'r', label: proxy.host, source: 'settings', backend };
      const shown = (await model.children({ kind: 'repository', id: `r/${REPOSITORY}`, parent: registryNode, label: 'app', repository: REPOSITORY, backend })).filter((node) => node.kind === 'tag');
      if (shown.length !== TAG_PAGE) throw new Error(`showed ${shown.length} tags`);
    });
    const wholeList = () => withClient(async (backend) => {
      const tags = await allTags(backend, REPOSITORY);
      if (tags.length !== TAGS) throw new Error(`listed ${tags.length} tags`);
      return sortTags(tags, 'version').slice(0, TAG_PAGE);
    });
    const tagListRequests = async (run: () => Promise<unknown>) => {
      proxy.requests.length = 0;
      await run();
      return proxy.requests.filter((request) => request.includes('/tags/list')).length;
    };
    console.log(`\nExplorer on one repository of ${TAGS.toLocaleString('en')} tags (docker-registry on loopback; ${(pushing / 1000).toFixed(0)} s to push the tags)`);
    for (const [mode, label] of [[undefined, 'registry sends all tags at once (distribution 2.8)'], ['link', 'registry pages by n/last with Link (test proxy)']] as const) {
      proxy.tagPaging = mode;
      const times = await compareAsync({ firstPage, wholeList }, 5);
      const [firstRequests, wholeRequests] = [await tagListRequests(firstPage), await tagListRequests(wholeList)];
      console.log(`  ${label}`);
      row('  read the whole list and sort it by version', times.wholeList!, `${wholeRequests} tag-list request(s)`);
      row(`  explorer: the first ${TAG_PAGE} tags shown`, times.firstPage!, `${firstRequests} tag-list request(s) (goal: one); ${ratio(times.firstPage!, times.wholeList!)} the whole list`);
    }
  } finally {
    await proxy.stop();
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
