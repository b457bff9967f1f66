/** What retention works on: every manifest a repository holds that the registry API lets us see. */

/** Where an artifact's age came from: the generic registry API has no push time. */
export type AgeSource = 'config created' | 'label org.opencontainers.image.created' | 'annotation org.opencontainers.image.created' | 'unknown';

/**
 * How an artifact relates to others: `child` of an index, `attachment` of a subject (signature,
 * SBOM, attestation, scan report, promotion record), the fallback `referrers-index` tag of a subject.
 */
export type ArtifactRole = 'image' | 'index' | 'child' | 'attachment' | 'referrers-index';

export interface Blob {
  readonly digest: string;
  readonly size: number;
}

export interface Artifact {
  readonly digest: string;
  readonly mediaType: string;
  readonly role: ArtifactRole;
  /** Tags on this digest, sorted. */
  readonly tags: readonly string[];
  /** Milliseconds since the epoch, when known. */
  readonly created?: number;
  readonly ageSource: AgeSource;
  /** The manifest itself, its config and layers (stored blobs: what deleting could free). */
  readonly blobs: readonly Blob[];
  /** Index children (digests). */
  readonly children: readonly string[];
  /** The digest this artifact is attached to (attachments and fallback referrers indexes). */
  readonly subject?: string;
}

export interface RepositoryInventory {
  readonly registry: string;
  readonly repository: string;
  /** One per digest (retention's accounting relies on it). */
  readonly artifacts: readonly Artifact[];
}

/** What a policy decides for one artifact, before protection. */
export interface PolicyVerdict {
  readonly action: 'keep' | 'delete';
  /** The rule or policy that decided, in the policy's own words ("ECR rule 2 (tagged v*, more than 10 images)"). */
  readonly rule: string;
  /** Tags that the policy expires and keeps, for policies that decide per tag. */
  readonly expiredTags?: readonly string[];
}

/** A policy language evaluated with its own system's semantics. */
export interface RetentionPolicy {
  readonly format: PolicyFormat;
  /** One line per rule, in evaluation order (what the plan shows). */
  readonly summary: readonly string[];
  /** One verdict per artifact, in the inventory's order. */
  evaluate(inventory: RepositoryInventory, now: number): readonly PolicyVerdict[];
}

export type PolicyFormat = 'ecr' | 'gar' | 'harbor' | 'steward';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Newer first, ties by digest (plain code-unit order: digests are ASCII, and localeCompare costs more than the sort). */
function byAge(a: Artifact, b: Artifact): number {
  return b.created! - a.created! || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
}

/**
 * The `rank`-th largest of `values` (1: the largest), reordering them in place: quickselect with a
 * random pivot, linear on average whatever order the registry's times come in.
 */
function largest(values: Float64Array, rank: number): number {
  const target = values.length - rank;
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = values[low + Math.floor(Math.random() * (high - low + 1))]!;
    let left = low;
    let right = high;
    while (left <= right) {
      while (values[left]! < pivot) left += 1;
      while (values[right]! > pivot) right -= 1;
      if (left <= right) {
        const swapped = values[left]!;
        values[left] = values[right]!;
        values[right] = swapped;
        left += 1;
        right -= 1;
      }
    }
    if (target <= right) high = right;
    else if (target >= left) low = left;
    else break;
  }
  return values[target]!;
}

/**
 * The `count` newest of `artifacts`, newest first (ties by digest); artifacts of unknown age are
 * left out (they are kept, never ranked). Only the candidates at or above the `count`-th age are
 * sorted: rules keep the last few hundred of a repository's hundred thousand.
 */
export function newest(artifacts: readonly Artifact[], count: number): Artifact[] {
  if (count <= 0) return [];
  const times = new Float64Array(artifacts.length);
  let dated = 0;
  for (const artifact of artifacts) if (artifact.created !== undefined) times[dated++] = artifact.created;
  const threshold = count >= dated ? -Infinity : largest(times.subarray(0, dated), count);
  return artifacts.filter((artifact) => artifact.created !== undefined && artifact.created >= threshold).sort(byAge).slice(0, count);
}
