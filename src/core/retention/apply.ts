import { RegistryError } from '../registry/errors';
import { tagsByDigest } from '../registry/inspect';
import type { RegistryBackend } from '../registry/types';
import { describeUnreadable } from './describe';
import { shortDigest } from './plan';
import type { PlanItem, RepositoryPlan, RetentionPlan } from './plan';

export interface ApplyResult {
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly outcome: 'deleted' | 'already gone' | 'skipped' | 'failed';
  readonly detail?: string;
}

export interface ApplyOptions {
  readonly signal?: AbortSignal;
  readonly onResult?: (result: ApplyResult) => void;
  /** Delete although some workspace files could not be read or parsed (what they use is not protected). */
  readonly allowUnreadable?: boolean;
}

/** Said after every apply: deleting manifests frees no storage by itself. */
export const GARBAGE_COLLECTION_REMINDER = 'Storage is reclaimed only when the registry runs its garbage collection (Distribution: `registry garbage-collect <config>`, without --delete-untagged, which would also remove the platforms of multi-arch images; ECR, GAR and Harbor collect on their own schedule).';

const GONE: ReadonlySet<ApplyResult['outcome']> = new Set(['deleted', 'already gone']);

/** An item to delete that must wait for another: the subject it is attached to, or an index it is a platform of. */
interface Dependency {
  readonly on: PlanItem;
  readonly as: 'subject' | 'index';
}

/**
 * Which deletes wait for which. A subject goes before its signatures and SBOMs: if its delete is
 * refused, the image stays and must stay verifiable, while an attachment left without its subject
 * is only litter. An index goes before its platforms, which it would be broken without.
 */
function dependencies(doomed: readonly PlanItem[]): { waitsFor: Map<PlanItem, Dependency[]>; dependents: Map<PlanItem, PlanItem[]> } {
  const byDigest = new Map(doomed.map((item) => [item.digest, item]));
  const waitsFor = new Map(doomed.map((item) => [item, [] as Dependency[]]));
  const dependents = new Map(doomed.map((item) => [item, [] as PlanItem[]]));
  const link = (item: PlanItem | undefined, on: PlanItem, as: Dependency['as']) => {
    if (!item) return;
    waitsFor.get(item)!.push({ on, as });
    dependents.get(on)!.push(item);
  };
  for (const item of doomed) {
    const subject = item.subject === undefined ? undefined : byDigest.get(item.subject);
    if (subject) link(item, subject, 'subject');
    for (const child of item.children) link(byDigest.get(child), item, 'index');
  }
  return { waitsFor, dependents };
}

/** What a repository is now, against its plan: the tags on each digest, and the digests that indexes pushed since use. */
export interface RepositoryNow {
  readonly nowTagged: ReadonlyMap<string, readonly string[]>;
  readonly usedByNew: ReadonlySet<string>;
}

/**
 * The re-check before deleting: one listing and one HEAD per tag, since a tag the plan keeps may
 * have been moved onto a digest it deletes (a rollback re-tags an old image) and the tag list
 * names no digests; plus a GET of each manifest tagged since the plan, for the platforms a new
 * index uses.
 */
export async function changesSincePlan(backend: RegistryBackend, repositoryPlan: RepositoryPlan, signal?: AbortSignal): Promise<RepositoryNow> {
  const nowTagged = await tagsByDigest(backend, repositoryPlan.repository, signal);
  const planned = new Set(repositoryPlan.items.map((item) => item.digest));
  const usedByNew = new Set<string>();
  for (const digest of nowTagged.keys()) {
    if (planned.has(digest)) continue;
    for (const child of (await backend.getManifest(repositoryPlan.repository, digest, signal)).json.manifests ?? []) usedByNew.add(child.digest);
  }
  return { nowTagged, usedByNew };
}

/**
 * Deletes what a plan deletes, by digest, repository by repository, each image as one group with
 * its attachments and platforms: the image first, then what depends on it only once it is gone
 * (else they are skipped with its reason). Before deleting it reads the repository's tags again:
 * an item that gained a tag since the plan, or that a new index now uses, is skipped. Stops at the
 * first failure other than "already gone"; protected and kept items are never touched (they are
 * not in the list). Refuses a plan with unreadable workspace files unless `allowUnreadable`.
 */
export async function applyRetention(plan: RetentionPlan, backendFor: (registry: string) => RegistryBackend, options: ApplyOptions = {}): Promise<ApplyResult[]> {
  if (plan.unreadable.length > 0 && !options.allowUnreadable) throw new Error(`nothing deleted: ${describeUnreadable(plan.unreadable)}`);
  const { signal } = options;
  const results: ApplyResult[] = [];
  const report = (result: ApplyResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  for (const repositoryPlan of plan.repositories) {
    const doomed = repositoryPlan.items.filter((item) => item.action === 'delete');
    if (doomed.length === 0) continue;
    const { registry, repository } = repositoryPlan;
    const backend = backendFor(registry);
    const { nowTagged, usedByNew } = await changesSincePlan(backend, repositoryPlan, signal);

    const resultOf = (item: PlanItem, outcome: ApplyResult['outcome'], detail?: string): ApplyResult => ({ registry, repository, digest: item.digest, tags: item.tags, outcome, ...(detail ? { detail } : {}) });
    const deleteChecked = async (item: PlanItem): Promise<{ result: ApplyResult; error?: Error }> => {
      const gained = (nowTagged.get(item.digest) ?? []).filter((tag) => !item.tags.includes(tag));
      if (gained.length > 0) return { result: resultOf(item, 'skipped', `changed since the plan: now also tagged ${gained.join(', ')}`) };
      if (usedByNew.has(item.digest)) return { result: resultOf(item, 'skipped', 'changed since the plan: an index pushed since uses it') };
      try {
        await backend.deleteManifest(repository, item.digest, signal);
        return { result: resultOf(item, 'deleted') };
      } catch (error) {
        if (error instanceof RegistryError && error.status === 404) return { result: resultOf(item, 'already gone') };
        return { result: resultOf(item, 'failed', (error as Error).message), error: error as Error };
      }
    };

    const { waitsFor, dependents } = dependencies(doomed);
    const settled = new Map<PlanItem, ApplyResult>();
    const settle = async (item: PlanItem): Promise<void> => {
      signal?.throwIfAborted();
      const blocker = waitsFor.get(item)!.find(({ on }) => !GONE.has(settled.get(on)!.outcome));
      const blocked = blocker && settled.get(blocker.on)!;
      const { result, error } = blocked
        ? { result: resultOf(item, 'skipped', `its ${blocker.as} ${shortDigest(blocked.digest)} was not deleted (${blocked.outcome}${blocked.detail ? `: ${blocked.detail}` : ''})`), error: undefined }
        : await deleteChecked(item);
      settled.set(item, result);
      report(result);
      for (const dependent of dependents.get(item)!) if (waitsFor.get(dependent)!.every(({ on }) => settled.has(on))) await settle(dependent);
      // Thrown once what depends on the failed item is reported skipped; nothing else is attempted.
      if (error) throw error;
    };
    for (const item of doomed) if (waitsFor.get(item)!.length === 0) await settle(item);
  }
  return results;
}
