// Retention planning: 100,000 tags in memory under each policy language (retentionPlan.ts, in its
// own process), and a whole 10,000-tag local registry read and planned (against one keep-alive curl
// process fetching the same lists and manifests), then apply's re-check of a 100,000-tag repository
// (retentionApply.ts).
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HttpRegistry } from '../src/core/registry/httpRegistry';
import { MANIFEST_ACCEPT } from '../src/core/registry/types';
import { Transport } from '../src/core/registry/transport';
import { readInventories } from '../src/core/retention/inventory';
import { planRetention } from '../src/core/retention/plan';
import { policyFrom } from '../src/core/retention/policyFile';
import { NO_PROTECTION } from '../src/core/retention/protection';
import { compareAsync, missingTools, ratio, requestCounter, row } from './measure';
import { listingUrls, REPOSITORIES, TAGS, tenThousandTags } from './registry';
import { benchRetentionApply } from './retentionApply';

const execFileAsync = promisify(execFile);
const NOW = Date.parse('2026-06-01T00:00:00Z');

export const POLICIES = {
  'ECR (3 rules)': { rules: [
    { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 500 }, action: { type: 'expire' } },
    { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } },
    { rulePriority: 3, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 90 }, action: { type: 'expire' } },
  ] },
  'GAR (3 policies)': [
    { name: 'old', action: { type: 'Delete' }, condition: { tagState: 'any', olderThan: '90d' } },
    { name: 'releases', action: { type: 'Keep' }, condition: { tagState: 'tagged', tagPrefixes: ['v'] } },
    { name: 'recent', action: { type: 'Keep' }, mostRecentVersions: { keepCount: 500 } },
  ],
  'Harbor (2 rules)': { rules: [
    { action: 'retain', template: 'latestPushedK', params: { latestPushedK: 500 }, tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }], scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] } },
    { action: 'retain', template: 'nDaysSinceLastPush', params: { nDaysSinceLastPush: 90 }, tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }], scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] } },
  ] },
  'steward (3 rules, per tag)': { retention: { rules: [{ tags: ['v*'], keepLast: 500 }, { tags: ['pr-*'], keepDays: 14 }, { tags: ['/^main-[0-9a-f]{7}$/'], keepLast: 50, keepDays: 30 }] } },
};

async function benchRegistryPlan(): Promise<void> {
  const missing = missingTools(['docker-registry', 'skopeo', 'curl']);
  if (missing.length > 0) {
    console.log(`\nRetention plan of a registry: skipped (missing ${missing.join(', ')}; npm test installs them as root)`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-retention-'));
  const { registry, repositories } = await tenThousandTags(root);
  try {
    const policy = policyFrom(POLICIES['ECR (3 rules)'], 'ecr');
    const requests = requestCounter();
    const planAll = async () => {
      requests.reset();
      const transport = new Transport({ logger: requests.logger });
      try {
        const inventories = await readInventories(new HttpRegistry(registry.host, transport, { get: async () => undefined }), undefined);
        const plan = planRetention(inventories, policy, NO_PROTECTION, NOW);
        const tags = plan.repositories.reduce((sum, repository) => sum + repository.items.reduce((count, item) => count + item.tags.length, 0), 0);
        if (tags !== REPOSITORIES * TAGS + 1) throw new Error(`planned ${tags} tags`);
      } finally {
        await transport.close();
      }
    };
    // The same reads with no client logic: the catalog, every tag list and every tag's manifest over one connection.
    const urls = listingUrls(registry, repositories);
    for (const name of repositories) for (let tag = 0; tag < TAGS; tag += 1) urls.push(`${registry.url}/v2/${name}/manifests/1.${tag}.0`);
    urls.push(`${registry.url}/v2/seed/manifests/v1.0.0`);
    const curlConfig = join(root, 'curl.config');
    writeFileSync(curlConfig, `silent\nheader = "Accept: ${MANIFEST_ACCEPT}"\n${urls.map((url) => `url = "${url}"\noutput = "/dev/null"`).join('\n')}\n`);
    const curl = () => execFileAsync('curl', ['-K', curlConfig], { maxBuffer: 64 * 1024 * 1024 });
    const times = await compareAsync({ ours: planAll, curl }, 3);
    console.log(`\nRetention plan of a whole registry: ${REPOSITORIES + 1} repositories, ${(REPOSITORIES * TAGS + 1).toLocaleString('en')} tags (docker-registry on loopback)`);
    row(`one curl process, keep-alive, ${urls.length.toLocaleString('en')} URLs`, times.curl!);
    row('steward: read every repository and plan', times.ours!, `${ratio(times.ours!, times.curl!)} curl; ${requests.count.toLocaleString('en')} requests`);
  } finally {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function benchRetention(): Promise<void> {
  // In its own process, so that its peak memory is the plan's alone.
  const planned = spawnSync(process.execPath, ['--expose-gc', join(__dirname, 'retentionPlan.js')], { stdio: 'inherit' });
  if (planned.status !== 0) throw new Error(`retentionPlan.js failed (exit ${planned.status})`);
  await benchRegistryPlan();
  await benchRetentionApply();
}
