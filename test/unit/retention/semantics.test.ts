import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ecrPolicy, readEcrPolicy } from '../../../src/core/retention/policies/ecr';
import { garPolicy, readGarPolicies } from '../../../src/core/retention/policies/gar';
import { harborPolicy, readHarborPolicy } from '../../../src/core/retention/policies/harbor';
import { readStewardRetention, stewardPolicy } from '../../../src/core/retention/policies/steward';
import { policyFrom, readPolicyFile, sniffPolicyFormat } from '../../../src/core/retention/policyFile';
import { actions, digestOf, inventory, NOW } from './inventoryTable';
import type { Row } from './inventoryTable';
import type { RetentionPolicy } from '../../../src/core/retention/model';

interface Case {
  readonly name: string;
  readonly policy: unknown;
  readonly rows: readonly Row[];
  readonly expected: Record<string, 'keep' | 'delete'>;
  readonly repository?: string;
  /** Part of the deciding rule's words, per artifact. */
  readonly because?: Record<string, string>;
}

function runCases(language: string, build: (data: unknown) => RetentionPolicy, cases: readonly Case[]): void {
  describe(`${language} semantics`, () => {
    for (const testCase of cases) {
      it(testCase.name, () => {
        const evaluated = inventory(testCase.rows, testCase.repository);
        const list = build(testCase.policy).evaluate(evaluated, NOW);
        assert.equal(list.length, evaluated.artifacts.length, 'one verdict per artifact');
        const verdicts = new Map(evaluated.artifacts.map((artifact, position) => [artifact.digest, list[position]!]));
        assert.deepEqual(actions(testCase.rows, verdicts), testCase.expected);
        for (const [name, words] of Object.entries(testCase.because ?? {})) assert.match(verdicts.get(digestOf(name))!.rule, new RegExp(words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      });
    }
  });
}

const ecrRule = (rulePriority: number, selection: Record<string, unknown>) => ({ rulePriority, selection, action: { type: 'expire' } });

// The two worked examples of the ECR user guide ("Lifecycle policy examples"), then edge cases.
runCases('ECR lifecycle', (data) => ecrPolicy(readEcrPolicy(data, 'ecr.json')), [
  {
    name: 'all rules are evaluated, then applied by priority: an image a higher rule selects is not expired by a lower one',
    policy: { rules: [ecrRule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }), ecrRule(2, { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 })] },
    rows: [{ name: 'A', tags: ['beta-1', 'prod-1'], days: 10 }, { name: 'B', tags: ['beta-2', 'prod-2'], days: 9 }, { name: 'C', tags: ['beta-3'], days: 8 }],
    expected: { A: 'delete', B: 'keep', C: 'keep' },
    because: { A: 'ECR rule 1 (tagged with prefix prod, more than 1 image)', B: 'ECR rule 1' },
  },
  {
    name: 'several prefixes in one rule select only images carrying all of them',
    policy: { rules: [ecrRule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 5 })] },
    rows: [{ name: 'A', tags: ['alpha-1'], days: 12 }, { name: 'B', tags: ['beta-1'], days: 11 }, { name: 'C', tags: ['alpha-2', 'beta-2'], days: 10 }, { name: 'D', tags: ['alpha-3'], days: 4 }, { name: 'E', tags: ['beta-3'], days: 3 }, { name: 'F', tags: ['alpha-4', 'beta-4'], days: 2 }],
    expected: { A: 'keep', B: 'keep', C: 'delete', D: 'keep', E: 'keep', F: 'keep' },
  },
  {
    name: 'tag patterns are whole-tag wildcards; count ranks by age, newest kept',
    policy: { rules: [ecrRule(1, { tagStatus: 'tagged', tagPatternList: ['prod*release'], countType: 'imageCountMoreThan', countNumber: 2 })] },
    rows: [{ name: 'old', tags: ['prod-1-release'], days: 30 }, { name: 'mid', tags: ['prod-2-release'], days: 20 }, { name: 'new', tags: ['prod-3-release'], days: 10 }, { name: 'other', tags: ['prod-4-release-candidate'], days: 40 }],
    expected: { old: 'delete', mid: 'keep', new: 'keep', other: 'keep' },
    because: { other: 'no ECR rule selects it' },
  },
  {
    name: 'an image is expired by at most one rule, and untagged and any rules see what tagged rules left',
    policy: { rules: [ecrRule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 }), ecrRule(2, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }), ecrRule(3, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 })] },
    rows: [{ name: 'v1', tags: ['v1'], days: 50 }, { name: 'v2', tags: ['v2'], days: 40 }, { name: 'loose', days: 5 }, { name: 'dev1', tags: ['dev-1'], days: 30 }, { name: 'dev2', tags: ['dev-2'], days: 3 }, { name: 'dev3', tags: ['dev-3'], days: 2 }],
    // `any` ranks all six and keeps dev3, dev2, loose; of the rest v1 is already expired, v2 is rule 1's selection, dev1 is expired by rule 3.
    expected: { v1: 'delete', v2: 'keep', loose: 'delete', dev1: 'delete', dev2: 'keep', dev3: 'keep' },
    because: { v1: 'ECR rule 1', loose: 'ECR rule 2', dev1: 'ECR rule 3' },
  },
  {
    name: 'images of unknown age are never ranked nor expired',
    policy: { rules: [ecrRule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 })] },
    rows: [{ name: 'undated', tags: ['v0'] }, { name: 'v1', tags: ['v1'], days: 20 }, { name: 'v2', tags: ['v2'], days: 10 }],
    expected: { undated: 'keep', v1: 'delete', v2: 'keep' },
    because: { undated: 'age unknown' },
  },
]);

describe('ECR lifecycle policy checks', () => {
  const cases: [string, unknown, RegExp][] = [
    ['duplicate priorities', { rules: [ecrRule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }), ecrRule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 })] }, /rulePriority 1 is used twice/],
    ['any not last', { rules: [ecrRule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }), ecrRule(2, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 })] }, /"any" \(priority 1\) must have the highest rulePriority/],
    ['two untagged rules', { rules: [ecrRule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }), ecrRule(2, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 2 })] }, /only one rule may select untagged/],
    ['tagged without a list', { rules: [ecrRule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })] }, /rules\[0\]\.selection: tagStatus "tagged" needs tagPrefixList or tagPatternList/],
    ['days without a unit', { rules: [ecrRule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 1 })] }, /rules\[0\]\.selection\.countUnit: must be "days"/],
    ['five wildcards', { rules: [ecrRule(1, { tagStatus: 'tagged', tagPatternList: ['*a*b*c*d*'], countType: 'imageCountMoreThan', countNumber: 1 })] }, /at most 4 wildcards/],
    ['a count of zero', { rules: [ecrRule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 0 })] }, /countNumber: must be a whole number ≥ 1/],
  ];
  for (const [name, data, message] of cases) it(`refuses ${name}, naming the file and the field`, () => assert.throws(() => readEcrPolicy(data, 'ecr.json'), (error: Error) => /^ecr\.json: /.test(error.message) && message.test(error.message)));
});

runCases('Artifact Registry cleanup', (data) => garPolicy(readGarPolicies(data, 'gar.json')), [
  {
    name: 'Keep beats Delete',
    policy: [{ name: 'old', action: { type: 'Delete' }, condition: { tagState: 'any', olderThan: '30d' } }, { name: 'releases', action: { type: 'Keep' }, condition: { tagState: 'tagged', tagPrefixes: ['v'] } }],
    rows: [{ name: 'v1', tags: ['v1'], days: 90 }, { name: 'pr1', tags: ['pr-1'], days: 60 }, { name: 'pr2', tags: ['pr-2'], days: 10 }],
    expected: { v1: 'keep', pr1: 'delete', pr2: 'keep' },
    because: { v1: 'GAR Keep policy "releases" wins over GAR Delete policy "old"', pr1: 'GAR Delete policy "old"', pr2: 'no GAR policy matches it' },
  },
  {
    name: 'mostRecentVersions keeps the newest N of the package whatever their tags',
    policy: [{ name: 'all', action: { type: 'Delete' }, condition: { tagState: 'any' } }, { name: 'recent', action: { type: 'Keep' }, mostRecentVersions: { keepCount: 2 } }],
    rows: [{ name: 'a', tags: ['a'], days: 4 }, { name: 'b', days: 3 }, { name: 'c', tags: ['c'], days: 2 }, { name: 'd', tags: ['d'], days: 1 }],
    expected: { a: 'delete', b: 'delete', c: 'keep', d: 'keep' },
  },
  {
    name: 'prefixes within a list are ORed, conditions ANDed; package prefixes match the repository path',
    repository: 'web/frontend',
    policy: [{ name: 'dev', action: { type: 'Delete' }, condition: { tagState: 'tagged', tagPrefixes: ['dev-', 'pr-'], packageNamePrefixes: ['web/'], olderThan: '7d' } }, { name: 'elsewhere', action: { type: 'Delete' }, condition: { tagState: 'any', packageNamePrefixes: ['mobile/'] } }],
    rows: [{ name: 'dev', tags: ['dev-1'], days: 8 }, { name: 'pr', tags: ['pr-3'], days: 9 }, { name: 'young', tags: ['pr-4'], days: 2 }, { name: 'rel', tags: ['1.0'], days: 100 }],
    expected: { dev: 'delete', pr: 'delete', young: 'keep', rel: 'keep' },
  },
  {
    name: 'untagged versions and version-name (digest) prefixes',
    policy: [{ name: 'untagged', action: { type: 'Delete' }, condition: { tagState: 'untagged' } }, { name: 'pinned', action: { type: 'Keep' }, condition: { versionNamePrefixes: [digestOf('keep-me').slice(0, 15)] } }],
    rows: [{ name: 'loose', days: 3 }, { name: 'keep-me', days: 3 }, { name: 'tagged', tags: ['x'], days: 3 }],
    expected: { loose: 'delete', 'keep-me': 'keep', tagged: 'keep' },
  },
  {
    name: 'unknown ages never satisfy an age condition of a Delete and always satisfy one of a Keep',
    policy: [{ name: 'old', action: { type: 'Delete' }, condition: { tagState: 'any', olderThan: '1d' } }, { name: 'fresh', action: { type: 'Keep' }, condition: { newerThan: '1d' } }, { name: 'all', action: { type: 'Delete' }, condition: { tagState: 'tagged', tagPrefixes: ['tmp'] } }],
    rows: [{ name: 'undated-old', tags: ['keep'] }, { name: 'undated-tmp', tags: ['tmp-1'] }, { name: 'dated', tags: ['keep-2'], days: 5 }],
    expected: { 'undated-old': 'keep', 'undated-tmp': 'keep', dated: 'delete' },
    because: { 'undated-tmp': 'age unknown' },
  },
]);

describe('Artifact Registry policy checks', () => {
  it('reads the API map form as well as the gcloud list', () => {
    const policy = policyFrom({ cleanupPolicies: { 'drop-all': { id: 'drop-all', action: { type: 'Delete' }, condition: { tagState: 'any' } } } }, 'gar.json');
    assert.equal(policy.format, 'gar');
    assert.deepEqual(policy.summary, ['GAR Delete policy "drop-all"']);
  });
  for (const [name, data, message] of [
    ['mostRecentVersions in a Delete policy', [{ name: 'x', action: { type: 'Delete' }, mostRecentVersions: { keepCount: 1 } }], /\[0\]\.mostRecentVersions: is only allowed in a Keep policy/],
    ['a duration without a unit', [{ name: 'x', action: { type: 'Delete' }, condition: { olderThan: '30' } }], /\[0\]\.condition\.olderThan: must be a duration/],
    ['tag prefixes without tagState tagged', [{ name: 'x', action: { type: 'Delete' }, condition: { tagPrefixes: ['v'] } }], /needs tagState "tagged"/],
  ] as [string, unknown, RegExp][]) it(`refuses ${name}`, () => assert.throws(() => readGarPolicies(data, 'gar.json'), message));
});

const harborRule = (template: string, count: number | undefined, tagPattern: string, options: { decoration?: string; untagged?: boolean; repository?: string; repoDecoration?: string } = {}) => ({
  disabled: false, action: 'retain', template, params: count === undefined ? {} : { [template]: count },
  tag_selectors: [{ kind: 'doublestar', decoration: options.decoration ?? 'matches', pattern: tagPattern, extras: JSON.stringify({ untagged: options.untagged ?? false }) }],
  scope_selectors: { repository: [{ kind: 'doublestar', decoration: options.repoDecoration ?? 'repoMatches', pattern: options.repository ?? '**' }] },
});

runCases('Harbor retention', (data) => harborPolicy(readHarborPolicy(data, 'harbor.json')), [
  {
    name: 'latestPushedK retains the K newest it selects; whatever no rule retains is deleted',
    policy: { algorithm: 'or', rules: [harborRule('latestPushedK', 2, '**')] },
    rows: [{ name: 'a', tags: ['a'], days: 4 }, { name: 'b', tags: ['b'], days: 3 }, { name: 'c', tags: ['c'], days: 2 }, { name: 'd', tags: ['d'], days: 1 }],
    expected: { a: 'delete', b: 'delete', c: 'keep', d: 'keep' },
    because: { a: 'no Harbor rule retains it' },
  },
  {
    name: 'rules are ORed per artifact: one retained tag keeps the artifact and all its tags',
    policy: { rules: [harborRule('always', undefined, 'v*'), harborRule('latestPushedK', 1, 'dev-*')] },
    rows: [{ name: 'released', tags: ['dev-1', 'v1.0'], days: 30 }, { name: 'dev2', tags: ['dev-2'], days: 20 }, { name: 'dev3', tags: ['dev-3'], days: 10 }],
    expected: { released: 'keep', dev2: 'delete', dev3: 'keep' },
  },
  {
    name: 'repositories no rule covers are left alone; scope patterns match the name inside the project',
    repository: 'library/nginx',
    policy: { rules: [harborRule('latestPushedK', 0, '**', { repository: 'nginx', repoDecoration: 'repoExcludes' })] },
    rows: [{ name: 'a', tags: ['a'], days: 400 }],
    expected: { a: 'keep' },
    because: { a: 'no Harbor rule covers this repository' },
  },
  {
    name: 'excludes decoration, nDaysSinceLastPush, and untagged artifacts only with the untagged switch',
    policy: { rules: [harborRule('nDaysSinceLastPush', 7, 'tmp-*', { decoration: 'excludes' }), harborRule('always', undefined, 'nothing', { untagged: true })] },
    rows: [{ name: 'rel-old', tags: ['1.0'], days: 30 }, { name: 'rel-new', tags: ['1.1'], days: 3 }, { name: 'tmp', tags: ['tmp-1'], days: 1 }, { name: 'loose', days: 100 }],
    expected: { 'rel-old': 'delete', 'rel-new': 'keep', tmp: 'delete', loose: 'keep' },
  },
  {
    name: 'pull-based rules retain all they select (pull times are not visible) and unknown ages are retained',
    policy: { rules: [harborRule('nDaysSinceLastPull', 7, 'pulled-*'), harborRule('latestPushedK', 0, 'v*')] },
    rows: [{ name: 'pulled', tags: ['pulled-1'], days: 300 }, { name: 'undated', tags: ['v1'] }, { name: 'dated', tags: ['v2'], days: 2 }],
    expected: { pulled: 'keep', undated: 'keep', dated: 'delete' },
    because: { pulled: 'pull times are not visible' },
  },
]);

runCases('Steward retention (per tag)', (data) => stewardPolicy(readStewardRetention(data, '.steward.yaml')), [
  {
    name: 'keepLast keeps the newest N a rule names; a tag no rule names keeps its image',
    policy: { rules: [{ tags: ['v*'], keepLast: 2 }] },
    rows: [{ name: 'v1', tags: ['v1'], days: 40 }, { name: 'v2-stable', tags: ['stable', 'v2'], days: 30 }, { name: 'v3', tags: ['v3'], days: 20 }, { name: 'v4', tags: ['v4'], days: 10 }, { name: 'other', tags: ['nightly'], days: 400 }],
    expected: { v1: 'delete', 'v2-stable': 'keep', v3: 'keep', v4: 'keep', other: 'keep' },
    because: { 'v2-stable': 'no rule names tag stable', other: 'no rule names tag nightly' },
  },
  {
    name: 'keep-wins across rules; keepDays and keepLast are ORed; regular expressions',
    policy: { rules: [{ tags: ['/^pr-\\d+$/'], keepDays: 7 }, { tags: ['release-*'], always: true }, { tags: ['main-*'], keepLast: 1, keepDays: 5 }] },
    rows: [{ name: 'pr-old', tags: ['pr-1'], days: 8 }, { name: 'pr-new', tags: ['pr-2'], days: 6 }, { name: 'pr-released', tags: ['pr-3', 'release-3'], days: 90 }, { name: 'main-a', tags: ['main-a'], days: 3 }, { name: 'main-b', tags: ['main-b'], days: 2 }, { name: 'main-c', tags: ['main-c'], days: 9 }],
    expected: { 'pr-old': 'delete', 'pr-new': 'keep', 'pr-released': 'keep', 'main-a': 'keep', 'main-b': 'keep', 'main-c': 'delete' },
    because: { 'pr-released': 'rule 2 (release-*: keep always) keeps tag release-3' },
  },
  {
    name: 'untagged: delete; repository scopes',
    repository: 'prod/api',
    policy: { rules: [{ tags: ['*'], repositories: ['dev/**'], keepLast: 0 }], untagged: 'delete' },
    rows: [{ name: 'loose', days: 3 }, { name: 'tagged', tags: ['x'], days: 300 }],
    expected: { loose: 'delete', tagged: 'keep' },
  },
]);

describe('Steward retention checks and format sniffing', () => {
  it('names the rule and key of a mistake', () => {
    assert.throws(() => readStewardRetention({ rules: [{ tags: ['v*'] }] }, '.steward.yaml'), /retention\.rules\[0\]: needs keepLast, keepDays or always: true/);
    assert.throws(() => readStewardRetention({ rules: [{ tags: ['/(/'], keepLast: 1 }] }, '.steward.yaml'), /retention\.rules\[0\]\.tags\[0\]: is not a valid regular expression/);
    assert.throws(() => readStewardRetention({ rules: [{ tags: 'v*', keeplast: 1 }] }, '.steward.yaml'), /retention\.rules\[0\]\.keeplast: is not a known key/);
  });
  it('refuses patterns RE2 cannot run in linear time, negated and over-long globs, naming the field', () => {
    assert.throws(() => readStewardRetention({ rules: [{ tags: ['v*', '/(?<=v)1/'], keepLast: 1 }] }, '.steward.yaml'), /^PolicyError: \.steward\.yaml: retention\.rules\[0\]\.tags\[1\]: is not a valid regular expression for RE2.*lookbehind/);
    assert.throws(() => readStewardRetention({ rules: [{ tags: ['v*'], repositories: ['!prod/**'], keepLast: 1 }] }, '.steward.yaml'), /retention\.rules\[0\]\.repositories\[0\]: is a negated glob/);
    assert.throws(() => readHarborPolicy({ rules: [harborRule('always', undefined, 'x'.repeat(257))] }, 'harbor.json'), /^PolicyError: harbor\.json: rules\[0\]\.tag_selectors\[0\]\.pattern: is longer than 256 characters/);
    assert.throws(() => readHarborPolicy({ rules: [harborRule('always', undefined, '**', { repository: '!(nginx)' })] }, 'harbor.json'), /rules\[0\]\.scope_selectors\.repository\[0\]\.pattern: uses glob syntax that is not supported/);
  });
  // Bounded by the test's timeout: backtracking takes hours on this tag.
  it('a catastrophic tag regex decides a long tag at once', { timeout: 10_000 }, () => {
    const policy = stewardPolicy(readStewardRetention({ rules: [{ tags: ['/^(a|aa)+$/'], keepLast: 0 }] }, '.steward.yaml'));
    const verdicts = policy.evaluate(inventory([{ name: 'long', tags: [`${'a'.repeat(80)}b`], days: 1 }, { name: 'short', tags: ['aaa'], days: 1 }]), NOW);
    assert.deepEqual(verdicts.map((verdict) => verdict.action), ['keep', 'delete']);
  });
  it('sniffs each language from its shape and reports a syntax error with its position', () => {
    assert.equal(sniffPolicyFormat({ rules: [ecrRule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 })] }), 'ecr');
    assert.equal(sniffPolicyFormat([{ name: 'x', action: { type: 'Delete' } }]), 'gar');
    assert.equal(sniffPolicyFormat({ rules: [harborRule('always', undefined, '**')] }), 'harbor');
    assert.equal(sniffPolicyFormat({ retention: { rules: [] } }), 'steward');
    assert.equal(sniffPolicyFormat({ something: 'else' }), undefined);
    assert.throws(() => readPolicyFile('{"rules": [', 'broken.json'), /^PolicyError: broken\.json: line 1, column \d+: syntax error/);
    assert.throws(() => readPolicyFile('{"something": 1}', 'other.json'), /other\.json: is not a retention policy this tool reads/);
  });
});
