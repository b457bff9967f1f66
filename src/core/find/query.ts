import { sameCommit, sameSource } from '../promote/evidenceGates';

/** What `steward find` and Find images… look for; every criterion given must hold (AND). */
export interface FindQuery {
  /** `KEY=VALUE`: a config label or a manifest/index annotation with exactly this value. */
  readonly labels: readonly { readonly key: string; readonly value: string }[];
  /** A commit, full or short (at least 7 hex): the revision label/annotation or the provenance's commit. */
  readonly revision?: string;
  /** A source repository URL: the source label/annotation or the provenance's source (`git+`, `.git`, case on GitHub/GitLab ignored). */
  readonly source?: string;
  /** `org.opencontainers.image.base.digest`, exactly. */
  readonly baseDigest?: string;
  /** Created after this time (the created annotation or label, else the config's `created`). */
  readonly createdAfter?: Date;
  /**
   * Only manifest and index annotations count (no config read, no provenance): fast, and what a
   * registry's own annotation filter could answer.
   */
  readonly annotationsOnly?: boolean;
}

/** The query as typed (CLI flags, the editor's quick input), before validation. */
export interface WrittenFindQuery {
  readonly labels?: readonly string[];
  readonly revision?: string;
  readonly source?: string;
  readonly baseDigest?: string;
  readonly createdAfter?: string;
  readonly annotationsOnly?: boolean;
}

export const OCI_REVISION = 'org.opencontainers.image.revision';
export const OCI_SOURCE = 'org.opencontainers.image.source';
export const OCI_BASE_DIGEST = 'org.opencontainers.image.base.digest';
export const OCI_CREATED = 'org.opencontainers.image.created';

/** The option a problem is about (`--revision`), for messages the CLI and the editor both show. */
export class FindQueryError extends Error {
  constructor(readonly field: 'label' | 'revision' | 'source' | 'base-digest' | 'created-after' | 'query', message: string) {
    super(message);
  }
}

const COMMIT = /^[0-9a-f]{7,64}$/i;
const DIGEST = /^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/;

/** Validates what was typed; throws a FindQueryError naming the field. An empty query is refused (it would list everything). */
export function parseFindQuery(written: WrittenFindQuery): FindQuery {
  const labels = (written.labels ?? []).map((entry) => {
    const equals = entry.indexOf('=');
    if (equals <= 0) throw new FindQueryError('label', `--label takes KEY=VALUE (got ${JSON.stringify(entry)})`);
    return { key: entry.slice(0, equals).trim(), value: entry.slice(equals + 1) };
  });
  const revision = written.revision?.trim();
  if (revision !== undefined && !COMMIT.test(revision)) throw new FindQueryError('revision', `--revision takes a commit: 7 to 64 hex characters (got ${JSON.stringify(revision)})`);
  const source = written.source?.trim();
  if (source !== undefined && source === '') throw new FindQueryError('source', '--source takes a repository URL');
  const baseDigest = written.baseDigest?.trim();
  if (baseDigest !== undefined && !DIGEST.test(baseDigest)) throw new FindQueryError('base-digest', `--base-digest takes a digest sha256:<64 hex> (got ${JSON.stringify(baseDigest)})`);
  let createdAfter: Date | undefined;
  if (written.createdAfter !== undefined) {
    createdAfter = new Date(written.createdAfter.trim());
    // Date-only or full ISO 8601 times; "yesterday" and the like are refused rather than guessed.
    if (!/^\d{4}-\d{2}-\d{2}/.test(written.createdAfter.trim()) || Number.isNaN(createdAfter.getTime())) {
      throw new FindQueryError('created-after', `--created-after takes an ISO 8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z (got ${JSON.stringify(written.createdAfter)})`);
    }
  }
  const query: FindQuery = {
    labels,
    ...(revision ? { revision: revision.toLowerCase() } : {}),
    ...(source ? { source } : {}),
    ...(baseDigest ? { baseDigest } : {}),
    ...(createdAfter ? { createdAfter } : {}),
    ...(written.annotationsOnly ? { annotationsOnly: true } : {}),
  };
  if (labels.length === 0 && !query.revision && !query.source && !query.baseDigest && !query.createdAfter) {
    throw new FindQueryError('query', 'give at least one of --label, --revision, --source, --base-digest, --created-after');
  }
  return query;
}

/** What is known of one image: the values each criterion is matched against. */
export interface ImageMetadata {
  /** Index and manifest annotations (the index's win on a conflict: it is what a tag names). */
  readonly annotations: Readonly<Record<string, string>>;
  /** The image config's labels (of the first platform, for an index). */
  readonly labels: Readonly<Record<string, string>>;
  /** The image config's `created`. */
  readonly configCreated?: string;
  /** SLSA provenance read from attestations (not verified: discovery, not trust). */
  readonly provenance: readonly { readonly sources: readonly string[]; readonly commits: readonly string[]; readonly where: string }[];
}

/** Why an image matched: one entry per criterion, saying where the value was found. */
export type MatchReasons = readonly string[];

/** The first place a key is set: annotations, then labels. */
function valueOf(metadata: ImageMetadata, key: string): { value: string; where: string } | undefined {
  const annotation = metadata.annotations[key];
  if (typeof annotation === 'string') return { value: annotation, where: `annotation ${key}` };
  const label = metadata.labels[key];
  return typeof label === 'string' ? { value: label, where: `label ${key}` } : undefined;
}

/** Where `matches` holds for a key's annotation or label. */
function keyMatch(metadata: ImageMetadata, key: string, matches: (value: string) => boolean): string | undefined {
  const annotation = metadata.annotations[key];
  if (typeof annotation === 'string' && matches(annotation)) return `annotation ${key}`;
  const label = metadata.labels[key];
  return typeof label === 'string' && matches(label) ? `label ${key}` : undefined;
}

/** The criteria that provenance can answer (revision, source) and those it cannot. */
export function needsProvenance(query: FindQuery): boolean {
  return !query.annotationsOnly && (query.revision !== undefined || query.source !== undefined);
}

/**
 * Matches the query against what is known; undefined when some criterion fails. Revision and
 * source match the label/annotation or, failing that, any provenance read.
 */
export function matchImage(query: FindQuery, metadata: ImageMetadata): MatchReasons | undefined {
  const reasons: string[] = [];
  for (const { key, value } of query.labels) {
    const where = keyMatch(metadata, key, (candidate) => candidate === value);
    if (!where) return undefined;
    reasons.push(`${where}=${value}`);
  }
  if (query.baseDigest) {
    const where = keyMatch(metadata, OCI_BASE_DIGEST, (candidate) => candidate.trim() === query.baseDigest);
    if (!where) return undefined;
    reasons.push(where);
  }
  if (query.createdAfter) {
    const written = valueOf(metadata, OCI_CREATED);
    const created = written ?? (metadata.configCreated ? { value: metadata.configCreated, where: 'config created' } : undefined);
    const time = created ? new Date(created.value).getTime() : Number.NaN;
    // An image of unknown age is not "created after" anything.
    if (!created || Number.isNaN(time) || time <= query.createdAfter.getTime()) return undefined;
    reasons.push(`${created.where} ${created.value}`);
  }
  if (query.revision) {
    const revision = query.revision;
    const where = keyMatch(metadata, OCI_REVISION, (candidate) => sameCommit(candidate.trim(), revision))
      ?? metadata.provenance.find((facts) => facts.commits.some((commit) => sameCommit(commit, revision)))?.where;
    if (!where) return undefined;
    reasons.push(`revision (${where})`);
  }
  if (query.source) {
    const source = query.source;
    const where = keyMatch(metadata, OCI_SOURCE, (candidate) => sameSource(candidate, source))
      ?? metadata.provenance.find((facts) => facts.sources.some((candidate) => sameSource(candidate, source)))?.where;
    if (!where) return undefined;
    reasons.push(`source (${where})`);
  }
  return reasons;
}
