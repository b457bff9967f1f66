import { compileUserRegex } from '../../patterns/userPatterns';
import type { UserRegex } from '../../patterns/userPatterns';
import { FieldReader } from '../policyError';
import { DAY_MS, newest } from '../model';
import type { Artifact, PolicyVerdict, RepositoryInventory, RetentionPolicy } from '../model';

export interface EcrRule {
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: {
    readonly tagStatus: 'tagged' | 'untagged' | 'any';
    readonly tagPrefixList?: readonly string[];
    readonly tagPatternList?: readonly string[];
    readonly countType: 'imageCountMoreThan' | 'sinceImagePushed';
    readonly countUnit?: 'days';
    readonly countNumber: number;
  };
  readonly action: { readonly type: 'expire' };
}

const compiled = new Map<string, UserRegex>();

/** ECR's wildcard: `*` matches any run of characters, the whole tag must match (on RE2: four `.*` backtrack badly). */
export function ecrWildcard(pattern: string): UserRegex {
  let regex = compiled.get(pattern);
  if (!regex) {
    regex = compileUserRegex(pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
    compiled.set(pattern, regex);
  }
  return regex;
}

/** Reads an ECR lifecycle policy (the JSON `aws ecr put-lifecycle-policy` takes), with ECR's own checks. */
export function readEcrPolicy(data: unknown, file: string): EcrRule[] {
  const fields = new FieldReader(file);
  const rules = fields.array(fields.object(data, '').rules, 'rules');
  if (rules.length === 0) fields.fail('rules', 'must hold at least one rule');
  const parsed = rules.map((value, index): EcrRule => {
    const at = `rules[${index}]`;
    const rule = fields.object(value, at);
    const selection = fields.object(rule.selection, `${at}.selection`);
    const tagStatus = fields.oneOf(selection.tagStatus, `${at}.selection.tagStatus`, ['tagged', 'untagged', 'any'] as const);
    const countType = fields.oneOf(selection.countType, `${at}.selection.countType`, ['imageCountMoreThan', 'sinceImagePushed'] as const);
    const tagPrefixList = fields.strings(selection.tagPrefixList, `${at}.selection.tagPrefixList`);
    const tagPatternList = fields.strings(selection.tagPatternList, `${at}.selection.tagPatternList`);
    if (tagStatus === 'tagged' && !tagPrefixList && !tagPatternList) fields.fail(`${at}.selection`, 'tagStatus "tagged" needs tagPrefixList or tagPatternList');
    if (tagPrefixList && tagPatternList) fields.fail(`${at}.selection`, 'give tagPrefixList or tagPatternList, not both');
    if (tagStatus !== 'tagged' && (tagPrefixList || tagPatternList)) fields.fail(`${at}.selection`, `tag lists are only allowed with tagStatus "tagged"`);
    for (const [patternIndex, pattern] of (tagPatternList ?? []).entries()) {
      const field = `${at}.selection.tagPatternList[${patternIndex}]`;
      if (pattern.split('*').length - 1 > 4) fields.fail(field, 'allows at most 4 wildcards');
      fields.pattern(pattern, field, ecrWildcard);
    }
    if (countType === 'sinceImagePushed' && selection.countUnit !== 'days') fields.fail(`${at}.selection.countUnit`, 'must be "days" with sinceImagePushed');
    if (countType === 'imageCountMoreThan' && selection.countUnit !== undefined) fields.fail(`${at}.selection.countUnit`, 'is only allowed with sinceImagePushed');
    const action = fields.object(rule.action, `${at}.action`);
    fields.oneOf(action.type, `${at}.action.type`, ['expire'] as const);
    return {
      rulePriority: fields.count(rule.rulePriority, `${at}.rulePriority`),
      ...(typeof rule.description === 'string' ? { description: rule.description } : {}),
      selection: { tagStatus, countType, countNumber: fields.count(selection.countNumber, `${at}.selection.countNumber`), ...(tagPrefixList ? { tagPrefixList } : {}), ...(tagPatternList ? { tagPatternList } : {}), ...(countType === 'sinceImagePushed' ? { countUnit: 'days' as const } : {}) },
      action: { type: 'expire' },
    };
  });
  const sorted = [...parsed].sort((a, b) => a.rulePriority - b.rulePriority);
  for (const [index, rule] of sorted.entries()) {
    if (index > 0 && sorted[index - 1]!.rulePriority === rule.rulePriority) fields.fail('rules', `rulePriority ${rule.rulePriority} is used twice (priorities must be unique)`);
    if (rule.selection.tagStatus === 'any' && index !== sorted.length - 1) fields.fail('rules', `the rule with tagStatus "any" (priority ${rule.rulePriority}) must have the highest rulePriority`);
  }
  if (sorted.filter((rule) => rule.selection.tagStatus === 'untagged').length > 1) fields.fail('rules', 'only one rule may select untagged images');
  return sorted;
}

/** A rule's selection, its tag lists compiled once: one test per entry, each a tag must pass. */
function selection(rule: EcrRule): (artifact: Artifact) => boolean {
  const { tagStatus, tagPrefixList, tagPatternList } = rule.selection;
  if (tagStatus === 'any') return () => true;
  if (tagStatus === 'untagged') return (artifact) => artifact.tags.length === 0;
  const entries = tagPrefixList?.map((prefix) => (tag: string) => tag.startsWith(prefix)) ?? (tagPatternList ?? []).map((pattern) => {
    const regex = ecrWildcard(pattern);
    return (tag: string) => regex.testWhole(tag);
  });
  // Several entries: the image must carry a matching tag for each of them (loops: this runs per image and rule).
  return ({ tags }) => {
    if (tags.length === 0) return false;
    for (const matches of entries) {
      let found = false;
      for (let index = 0; index < tags.length && !found; index += 1) found = matches(tags[index]!);
      if (!found) return false;
    }
    return true;
  };
}

export function describeEcrRule(rule: EcrRule): string {
  const { tagStatus, tagPrefixList, tagPatternList, countType, countNumber } = rule.selection;
  const which = tagPrefixList ? `tagged with prefix ${tagPrefixList.join(' and ')}` : tagPatternList ? `tagged ${tagPatternList.join(' and ')}` : tagStatus;
  const limit = countType === 'imageCountMoreThan' ? `more than ${countNumber} image${countNumber === 1 ? '' : 's'}` : `pushed more than ${countNumber} day${countNumber === 1 ? '' : 's'} ago`;
  return `ECR rule ${rule.rulePriority} (${which}, ${limit})`;
}

/**
 * ECR's semantics: every rule is evaluated, then applied by priority; an image is expired by at
 * most one rule, and an image selected by a higher-priority rule is never expired by a lower one.
 * Counting ranks by age (ECR: push time); images of unknown age are never ranked, never expired.
 */
export function ecrPolicy(rules: readonly EcrRule[]): RetentionPolicy {
  // The verdicts are made once per rule, not once per image.
  const names = rules.map(describeEcrRule);
  const expires = names.map((rule): PolicyVerdict => ({ action: 'delete', rule }));
  const keeps = names.map((name): PolicyVerdict => ({ action: 'keep', rule: `${name} keeps it` }));
  const undated = names.map((name): PolicyVerdict => ({ action: 'keep', rule: `${name} selects it; age unknown` }));
  const unselected: PolicyVerdict = { action: 'keep', rule: 'no ECR rule selects it' };
  const selects = rules.map(selection);
  return {
    format: 'ecr',
    summary: names,
    evaluate(inventory: RepositoryInventory, now: number): PolicyVerdict[] {
      // Only the highest-priority rule selecting an image may expire it; a count rule ranks all it selects.
      const { artifacts } = inventory;
      const first = new Int32Array(artifacts.length);
      for (let position = 0; position < artifacts.length; position += 1) {
        let index = 0;
        while (index < rules.length && !selects[index]!(artifacts[position]!)) index += 1;
        first[position] = index < rules.length ? index : -1;
      }
      const counted = rules.map((rule, index) => rule.selection.countType === 'imageCountMoreThan'
        ? new Set(newest(artifacts.filter(selects[index]!), rule.selection.countNumber))
        : undefined);
      return inventory.artifacts.map((artifact, position) => {
        const index = first[position]!;
        if (index < 0) return unselected;
        if (artifact.created === undefined) return undated[index]!;
        const within = counted[index];
        const expired = within ? !within.has(artifact) : now - artifact.created > rules[index]!.selection.countNumber * DAY_MS;
        return expired ? expires[index]! : keeps[index]!;
      });
    },
  };
}
