import { compileUserGlob } from '../../patterns/userPatterns';
import { FieldReader } from '../policyError';
import { DAY_MS, newest } from '../model';
import type { PolicyVerdict, RepositoryInventory, RetentionPolicy } from '../model';

export type HarborTemplate = 'latestPushedK' | 'latestPulledN' | 'nDaysSinceLastPush' | 'nDaysSinceLastPull' | 'always';
const TEMPLATES: readonly HarborTemplate[] = ['latestPushedK', 'latestPulledN', 'nDaysSinceLastPush', 'nDaysSinceLastPull', 'always'];

export interface HarborRule {
  readonly template: HarborTemplate;
  readonly count?: number;
  readonly tags: readonly { readonly decoration: 'matches' | 'excludes'; readonly pattern: string; readonly untagged: boolean }[];
  readonly repositories: readonly { readonly decoration: 'repoMatches' | 'repoExcludes'; readonly pattern: string }[];
}

/** Reads a Harbor tag retention policy (the JSON of Harbor's `/retentions` API); disabled rules are left out. */
export function readHarborPolicy(data: unknown, file: string): HarborRule[] {
  const fields = new FieldReader(file);
  const policy = fields.object(data, '');
  if (policy.algorithm !== undefined && policy.algorithm !== 'or') fields.fail('algorithm', 'must be "or" (the only algorithm Harbor has)');
  const rules = fields.array(policy.rules, 'rules');
  const globAt = (value: unknown, field: string): string => {
    const glob = typeof value === 'string' ? value : fields.fail(field, 'is required');
    fields.pattern(glob, field, compileUserGlob);
    return glob;
  };
  const parsed: HarborRule[] = [];
  for (const [index, value] of rules.entries()) {
    const at = `rules[${index}]`;
    const rule = fields.object(value, at);
    if (rule.disabled === true) continue;
    if (rule.action !== undefined) fields.oneOf(rule.action, `${at}.action`, ['retain'] as const);
    const template = fields.oneOf(rule.template, `${at}.template`, TEMPLATES);
    const params = rule.params === undefined ? {} : fields.object(rule.params, `${at}.params`);
    const count = template === 'always' ? undefined : fields.count(params[template], `${at}.params.${template}`, template === 'latestPushedK' || template === 'latestPulledN' ? 0 : 1);
    const tags = fields.array(rule.tag_selectors, `${at}.tag_selectors`).map((selectorValue, selectorIndex) => {
      const where = `${at}.tag_selectors[${selectorIndex}]`;
      const selector = fields.object(selectorValue, where);
      if (selector.kind !== undefined) fields.oneOf(selector.kind, `${where}.kind`, ['doublestar'] as const);
      let untagged = false;
      if (typeof selector.extras === 'string' && selector.extras !== '') {
        try {
          untagged = (JSON.parse(selector.extras) as { untagged?: boolean }).untagged === true;
        } catch {
          fields.fail(`${where}.extras`, 'must be JSON such as {"untagged":true}');
        }
      }
      return { decoration: fields.oneOf(selector.decoration, `${where}.decoration`, ['matches', 'excludes'] as const), pattern: globAt(selector.pattern, `${where}.pattern`), untagged };
    });
    const scope = fields.object(rule.scope_selectors, `${at}.scope_selectors`);
    const repositories = fields.array(scope.repository, `${at}.scope_selectors.repository`).map((selectorValue, selectorIndex) => {
      const where = `${at}.scope_selectors.repository[${selectorIndex}]`;
      const selector = fields.object(selectorValue, where);
      return { decoration: fields.oneOf(selector.decoration, `${where}.decoration`, ['repoMatches', 'repoExcludes'] as const), pattern: globAt(selector.pattern, `${where}.pattern`) };
    });
    parsed.push({ template, ...(count !== undefined ? { count } : {}), tags, repositories });
  }
  return parsed;
}

/** Harbor matches scope patterns against the repository name inside its project (the path after the first segment). */
export function harborRepositoryName(repository: string): string {
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(slash + 1);
}

function describe(rule: HarborRule, index: number): string {
  const which = rule.tags.map((tag) => `${tag.decoration} ${tag.pattern}${tag.untagged ? ' + untagged' : ''}`).join(', ');
  const what = rule.template === 'always' ? 'always' : `${rule.template} ${rule.count}`;
  return `Harbor rule ${index + 1} (retain ${what}; tags ${which})`;
}

/**
 * Harbor's semantics: rules only retain, OR-combined, per artifact (one retained tag keeps the
 * artifact and every tag on it); in a repository some rule covers, whatever no rule retains is
 * deleted. Pull times are not visible through the registry API: pull-based rules retain everything
 * they select. Unknown ages are retained.
 */
const UNCOVERED: PolicyVerdict = { action: 'keep', rule: 'no Harbor rule covers this repository' };
const NOT_RETAINED: PolicyVerdict = { action: 'delete', rule: 'no Harbor rule retains it' };

type TagMatcher = HarborRule['tags'][number] & { readonly test: (name: string) => boolean };

/** Every tag selector holds: one of the tags matches it (or, for `excludes`, does not), or the artifact is untagged and the selector takes untagged ones. */
function selectsTags(matchers: readonly TagMatcher[], tags: readonly string[]): boolean {
  for (const matcher of matchers) {
    if (tags.length === 0) {
      if (!matcher.untagged) return false;
      continue;
    }
    const wanted = matcher.decoration === 'matches';
    let found = false;
    for (let index = 0; index < tags.length && !found; index += 1) found = matcher.test(tags[index]!) === wanted;
    if (!found) return false;
  }
  return true;
}

export function harborPolicy(rules: readonly HarborRule[]): RetentionPolicy {
  const compiled = rules.map((rule) => ({
    rule,
    tagMatchers: rule.tags.map((tag): TagMatcher => ({ ...tag, test: compileUserGlob(tag.pattern) })),
    repositoryMatchers: rule.repositories.map((repository) => ({ ...repository, test: compileUserGlob(repository.pattern) })),
  }));
  return {
    format: 'harbor',
    summary: rules.map(describe),
    evaluate(inventory: RepositoryInventory, now: number): PolicyVerdict[] {
      const { artifacts } = inventory;
      const name = harborRepositoryName(inventory.repository);
      const covering = compiled.map((entry, index) => ({ ...entry, index })).filter(({ repositoryMatchers }) => repositoryMatchers.length > 0 && repositoryMatchers.every((matcher) => (matcher.decoration === 'repoMatches') === matcher.test(name)));
      if (covering.length === 0) return artifacts.map(() => UNCOVERED);
      const verdicts = artifacts.map(() => NOT_RETAINED);
      // The first covering rule that retains an artifact says why.
      const retained = new Uint8Array(artifacts.length);
      const selected = new Uint8Array(artifacts.length);
      for (const { rule, tagMatchers, index } of covering) {
        for (let position = 0; position < artifacts.length; position += 1) selected[position] = selectsTags(tagMatchers, artifacts[position]!.tags) ? 1 : 0;
        const latest = rule.template === 'latestPushedK' ? new Set(newest(artifacts.filter((_, position) => selected[position] === 1), rule.count!)) : undefined;
        const why = describe(rule, index) + (rule.template === 'latestPulledN' || rule.template === 'nDaysSinceLastPull' ? ' (pull times are not visible: retains all it selects)' : '');
        const retains: PolicyVerdict = { action: 'keep', rule: why };
        const retainsUndated: PolicyVerdict = rule.template === 'always' ? retains : { action: 'keep', rule: `${why}, age unknown` };
        for (let position = 0; position < artifacts.length; position += 1) {
          if (retained[position] || !selected[position]) continue;
          const artifact = artifacts[position]!;
          if (artifact.created === undefined) verdicts[position] = retainsUndated;
          else if (latest ? latest.has(artifact) : rule.template !== 'nDaysSinceLastPush' || now - artifact.created <= rule.count! * DAY_MS) verdicts[position] = retains;
          else continue;
          retained[position] = 1;
        }
      }
      return verdicts;
    },
  };
}
