// The re-check retention apply makes before deleting, on one repository of 100,001 tags (1,000
// pull-request builds of their own to delete, 99,001 release tags on one image, on Debian's
// docker-registry): its requests and time against one keep-alive curl
// process asking the same listing and HEADs, and against the goal's floor of one listing plus one
// HEAD per deleted digest; and what one DELETE costs this registry, measured in the same run.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HttpRegistry } from '../src/core/registry/httpRegistry';
import { MANIFEST_ACCEPT } from '../src/core/registry/types';
import { Transport } from '../src/core/registry/transport';
import { changesSincePlan } from '../src/core/retention/apply';
import { readInventory } from '../src/core/retention/inventory';
import { planRetention } from '../src/core/retention/plan';
import { policyFrom } from '../src/core/retention/policyFile';
import { NO_PROTECTION } from '../src/core/retention/protection';
import { addTags, skopeoPush, writeOciLayout } from '../test/integration/fixtures';
import { startRegistry } from '../test/integration/registryServer';
import { missingTools, ratio, requestCounter, row, timed } from './measure';

const execFileAsync = promisify(execFile);
const TAGS = 100_000;
const DOOMED = 1_000;
const REPOSITORY = 'big/app';
const NO_CREDENTIALS = { get: async () => undefined };

const RELEASES = Array.from({ length: TAGS - DOOMED }, (_, index) => `1.${Math.floor(index / 1000)}.${index % 1000}`);

/** DOOMED pull-request builds, each its own manifest (the seed's with an annotation of its own), PUT by its tag `pr-N`. */
async function pushBuilds(registryUrl: string): Promise<void> {
  const seed = await fetch(`${registryUrl}/v2/${REPOSITORY}/manifests/seed`, { headers: { accept: MANIFEST_ACCEPT } });
  const contentType = seed.headers.get('content-type')!;
  const manifest = (await seed.json()) as Record<string, unknown>;
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < DOOMED) {
      const build = next++;
      const put = await fetch(`${registryUrl}/v2/${REPOSITORY}/manifests/pr-${build}`, { method: 'PUT', body: JSON.stringify({ ...manifest, annotations: { 'bench.build': String(build) } }), headers: { 'content-type': contentType } });
      if (put.status !== 201) throw new Error(`manifest PUT ${REPOSITORY}:pr-${build}: ${put.status}`);
      await put.arrayBuffer();
    }
  }));
}

export async function benchRetentionApply(): Promise<void> {
  const missing = missingTools(['docker-registry', 'skopeo', 'curl']);
  if (missing.length > 0) {
    console.log(`\nRetention apply re-check: skipped (missing ${missing.join(', ')}; npm test installs them as root)`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-apply-'));
  const registry = await startRegistry('plain', join(root, 'registry'));
  const transport = new Transport();
  try {
    writeOciLayout(join(root, 'layout'), [{ tag: 'seed' }]);
    await skopeoPush(registry, join(root, 'layout'), 'seed', REPOSITORY);
    const pushing = await timed(async () => {
      await pushBuilds(registry.url);
      await addTags(registry, REPOSITORY, 'seed', RELEASES);
    });
    const backend = new HttpRegistry(registry.host, transport, NO_CREDENTIALS);
    const inventory = await readInventory(backend, REPOSITORY);
    const policy = policyFrom({ retention: { rules: [{ tags: ['pr-*'], keepLast: 0 }] } }, 'bench');
    const [repositoryPlan] = planRetention([inventory], policy, NO_PROTECTION, Date.now()).repositories;
    if (repositoryPlan?.deletes !== DOOMED) throw new Error(`the plan deletes ${repositoryPlan?.deletes} artifacts, not ${DOOMED}`);

    const requests = requestCounter();
    const recheck = async () => {
      requests.reset();
      const counted = new Transport({ logger: requests.logger });
      try {
        const { nowTagged } = await changesSincePlan(new HttpRegistry(registry.host, counted, NO_CREDENTIALS), repositoryPlan);
        if (nowTagged.size !== DOOMED + 1) throw new Error(`re-check found ${nowTagged.size} tagged digests`);
      } finally {
        await counted.close();
      }
    };
    // The same questions with no client logic: the probe, the tag list, a HEAD per tag, over one connection.
    const tagUrls = [...Array.from({ length: DOOMED }, (_, build) => `pr-${build}`), ...RELEASES, 'seed'].map((tag) => `${registry.url}/v2/${REPOSITORY}/manifests/${tag}`);
    const curlConfig = join(root, 'curl.config');
    writeFileSync(curlConfig, `silent\nhead\nheader = "Accept: ${MANIFEST_ACCEPT}"\nurl = "${registry.url}/v2/"\noutput = "/dev/null"\nurl = "${registry.url}/v2/${REPOSITORY}/tags/list"\noutput = "/dev/null"\n${tagUrls.map((url) => `url = "${url}"\noutput = "/dev/null"`).join('\n')}\n`);
    const curl = () => execFileAsync('curl', ['-K', curlConfig], { maxBuffer: 64 * 1024 * 1024 });
    // Once each: 100,000 requests a run, on a registry that serves a few thousand a second.
    const times = { curl: await timed(curl), recheck: await timed(recheck) };
    const recheckRequests = requests.count;

    // What the registry itself pays per delete: distribution finds a digest's tags by reading every tag of the repository.
    const doomed = repositoryPlan.items.find((item) => item.action === 'delete' && item.tags.length > 0)!;
    const oneDelete = await timed(() => backend.deleteManifest(REPOSITORY, doomed.digest));
    const floor = 2 + repositoryPlan.deletes;

    console.log(`\nRetention apply on one repository of ${(TAGS + 1).toLocaleString('en')} tags, ${repositoryPlan.deletes.toLocaleString('en')} digests to delete (docker-registry on loopback; ${(pushing / 1000).toFixed(0)} s to push the manifests)`);
    row(`one curl process, keep-alive, ${(tagUrls.length + 2).toLocaleString('en')} requests`, times.curl!);
    row('steward: the re-check before deleting', times.recheck!, `${ratio(times.recheck!, times.curl!)} curl; ${recheckRequests.toLocaleString('en')} requests (goal: probe + listing + one HEAD per deleted digest = ${floor.toLocaleString('en')}; one HEAD per tag kept on purpose, see the README)`);
    row('one DELETE by digest on this registry', oneDelete, `${ratio(oneDelete, times.recheck!)} the whole re-check`);
  } finally {
    await transport.close();
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
