import { compileUserGlobs } from '../patterns/userPatterns';
import { pullsArtifact, referencesToRepository } from './protection';
import { reclaimableBytes } from './reclaimable';
import type { Artifact, PolicyFormat, PolicyVerdict, RepositoryInventory, RetentionPolicy } from './model';
import type { Protection, UnreadableFile } from './protection';

export interface PlanItem {
  readonly digest: string;
  readonly mediaType: string;
  readonly role: Artifact['role'];
  readonly tags: readonly string[];
  /** Milliseconds since the epoch, as in the inventory (formatted only when shown: describeItem, retentionPlanJson). */
  readonly created?: number;
  readonly ageSource: Artifact['ageSource'];
  readonly action: 'keep' | 'delete';
  /** What the registry itself would do under this policy (before protection). */
  readonly policy: PolicyVerdict;
  /** Why it is kept although the policy would delete it, or why it goes with another item. */
  readonly because?: string;
  /** Bytes of its blobs that no kept artifact of the repository uses. */
  readonly reclaimableBytes: number;
  readonly subject?: string;
  readonly children: readonly string[];
}

export interface RepositoryPlan {
  readonly registry: string;
  readonly repository: string;
  readonly items: readonly PlanItem[];
  readonly deletes: number;
  /** Distinct blobs that only deleted artifacts use. */
  readonly reclaimableBytes: number;
}

export interface RetentionPlan {
  readonly format: PolicyFormat;
  readonly policy: readonly string[];
  readonly now: string;
  readonly repositories: readonly RepositoryPlan[];
  /** Workspace files that could not be read or parsed: what they use is not protected. */
  readonly unreadable: readonly UnreadableFile[];
}

interface Decision {
  readonly keep: boolean;
  readonly because?: string;
}

/** `sha256:` and the first 12 hex digits: enough to tell artifacts apart in a line of text. */
export const shortDigest = (digest: string) => digest.slice(0, 19);

const KEEP: Decision = { keep: true };
const DELETE: Decision = { keep: false };
/**
 * Decides each artifact: the policy's verdict, overridden to keep for what is protected —
 * digests and tags the workspace references, immutable tags, children of kept indexes, and
 * attachments of kept subjects (signatures, SBOMs and fallback referrer indexes follow their subject,
 * both ways).
 */
export function planRepository(inventory: RepositoryInventory, policy: RetentionPolicy, protection: Protection, now: number): RepositoryPlan {
  const { artifacts } = inventory;
  const verdicts = policy.evaluate(inventory, now);
  // Artifacts by position in the inventory, and only the digests others point at (index children,
  // subjects) in maps: maps keyed by 71-character digests cost more than the rest of the plan.
  const pointedAt = new Map<string, { parents: number[]; position?: number }>();
  const entry = (digest: string) => {
    let found = pointedAt.get(digest);
    if (!found) pointedAt.set(digest, found = { parents: [] });
    return found;
  };
  artifacts.forEach((artifact, position) => {
    if (artifact.subject !== undefined) entry(artifact.subject);
    for (const child of artifact.children) entry(child).parents.push(position);
  });
  const links = pointedAt.size > 0 ? artifacts.map((artifact, position) => {
    const found = pointedAt.get(artifact.digest);
    if (found) found.position = position;
    return found;
  }) : [];
  const references = referencesToRepository(protection.references, inventory.registry, inventory.repository);
  const immutable = protection.immutableTags(inventory.registry, inventory.repository);
  const isImmutable = immutable.length > 0 ? compileUserGlobs(immutable) : undefined;

  const guarded = references.length > 0 || isImmutable !== undefined;
  const directProtection = (artifact: Artifact): string | undefined => {
    const used = references.find((reference) => pullsArtifact(reference, artifact));
    if (used) return `the workspace uses it (${used.where})`;
    const fixed = isImmutable && artifact.tags.find(isImmutable);
    return fixed ? `tag ${fixed} is immutable (${immutable.join(', ')})` : undefined;
  };
  const kept = (own: PolicyVerdict, because: string): Decision => (own.action === 'delete' ? { keep: true, because } : KEEP);

  // Filled in dependency order: a pre-sized array stays a fast one.
  const decisions: (Decision | undefined)[] = artifacts.map(() => undefined);
  const visiting = new Uint8Array(artifacts.length);
  const decide = (position: number): Decision => {
    const known = decisions[position];
    if (known) return known;
    if (visiting[position]) return { keep: true, because: 'it refers to itself through its attachments' };
    visiting[position] = 1;
    const artifact = artifacts[position]!;
    const own = verdicts[position]!;
    let decision: Decision;
    const guard = guarded ? directProtection(artifact) : undefined;
    const indexes = links[position]?.parents;
    const keptParent = indexes?.find((parent) => decide(parent).keep);
    const subject = artifact.subject === undefined ? undefined : pointedAt.get(artifact.subject)!.position;
    if (guard) decision = kept(own, guard);
    else if (keptParent !== undefined) decision = kept(own, `${artifact.role === 'attachment' ? 'an attestation in' : 'a platform of'} the kept index ${shortDigest(artifacts[keptParent]!.digest)}`);
    else if (subject !== undefined) {
      const subjectDigest = shortDigest(artifacts[subject]!.digest);
      decision = decide(subject).keep ? kept(own, `attached to the kept ${subjectDigest}`) : { keep: false, because: `attached to ${subjectDigest}, which is deleted` };
    } else if (indexes && indexes.length > 0 && artifact.tags.length === 0) decision = { keep: false, because: 'a platform of a deleted index, used by no kept one' };
    else decision = own.action === 'keep' ? KEEP : DELETE;
    visiting[position] = 0;
    decisions[position] = decision;
    return decision;
  };
  for (let position = 0; position < artifacts.length; position += 1) decide(position);

  const reclaimable = reclaimableBytes(artifacts, (position) => decisions[position]!.keep);
  let deletes = 0;
  const items = artifacts.map((artifact, position): PlanItem => {
    const decision = decisions[position]!;
    if (!decision.keep) deletes += 1;
    // One literal with every key (undefined when absent: JSON leaves those out), not added
    // properties: this runs once per artifact, and added ones cost a transition and a second store.
    return {
      digest: artifact.digest, mediaType: artifact.mediaType, role: artifact.role, tags: artifact.tags, ageSource: artifact.ageSource,
      action: decision.keep ? 'keep' : 'delete', policy: verdicts[position]!, reclaimableBytes: reclaimable.perArtifact[position]!, children: artifact.children,
      created: artifact.created, because: decision.because, subject: artifact.subject,
    };
  });
  return {
    registry: inventory.registry, repository: inventory.repository, items, deletes, reclaimableBytes: reclaimable.total,
  };
}

/** A plan item as `--json` prints it: its time in ISO form. */
export type PlanItemJson = Omit<PlanItem, 'created'> & { readonly created?: string };
export type RetentionPlanJson = Omit<RetentionPlan, 'repositories'> & { readonly repositories: readonly (Omit<RepositoryPlan, 'items'> & { readonly items: readonly PlanItemJson[] })[] };

/** The plan with ISO times, for JSON output (plans keep epoch milliseconds: formatting 100,000 dates cost more than sorting them). */
export function retentionPlanJson(plan: RetentionPlan): RetentionPlanJson {
  return {
    ...plan,
    repositories: plan.repositories.map((repository) => ({ ...repository, items: repository.items.map((item): PlanItemJson => (item.created === undefined ? item as PlanItemJson : { ...item, created: new Date(item.created).toISOString() })) })),
  };
}

export function planRetention(inventories: readonly RepositoryInventory[], policy: RetentionPolicy, protection: Protection, now: number): RetentionPlan {
  return { format: policy.format, policy: policy.summary, now: new Date(now).toISOString(), repositories: inventories.map((inventory) => planRepository(inventory, policy, protection, now)), unreadable: protection.unreadable };
}
