import { RegistryError } from '../registry/errors';
import { tagsByDigest } from '../registry/inspect';
import type { RegistryBackend } from '../registry/types';
import type { PlanItem, RetentionPlan } from './plan';

export interface ApplyResult {
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly outcome: 'deleted' | 'already gone' | 'skipped' | 'failed';
  readonly detail?: string;
}

/** Said after every apply: deleting manifests frees no storage by itself. */
export const GARBAGE_COLLECTION_REMINDER = 'Storage is reclaimed only when the registry runs its garbage collection (Distribution: `registry garbage-collect <config>`, without --delete-untagged, which would also remove the platforms of multi-arch images; ECR, GAR and Harbor collect on their own schedule).';

/** Attachments first (they are useless without their subject), then images and indexes, then the platforms of deleted indexes. */
const ORDER: Readonly<Record<PlanItem['role'], number>> = { attachment: 0, 'referrers-index': 0, image: 1, index: 1, child: 2 };

/**
 * Deletes what a plan deletes, by digest, repository by repository. Before deleting it reads the
 * repository's tags again: an item that gained a tag since the plan, or that a new index now
 * uses, is skipped. Stops at the first failure other than "already gone"; protected and kept items
 * are never touched (they are not in the list).
 */
export async function applyRetention(plan: RetentionPlan, backendFor: (registry: string) => RegistryBackend, options: { signal?: AbortSignal; onResult?: (result: ApplyResult) => void } = {}): Promise<ApplyResult[]> {
  const { signal } = options;
  const results: ApplyResult[] = [];
  const report = (result: ApplyResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  for (const repositoryPlan of plan.repositories) {
    const doomed = repositoryPlan.items.filter((item) => item.action === 'delete').sort((a, b) => ORDER[a.role] - ORDER[b.role]);
    if (doomed.length === 0) continue;
    const { registry, repository } = repositoryPlan;
    const backend = backendFor(registry);
    const nowTagged = await tagsByDigest(backend, repository, signal);
    // Indexes pushed since the plan may use a platform the plan deletes.
    const planned = new Set(repositoryPlan.items.map((item) => item.digest));
    const usedByNew = new Set<string>();
    for (const digest of nowTagged.keys()) {
      if (planned.has(digest)) continue;
      for (const child of (await backend.getManifest(repository, digest, signal)).json.manifests ?? []) usedByNew.add(child.digest);
    }
    for (const item of doomed) {
      signal?.throwIfAborted();
      const base = { registry, repository, digest: item.digest, tags: item.tags };
      const gained = (nowTagged.get(item.digest) ?? []).filter((tag) => !item.tags.includes(tag));
      if (gained.length > 0 || usedByNew.has(item.digest)) {
        report({ ...base, outcome: 'skipped', detail: gained.length > 0 ? `changed since the plan: now also tagged ${gained.join(', ')}` : 'changed since the plan: an index pushed since uses it' });
        continue;
      }
      try {
        await backend.deleteManifest(repository, item.digest, signal);
        report({ ...base, outcome: 'deleted' });
      } catch (error) {
        if (error instanceof RegistryError && error.status === 404) {
          report({ ...base, outcome: 'already gone' });
          continue;
        }
        report({ ...base, outcome: 'failed', detail: (error as Error).message });
        throw error;
      }
    }
  }
  return results;
}
