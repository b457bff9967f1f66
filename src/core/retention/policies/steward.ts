import { anyOf, compileUserGlob, compileUserGlobs, compileUserRegex } from '../../patterns/userPatterns';
import { FieldReader } from '../policyError';
import { DAY_MS, newest } from '../model';
import type { Artifact, PolicyVerdict, RepositoryInventory, RetentionPolicy } from '../model';

/** `retention` in `.steward.yaml`: keep rules per tag pattern. */
export interface StewardRetention {
  readonly rules: readonly StewardRetentionRule[];
  /** What happens to untagged artifacts no subject or index holds (default keep). */
  readonly untagged?: 'keep' | 'delete';
}

export interface StewardRetentionRule {
  /** Globs (`v*`, `release-**`) or regular expressions written `/…/`. */
  readonly tags: readonly string[];
  /** Globs on the repository path; every repository when absent. */
  readonly repositories?: readonly string[];
  readonly keepLast?: number;
  readonly keepDays?: number;
  readonly always?: boolean;
}

/** A tag pattern: `/regex/` or a glob. */
export function tagMatcher(pattern: string): (tag: string) => boolean {
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
    const regex = compileUserRegex(pattern.slice(1, -1));
    return (tag) => regex.test(tag);
  }
  return compileUserGlob(pattern);
}

export function readStewardRetention(data: unknown, file: string): StewardRetention {
  const fields = new FieldReader(file);
  const retention = fields.object(data, 'retention');
  for (const key of Object.keys(retention)) if (key !== 'rules' && key !== 'untagged') fields.fail(`retention.${key}`, 'is not a known key (rules, untagged)');
  const rules = fields.array(retention.rules, 'retention.rules').map((value, index): StewardRetentionRule => {
    const at = `retention.rules[${index}]`;
    const rule = fields.object(value, at);
    for (const key of Object.keys(rule)) if (!['tags', 'repositories', 'keepLast', 'keepDays', 'always'].includes(key)) fields.fail(`${at}.${key}`, 'is not a known key (tags, repositories, keepLast, keepDays, always)');
    const tags = fields.strings(typeof rule.tags === 'string' ? [rule.tags] : rule.tags, `${at}.tags`) ?? fields.fail(`${at}.tags`, 'is required');
    for (const [patternIndex, pattern] of tags.entries()) fields.pattern(pattern, `${at}.tags[${patternIndex}]`, tagMatcher);
    const repositories = fields.strings(typeof rule.repositories === 'string' ? [rule.repositories] : rule.repositories, `${at}.repositories`);
    for (const [patternIndex, pattern] of (repositories ?? []).entries()) fields.pattern(pattern, `${at}.repositories[${patternIndex}]`, compileUserGlob);
    const keepLast = rule.keepLast === undefined ? undefined : fields.count(rule.keepLast, `${at}.keepLast`, 0);
    const keepDays = rule.keepDays === undefined ? undefined : fields.count(rule.keepDays, `${at}.keepDays`, 0);
    if (rule.always !== undefined && typeof rule.always !== 'boolean') fields.fail(`${at}.always`, 'must be true or false');
    if (keepLast === undefined && keepDays === undefined && rule.always !== true) fields.fail(at, 'needs keepLast, keepDays or always: true');
    return { tags, ...(repositories ? { repositories } : {}), ...(keepLast !== undefined ? { keepLast } : {}), ...(keepDays !== undefined ? { keepDays } : {}), ...(rule.always === true ? { always: true } : {}) };
  });
  const untagged = fields.oneOf(retention.untagged, 'retention.untagged', ['keep', 'delete'] as const, 'keep');
  return { rules, untagged };
}

export function describeStewardRule(rule: StewardRetentionRule, index: number): string {
  const keeps = [rule.always ? 'always' : undefined, rule.keepLast !== undefined ? `last ${rule.keepLast}` : undefined, rule.keepDays !== undefined ? `${rule.keepDays} days` : undefined].filter(Boolean).join(' or ');
  return `rule ${index + 1} (${rule.tags.join(', ')}${rule.repositories ? ` in ${rule.repositories.join(', ')}` : ''}: keep ${keeps})`;
}

const NONE: readonly number[] = [];

/**
 * The project's own semantics, decided per tag: a tag some rule names is expired unless one of
 * the rules naming it keeps its artifact (always, among the last N of the artifacts that rule
 * names, or younger than N days); tags no rule names are kept. A digest is deleted only when every
 * tag on it is expired (a DELETE by digest removes them all). Unknown ages keep.
 */
export function stewardPolicy(retention: StewardRetention): RetentionPolicy {
  const compiled = retention.rules.map((rule, index) => ({
    rule, index, description: describeStewardRule(rule, index),
    tag: anyOf(rule.tags.map(tagMatcher)),
    repository: rule.repositories ? compileUserGlobs(rule.repositories) : () => true,
  }));
  return {
    format: 'steward',
    summary: [...compiled.map(({ description }) => description), `untagged: ${retention.untagged ?? 'keep'}`],
    evaluate(inventory: RepositoryInventory, now: number): PolicyVerdict[] {
      const rules = compiled.filter(({ repository }) => repository(inventory.repository));
      // Which rules name each tag, asked once (patterns may run on RE2; each tag is looked at three times).
      const single = rules.map((_, index) => [index]);
      const naming = (tag: string): readonly number[] => {
        let indexes = NONE;
        for (let index = 0; index < rules.length; index += 1) if (rules[index]!.tag(tag)) indexes = indexes.length === 0 ? single[index]! : [...indexes, index];
        return indexes;
      };
      // Flat, one entry per tag of every artifact (`first[position]` is where an artifact's begin): no arrays per artifact.
      const { artifacts } = inventory;
      const first = new Int32Array(artifacts.length + 1);
      const namedBy: (readonly number[])[] = [];
      const named = rules.map((): Artifact[] => []);
      for (let position = 0; position < artifacts.length; position += 1) {
        const artifact = artifacts[position]!;
        first[position] = namedBy.length;
        for (const tag of artifact.tags) {
          const indexes = naming(tag);
          namedBy.push(indexes);
          for (const index of indexes) if (named[index]!.at(-1) !== artifact) named[index]!.push(artifact);
        }
      }
      first[artifacts.length] = namedBy.length;
      const latest = rules.map(({ rule }, index) => new Set(rule.keepLast === undefined ? [] : newest(named[index]!, rule.keepLast)));
      const keeps = (index: number, artifact: Artifact): boolean => {
        const { rule } = rules[index]!;
        return rule.always === true || artifact.created === undefined || (rule.keepDays !== undefined && now - artifact.created <= rule.keepDays * DAY_MS) || latest[index]!.has(artifact);
      };
      // The words for "every tag expired", made once per set of naming rules (most artifacts have one tag, or tags one rule names).
      const expiryWords = new Map<readonly number[], string>();
      const describe = (indexes: readonly number[]) => `every tag expired (${indexes.map((index) => rules[index]!.description).join('; ')})`;
      const expiredBy = (position: number): string => {
        const start = first[position]!;
        const end = first[position + 1]!;
        const lists = namedBy[start]!;
        for (let at = start + 1; at < end; at += 1) {
          if (namedBy[at] !== lists) return describe([...new Set(namedBy.slice(start, end).flat())].sort((a, b) => a - b));
        }
        let words = expiryWords.get(lists);
        if (words === undefined) expiryWords.set(lists, words = describe(lists));
        return words;
      };
      const untagged: PolicyVerdict = retention.untagged === 'delete' ? { action: 'delete', rule: 'untagged: delete' } : { action: 'keep', rule: 'untagged: keep' };
      return artifacts.map((artifact, position): PolicyVerdict => {
        const { tags } = artifact;
        if (tags.length === 0) return untagged;
        let expired: string[] | undefined;
        let keptBy: string | undefined;
        let unnamed: string | undefined;
        for (let tagIndex = 0; tagIndex < tags.length; tagIndex += 1) {
          const indexes = namedBy[first[position]! + tagIndex]!;
          let keeping = -1;
          for (let at = 0; at < indexes.length && keeping < 0; at += 1) if (keeps(indexes[at]!, artifact)) keeping = indexes[at]!;
          if (keeping >= 0) keptBy ??= `${rules[keeping]!.description} keeps tag ${tags[tagIndex]}${artifact.created === undefined ? ' (age unknown)' : ''}`;
          else if (indexes.length > 0) (expired ??= []).push(tags[tagIndex]!);
          else unnamed ??= tags[tagIndex];
        }
        if (keptBy === undefined && unnamed === undefined) {
          // Every tag is expired, so they are the expired tags.
          return { action: 'delete', rule: expiredBy(position), expiredTags: tags };
        }
        const rule = keptBy ?? `no rule names tag ${unnamed}`;
        return expired ? { action: 'keep', rule, expiredTags: expired } : { action: 'keep', rule };
      });
    },
  };
}
