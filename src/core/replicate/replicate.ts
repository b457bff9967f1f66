import { mapLimited } from '../concurrency';
import { ImageCopier } from '../promote/copy';
import type { CopyOptions, CopyStats } from '../promote/copy';
import { isImmutable, ruleFor } from '../promote/gates';
import type { PromotionTargetRule } from '../promote/gates';
import { carryAttachments, tagLast } from '../promote/promote';
import { readFailure, RegistryError } from '../registry/errors';
import type { ReadFailure } from '../registry/errors';
import type { HttpRegistry } from '../registry/httpRegistry';
import { allTags, attachmentsOf } from '../registry/inspect';
import type { Attachment } from '../registry/inspect';
import { carriesAttachment, matchesSource, sourceOf, tagSelector, targetOf } from './rules';
import type { ReplicationRule } from './rules';

/** Reads in flight at once while planning (HEADs of source and target tags). */
const PLAN_CONCURRENCY = 8;

/**
 * What one tag needs at one target: `copy` (the tag is new), `move` (it points elsewhere and may
 * move), `attachments` (the image is there, some attachments are not), `already-there`, or
 * `refused` (an immutable tag of promotion.targets points elsewhere).
 */
export type ReplicationAction = 'copy' | 'move' | 'attachments' | 'already-there' | 'refused';

export interface ReplicationItem {
  /** Index of the rule in `replication:`. */
  readonly rule: number;
  readonly source: { readonly registry: string; readonly repository: string; readonly tag: string; readonly digest: string };
  readonly target: { readonly registry: string; readonly repository: string; readonly tag: string; readonly current?: string };
  readonly action: ReplicationAction;
  /** The attachments the rule carries that the target lacks. */
  readonly missingAttachments: readonly Attachment[];
  readonly reason?: string;
}

export interface ReplicationPlan {
  readonly items: readonly ReplicationItem[];
  /** Repositories or tags that could not be read: nothing is known about them. */
  readonly failures: readonly ReadFailure[];
}

export type ReplicationOutcome = 'copied' | 'already-there' | 'refused' | 'failed';

export interface ReplicationResult {
  readonly item: ReplicationItem;
  readonly outcome: ReplicationOutcome;
  readonly detail?: string;
}

export interface ReplicationRun {
  readonly results: readonly ReplicationResult[];
  /** Summed over every copy of the run. */
  readonly stats: CopyStats;
  readonly attachmentsCopied: number;
}

export interface ReplicationProgress {
  readonly step: string;
  readonly done: number;
  readonly total: number;
}

export interface ReplicationOptions {
  /** `promotion.targets`: their immutable tags never move here either. */
  readonly promotionRules?: readonly PromotionTargetRule[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ReplicationProgress) => void;
  readonly copy?: Pick<CopyOptions, 'blobAttempts' | 'blobRetryDelayMs'>;
  /** Plan only for this source registry (and repository): Replicate… on a tree node. */
  readonly only?: { readonly registry: string; readonly repository?: string };
}

type Open = (registry: string) => HttpRegistry;

/** True when the target lacks it: the manifest, or (cosign) the tag on it, or (referrers) its entry in the target's referrers. */
async function missingAt(target: HttpRegistry, repository: string, digest: string, attachments: readonly Attachment[], signal?: AbortSignal): Promise<Attachment[]> {
  const exists = async (reference: string) => target.resolve(repository, reference, signal).then((descriptor) => descriptor.digest, (error: unknown) => {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  });
  const carried = attachments.filter((attachment) => attachment.via !== 'buildkit');
  const listed = carried.some((attachment) => attachment.via === 'referrers') ? new Set((await target.referrers(repository, digest, signal)).map((descriptor) => descriptor.digest)) : new Set<string>();
  const missing = await mapLimited(carried, PLAN_CONCURRENCY, async (attachment) => {
    if (attachment.via === 'cosign-tag') return (await exists(attachment.tag!)) !== attachment.digest;
    return !listed.has(attachment.digest) || (await exists(attachment.digest)) === undefined;
  });
  return carried.filter((_, index) => missing[index]);
}

async function currentDigest(registry: HttpRegistry, repository: string, tag: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return (await registry.resolve(repository, tag, signal)).digest;
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  }
}

async function sourceRepositories(registry: HttpRegistry, rule: ReplicationRule, signal?: AbortSignal): Promise<string[]> {
  const source = sourceOf(rule);
  if (source.exact) return [source.repositoryGlob];
  const matches = matchesSource(rule);
  const repositories: string[] = [];
  for await (const page of registry.listRepositories(signal ? { signal } : {})) repositories.push(...page.filter(matches));
  return repositories;
}

/**
 * What each rule would do, reading only: the source repositories (catalog, or the one named), their
 * selected tags and digests, the attachments the rule carries, and each target tag. A tag already
 * on the digest with every carried attachment present is `already-there`; an immutable tag that
 * points elsewhere is `refused`.
 */
export async function planReplication(rules: readonly ReplicationRule[], open: Open, options: ReplicationOptions = {}): Promise<ReplicationPlan> {
  const { signal } = options;
  const items: ReplicationItem[] = [];
  const failures: ReadFailure[] = [];
  for (const [ruleIndex, rule] of rules.entries()) {
    const { registry: sourceHost } = sourceOf(rule);
    if (options.only && options.only.registry !== sourceHost) continue;
    const source = open(sourceHost);
    const selected = tagSelector(rule);
    let repositories: string[];
    try {
      repositories = (await sourceRepositories(source, rule, signal)).filter((repository) => options.only?.repository === undefined || repository === options.only.repository);
    } catch (error) {
      failures.push(readFailure(rule.from, error));
      continue;
    }
    for (const repository of repositories) {
      options.onProgress?.({ step: `planning ${sourceHost}/${repository}`, done: items.length, total: 0 });
      try {
        const tags = await allTags(source, repository, signal);
        const wanted = tags.filter(selected);
        const digests = await mapLimited(wanted, PLAN_CONCURRENCY, async (tag) => (await source.resolve(repository, tag, signal)).digest);
        const attachmentsByDigest = new Map<string, Promise<Attachment[]>>();
        const carried = (digest: string) => {
          let found = attachmentsByDigest.get(digest);
          if (!found) {
            found = attachmentsOf(source, repository, digest, tags, signal).then((all) => all.filter((attachment) => carriesAttachment(rule, attachment.kind)));
            attachmentsByDigest.set(digest, found);
          }
          return found;
        };
        for (const to of rule.to) {
          const where = targetOf(rule, to, repository);
          const target = open(where.registry);
          const promotionRule = ruleFor(options.promotionRules ?? [], `${where.registry}/${where.repository}`);
          const planned = await mapLimited(wanted.map((tag, index) => ({ tag, digest: digests[index]! })), PLAN_CONCURRENCY, async ({ tag, digest }): Promise<ReplicationItem> => {
            const current = await currentDigest(target, where.repository, tag, signal);
            const base = { rule: ruleIndex, source: { registry: sourceHost, repository, tag, digest }, target: { ...where, tag, ...(current ? { current } : {}) } };
            if (current && current !== digest && isImmutable(promotionRule, tag)) {
              return { ...base, action: 'refused', missingAttachments: [], reason: `${where.registry}/${where.repository}:${tag} is immutable (${promotionRule!.immutableTags!.join(', ')}) and points at ${current}, not ${digest}` };
            }
            const missingAttachments = await missingAt(target, where.repository, digest, await carried(digest), signal);
            const action: ReplicationAction = !current ? 'copy' : current !== digest ? 'move' : missingAttachments.length > 0 ? 'attachments' : 'already-there';
            return { ...base, action, missingAttachments };
          });
          items.push(...planned);
        }
      } catch (error) {
        failures.push(readFailure(`${sourceHost}/${repository}`, error));
      }
    }
  }
  return { items, failures };
}

/** The plan in words, a line per tag and target: what the CLI prints and the editor's confirmation shows. */
export function describeReplicationItem(item: ReplicationItem): string {
  const { source, target } = item;
  const what = `${source.registry}/${source.repository}:${source.tag} → ${target.registry}/${target.repository}:${target.tag}`;
  const attachments = item.missingAttachments.length > 0 ? ` with ${item.missingAttachments.map((attachment) => attachment.kind).join(', ')}` : '';
  switch (item.action) {
    case 'copy': return `copy ${what} (${source.digest.slice(0, 19)}…)${attachments}`;
    case 'move': return `copy ${what}, moving the tag from ${target.current!.slice(0, 19)}… to ${source.digest.slice(0, 19)}…${attachments}`;
    case 'attachments': return `complete ${what}: copy ${item.missingAttachments.map((attachment) => attachment.kind).join(', ')}`;
    case 'already-there': return `already there: ${what}`;
    case 'refused': return `refused: ${what}: ${item.reason}`;
  }
}

/**
 * Carries out a plan image by image: blobs and manifests by digest with the promotion copier
 * (mounted within a registry, streamed and verified across), then the missing attachments, then
 * the tag last; a failure leaves that image's target tag as it was and the next image goes on.
 * One copier per source and target repository: an image with several tags moves once.
 */
export async function executeReplication(plan: ReplicationPlan, open: Open, options: ReplicationOptions = {}): Promise<ReplicationRun> {
  const { signal } = options;
  const copiers = new Map<string, ImageCopier>();
  const copierFor = (item: ReplicationItem) => {
    const key = `${item.source.registry}/${item.source.repository} ${item.target.registry}/${item.target.repository}`;
    let copier = copiers.get(key);
    if (!copier) {
      copier = new ImageCopier({ backend: open(item.source.registry), repository: item.source.repository }, { registry: open(item.target.registry), repository: item.target.repository }, { ...options.copy, ...(signal ? { signal } : {}) });
      copiers.set(key, copier);
    }
    return copier;
  };
  const results: ReplicationResult[] = [];
  let attachmentsCopied = 0;
  for (const [index, item] of plan.items.entries()) {
    options.onProgress?.({ step: describeReplicationItem(item), done: index, total: plan.items.length });
    if (item.action === 'already-there' || item.action === 'refused') {
      results.push({ item, outcome: item.action, ...(item.reason ? { detail: item.reason } : {}) });
      continue;
    }
    const target = { registry: open(item.target.registry), repository: item.target.repository };
    try {
      signal?.throwIfAborted();
      const copier = copierFor(item);
      if (item.action === 'attachments') attachmentsCopied += await carryAttachments(copier, target, item.source.digest, item.missingAttachments, signal);
      else {
        const manifest = await copier.copyManifest(item.source.digest);
        attachmentsCopied += await carryAttachments(copier, target, item.source.digest, item.missingAttachments, signal);
        // The plan's word on the target tag is checked again: an immutable tag set meanwhile is never moved.
        const now = await currentDigest(target.registry, target.repository, item.target.tag, signal);
        if (now !== item.target.current) throw new Error(`${item.target.registry}/${item.target.repository}:${item.target.tag} changed since the plan (it points at ${now ?? 'nothing'} now): plan again`);
        const tag = { tag: item.target.tag, action: item.action === 'move' ? 'move' as const : 'create' as const, ...(item.target.current ? { current: item.target.current } : {}) };
        await tagLast(target, [tag], manifest.bytes, manifest.descriptor.mediaType, signal);
      }
      results.push({ item, outcome: 'copied' });
    } catch (error) {
      results.push({ item, outcome: 'failed', detail: (error as Error).message });
    }
  }
  options.onProgress?.({ step: 'done', done: plan.items.length, total: plan.items.length });
  const stats: CopyStats = { blobsMounted: 0, blobsCopied: 0, blobsPresent: 0, bytesSent: 0, manifests: 0 };
  for (const copier of copiers.values()) for (const key of Object.keys(stats) as (keyof CopyStats)[]) stats[key] += copier.stats[key];
  return { results, stats, attachmentsCopied };
}
