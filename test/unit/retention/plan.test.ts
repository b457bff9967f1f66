import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { toEcrPolicy, toGarPolicies } from '../../../src/core/retention/export';
import { planRepository } from '../../../src/core/retention/plan';
import { NO_PROTECTION, referencesIn } from '../../../src/core/retention/protection';
import type { Protection } from '../../../src/core/retention/protection';
import { policyFrom, readPolicyFile } from '../../../src/core/retention/policyFile';
import { readStewardRetention } from '../../../src/core/retention/policies/steward';
import { dedent, REPO_ROOT } from '../../helpers';
import { actions, digestOf, inventory, NOW } from './inventoryTable';
import type { Row } from './inventoryTable';

const ECR_ANY_KEEP_1 = policyFrom({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }, 'ecr.json');

function plan(rows: readonly Row[], protection: Protection = NO_PROTECTION, policy = ECR_ANY_KEEP_1) {
  const result = planRepository(inventory(rows), policy, protection, NOW);
  const item = (name: string) => result.items.find((candidate) => candidate.digest === digestOf(name))!;
  return { result, item, actions: actions(rows, new Map(result.items.map((candidate) => [candidate.digest, candidate]))) };
}

describe('Retention plan: protection', () => {
  it('keeps what the workspace references, by tag or by digest, and says where', () => {
    const { references } = referencesIn('deploy/app.yaml', dedent(`
      apiVersion: v1
      kind: Pod
      metadata: {name: app}
      spec:
        containers:
          - name: app
            image: registry.test/team/app:v1
          - name: pinned
            image: registry.test/team/app@${digestOf('v2')}
          - name: elsewhere
            image: registry.test/other/app:v3
    `));
    const { actions: got, item } = plan([{ name: 'v1', tags: ['v1'], days: 30 }, { name: 'v2', tags: ['v2'], days: 20 }, { name: 'v3', tags: ['v3'], days: 10 }, { name: 'v4', tags: ['v4'], days: 1 }], { references, unreadable: [], immutableTags: () => [] });
    assert.deepEqual(got, { v1: 'keep', v2: 'keep', v3: 'delete', v4: 'keep' });
    assert.equal(item('v1').because, 'the workspace uses it (deploy/app.yaml:7)');
    assert.equal(item('v2').because, 'the workspace uses it (deploy/app.yaml:9)');
    assert.equal(item('v1').policy.action, 'delete', 'the plan still says what the registry would do');
  });

  it('keeps immutable tags', () => {
    const { actions: got, item } = plan([{ name: 'v1', tags: ['v1.0.0'], days: 30 }, { name: 'dev', tags: ['dev'], days: 20 }, { name: 'new', tags: ['new'], days: 1 }], { references: [], unreadable: [], immutableTags: (registry, repository) => (registry === 'registry.test' && repository === 'team/app' ? ['v*'] : []) });
    assert.deepEqual(got, { v1: 'keep', dev: 'delete', new: 'keep' });
    assert.equal(item('v1').because, 'tag v1.0.0 is immutable (v*)');
  });

  it('keeps the platforms of a kept index, and deletes those only deleted indexes use', () => {
    const rows: Row[] = [
      { name: 'old-index', tags: ['old'], days: 30, children: ['old-amd64', 'shared-arm64'] },
      { name: 'old-amd64', role: 'child', days: 30 },
      { name: 'shared-arm64', role: 'child', days: 30 },
      { name: 'new-index', tags: ['new'], days: 1, children: ['new-amd64', 'shared-arm64'] },
      { name: 'new-amd64', role: 'child', days: 1 },
    ];
    // ECR would rank the untagged platforms too (any, more than 1): the plan keeps those a kept index uses.
    const { actions: got, item } = plan(rows);
    assert.deepEqual(got, { 'old-index': 'delete', 'old-amd64': 'delete', 'shared-arm64': 'keep', 'new-index': 'keep', 'new-amd64': 'keep' });
    assert.match(item('shared-arm64').because ?? '', /a platform of the kept index/);
    assert.equal(item('old-amd64').because, 'a platform of a deleted index, used by no kept one');
  });

  it('attachments follow their subject both ways', () => {
    const rows: Row[] = [
      { name: 'old', tags: ['old'], days: 30 },
      { name: 'old-sig', tags: [`${digestOf('old').replace(':', '-')}.sig`], subject: 'old', days: 0.5 },
      { name: 'new', tags: ['new'], days: 10 },
      { name: 'new-sbom', subject: 'new', days: 20 },
      { name: 'new-fallback', tags: [digestOf('new').replace(':', '-')], subject: 'new', role: 'referrers-index', days: 20 },
    ];
    const policy = policyFrom({ rules: [
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['old'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } },
      { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } },
    ] }, 'ecr.json');
    const { actions: got, item } = plan(rows, NO_PROTECTION, policy);
    // ECR alone would expire the old image but keep its signature, and expire the untagged SBOM of the kept image.
    assert.deepEqual(got, { old: 'delete', 'old-sig': 'delete', new: 'keep', 'new-sbom': 'keep', 'new-fallback': 'keep' });
    assert.equal(item('old-sig').policy.action, 'keep');
    assert.equal(item('new-sbom').policy.action, 'delete');
    assert.match(item('old-sig').because!, /attached to sha256:\w+, which is deleted/);
    assert.match(item('new-sbom').because!, /attached to the kept/);
  });

  it('counts reclaimable bytes only for blobs no kept artifact shares', () => {
    const { result, item } = plan([{ name: 'old', tags: ['old'], days: 30, layers: ['base', 'old-app'] }, { name: 'new', tags: ['new'], days: 1, layers: ['base', 'new-app'] }]);
    assert.equal(item('old').reclaimableBytes, 500 + 1000, 'its manifest and its own layer; the base layer stays');
    assert.equal(result.reclaimableBytes, 1500);
    assert.equal(result.deletes, 1);
  });
});

describe('Retention export: the same intent in ECR and GAR JSON', () => {
  const retention = readStewardRetention({ rules: [{ tags: ['v*'], keepLast: 2 }, { tags: ['pr-*'], keepDays: 7 }, { tags: ['release-*'], always: true }], untagged: 'keep' }, '.steward.yaml');
  const rows: Row[] = [
    { name: 'v1', tags: ['v1'], days: 50 }, { name: 'v2', tags: ['v2'], days: 40 }, { name: 'v3', tags: ['v3'], days: 30 },
    { name: 'pr1', tags: ['pr-1'], days: 9 }, { name: 'pr2', tags: ['pr-2'], days: 2 },
    { name: 'rel', tags: ['release-1'], days: 500 }, { name: 'other', tags: ['nightly'], days: 90 },
  ];
  const ownPlan = plan(rows, NO_PROTECTION, policyFrom({ retention }, '.steward.yaml')).actions;

  it('ECR: always rules shield first, one rule per pattern, and the plan is the same', () => {
    const exported = toEcrPolicy(retention);
    assert.deepEqual((exported.policy as { rules: unknown[] }).rules, [
      { rulePriority: 1, description: 'steward rule 3: release-* (always kept)', selection: { tagStatus: 'tagged', tagPrefixList: ['release-'], countType: 'imageCountMoreThan', countNumber: 100000 }, action: { type: 'expire' } },
      { rulePriority: 2, description: 'steward rule 1: v*', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
      { rulePriority: 3, description: 'steward rule 2: pr-*', selection: { tagStatus: 'tagged', tagPrefixList: ['pr-'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } },
    ]);
    assert.deepEqual(plan(rows, NO_PROTECTION, policyFrom(exported.policy, 'exported.json')).actions, ownPlan);
    assert.deepEqual(ownPlan, { v1: 'delete', v2: 'keep', v3: 'keep', pr1: 'delete', pr2: 'keep', rel: 'keep', other: 'keep' });
  });

  it('GAR: one Delete for the named tags, Keep policies for what the rules keep; inexact parts are noted and err on keeping', () => {
    const exported = toGarPolicies(retention);
    const garPlan = plan(rows, NO_PROTECTION, policyFrom(exported.policy, 'exported.json')).actions;
    // GAR cannot keep "the last 2 v* tags": it keeps every v* tag, and says so.
    assert.deepEqual(garPlan, { ...ownPlan, v1: 'keep' });
    assert.ok(exported.notes.some((note) => /every tag with prefix v is kept instead of the last 2/.test(note)));
    assert.deepEqual((exported.policy as { name: string }[]).map((policy) => policy.name), ['steward-expire', 'steward-rule-1', 'steward-rule-2', 'steward-rule-3']);
  });

  it('says what does not translate: regular expressions, ECR untagged timing', () => {
    const special = readStewardRetention({ rules: [{ tags: ['/^v\\d+$/'], keepLast: 3 }], untagged: 'delete' }, '.steward.yaml');
    const ecr = toEcrPolicy(special);
    assert.ok(ecr.notes.some((note) => /ECR patterns only know "\*": "\/\^v\\d\+\$\/" was left out/.test(note)));
    assert.ok(ecr.notes.some((note) => /one day after their push/.test(note)));
    const gar = toGarPolicies(special);
    assert.deepEqual(gar.policy, [{ name: 'steward-untagged', action: { type: 'Delete' }, condition: { tagState: 'untagged' } }]);
  });
});

describe('the policies shipped in examples/', () => {
  const examples = join(REPO_ROOT, 'examples');
  for (const [file, format] of [['retention/ecr-lifecycle.json', 'ecr'], ['retention/gar-cleanup.json', 'gar'], ['retention/harbor-retention.json', 'harbor'], ['.steward.yaml', 'steward']] as const) {
    it(`${file} reads as ${format} and plans`, () => {
      const policy = readPolicyFile(readFileSync(join(examples, file), 'utf8'), file);
      assert.equal(policy.format, format);
      const result = planRepository(inventory([{ name: 'new', tags: ['1.0.0'], days: 1 }, { name: 'pr', tags: ['pr-7'], days: 60 }]), policy, NO_PROTECTION, NOW);
      assert.equal(result.items.find((item) => item.digest === digestOf('new'))!.action, 'keep');
    });
  }
});
