import semver from 'semver';
import { mapLimited } from '../concurrency';
import { tagDetails } from '../registry/explorer';
import { RegistryError } from '../registry/errors';
import type { RegistryBackend } from '../registry/types';
import { environmentDeployments } from './deployments';
import type { Deployment, DeploymentProblem } from './deployments';
import { isRegistryAllowed } from './environments';
import type { EnvironmentDefinition } from './environments';

/** What the registry said about a tag or digest, and when it said it. */
export interface Resolution {
  readonly digest: string;
  /** The image config's `created` (the only age the distribution API offers). */
  readonly created?: string;
  /** ISO time of the answer (from the cache, it may be older than this run). */
  readonly resolvedAt: string;
}

/**
 * Answers per `registry/repository:reference` for `ttlMs`, each with the time it was asked: the
 * editor's view refreshes without asking again, and says how old an answer is. A tag that does not
 * exist is remembered as `undefined`; failures are not remembered.
 */
export class ResolutionCache {
  private readonly entries = new Map<string, { at: number; answer: Promise<Resolution | undefined> }>();

  constructor(private readonly open: (registry: string) => RegistryBackend, private readonly ttlMs = 60_000, private readonly now: () => number = Date.now) {}

  /** The digest and age of a tag or digest (the manifest and the image's config). */
  resolve(registry: string, repository: string, reference: string): Promise<Resolution | undefined> {
    return this.remembered(`details ${registry}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`, async () => {
      const details = await tagDetails(this.open(registry), repository, reference);
      return { digest: details.digest, ...(details.created ? { created: details.created } : {}) };
    });
  }

  /** Where a tag points now, with one HEAD: what a pinned reference's tag is checked with. */
  digestOf(registry: string, repository: string, tag: string): Promise<Resolution | undefined> {
    return this.remembered(`digest ${registry}/${repository}:${tag}`, async () => ({ digest: (await this.open(registry).resolve(repository, tag)).digest }));
  }

  private remembered(key: string, ask: () => Promise<Omit<Resolution, 'resolvedAt'>>): Promise<Resolution | undefined> {
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.answer;
    const at = this.now();
    const answer = ask().then(
      (found): Resolution => ({ ...found, resolvedAt: new Date(at).toISOString() }),
      (error: unknown) => {
        if (error instanceof RegistryError && error.status === 404) return undefined;
        throw error;
      },
    );
    this.entries.set(key, { at, answer });
    answer.catch(() => this.entries.delete(key));
    return answer;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** One row of the table: a deployment with what the registry says about it. */
export interface EnvironmentRow extends Deployment {
  readonly tag?: string;
  /** The digest it runs: the pinned one, else the one its tag points at now. */
  readonly digest?: string;
  readonly created?: string;
  readonly resolvedAt?: string;
  /** For a `tag@digest`: where the tag points now (`null`: the tag is gone). */
  readonly tagNow?: string | null;
  /** Why the registry could not answer. */
  readonly error?: string;
}

export interface RepositoryStatus {
  /** `host/repository` as the first environment deploying it writes it. */
  readonly repository: string;
  readonly key: string;
  /** In environment order, then by file and line. */
  readonly rows: readonly EnvironmentRow[];
}

export type DriftKind = 'ahead' | 'behind' | 'tag-gone' | 'tag-moved' | 'registry-not-allowed' | 'unresolved';

export interface Drift {
  readonly kind: DriftKind;
  readonly repository: string;
  readonly environment: string;
  /** The other environment of an `ahead`/`behind` pair (the next one in promotion order). */
  readonly next?: string;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface EnvironmentStatus {
  readonly environments: readonly EnvironmentDefinition[];
  readonly repositories: readonly RepositoryStatus[];
  readonly drift: readonly Drift[];
  readonly problems: readonly DeploymentProblem[];
}

export const shortDigest = (digest: string): string => digest.slice(0, 19);

async function resolveRow(deployment: Deployment, cache: ResolutionCache): Promise<EnvironmentRow> {
  const { domain, path, tag, digest } = deployment.parsed;
  const pulledTag = tag ?? (digest ? undefined : 'latest');
  const base = { ...deployment, ...(pulledTag ? { tag: pulledTag } : {}) };
  try {
    if (!digest) {
      const byTag = await cache.resolve(domain, path, pulledTag!);
      if (!byTag) return { ...base, error: `${deployment.repository}:${pulledTag} does not exist in the registry` };
      return { ...base, digest: byTag.digest, resolvedAt: byTag.resolvedAt, ...(byTag.created ? { created: byTag.created } : {}) };
    }
    const [byDigest, byTag] = await Promise.all([cache.resolve(domain, path, digest), tag ? cache.digestOf(domain, path, tag) : Promise.resolve(undefined)]);
    if (!byDigest) return { ...base, digest, error: `${deployment.repository}@${shortDigest(digest)}… does not exist in the registry` };
    return { ...base, digest, resolvedAt: byDigest.resolvedAt, ...(byDigest.created ? { created: byDigest.created } : {}), ...(tag ? { tagNow: byTag?.digest ?? null } : {}) };
  } catch (error) {
    return { ...base, ...(digest ? { digest } : {}), error: (error as Error).message };
  }
}

/** `1.3.0 (sha256:abc…)`, or the short digest alone. */
function describeRun(row: EnvironmentRow): string {
  return row.digest ? `${row.tag ? `${row.tag} ` : ''}(${shortDigest(row.digest)}…)` : row.reference;
}

/** Whether `a` is known to be newer than `b`: both tags SemVer, else both configs dated. */
function newer(a: EnvironmentRow, b: EnvironmentRow): boolean | undefined {
  const [left, right] = [semver.valid(a.tag ?? '', { loose: true }), semver.valid(b.tag ?? '', { loose: true })];
  if (left && right && left !== right) return semver.gt(left, right);
  const [created, other] = [Date.parse(a.created ?? ''), Date.parse(b.created ?? '')];
  return Number.isFinite(created) && Number.isFinite(other) && created !== other ? created > other : undefined;
}

function rowDrift(row: EnvironmentRow, environment: EnvironmentDefinition | undefined): Drift[] {
  const at = { repository: row.repository, environment: row.environment, file: row.file, line: row.line };
  const found: Drift[] = [];
  if (environment?.registries && !isRegistryAllowed(row.parsed, environment.registries)) {
    found.push({ kind: 'registry-not-allowed', ...at, message: `${row.environment} pulls ${row.repository}, outside its registries (${environment.registries.join(', ')})` });
  }
  if (row.error) found.push({ kind: 'unresolved', ...at, message: `${row.environment}: ${row.reference}: ${row.error}` });
  else if (row.tagNow === null) found.push({ kind: 'tag-gone', ...at, message: `${row.environment} runs ${shortDigest(row.digest!)}…, which no longer has its tag ${row.tag} (the tag is gone from ${row.repository})` });
  else if (row.tagNow !== undefined && row.tagNow !== row.digest) found.push({ kind: 'tag-moved', ...at, message: `${row.environment} pins ${row.tag}@${shortDigest(row.digest!)}…, but ${row.tag} now points at ${shortDigest(row.tagNow)}… (the tag moved)` });
  return found;
}

/** Each environment against the next one in promotion order that deploys the repository. */
function orderDrift(rows: readonly EnvironmentRow[], environments: readonly EnvironmentDefinition[]): Drift[] {
  const byEnvironment = environments.map((environment) => rows.filter((row) => row.environment === environment.name && row.digest && !row.error)).filter((group) => group.length > 0);
  const found: Drift[] = [];
  for (let index = 0; index + 1 < byEnvironment.length; index++) {
    const earlier = byEnvironment[index]!;
    const later = byEnvironment[index + 1]!;
    const digests = (group: readonly EnvironmentRow[]) => [...new Set(group.map((row) => row.digest))].sort().join(',');
    if (digests(earlier) === digests(later)) continue;
    const [first, next] = [earlier[0]!, later[0]!];
    const isNewer = newer(first, next);
    const kind: DriftKind = isNewer === false ? 'behind' : 'ahead';
    const runs = `${first.environment} runs ${describeRun(first)}, ${next.environment} runs ${describeRun(next)}`;
    found.push({
      kind, repository: first.repository, environment: first.environment, next: next.environment, file: next.file, line: next.line,
      message: kind === 'behind' ? `${first.environment} is behind ${next.environment}: ${runs}` : `${first.environment} is ahead of ${next.environment}: ${runs}`,
    });
  }
  return found;
}

export interface StatusInput {
  readonly environments: readonly EnvironmentDefinition[];
  /** The workspace's YAML files, by path relative to the config's folder. */
  readonly files: ReadonlyMap<string, string>;
  readonly cache: ResolutionCache;
}

/**
 * For every image repository, what each environment deploys (written reference, resolved digest,
 * age, file and line) and the drift between them: an environment ahead of (or behind) the next,
 * a pinned digest whose tag is gone or moved, a registry the environment may not pull from, and
 * references the registry could not answer for.
 */
export async function environmentStatus(input: StatusInput): Promise<EnvironmentStatus> {
  const { deployments, problems } = environmentDeployments(input.environments, input.files);
  const rows = await mapLimited(deployments, 8, (deployment) => resolveRow(deployment, input.cache));
  const order = new Map(input.environments.map((environment, index) => [environment.name, index]));
  const keys = [...new Set(rows.map((row) => row.repositoryKey))].sort();
  const repositories = keys.map((key): RepositoryStatus => {
    const own = rows.filter((row) => row.repositoryKey === key)
      .sort((a, b) => order.get(a.environment)! - order.get(b.environment)! || a.file.localeCompare(b.file) || a.line - b.line);
    return { repository: own[0]!.repository, key, rows: own };
  });
  const drift = repositories.flatMap((repository) => [
    ...repository.rows.flatMap((row) => rowDrift(row, input.environments.find((environment) => environment.name === row.environment))),
    ...orderDrift(repository.rows, input.environments),
  ]);
  return { environments: input.environments, repositories, drift, problems };
}
