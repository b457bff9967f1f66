import { compileUserGlobs } from '../patterns/userPatterns';
import type { EcrRule } from './policies/ecr';
import type { GarPolicy } from './policies/gar';
import type { StewardRetention, StewardRetentionRule } from './policies/steward';

export interface ExportedPolicy {
  /** The policy in the registry's own JSON. */
  readonly policy: unknown;
  /** Where the registry's language cannot say exactly what the rules say, and what was done instead. */
  readonly notes: readonly string[];
}

/** ECR's count for "never expire": it shields the images it selects from every lower-priority rule. */
const ECR_KEEP_ALL = 100_000;

/** A glob ECR can say: only `*` wildcards (`**` is the same there); undefined for anything else. */
function asEcrPattern(pattern: string): string | undefined {
  if (pattern.startsWith('/') && pattern.endsWith('/')) return undefined;
  const simplified = pattern.replace(/\*\*+/g, '*');
  return /[?[\]{}()!+@\\]/.test(simplified) ? undefined : simplified;
}

/** A glob that is a prefix (`v*`, `release-**`): the prefix; `*` alone is the empty prefix. */
function asPrefix(pattern: string): string | undefined {
  const ecr = asEcrPattern(pattern);
  if (ecr === undefined || !ecr.endsWith('*')) return undefined;
  const prefix = ecr.slice(0, -1);
  return prefix.includes('*') ? undefined : prefix;
}

function inScope(rule: StewardRetentionRule, repository: string | undefined): boolean {
  return !rule.repositories || repository === undefined || compileUserGlobs(rule.repositories)(repository);
}

function scopeNote(retention: StewardRetention, repository: string | undefined, registry: string): string[] {
  return repository === undefined && retention.rules.some((rule) => rule.repositories)
    ? [`Some rules name repositories; a ${registry} policy belongs to one repository: rules were exported as if they applied to it (name the repository to leave the others out).`]
    : [];
}

/**
 * The same intent as an ECR lifecycle policy: `always` rules first (ECR lets no lower rule expire
 * what a higher rule selects), then one rule per tag pattern, then untagged.
 */
export function toEcrPolicy(retention: StewardRetention, repository?: string): ExportedPolicy {
  const notes = scopeNote(retention, repository, 'ECR');
  const always: Omit<EcrRule, 'rulePriority'>[] = [];
  const limits: Omit<EcrRule, 'rulePriority'>[] = [];
  const selection = (pattern: string) => {
    const prefix = asPrefix(pattern);
    return prefix !== undefined && prefix !== '' ? { tagPrefixList: [prefix] } : { tagPatternList: [asEcrPattern(pattern)!] };
  };
  for (const [index, rule] of retention.rules.entries()) {
    if (!inScope(rule, repository)) continue;
    for (const pattern of rule.tags) {
      if (asEcrPattern(pattern) === undefined) {
        notes.push(`rule ${index + 1}: ECR patterns only know "*": "${pattern}" was left out (ECR expires nothing it does not select).`);
        continue;
      }
      const description = `steward rule ${index + 1}: ${pattern}`;
      if (rule.always) {
        always.push({ description: `${description} (always kept)`, selection: { tagStatus: 'tagged', ...selection(pattern), countType: 'imageCountMoreThan', countNumber: ECR_KEEP_ALL }, action: { type: 'expire' } });
        continue;
      }
      if (rule.keepLast !== undefined && rule.keepDays !== undefined) notes.push(`rule ${index + 1}: ECR cannot keep "the last ${rule.keepLast} or younger than ${rule.keepDays} days"; exported as the last ${rule.keepLast}.`);
      if (rule.keepLast === 0) notes.push(`rule ${index + 1}: ECR counts start at 1: keepLast 0 was exported as 1.`);
      limits.push({
        description,
        selection: rule.keepLast !== undefined
          ? { tagStatus: 'tagged', ...selection(pattern), countType: 'imageCountMoreThan', countNumber: Math.max(1, rule.keepLast) }
          : { tagStatus: 'tagged', ...selection(pattern), countType: 'sinceImagePushed', countUnit: 'days', countNumber: Math.max(1, rule.keepDays!) },
        action: { type: 'expire' },
      });
    }
    if (rule.tags.length > 1) notes.push(`rule ${index + 1}: ECR counts each tag pattern on its own (several patterns in one ECR rule must all match); one ECR rule per pattern.`);
  }
  if (limits.length > 0) notes.push('ECR expires an image when one of its tags matches; here a tag no rule names keeps the image.');
  if (limits.length > 1) notes.push('When one image carries tags of two rules, ECR lets the higher-priority rule decide; here any rule keeping it wins.');
  const untagged: Omit<EcrRule, 'rulePriority'>[] = retention.untagged === 'delete'
    ? [{ description: 'steward: untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } }]
    : [];
  if (untagged.length > 0) notes.push('ECR expires untagged images one day after their push at the soonest.');
  const rules = [...always, ...limits, ...untagged].map((rule, index) => ({ rulePriority: index + 1, ...rule }));
  if (rules.length === 0) notes.push('Nothing could be exported: ECR would expire nothing.');
  return { policy: { rules }, notes };
}

/**
 * The same intent as Artifact Registry cleanup policies: one Delete policy for every tag the rules
 * name, and Keep policies (Keep beats Delete) for what the rules keep.
 */
export function toGarPolicies(retention: StewardRetention, repository?: string): ExportedPolicy {
  const notes = scopeNote(retention, repository, 'GAR');
  const policies: GarPolicy[] = [];
  const deletePrefixes = new Set<string>();
  let deleteAllTagged = false;
  for (const [index, rule] of retention.rules.entries()) {
    if (!inScope(rule, repository)) continue;
    const prefixes = rule.tags.map((pattern) => ({ pattern, prefix: asPrefix(pattern) }));
    for (const { pattern } of prefixes.filter(({ prefix }) => prefix === undefined)) notes.push(`rule ${index + 1}: GAR matches tag prefixes only: "${pattern}" was left out (so GAR deletes none of its tags).`);
    const usable = prefixes.filter(({ prefix }) => prefix !== undefined).map(({ prefix }) => prefix!);
    if (usable.length === 0) continue;
    const everyTag = usable.includes('');
    if (everyTag) deleteAllTagged = true;
    else usable.forEach((prefix) => deletePrefixes.add(prefix));
    const tagged = { tagState: 'tagged' as const, ...(everyTag ? {} : { tagPrefixes: usable }) };
    const name = `steward-rule-${index + 1}`;
    if (rule.always) {
      policies.push({ name, action: { type: 'Keep' }, condition: tagged });
      continue;
    }
    if (rule.keepDays !== undefined) policies.push({ name: rule.keepLast !== undefined ? `${name}-days` : name, action: { type: 'Keep' }, condition: { ...tagged, newerThan: `${rule.keepDays}d` } });
    if (rule.keepLast !== undefined) {
      if (everyTag) policies.push({ name: rule.keepDays !== undefined ? `${name}-last` : name, action: { type: 'Keep' }, mostRecentVersions: { keepCount: rule.keepLast } });
      else {
        notes.push(`rule ${index + 1}: GAR keeps "the most recent N" per package, not per tag prefix: every tag with prefix ${usable.join(', ')} is kept instead of the last ${rule.keepLast}.`);
        policies.push({ name: rule.keepDays !== undefined ? `${name}-last` : name, action: { type: 'Keep' }, condition: tagged });
      }
    }
  }
  const deletes: GarPolicy[] = [];
  if (deleteAllTagged || deletePrefixes.size > 0) deletes.push({ name: 'steward-expire', action: { type: 'Delete' }, condition: { tagState: 'tagged', ...(deleteAllTagged ? {} : { tagPrefixes: [...deletePrefixes] }) } });
  if (retention.untagged === 'delete') deletes.push({ name: 'steward-untagged', action: { type: 'Delete' }, condition: { tagState: 'untagged' } });
  const all = [...deletes, ...policies];
  if (all.length > 10) notes.push(`GAR allows 10 cleanup policies per repository; this export has ${all.length}.`);
  if (deletes.length > 0) notes.push('GAR deletes a version when one of its tags matches; here a tag no rule names keeps the image.');
  return { policy: all, notes };
}
