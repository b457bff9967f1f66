// Run by bench/retention.ts in its own process, so that the peak memory it prints is the plan's:
// 100,000 tags in memory under each policy language, against sorting them by age (the floor of any
// count rule).
import { createHash } from 'node:crypto';
import type { Artifact, RepositoryInventory } from '../src/core/retention/model';
import { planRepository } from '../src/core/retention/plan';
import { policyFrom } from '../src/core/retention/policyFile';
import { NO_PROTECTION } from '../src/core/retention/protection';
import { compare, ratio, row } from './measure';
import { POLICIES } from './retention';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');

/** 100,000 tags on 80,000 digests of one repository: releases, PR and main builds, a few multi-arch indexes and signatures. */
function hundredThousandTags(): RepositoryInventory {
  const artifacts: Artifact[] = [];
  // Parsed from JSON, as the inventory reads digests from manifests and headers (a template string would be a rope).
  const digest = (name: string) => JSON.parse(`"sha256:${createHash('sha256').update(name).digest('hex')}"`) as string;
  let tags = 0;
  for (let index = 0; tags < 100_000; index += 1) {
    const kind = index % 4;
    const names = kind === 0 ? [`v1.${Math.floor(index / 100)}.${index % 100}`, `v1.${Math.floor(index / 100)}`] : kind === 1 ? [`pr-${index}`] : kind === 2 ? [`main-${(index * 2654435761 >>> 0).toString(16).padStart(8, '0').slice(0, 7)}`] : [`build-${index}`];
    const tagList = names.slice(0, 100_000 - tags);
    tags += tagList.length;
    const own = digest(`image-${index}`);
    const children = index % 50 === 0 ? [digest(`child-${index}-amd64`), digest(`child-${index}-arm64`)] : [];
    artifacts.push({ digest: own, mediaType: 'application/vnd.oci.image.manifest.v1+json', role: children.length > 0 ? 'index' : 'image', tags: tagList, created: NOW - (index % 400) * DAY, ageSource: 'config created', blobs: [{ digest: own, size: 700 }, { digest: digest(`layer-${index % 1000}`), size: 5_000_000 }], children });
    for (const child of children) artifacts.push({ digest: child, mediaType: 'application/vnd.oci.image.manifest.v1+json', role: 'child', tags: [], created: NOW - (index % 400) * DAY, ageSource: 'config created', blobs: [{ digest: child, size: 700 }], children: [] });
    if (index % 20 === 0) artifacts.push({ digest: digest(`sig-${index}`), mediaType: 'application/vnd.oci.image.manifest.v1+json', role: 'attachment', tags: [], ageSource: 'unknown', blobs: [{ digest: digest(`sig-${index}`), size: 400 }], children: [], subject: own });
  }
  return { registry: 'registry.example.com', repository: 'team/app', artifacts };
}

function benchInMemory(): void {
  const inventory = hundredThousandTags();
  const tagCount = inventory.artifacts.reduce((sum, artifact) => sum + artifact.tags.length, 0);
  const policies = Object.fromEntries(Object.entries(POLICIES).map(([name, data]) => [name, policyFrom(data, name)]));
  const times = compare({
    'sort by age': () => [...inventory.artifacts].sort((a, b) => (b.created ?? 0) - (a.created ?? 0)),
    ...Object.fromEntries(Object.entries(policies).map(([name, policy]) => [name, () => planRepository(inventory, policy, NO_PROTECTION, NOW)])),
  }, 9, 2);
  console.log(`\nRetention plan in memory: ${tagCount.toLocaleString('en')} tags on ${inventory.artifacts.length.toLocaleString('en')} artifacts of one repository (evaluation, protection, reclaimable bytes)`);
  row('sorting the artifacts by age (the floor)', times['sort by age']!);
  for (const name of Object.keys(POLICIES)) row(`plan, ${name}`, times[name]!, `${ratio(times[name]!, times['sort by age']!)} the sort (goal ≤ 5×)`);
  // Live heap after a collection (run with --expose-gc): the inventory alone, then with one plan of it.
  const heap = () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().heapUsed / 1048576;
  };
  const withInventory = heap();
  const plan = planRepository(inventory, policies['ECR (3 rules)']!, NO_PROTECTION, NOW);
  const withPlan = heap();
  console.log(`  peak memory ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (this process); live heap ${withInventory.toFixed(0)} MB with the inventory, +${(withPlan - withInventory).toFixed(0)} MB for a plan of its ${plan.items.length.toLocaleString('en')} items`);
}

benchInMemory();
