// Registry listing: catalog plus every tag list of 200 repositories × 50 tags on a local
// docker-registry, our client against one keep-alive curl process and against `skopeo list-tags`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HttpRegistry } from '../src/core/registry/httpRegistry';
import { Transport } from '../src/core/registry/transport';
import { mapLimited } from '../src/core/concurrency';
import { skopeoPush, writeOciLayout } from '../test/integration/fixtures';
import { startRegistry } from '../test/integration/registryServer';
import type { RunningRegistry } from '../test/integration/registryServer';
import { compareAsync, missingTools, requestCounter, timed } from './measure';

const execFileAsync = promisify(execFile);
export const REPOSITORIES = 200;
export const TAGS = 50;

/**
 * A local docker-registry with 200 repositories × 50 tags (one small image mounted into each) plus
 * the `seed` repository it came from: the 10,000-tag registry of the listing and retention benchmarks.
 */
export async function tenThousandTags(root: string): Promise<{ registry: RunningRegistry; repositories: string[] }> {
  const registry = await startRegistry('plain', join(root, 'registry'));
  writeOciLayout(join(root, 'layout'), [{ tag: 'v1.0.0' }]);
  await skopeoPush(registry, join(root, 'layout'), 'v1.0.0', 'seed');
  const manifest = Buffer.from(await (await fetch(`${registry.url}/v2/seed/manifests/v1.0.0`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).arrayBuffer());
  const blobs = (JSON.parse(manifest.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] });
  const repositories = Array.from({ length: REPOSITORIES }, (_, index) => `team-${Math.floor(index / 20)}/service-${String(index).padStart(3, '0')}`);
  await mapLimited(repositories, 8, async (repository) => {
    for (const digest of [blobs.config.digest, ...blobs.layers.map((layer) => layer.digest)]) await fetch(`${registry.url}/v2/${repository}/blobs/uploads/?mount=${digest}&from=seed`, { method: 'POST' });
    for (let tag = 0; tag < TAGS; tag += 1) {
      await fetch(`${registry.url}/v2/${repository}/manifests/1.${tag}.0`, { method: 'PUT', body: manifest, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    }
  });
  return { registry, repositories };
}

/** The catalog and every repository's tag list of that registry: what a listing reads. */
export function listingUrls(registry: RunningRegistry, repositories: readonly string[]): string[] {
  return [`${registry.url}/v2/_catalog?n=1000`, ...[...repositories, 'seed'].map((name) => `${registry.url}/v2/${name}/tags/list`)];
}

export async function benchRegistry(row: (label: string, ms: number, note?: string) => void): Promise<void> {
  const missing = missingTools(['docker-registry', 'skopeo', 'curl']);
  if (missing.length > 0) {
    console.log(`\nRegistry listing: skipped (missing ${missing.join(', ')}; npm test installs docker-registry and skopeo as root)`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-registry-'));
  const { registry, repositories } = await tenThousandTags(root);
  try {
    const requests = requestCounter();
    const listAll = async () => {
      const client = new HttpRegistry(registry.host, new Transport({ logger: requests.logger }), { get: async () => undefined });
      const names: string[] = [];
      for await (const page of client.listRepositories()) names.push(...page);
      let tags = 0;
      await mapLimited(names, 8, async (name) => {
        for await (const page of client.listTags(name)) tags += page.length;
      });
      if (names.length !== REPOSITORIES + 1 || tags !== REPOSITORIES * TAGS + 1) throw new Error(`listed ${names.length} repositories and ${tags} tags`);
    };
    const urls = listingUrls(registry, repositories);
    const curl = () => execFileAsync('curl', ['-s', ...urls.flatMap((url) => ['-o', '/dev/null', url])]);
    const skopeo = () => mapLimited(repositories, 1, (name) => execFileAsync('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry.host}/${name}`]));

    const times = await compareAsync({ ours: listAll, curl }, 5);
    const skopeoTime = await timed(skopeo);

    requests.reset();
    const firstLevel = new HttpRegistry(registry.host, new Transport({ logger: requests.logger }), { get: async () => undefined });
    for await (const page of firstLevel.listRepositories()) void page;

    console.log(`\nRegistry listing: catalog + ${REPOSITORIES} repositories × ${TAGS} tags (docker-registry on loopback)`);
    row('one curl process, keep-alive, 201 URLs', times.curl!);
    row('steward client (catalog + every tag list)', times.ours!, `${(times.ours! / times.curl!).toFixed(2)}× curl (goal ≤ 1.2×)`);
    row(`skopeo list-tags × ${REPOSITORIES}`, skopeoTime, `steward is ${(times.ours! / skopeoTime).toFixed(3)}× of it (goal ≤ 0.2×)`);
    console.log(`  HTTP requests to show the first tree level (the repositories): ${requests.count} (goal: one)`);
  } finally {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
