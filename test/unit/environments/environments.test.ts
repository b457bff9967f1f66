import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { environmentDeployments } from '../../../src/core/environments/deployments';
import { inferEnvironments, isRegistryAllowed, resolveEnvironments } from '../../../src/core/environments/environments';
import { ResolutionCache } from '../../../src/core/environments/status';
import { parseConfig } from '../../../src/core/lint/config';
import { OciLayoutRegistry } from '../../../src/core/registry/ociLayout';
import { dedent, hits, lint, REPO_ROOT } from '../../helpers';

const HOST = 'registry.example.com';

/** Every deployment as `environment reference file:line`. */
function deployed(environments: ReturnType<typeof resolveEnvironments>, files: Record<string, string>): { rows: string[]; problems: string[] } {
  const { deployments, problems } = environmentDeployments(environments, new Map(Object.entries(files)));
  return { rows: deployments.map((item) => `${item.environment} ${item.reference} ${item.file}:${item.line}`), problems: problems.map((problem) => `${problem.environment} ${problem.file}: ${problem.message}`) };
}

describe('environments: inferred from the layout', () => {
  it('finds overlays/<env>, deploy/<env>, environments/<env> and values-<env>.yaml, in promotion order, and says by which layouts', () => {
    const inferred = inferEnvironments([
      'k8s/base/kustomization.yaml', 'k8s/overlays/prod/kustomization.yaml', 'k8s/overlays/dev/kustomization.yaml', 'k8s/overlays/staging/kustomization.yaml',
      'chart/values.yaml', 'chart/values-staging.yaml', 'chart/values-canary.yml', 'deploy/qa/app.yaml', 'environments/production/app.yaml', 'overlays/staging',
    ]);
    assert.deepEqual(inferred.environments.map((environment) => [environment.name, environment.paths, environment.production, environment.inferred]), [
      ['dev', ['k8s/overlays/dev/**'], false, true],
      ['qa', ['deploy/qa/**'], false, true],
      ['staging', ['chart/values-staging.yaml', 'k8s/overlays/staging/**'], false, true],
      ['canary', ['chart/values-canary.yml'], false, true],
      ['prod', ['k8s/overlays/prod/**'], true, true],
      ['production', ['environments/production/**'], true, true],
    ]);
    assert.deepEqual(inferred.layouts, ['deploy/<env>', 'environments/<env>', 'overlays/<env>', 'values-<env>.yaml']);
    const staging = inferred.environments[2]!;
    assert.deepEqual(['k8s/overlays/staging/kustomization.yaml', 'chart/values-staging.yaml', 'k8s/overlays/prod/kustomization.yaml'].map(staging.contains), [true, true, false]);
  });

  it('a workspace without such a layout has none', () => {
    assert.deepEqual(inferEnvironments(['k8s/app.yaml', 'values.yaml', 'base/kustomization.yaml']), { environments: [], layouts: [] });
  });
});

describe('environments: allowed registries', () => {
  it('matches a host or host/namespace prefix at a / boundary, hosts normalised', () => {
    const allowed = (reference: string, prefixes: string[]) => {
      const [domain, ...path] = reference.split('/');
      return isRegistryAllowed({ domain: domain!, path: path.join('/') }, prefixes);
    };
    assert.equal(allowed(`${HOST}/prod/api`, [`${HOST}/prod/`]), true);
    assert.equal(allowed(`${HOST}/prod/team/api`, [`${HOST}/prod`]), true);
    assert.equal(allowed(`${HOST}/production/api`, [`${HOST}/prod`]), false, 'a prefix stops at a /');
    assert.equal(allowed(`${HOST}/staging/api`, [`${HOST}/prod/`]), false);
    assert.equal(allowed(`${HOST}/anything/api`, [HOST]), true, 'a host alone allows all of it');
    assert.equal(allowed('127.0.0.1:5000/team/api', ['localhost:5000/team/']), true, 'loopback spellings are one registry');
    assert.equal(allowed('REGISTRY.example.com/prod/api', [`${HOST}/prod/`]), true);
    assert.equal(allowed(`${HOST}:8443/prod/api`, [`${HOST}/prod/`]), false, 'another port is another registry');
  });
});

describe('environments: what each one deploys', () => {
  const environments = resolveEnvironments([{ name: 'staging', paths: ['overlays/staging/**'] }, { name: 'prod', paths: ['overlays/prod/**', 'prod/**'] }]);
  const deployment = (image: string, name = 'api') => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image}\n`;

  it('renders overlays over bases as kustomize does: images: from the innermost base out, a new tag or digest replacing both, newName', () => {
    const { rows, problems } = deployed(environments, {
      'base/kustomization.yaml': `resources: [deployment.yaml, worker.yaml]\nimages:\n  - name: api\n    newName: ${HOST}/team/api\n    newTag: "1.0"\n`,
      'base/deployment.yaml': deployment('api:0.1@sha256:' + 'a'.repeat(64)),
      'base/worker.yaml': deployment(`${HOST}/team/worker:1.0.0`, 'worker'),
      'components/pinned/kustomization.yaml': `resources:\n  - ../../base\nimages:\n  - name: ${HOST}/team/worker\n    digest: sha256:${'b'.repeat(64)}\n`,
      'overlays/staging/kustomization.yaml': `resources:\n  - ../../components/pinned\nimages:\n  - name: ${HOST}/team/api\n    newTag: 1.3.0\n`,
      'overlays/prod/kustomization.yaml': `bases:\n  - ../../base\n`,
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(rows, [
      `staging ${HOST}/team/api:1.3.0 overlays/staging/kustomization.yaml:5`,
      `staging ${HOST}/team/worker@sha256:${'b'.repeat(64)} components/pinned/kustomization.yaml:5`,
      `prod ${HOST}/team/api:1.0 base/kustomization.yaml:5`,
      `prod ${HOST}/team/worker:1.0.0 base/worker.yaml:9`,
    ]);
  });

  it('an environment\'s plain manifests count once, a kustomization its overlay includes renders only through it, and CI files are not deployments', () => {
    const { rows } = deployed(environments, {
      'overlays/prod/kustomization.yaml': 'resources: [app.yaml, ../prod/inner]\n',
      'overlays/prod/app.yaml': deployment(`${HOST}/team/api:2.0.0`),
      'overlays/prod/inner/kustomization.yaml': 'resources: [job.yaml]\n',
      'overlays/prod/inner/job.yaml': deployment(`${HOST}/team/job:1.0.0`, 'job'),
      'prod/compose.yaml': `services:\n  cache:\n    image: ${HOST}/team/cache:1.0.0\n`,
      'prod/values-prod.yaml': `image:\n  repository: ${HOST}/team/chart\n  tag: 3.1.0\n`,
      'prod/.gitlab-ci.yml': `image: ${HOST}/ci/runner:1\n`,
    });
    assert.deepEqual(rows, [
      `prod ${HOST}/team/api:2.0.0 overlays/prod/app.yaml:9`,
      `prod ${HOST}/team/job:1.0.0 overlays/prod/inner/job.yaml:9`,
      `prod ${HOST}/team/cache:1.0.0 prod/compose.yaml:3`,
      `prod ${HOST}/team/chart:3.1.0 prod/values-prod.yaml:3`,
    ]);
  });

  it('a values file that sets only a tag, with no values.yaml beside it, is named, not counted', () => {
    const { rows, problems } = deployed(environments, {
      'chart/values.yaml': `image:\n  repository: ${HOST}/team/chart\n  tag: 1.0.0\n`,
      'prod/values-prod.yaml': 'replicas: 3\nimage:\n  tag: 1.2.3\n',
    });
    assert.deepEqual(rows, []);
    assert.deepEqual(problems, ['prod prod/values-prod.yaml: line 2: image sets a tag or digest without a repository, and there is no values.yaml beside it to layer it over (as helm -f values.yaml -f values-prod.yaml would): not counted; write the repository here too']);
  });

  it('merges a values-<env>.yaml over the values.yaml of its folder as Helm does: the override\'s tag line decides, the rest of the chart\'s images count at their own lines', () => {
    const layered = resolveEnvironments([{ name: 'staging', paths: ['chart/values-staging.yaml'] }, { name: 'prod', paths: ['chart/values-prod.yaml', 'chart/values.yaml'] }]);
    const base = [
      'api:', '  image:', `    registry: ${HOST}`, '    repository: team/api', '    tag: 1.0.0', '    pullPolicy: IfNotPresent',
      'sidecar:', `  image: {repository: ${HOST}/team/sidecar, tag: "0.3"}`,
      'jobs:', '  - image: {repository: team/job, tag: "1"}', '',
    ].join('\n');
    const { deployments, problems } = environmentDeployments(layered, new Map(Object.entries({
      'chart/values.yaml': base,
      'chart/values-staging.yaml': 'api:\n  image:\n    tag: 1.3.0 # staging follows releases\nsidecar: null\njobs: []\n',
      'chart/values-prod.yaml': `api:\n  image:\n    digest: sha256:${'a'.repeat(64)}\n`,
    })));
    assert.deepEqual(problems, []);
    assert.deepEqual(deployments.map((item) => `${item.environment} ${item.reference} ${item.file}:${item.line}${item.layeredOver ? ` over ${item.layeredOver}` : ''}`), [
      `staging ${HOST}/team/api:1.3.0 chart/values-staging.yaml:3 over chart/values.yaml`,
      // prod's override sets a digest only: the base's tag line decides the tag, prod's file the digest.
      `prod ${HOST}/team/api:1.0.0@sha256:${'a'.repeat(64)} chart/values.yaml:5`,
      `prod ${HOST}/team/sidecar:0.3 chart/values.yaml:8`,
      'prod team/job:1 chart/values.yaml:10',
    ], 'staging: null deletes the sidecar, a list replaces the jobs; prod counts its own values.yaml once, through its override');
    assert.equal(deployments[0]!.origin, 'Helm value api.image (chart/values-staging.yaml over chart/values.yaml)');
  });

  it('names an image map that neither the override nor the values.yaml under it gives a repository', () => {
    const { rows, problems } = deployed(environments, {
      'prod/values.yaml': 'other:\n  image:\n    repository: team/other\n    tag: "1"\n',
      'prod/values-prod.yaml': 'api:\n  image:\n    tag: 1.2.3\n',
    });
    assert.deepEqual(rows, ['prod team/other:1 prod/values.yaml:4']);
    assert.deepEqual(problems, ['prod prod/values-prod.yaml: line 2: image sets a tag or digest without a repository, and neither prod/values-prod.yaml nor prod/values.yaml sets one: not counted']);
  });

  it('names what it cannot follow and goes on: a missing resource, a folder without kustomization, a remote base, a cycle, a syntax error', () => {
    const { rows, problems } = deployed(environments, {
      'overlays/staging/kustomization.yaml': 'resources:\n  - ../../missing.yaml\n  - ../../plain\n  - https://github.com/acme/base?ref=v1\n  - ../loop\n  - app.yaml\n',
      'overlays/staging/app.yaml': deployment(`${HOST}/team/api:1.0.0`),
      'plain/app.yaml': deployment(`${HOST}/team/other:1.0.0`),
      'overlays/loop/kustomization.yaml': 'resources: [../staging]\n',
      'overlays/prod/kustomization.yaml': 'resources: [\n',
    });
    assert.deepEqual(rows, [`staging ${HOST}/team/api:1.0.0 overlays/staging/app.yaml:9`]);
    assert.deepEqual(problems, [
      'staging overlays/staging/kustomization.yaml: the resource ../../missing.yaml is not in the workspace',
      'staging overlays/staging/kustomization.yaml: the resource ../../plain is a folder without a kustomization.yaml',
      'staging overlays/staging/kustomization.yaml: https://github.com/acme/base?ref=v1 is a remote resource; its images are not read',
      'staging overlays/loop/kustomization.yaml: includes itself through overlays/staging/kustomization.yaml → overlays/loop/kustomization.yaml → overlays/staging/kustomization.yaml',
      'prod overlays/prod/kustomization.yaml: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });
});

describe('environments: hostile kustomizations', () => {
  const environments = resolveEnvironments([{ name: 'prod', paths: ['overlays/prod/**'] }]);
  it('a base included along 2^40 paths renders once and counts once; a 200-deep chain stops at 64 with a problem', { timeout: 10_000 }, () => {
    const diamond: Record<string, string> = { 'overlays/prod/kustomization.yaml': 'resources: [../../k0, ../../k0]\n', 'k40/kustomization.yaml': 'resources: [app.yaml]\n', 'k40/app.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - {name: a, image: "${HOST}/team/api:1.0.0"}\n` };
    for (let index = 0; index < 40; index++) diamond[`k${index}/kustomization.yaml`] = `resources: [../k${index + 1}, ../k${index + 1}]\n`;
    const { deployments, problems: repeated } = environmentDeployments(environments, new Map(Object.entries(diamond)));
    assert.deepEqual(deployments.map((item) => `${item.reference} ${item.file}:${item.line}`), [`${HOST}/team/api:1.0.0 k40/app.yaml:6`]);
    assert.equal(repeated.length, 41);
    assert.equal(repeated[0]!.message, '../k40 includes resources already included (kustomize refuses this); they count once');
    const chain: Record<string, string> = { 'overlays/prod/kustomization.yaml': 'resources: [../../c0]\n' };
    for (let index = 0; index < 200; index++) chain[`c${index}/kustomization.yaml`] = `resources: [../c${index + 1}]\n`;
    const { problems } = deployed(environments, chain);
    assert.deepEqual(problems, ['prod c62/kustomization.yaml: bases nested more than 64 deep; c63/kustomization.yaml is not read']);
  });
});

describe('environments: .steward.yaml', () => {
  it('reads environments, and a production environment\'s paths are production paths', () => {
    const { config, error } = parseConfig(dedent(`
      environments:
        - {name: staging, paths: ["deploy/staging/**"]}
        - {name: prod, paths: ["deploy/live/**"], production: true, registries: ["${HOST}/prod/"]}
    `), '.steward.yaml');
    assert.equal(error, undefined);
    assert.deepEqual(config.environments.map((environment) => [environment.name, environment.production, environment.registries, environment.inferred]), [['staging', false, undefined, false], ['prod', true, [`${HOST}/prod/`], false]]);
    assert.equal(config.productionGlobOf('deploy/live/app.yaml'), 'deploy/live/**');
  });

  it('refuses a broken list with the key and the position', () => {
    const problem = (text: string) => {
      const { error } = parseConfig(text, '.steward.yaml');
      return error && `${error.key}@${(error.position?.line ?? -1) + 1}: ${error.message}`;
    };
    assert.equal(problem('environments:\n  - {name: prod}\n'), "environments.0@2: must have required property 'paths'");
    assert.equal(problem('environments:\n  - {name: prod, paths: [a], registry: [x]}\n'), 'environments.0.registry@2: unknown key "registry"');
    assert.equal(problem('environments:\n  - {name: prod, paths: [a]}\n  - {name: prod, paths: [b]}\n'), 'environments.1.name@3: the environment "prod" is listed twice');
    assert.equal(problem('environments:\n  - {name: "../x", paths: [a]}\n'), 'environments.0.name@2: must match pattern "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"');
  });
});

describe('image-registry-not-allowed', () => {
  const config = `environments:\n  - {name: prod, paths: ["deploy/prod/**"], registries: ["${HOST}/prod/"]}\n`;
  const pod = (image: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - name: app\n      image: ${image}\n`;

  it('reports a reference in the environment\'s files outside its registries, and nothing elsewhere or without registries', () => {
    const findings = lint('deploy/prod/pod.yaml', pod(`${HOST}/staging/api:1.2.3@sha256:${'c'.repeat(64)}`), config);
    assert.deepEqual(hits(findings, 'image-registry-not-allowed'), ['image-registry-not-allowed@7:14']);
    assert.equal(findings.find((finding) => finding.rule === 'image-registry-not-allowed')!.severity, 'error');
    assert.match(findings.find((finding) => finding.rule === 'image-registry-not-allowed')!.message, /pulls from registry\.example\.com\/staging\/api, outside what the prod environment allows \(registry\.example\.com\/prod\/\)/);
    assert.deepEqual(hits(lint('deploy/prod/pod.yaml', pod(`${HOST}/prod/api:1.2.3@sha256:${'c'.repeat(64)}`), config), 'image-registry-not-allowed'), []);
    assert.deepEqual(hits(lint('deploy/staging/pod.yaml', pod(`${HOST}/staging/api:1.2.3`), config), 'image-registry-not-allowed'), [], 'another environment\'s files');
    assert.deepEqual(hits(lint('deploy/prod/pod.yaml', pod('docker.io/library/nginx:1.25.3'), 'environments:\n  - {name: prod, paths: ["deploy/prod/**"]}\n'), 'image-registry-not-allowed'), [], 'no registries configured');
    assert.deepEqual(hits(lint('deploy/prod/pod.yaml', pod('nginx:1.25.3'), `${config}rules: {image-registry-not-allowed: off}\n`), 'image-registry-not-allowed'), []);
  });
});

describe('environments: the registry answers, cached with their time', () => {
  it('answers again from the cache within its time, asks again after it, and remembers a missing tag as undefined', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    let opened = 0;
    const layout = new OciLayoutRegistry(join(REPO_ROOT, 'examples', 'oci-layout'));
    const cache = new ResolutionCache(() => {
      opened++;
      return layout;
    }, 60_000, () => now);
    const first = await cache.resolve('oci', 'oci-layout', '1.4.2');
    assert.equal(first?.digest, 'sha256:acc67bd8a577be04e422f6af19dbe80a0a413d2a3221ed24d33084177821a504');
    assert.equal(first?.resolvedAt, '2026-01-01T00:00:00.000Z');
    now += 59_000;
    assert.equal((await cache.resolve('oci', 'oci-layout', '1.4.2'))?.resolvedAt, '2026-01-01T00:00:00.000Z', 'from the cache, with the time it was asked');
    now += 2_000;
    assert.equal((await cache.resolve('oci', 'oci-layout', '1.4.2'))?.resolvedAt, '2026-01-01T00:01:01.000Z');
    assert.equal(opened, 2);
    assert.equal((await cache.digestOf('oci', 'oci-layout', '1.4.2'))?.digest, first?.digest);
    assert.equal(await cache.resolve('oci', 'oci-layout', 'no-such-tag'), undefined);
  });
});
