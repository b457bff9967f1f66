import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { pointManifestsAt } from '../../../src/core/promote/gitops';
import { gitDevTag, semverAliases, timestampTag } from '../../../src/core/promote/tagHelpers';
import { dedent } from '../../helpers';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const PROMOTED = `registry.example.com/prod/api:1.2.3@${DIGEST}`;
const MATCH = ['registry.example.com/staging/api', 'registry.example.com/prod/api'];

function point(path: string, text: string) {
  return pointManifestsAt(path, text, MATCH, PROMOTED);
}

describe('GitOps: pointing manifests at the promoted image', () => {
  it('rewrites Kubernetes image strings and keeps comments, other images and layout', () => {
    const text = dedent(`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api}
      spec:
        template:
          spec:
            containers:
              - name: api   # the service
                image: registry.example.com/staging/api:1.2.2 # bumped by CI
              - name: sidecar
                image: envoyproxy/envoy:v1.30.1
            initContainers:
              - name: migrate
                image: "registry.example.com/prod/api:1.2.0"
    `);
    const result = point('deploy/deployment.yaml', text);
    assert.equal(result.text, text
      .replace('registry.example.com/staging/api:1.2.2 #', `${PROMOTED} #`)
      .replace('"registry.example.com/prod/api:1.2.0"', `"${PROMOTED}"`));
    assert.deepEqual(result.changes.map((change) => [change.line, change.from]), [[9, 'registry.example.com/staging/api:1.2.2'], [14, 'registry.example.com/prod/api:1.2.0']]);
  });

  it('rewrites Compose services and Dockerfile FROM lines', () => {
    const compose = 'services:\n  api:\n    image: registry.example.com/staging/api:1.2.2\n  db:\n    image: postgres:16.3\n';
    assert.equal(point('compose.yaml', compose).text, compose.replace('registry.example.com/staging/api:1.2.2', PROMOTED));
    const dockerfile = 'FROM registry.example.com/prod/api:1.2.2 AS base\nRUN true\n';
    assert.equal(point('Dockerfile', dockerfile).text, `FROM ${PROMOTED} AS base\nRUN true\n`);
  });

  it('sets newName, newTag and digest of a Kustomize images entry, adding the keys it lacks', () => {
    const text = dedent(`
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources: [deployment.yaml]
      images:
        # promoted by Artifact Steward
        - name: registry.example.com/staging/api
          newTag: "1.2.2"   # was 1.2.2
        - name: postgres
          newTag: "16.3"
    `);
    const result = point('overlays/prod/kustomization.yaml', text);
    assert.equal(result.text, dedent(`
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources: [deployment.yaml]
      images:
        # promoted by Artifact Steward
        - name: registry.example.com/staging/api
          newTag: "1.2.3"   # was 1.2.2
          newName: registry.example.com/prod/api
          digest: ${DIGEST}
        - name: postgres
          newTag: "16.3"
    `));
  });

  it('updates a flow-style Kustomize entry that already points at the target', () => {
    const text = `kind: Kustomization\nimages:\n  - {name: api, newName: registry.example.com/prod/api, newTag: 1.2.2}\n`;
    assert.equal(point('kustomization.yaml', text).text, `kind: Kustomization\nimages:\n  - {name: api, newName: registry.example.com/prod/api, newTag: 1.2.3, digest: ${DIGEST}}\n`);
  });

  it('updates Helm image maps: registry and repository split, a digest key where the chart has one, else tag@digest', () => {
    const text = dedent(`
      image:
        registry: registry.example.com
        repository: staging/api
        tag: 1.2.2
        digest: ""
      worker:
        image:
          repository: registry.example.com/staging/api   # same image, another key layout
          tag: '1.2.2'
      other:
        image: {repository: bitnami/redis, tag: 7.2.5}
    `);
    assert.equal(point('charts/api/values.yaml', text).text, dedent(`
      image:
        registry: registry.example.com
        repository: prod/api
        tag: 1.2.3
        digest: "${DIGEST}"
      worker:
        image:
          repository: registry.example.com/prod/api   # same image, another key layout
          tag: '1.2.3@${DIGEST}'
      other:
        image: {repository: bitnami/redis, tag: 7.2.5}
    `));
  });

  it('quotes a new tag that YAML would read as a number, and leaves files without the image as they are', () => {
    const helm = 'image:\n  repository: registry.example.com/staging/api\n  tag: 1.2.2\n  digest: x\n';
    const numeric = pointManifestsAt('values.yaml', helm, MATCH, `registry.example.com/prod/api:1.20@${DIGEST}`);
    assert.match(numeric.text, /tag: "1\.20"/);
    const unrelated = 'services:\n  web:\n    image: nginx:1.27.0\n';
    assert.deepEqual(point('compose.yaml', unrelated), { text: unrelated, changes: [] });
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
