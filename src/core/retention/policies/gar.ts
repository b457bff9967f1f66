import { FieldReader } from '../policyError';
import { newest } from '../model';
import type { Artifact, PolicyVerdict, RepositoryInventory, RetentionPolicy } from '../model';

export interface GarCondition {
  readonly tagState?: 'tagged' | 'untagged' | 'any';
  readonly tagPrefixes?: readonly string[];
  readonly versionNamePrefixes?: readonly string[];
  readonly packageNamePrefixes?: readonly string[];
  readonly olderThan?: string;
  readonly newerThan?: string;
}

export interface GarPolicy {
  readonly name: string;
  readonly action: { readonly type: 'Delete' | 'Keep' };
  readonly condition?: GarCondition;
  readonly mostRecentVersions?: { readonly packageNamePrefixes?: readonly string[]; readonly keepCount: number };
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `2592000s` (the API's form) → milliseconds. */
export function garDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : undefined;
}

/**
 * Reads Artifact Registry cleanup policies: the list `gcloud artifacts repositories
 * set-cleanup-policies --policy` takes, or the API's `cleanupPolicies` map.
 */
export function readGarPolicies(data: unknown, file: string): GarPolicy[] {
  const fields = new FieldReader(file);
  const map = !Array.isArray(data) && typeof data === 'object' && data !== null ? (data as { cleanupPolicies?: unknown }).cleanupPolicies : undefined;
  const list = map !== undefined ? Object.entries(fields.object(map, 'cleanupPolicies')).map(([id, policy]) => ({ name: id, ...fields.object(policy, `cleanupPolicies.${id}`) })) : fields.array(data, '');
  if (list.length === 0) fields.fail('', 'holds no cleanup policy');
  const names = new Set<string>();
  return list.map((value, index): GarPolicy => {
    const at = `[${index}]`;
    const policy = fields.object(value, at);
    const name = typeof policy.name === 'string' && policy.name !== '' ? policy.name : typeof policy.id === 'string' ? policy.id : fields.fail(`${at}.name`, 'is required');
    if (names.has(name)) fields.fail(`${at}.name`, `"${name}" is used twice`);
    names.add(name);
    const type = fields.oneOf(fields.object(policy.action, `${at}.action`).type, `${at}.action.type`, ['Delete', 'Keep'] as const);
    if (policy.mostRecentVersions !== undefined) {
      if (type !== 'Keep') fields.fail(`${at}.mostRecentVersions`, 'is only allowed in a Keep policy');
      if (policy.condition !== undefined) fields.fail(at, 'give condition or mostRecentVersions, not both');
      const recent = fields.object(policy.mostRecentVersions, `${at}.mostRecentVersions`);
      const prefixes = fields.strings(recent.packageNamePrefixes, `${at}.mostRecentVersions.packageNamePrefixes`);
      return { name, action: { type }, mostRecentVersions: { keepCount: fields.count(recent.keepCount, `${at}.mostRecentVersions.keepCount`), ...(prefixes ? { packageNamePrefixes: prefixes } : {}) } };
    }
    const condition = fields.object(policy.condition, `${at}.condition`);
    const parsed: Record<string, unknown> = { tagState: fields.oneOf(condition.tagState, `${at}.condition.tagState`, ['tagged', 'untagged', 'any'] as const, 'any') };
    for (const key of ['tagPrefixes', 'versionNamePrefixes', 'packageNamePrefixes'] as const) {
      const prefixes = fields.strings(condition[key], `${at}.condition.${key}`);
      if (prefixes) parsed[key] = prefixes;
    }
    if (parsed.tagPrefixes && parsed.tagState !== 'tagged') fields.fail(`${at}.condition.tagPrefixes`, 'needs tagState "tagged"');
    for (const key of ['olderThan', 'newerThan'] as const) {
      if (condition[key] === undefined) continue;
      if (typeof condition[key] !== 'string' || garDuration(condition[key] as string) === undefined) fields.fail(`${at}.condition.${key}`, 'must be a duration such as "30d", "12h" or "2592000s"');
      parsed[key] = condition[key];
    }
    return { name, action: { type }, condition: parsed as GarCondition };
  });
}

type Match = 'yes' | 'no' | 'age unknown';

/** A condition's durations, read once per policy rather than once per version. */
interface Condition extends GarCondition {
  readonly olderMs?: number;
  readonly newerMs?: number;
}

function someStartsWith(names: readonly string[], prefixes: readonly string[]): boolean {
  for (const name of names) for (const prefix of prefixes) if (name.startsWith(prefix)) return true;
  return false;
}

function conditionMatches(condition: Condition, artifact: Artifact, repository: string, now: number): Match {
  const { tagState = 'any', tagPrefixes, versionNamePrefixes, packageNamePrefixes, olderMs, newerMs } = condition;
  if (tagState === 'tagged' && artifact.tags.length === 0) return 'no';
  if (tagState === 'untagged' && artifact.tags.length > 0) return 'no';
  // Prefixes within a list are ORed; the conditions are ANDed.
  if (tagPrefixes && !someStartsWith(artifact.tags, tagPrefixes)) return 'no';
  if (versionNamePrefixes && !versionNamePrefixes.some((prefix) => artifact.digest.startsWith(prefix) || artifact.digest.slice(artifact.digest.indexOf(':') + 1).startsWith(prefix))) return 'no';
  if (packageNamePrefixes && !packageNamePrefixes.some((prefix) => repository.startsWith(prefix))) return 'no';
  if (olderMs === undefined && newerMs === undefined) return 'yes';
  if (artifact.created === undefined) return 'age unknown';
  const age = now - artifact.created;
  if (olderMs !== undefined && !(age > olderMs)) return 'no';
  if (newerMs !== undefined && !(age < newerMs)) return 'no';
  return 'yes';
}

/**
 * Artifact Registry's semantics: a version matching any Keep policy is kept, whatever Delete
 * policies say; otherwise one matching Delete policy deletes it; a version no policy matches is
 * kept. The package is the repository path. Unknown ages never satisfy a Delete condition on age
 * and always satisfy a Keep one.
 */
export function garPolicy(policies: readonly GarPolicy[]): RetentionPolicy {
  const names = new Map(policies.map((policy) => [policy, `GAR ${policy.action.type} policy "${policy.name}"`]));
  const describe = (policy: GarPolicy) => names.get(policy)!;
  const conditional = policies.flatMap((policy) => policy.condition ? [{ policy, condition: {
    ...policy.condition,
    ...(policy.condition.olderThan !== undefined ? { olderMs: garDuration(policy.condition.olderThan)! } : {}),
    ...(policy.condition.newerThan !== undefined ? { newerMs: garDuration(policy.condition.newerThan)! } : {}),
  } as Condition }] : []);
  const keepers = conditional.filter(({ policy }) => policy.action.type === 'Keep');
  const deleters = conditional.filter(({ policy }) => policy.action.type === 'Delete');
  // Every verdict made once, per policy or pair of policies: a hundred thousand versions share a handful.
  const keep = (rule: string): PolicyVerdict => ({ action: 'keep', rule });
  const byRecent = new Map(policies.filter((policy) => policy.mostRecentVersions).map((policy) => [policy, { dated: keep(describe(policy)), undated: keep(`${describe(policy)} (age unknown)`) }]));
  // keptBy[keeper][age unknown ? 1 : 0][deleter + 1]: a Keep policy, and the Delete policy it wins over (none at 0).
  const keptBy = keepers.map(({ policy }) => [false, true].map((unknown) => [undefined, ...deleters].map((over) => keep(`${describe(policy)}${unknown ? ' (age unknown)' : ''}${over ? ` wins over ${describe(over.policy)}` : ''}`))));
  const deletedBy = deleters.map(({ policy }): PolicyVerdict => ({ action: 'delete', rule: describe(policy) }));
  const needsAge = deleters.map(({ policy }) => keep(`${describe(policy)} needs its age, which is unknown`));
  const unmatched = keep('no GAR policy matches it');
  return {
    format: 'gar',
    summary: policies.map((policy) => `${describe(policy)}${policy.mostRecentVersions ? ` (keep the ${policy.mostRecentVersions.keepCount} most recent versions)` : ''}`),
    evaluate(inventory: RepositoryInventory, now: number): PolicyVerdict[] {
      const { repository, artifacts } = inventory;
      const keptByRecent = new Map<Artifact, GarPolicy>();
      for (const policy of byRecent.keys()) {
        const { packageNamePrefixes, keepCount } = policy.mostRecentVersions!;
        if (packageNamePrefixes && !packageNamePrefixes.some((prefix) => repository.startsWith(prefix))) continue;
        for (const artifact of [...newest(artifacts, keepCount), ...artifacts.filter((candidate) => candidate.created === undefined)]) if (!keptByRecent.has(artifact)) keptByRecent.set(artifact, policy);
      }
      return artifacts.map((artifact) => {
        const recent = keptByRecent.get(artifact);
        if (recent) return artifact.created === undefined ? byRecent.get(recent)!.undated : byRecent.get(recent)!.dated;
        // The first Keep policy matching (age unknown counts), the first Delete policy matching, the first that would but for an unknown age.
        let keeper = -1;
        let keeperUnsure = false;
        for (let index = 0; index < keepers.length && keeper < 0; index += 1) {
          const match = conditionMatches(keepers[index]!.condition, artifact, repository, now);
          if (match === 'no') continue;
          keeper = index;
          keeperUnsure = match === 'age unknown';
        }
        let deleter = -1;
        let unsure = -1;
        for (let index = 0; index < deleters.length && deleter < 0; index += 1) {
          const match = conditionMatches(deleters[index]!.condition, artifact, repository, now);
          if (match === 'yes') deleter = index;
          else if (match === 'age unknown' && unsure < 0) unsure = index;
        }
        if (keeper >= 0) return keptBy[keeper]![keeperUnsure ? 1 : 0]![deleter + 1]!;
        if (deleter >= 0) return deletedBy[deleter]!;
        return unsure >= 0 ? needsAge[unsure]! : unmatched;
      });
    },
  };
}
