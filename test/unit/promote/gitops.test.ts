import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { applyReferenceUpdates, planReferenceUpdates } from '../../../src/core/promote/gitops';
import type { PromotedImage } from '../../../src/core/promote/gitops';
import { gitDevTag, semverAliases, timestampTag } from '../../../src/core/promote/tagHelpers';
import { dedent } from '../../helpers';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const PROMOTED: PromotedImage = { reference: `registry.example.com/prod/api:1.2.3@${DIGEST}`, source: 'registry.example.com/staging/api:1.2.3' };

/** The plan, and the text with only the updates that need no confirmation (what `--update-manifests` alone writes). */
function point(path: string, text: string, promoted: PromotedImage = PROMOTED) {
  const plan = planReferenceUpdates(path, text, promoted);
  return { ...plan, text: applyReferenceUpdates(text, plan.updates.filter((update) => !update.concern)) };
}

const summary = (plan: ReturnType<typeof point>) => ({
  updates: plan.updates.map((update) => `${update.line} ${update.from} → ${update.to}${update.concern ? ` [${update.concern.kind}]` : ''}`),
  skipped: plan.skipped.map((reference) => `${reference.line} ${reference.from}: ${reference.reason}`),
});

describe('GitOps: which references a promotion may move', () => {
  it('promoting the older demo/app:1.4.1 to prod/app touches no manifest deploying prod/app:1.4.2, no demo/app reference and no Helm `repository: demo/app` map', () => {
    const promoted: PromotedImage = { reference: `registry.example.com/prod/app:1.4.1@${DIGEST}`, source: 'registry.example.com/demo/app:1.4.1' };
    const deployment = dedent(`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: app}
      spec:
        template:
          spec:
            containers:
              - name: app
                image: registry.example.com/prod/app:1.4.2
              - name: canary
                image: registry.example.com/demo/app:1.4.2
              - name: old
                image: registry.example.com/demo/app:1.4.1
    `);
    const values = dedent(`
      image:
        repository: demo/app
        tag: 1.4.0
      demo:
        image:
          registry: registry.example.com
          repository: demo/app
          tag: 1.4.2
    `);
    const kustomization = 'kind: Kustomization\nimages:\n  - name: app\n    newName: registry.example.com/prod/app\n    newTag: "1.4.2"\n';
    const plans = { deployment: point('deploy/deployment.yaml', deployment, promoted), values: point('charts/app/values.yaml', values, promoted), kustomization: point('deploy/kustomization.yaml', kustomization, promoted) };
    assert.equal(plans.deployment.text, deployment);
    assert.equal(plans.values.text, values);
    assert.equal(plans.kustomization.text, kustomization);
    assert.deepEqual(summary(plans.deployment), {
      updates: [
        `9 registry.example.com/prod/app:1.4.2 → registry.example.com/prod/app:1.4.1@${DIGEST} [older]`,
        `13 registry.example.com/demo/app:1.4.1 → registry.example.com/prod/app:1.4.1@${DIGEST} [other-repository]`,
      ],
      skipped: ['11 registry.example.com/demo/app:1.4.2: another image of registry.example.com/demo/app than the promoted one'],
    });
    assert.equal(plans.deployment.updates[0]!.concern!.reason, '1.4.1 is older than 1.4.2');
    // `repository: demo/app` without a registry is Docker Hub's demo/app: not related at all.
    assert.deepEqual(summary(plans.values), { updates: [], skipped: ['8 registry.example.com/demo/app:1.4.2: another image of registry.example.com/demo/app than the promoted one'] });
    assert.deepEqual(summary(plans.kustomization).updates, [`5 registry.example.com/prod/app:1.4.2 → registry.example.com/prod/app:1.4.1@${DIGEST} [older]`]);
  });

  it('moves references to the target repository to a newer version, keeping how the host is written, comments and other images', () => {
    const promoted: PromotedImage = { reference: `localhost:5000/prod/api:1.2.3@${DIGEST}`, source: 'localhost:5000/staging/api:1.2.3' };
    const text = dedent(`
      apiVersion: v1
      kind: Pod
      metadata: {name: api}
      spec:
        containers:
          - name: api   # the service
            image: 127.0.0.1:5000/prod/api:1.2.2 # bumped by CI
          - name: sidecar
            image: envoyproxy/envoy:v1.30.1
        initContainers:
          - name: migrate
            image: "localhost:5000/prod/api:v1.2.0"
    `);
    const result = point('deploy/pod.yaml', text, promoted);
    assert.equal(result.text, text
      .replace('127.0.0.1:5000/prod/api:1.2.2 #', `127.0.0.1:5000/prod/api:1.2.3@${DIGEST} #`)
      .replace('"localhost:5000/prod/api:v1.2.0"', `"localhost:5000/prod/api:1.2.3@${DIGEST}"`));
    assert.deepEqual(result.updates.map((update) => [update.line, update.from, update.text]), [
      [7, '127.0.0.1:5000/prod/api:1.2.2', `127.0.0.1:5000/prod/api:1.2.3@${DIGEST}`],
      [12, 'localhost:5000/prod/api:v1.2.0', `localhost:5000/prod/api:1.2.3@${DIGEST}`],
    ]);
  });

  it('a tag that is not SemVer, or a bare digest, is not known to be older: it needs a yes', () => {
    const other = `sha256:${'cd'.repeat(32)}`;
    const compose = `services:\n  a:\n    image: registry.example.com/prod/api:latest\n  b:\n    image: registry.example.com/prod/api:main-3f2a1bc\n  c:\n    image: registry.example.com/prod/api@${other}\n  d:\n    image: registry.example.com/prod/api:1.2.3@${other}\n  e:\n    image: registry.example.com/prod/api@${DIGEST}\n`;
    const result = point('compose.yaml', compose);
    assert.deepEqual(result.updates.map((update) => `${update.line} ${update.concern?.kind ?? 'safe'}`), ['3 not-known-newer', '5 not-known-newer', '7 not-known-newer', '9 safe', '11 safe']);
    assert.equal(result.updates[0]!.concern!.reason, '1.2.3 is not known to be newer than latest (only SemVer tags compare)');
  });

  it('rewrites Dockerfile FROM lines, and lists a reference built from a variable as left', () => {
    const dockerfile = 'ARG BASE=registry.example.com/prod/api:1.2.0\nFROM registry.example.com/prod/api:1.2.2 AS base\nFROM ${BASE}\nRUN true\n';
    const result = point('Dockerfile', dockerfile);
    assert.equal(result.text, dockerfile.replace('FROM registry.example.com/prod/api:1.2.2', `FROM registry.example.com/prod/api:1.2.3@${DIGEST}`));
    assert.deepEqual(summary(result).skipped, ['3 ${BASE}: written with variables (registry.example.com/prod/api:1.2.0): change it where the value is set']);
  });

  it('Kustomize images[]: one update per entry; the promoted source moves (newName added) only as a confirmed update', () => {
    const text = dedent(`
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      images:
        # promoted by Artifact Steward
        - name: registry.example.com/prod/api
          newTag: "1.2.2"   # was 1.2.2
        - name: registry.example.com/staging/api
          newTag: 1.2.3
        - {name: api, newName: registry.example.com/prod/api, newTag: 1.2.2}
        - name: postgres
          newTag: "16.3"
    `);
    const plan = planReferenceUpdates('overlays/prod/kustomization.yaml', text, PROMOTED);
    assert.deepEqual(plan.updates.map((update) => `${update.line} ${update.concern?.kind ?? 'safe'}`), ['6 safe', '8 other-repository', '9 safe']);
    assert.equal(applyReferenceUpdates(text, plan.updates), dedent(`
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      images:
        # promoted by Artifact Steward
        - name: registry.example.com/prod/api
          newTag: "1.2.3"   # was 1.2.2
          digest: ${DIGEST}
        - name: registry.example.com/staging/api
          newTag: 1.2.3
          newName: registry.example.com/prod/api
          digest: ${DIGEST}
        - {name: api, newName: registry.example.com/prod/api, newTag: 1.2.3, digest: ${DIGEST}}
        - name: postgres
          newTag: "16.3"
    `));
  });

  it('a Helm override layered over the chart\'s values.yaml: its maps take the base\'s repository, only its own lines change (a digest key added where the base has one)', () => {
    const base = dedent(`
      image: {registry: registry.example.com, repository: prod/api, tag: 1.0.0, digest: ""}
      worker:
        image: {repository: registry.example.com/prod/api, tag: 1.0.0}
      jobs:
        - image: {repository: registry.example.com/prod/api, tag: 1.0.0}
      other:
        image: {repository: bitnami/redis, tag: 7.2.5}
    `);
    const override = dedent(`
      image:
        tag: 1.2.2 # prod
      worker:
        image:
          tag: "1.2.2"
      jobs:
        - image: {tag: 1.2.2}
      other:
        image: {tag: 7.2.6}
    `);
    const plan = planReferenceUpdates('charts/api/values-prod.yaml', override, PROMOTED, base);
    assert.deepEqual(plan.updates.map((update) => `${update.line} ${update.from} → ${update.to}`), [
      `2 registry.example.com/prod/api:1.2.2 → registry.example.com/prod/api:1.2.3@${DIGEST}`,
      `5 registry.example.com/prod/api:1.2.2 → registry.example.com/prod/api:1.2.3@${DIGEST}`,
    ], 'a list replaces the base\'s whole (no repository there), another image stays');
    assert.equal(applyReferenceUpdates(override, plan.updates), dedent(`
      image:
        tag: 1.2.3 # prod
        digest: ${DIGEST}
      worker:
        image:
          tag: "1.2.3@${DIGEST}"
      jobs:
        - image: {tag: 1.2.2}
      other:
        image: {tag: 7.2.6}
    `));
    assert.deepEqual(planReferenceUpdates('charts/api/values-prod.yaml', override, PROMOTED).updates, [], 'without its base the override names no repository');
  });

  it('Helm image maps: a digest key where the chart has one, else tag@digest; the source map is renamed only when confirmed', () => {
    const text = dedent(`
      image:
        registry: registry.example.com
        repository: prod/api
        tag: 1.2.2
        digest: ""
      worker:
        image:
          repository: registry.example.com/prod/api   # same image, another key layout
          tag: '1.2.2'
      staging:
        image: {registry: registry.example.com, repository: staging/api, tag: 1.2.3}
      other:
        image: {repository: bitnami/redis, tag: 7.2.5}
    `);
    const plan = planReferenceUpdates('charts/api/values.yaml', text, PROMOTED);
    assert.deepEqual(plan.updates.map((update) => `${update.line} ${update.concern?.kind ?? 'safe'}`), ['4 safe', '9 safe', '11 other-repository']);
    assert.equal(applyReferenceUpdates(text, plan.updates), dedent(`
      image:
        registry: registry.example.com
        repository: prod/api
        tag: 1.2.3
        digest: "${DIGEST}"
      worker:
        image:
          repository: registry.example.com/prod/api   # same image, another key layout
          tag: '1.2.3@${DIGEST}'
      staging:
        image: {registry: registry.example.com, repository: prod/api, tag: 1.2.3@${DIGEST}}
      other:
        image: {repository: bitnami/redis, tag: 7.2.5}
    `));
  });

  it('quotes a new tag that YAML would read as a number, and leaves files without the image as they are', () => {
    const helm = 'image:\n  repository: registry.example.com/prod/api\n  tag: 1.10\n  digest: ""\n';
    const numeric = point('values.yaml', helm, { reference: `registry.example.com/prod/api:1.20@${DIGEST}`, source: 'registry.example.com/staging/api:1.20' });
    assert.equal(numeric.updates[0]!.concern?.kind, 'not-known-newer', '1.10 and 1.20 are not SemVer');
    assert.match(applyReferenceUpdates(helm, numeric.updates), /tag: "1\.20"/);
    const unrelated = 'services:\n  web:\n    image: nginx:1.27.0\n';
    assert.deepEqual(point('compose.yaml', unrelated), { updates: [], skipped: [], text: unrelated });
  });
});

describe('tag helpers', () => {
  it('derives SemVer aliases, timestamped tags and git dev tags', () => {
    assert.deepEqual(semverAliases('v1.2.3'), ['v1.2', 'v1']);
    assert.deepEqual(semverAliases('1.2.3'), ['1.2', '1']);
    assert.deepEqual(semverAliases('1.2.3-rc.1'), []);
    assert.deepEqual(semverAliases('latest'), []);
    assert.equal(timestampTag('v1.2.3', new Date('2024-03-01T00:00:00Z')), 'v1.2.3-1709251200');
    assert.equal(gitDevTag('feature/Login Page', '3f2a1bc9d8e7'), 'feature-login-page-3f2a1bc');
  });
});
