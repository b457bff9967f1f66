import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RegistryBackend } from '../../../src/core/registry/types';
import { applyRetention } from '../../../src/core/retention/apply';
import { planRepository } from '../../../src/core/retention/plan';
import type { RetentionPlan } from '../../../src/core/retention/plan';
import { NO_PROTECTION, referencesIn, scanWorkspace } from '../../../src/core/retention/protection';
import type { WorkspaceReference } from '../../../src/core/retention/protection';
import { policyFrom } from '../../../src/core/retention/policyFile';
import { dedent } from '../../helpers';
import { actions, inventory, NOW } from './inventoryTable';
import type { Row } from './inventoryTable';

// Deletes everything but the newest image, unless protection keeps it.
const ECR_ANY_KEEP_1 = policyFrom({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }, 'ecr.json');
const ROWS: Row[] = [{ name: 'v1', tags: ['v1'], days: 30 }, { name: 'v2', tags: ['v2'], days: 20 }, { name: 'new', tags: ['new'], days: 1 }];

function planned(references: readonly WorkspaceReference[], registry = 'registry.test') {
  return actions(ROWS, new Map(planRepository(inventory(ROWS, 'team/app', registry), ECR_ANY_KEEP_1, { references, unreadable: [], immutableTags: () => [] }, NOW).items.map((item) => [item.digest, item])));
}

const HELM_AND_LITERAL = dedent(`
  {{- if .Values.enabled }}
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: templated}
  spec:
    template:
      spec:
        containers:
          - name: app
            image: "{{ .Values.image }}"
  {{- end }}
  ---
  apiVersion: v1
  kind: Pod
  metadata: {name: literal}
  spec:
    containers:
      - name: app
        image: registry.test/team/app:v1
  ---
  # {% raw %} template syntax in a comment leaves the document plain YAML
  apiVersion: v1
  kind: Pod
  metadata: {name: jinja}
  spec:
    containers:
      - name: app
        image: registry.test/team/app:v2
`);

describe('Retention protection: every YAML document counts on its own', () => {
  it('a literal reference protects its image although another document of the file is a template', () => {
    const { references, problem } = referencesIn('chart/templates/all.yaml', HELM_AND_LITERAL);
    assert.deepEqual(references, [
      { registry: 'registry.test', repository: 'team/app', tag: 'v1', where: 'chart/templates/all.yaml:19' },
      { registry: 'registry.test', repository: 'team/app', tag: 'v2', where: 'chart/templates/all.yaml:28' },
    ]);
    assert.equal(problem, undefined, 'template documents are not parse errors');
    assert.deepEqual(planned(references), { v1: 'keep', v2: 'keep', new: 'keep' });
  });

  it('a document with a YAML syntax error is reported, and the other documents still protect', () => {
    const { references, problem } = referencesIn('deploy/app.yaml', dedent(`
      apiVersion: v1
      kind: Pod
      metadata: {name: broken
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: fine}
      spec:
        containers:
          - {name: app, image: registry.test/team/app:v2}
    `));
    assert.deepEqual(references, [{ registry: 'registry.test', repository: 'team/app', tag: 'v2', where: 'deploy/app.yaml:10' }]);
    assert.equal(problem, 'YAML syntax error: Flow map in block collection must be sufficiently indented and end with a } (line 4)');
  });
});

describe('Retention protection: registry hosts compared after normalisation', () => {
  // [host written in the workspace, registry as planned, protected?]
  const TABLE: [string, string, boolean][] = [
    ['localhost:5000', '127.0.0.1:5000', true],
    ['127.0.0.1:5000', 'localhost:5000', true],
    ['[::1]:5000', '127.0.0.1:5000', true],
    ['LOCALHOST:5000', '[::1]:5000', true],
    ['localhost:5001', '127.0.0.1:5000', false],
    ['localhost', '127.0.0.1:80', true],
    ['localhost:443', '127.0.0.1', true],
    ['127.0.0.2:5000', '127.0.0.1:5000', false],
    ['docker.io', 'registry-1.docker.io', true],
    ['index.docker.io', 'docker.io', true],
    ['Docker.IO', 'index.docker.io:443', true],
    ['registry.test:443', 'registry.test', true],
    ['Registry.Test', 'registry.test', true],
    ['registry.test:80', 'registry.test', false],
    ['registry.test:5000', 'registry.test', false],
    ['other.test', 'registry.test', false],
  ];
  for (const [written, registry, isProtected] of TABLE) {
    it(`${written}/team/app:v1 ${isProtected ? 'protects' : 'does not protect'} v1 planned on ${registry}`, () => {
      const references = [{ registry: written, repository: 'team/app', tag: 'v1', where: 'deploy/app.yaml:7' }];
      assert.equal(planned(references, registry).v1, isProtected ? 'keep' : 'delete');
    });
  }

  it('normalises the host written in a manifest too (parsed, then compared)', () => {
    const { references } = referencesIn('deploy/app.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - {name: app, image: "LocalHost:5000/team/app:v1"}\n');
    assert.deepEqual(planned(references, '127.0.0.1:5000'), { v1: 'keep', v2: 'delete', new: 'keep' });
  });
});

describe('Retention protection: files that cannot be read or parsed', () => {
  const root = mkdtempSync(join(tmpdir(), 'steward-protection-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('are listed with why, while every readable reference still counts', async () => {
    mkdirSync(join(root, 'deploy'));
    mkdirSync(join(root, 'chart'));
    writeFileSync(join(root, 'deploy', 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nspec: [unclosed, image\n');
    // Its text names no image, but whoever mends it may add one: a destructive apply counts it unreadable too.
    writeFileSync(join(root, 'deploy', 'settings.yaml'), 'data: [unclosed\n');
    symlinkSync(join(root, 'nowhere.yaml'), join(root, 'deploy', 'gone.yaml'));
    writeFileSync(join(root, 'chart', 'all.yaml'), HELM_AND_LITERAL);
    writeFileSync(join(root, 'Dockerfile'), 'FROM registry.test/team/app:v2\nRUN docker inspect --format "{{ .Id }}" x\n');
    const scan = await scanWorkspace([root]);
    assert.deepEqual(scan.references.map((reference) => `${reference.where} ${reference.tag}`).sort(), ['Dockerfile:1 v2', 'chart/all.yaml:19 v1', 'chart/all.yaml:28 v2']);
    assert.deepEqual(scan.unreadable, [
      { path: 'deploy/broken.yaml', reason: 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ] (line 4)' },
      { path: 'deploy/gone.yaml', reason: `cannot be read: ENOENT: no such file or directory, realpath '${join(root, 'deploy', 'gone.yaml')}'` },
      { path: 'deploy/settings.yaml', reason: 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ] (line 2)' },
    ]);
  });
});

describe('Retention apply: a plan with unreadable workspace files', () => {
  const unreadable = [{ path: 'deploy/broken.yaml', reason: 'YAML syntax error: x (line 2)' }];
  const plan = (repositories: RetentionPlan['repositories']): RetentionPlan => ({ format: 'ecr', policy: [], now: new Date(NOW).toISOString(), repositories, unreadable });

  it('is refused before any registry is touched, unless allowUnreadable', async () => {
    const doomed = planRepository(inventory(ROWS), ECR_ANY_KEEP_1, NO_PROTECTION, NOW);
    let opened = 0;
    const backendFor = (): RegistryBackend => {
      opened += 1;
      throw new Error('the registry was touched');
    };
    await assert.rejects(applyRetention(plan([doomed]), backendFor), { message: 'nothing deleted: 1 workspace file(s) could not be read or parsed, so the images they use are not protected: deploy/broken.yaml (YAML syntax error: x (line 2))' });
    assert.equal(opened, 0);
    await assert.rejects(applyRetention(plan([doomed]), backendFor, { allowUnreadable: true }), /the registry was touched/);
    assert.equal(opened, 1);
  });
});
