import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installedTrivy } from '../../scripts/trivy';
import { REPO_ROOT } from '../helpers';
import { skopeoPush, writeOciLayout } from './fixtures';
import { stewardIn } from './stewardCli';
import { PASSWORD, startRegistry, USERNAME } from './registryServer';
import type { RunningRegistry } from './registryServer';

const root = mkdtempSync(join(tmpdir(), 'steward-cli-registry-'));
const steward = stewardIn(root);


describe('steward ls, inspect and pin against a real registry', () => {
  let registry: RunningRegistry;
  let digests: Record<string, string>;
  before(async () => {
    registry = await startRegistry('plain', join(root, 'registry'));
    const layoutDir = join(root, 'layout');
    ({ digests } = writeOciLayout(layoutDir, [
      { tag: '1.2.3', labels: { 'org.opencontainers.image.version': '1.2.3' } },
      { tag: 'multi', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] },
    ]));
    await skopeoPush(registry, layoutDir, '1.2.3', 'team/app');
    await skopeoPush(registry, layoutDir, 'multi', 'team/app');
    await skopeoPush(registry, layoutDir, '1.2.3', 'team/app', 'stable');
  });
  after(async () => {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('ls lists repositories, and tags with their digests', async () => {
    const repositories = await steward(['ls', registry.host], root);
    assert.equal(repositories.code, 0, repositories.stderr);
    assert.equal(repositories.stdout, 'team/app\n');
    const tags = await steward(['ls', `${registry.host}/team/app`, '--digests', '--json'], root);
    assert.deepEqual(JSON.parse(tags.stdout).tags, [
      { tag: '1.2.3', digest: digests['1.2.3'] }, { tag: 'multi', digest: digests.multi }, { tag: 'stable', digest: digests['1.2.3'] },
    ]);
  });

  it('ls of a plain loopback registry loads neither node:tls nor node:http2 (Node\'s TLS and HTTP/2 stacks would cost every registry command\'s start-up)', async () => {
    const loadedFile = join(root, 'modules-loaded.json');
    const preload = join(root, 'record-modules.js');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify(process.moduleLoadList)));\n`);
    const listed = await steward(['ls', `${registry.host}/team/app`], root, { NODE_OPTIONS: `--require ${preload}` });
    assert.equal(listed.code, 0, listed.stderr);
    const loaded = JSON.parse(readFileSync(loadedFile, 'utf8')) as string[];
    assert.ok(loaded.includes('NativeModule net'), 'the record names the modules loaded');
    assert.deepEqual(loaded.filter((name) => /^NativeModule (tls|http2|_tls_wrap)$/.test(name)), []);
  });

  it('inspect shows digest, platforms and labels; a missing tag names the operation and the reference', async () => {
    const multi = JSON.parse((await steward(['inspect', `${registry.host}/team/app:multi`, '--json'], root)).stdout);
    assert.equal(multi.digest, digests.multi);
    assert.deepEqual(multi.platforms.map((platform: { platform: string }) => platform.platform), ['linux/amd64', 'linux/arm64']);
    const text = await steward(['inspect', `${registry.host}/team/app:1.2.3`], root);
    assert.match(text.stdout, /^Digest: +sha256:[0-9a-f]{64}$/m);
    assert.match(text.stdout, /^ {2}org\.opencontainers\.image\.version=1\.2\.3$/m);
    const missing = await steward(['inspect', `${registry.host}/team/app:nope`], root);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`^steward: fetch manifest ${registry.host.replace(/\./g, '\\.')}/team/app:nope: 404 MANIFEST_UNKNOWN`));
  });

  it('promote: --dry-run shows the plan and the manifest diff; a promotion tags by digest and updates the manifests; an immutable tag refuses', async () => {
    const work = join(root, 'promote');
    mkdirSync(join(work, 'deploy'), { recursive: true });
    const host = registry.host;
    writeFileSync(join(work, '.steward.yaml'), `promotion:\n  targets:\n    - match: "${host}/prod/**"\n      immutableTags: ["1.*"]\n`);
    const deployment = `apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - name: app # main\n      image: ${host}/prod/app:1.2.2\n`;
    writeFileSync(join(work, 'deploy', 'pod.yaml'), deployment);
    const flags = ['--update-manifests', 'deploy', '--semver-aliases'];
    const dry = await steward(['promote', `${host}/team/app:1.2.3`, `${host}/prod/app`, ...flags, '--dry-run', '--json'], work);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as { plan: { strategy: string; descriptor: { digest: string }; tags: { tag: string; action: string }[] }; manifests: { file: string; line: number; to: string }[] };
    assert.equal(plan.plan.strategy, 'repository');
    assert.equal(plan.plan.descriptor.digest, digests['1.2.3']);
    assert.deepEqual(plan.plan.tags.map((tag) => `${tag.tag} ${tag.action}`), ['1.2.3 create', '1.2 create', '1 create']);
    assert.deepEqual(plan.manifests, [{ file: 'deploy/pod.yaml', line: 7, from: `${host}/prod/app:1.2.2`, to: `${host}/prod/app:1.2.3@${digests['1.2.3']}` }]);
    assert.equal(readFileSync(join(work, 'deploy', 'pod.yaml'), 'utf8'), deployment, '--dry-run changes no file');
    const tagsBefore = (await (await fetch(`http://${host}/v2/prod/app/tags/list`)).json()) as { errors?: unknown };
    assert.ok(tagsBefore.errors, '--dry-run pushed nothing');

    const real = await steward(['promote', `${host}/team/app:1.2.3`, `${host}/prod/app`, ...flags], work);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /Promoted: 2 blob\(s\) mounted, 0 copied \(0 bytes\)/);
    assert.match(real.stdout, new RegExp(`updated deploy/pod.yaml:7: ${host}/prod/app:1.2.2 → ${host}/prod/app:1.2.3@${digests['1.2.3']}`));
    assert.equal(readFileSync(join(work, 'deploy', 'pod.yaml'), 'utf8'), deployment.replace(`${host}/prod/app:1.2.2`, `${host}/prod/app:1.2.3@${digests['1.2.3']}`));
    const tags = ((await (await fetch(`http://${host}/v2/prod/app/tags/list`)).json()) as { tags: string[] }).tags.filter((tag) => !tag.startsWith('sha256-')).sort();
    assert.deepEqual(tags, ['1', '1.2', '1.2.3']);

    const refused = await steward(['promote', `${host}/team/app:multi`, `${host}/prod/app:1.2.3`], work);
    assert.equal(refused.code, 1);
    assert.ok(refused.stdout.includes(`Refused:\n  ${host}/prod/app:1.2.3 is immutable (1.*) and points at ${digests['1.2.3']}, not ${digests.multi}\n`), refused.stdout);
  });

  it('promote --update-manifests never rolls a deployment back: the older demo/app:1.4.1 to prod/app leaves prod/app:1.4.2 and every other demo/app image, and says why', async () => {
    const host = registry.host;
    const layoutDir = join(root, 'layout');
    await skopeoPush(registry, layoutDir, '1.2.3', 'demo/app', '1.4.1');
    await skopeoPush(registry, layoutDir, 'multi', 'demo/app', '1.4.2');
    await skopeoPush(registry, layoutDir, 'multi', 'prod/app', '1.4.2');
    const work = join(root, 'promote-older');
    mkdirSync(join(work, 'deploy'), { recursive: true });
    const pod = (images: string[]) => `apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n${images.map((image, index) => `    - name: c${index}\n      image: ${image}\n`).join('')}`;
    const files = {
      'deploy/live.yaml': pod([`${host}/prod/app:1.4.2`, `${host}/demo/app:1.4.2`, `${host}/demo/app:1.4.1`]),
      // The same registry spelled `localhost`: the target repository after host normalisation.
      'deploy/old.yaml': pod([`${host.replace('127.0.0.1', 'localhost')}/prod/app:1.4.0`]),
      // No registry: Docker Hub's demo/app, another image altogether.
      'deploy/values.yaml': 'image:\n  repository: demo/app\n  tag: 1.4.0\n',
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(work, file), text);
    const promote = (...flags: string[]) => steward(['promote', `${host}/demo/app:1.4.1`, `${host}/prod/app`, '--update-manifests', 'deploy', '--dry-run', ...flags], work);
    const digest = digests['1.2.3']!;

    const json = await promote('--json');
    assert.equal(json.code, 0, json.stderr);
    const planned = JSON.parse(json.stdout) as { manifests: unknown[]; skippedManifests: unknown[] };
    assert.deepEqual(planned.manifests, [{ file: 'deploy/old.yaml', line: 7, from: `${host.replace('127.0.0.1', 'localhost')}/prod/app:1.4.0`, to: `${host.replace('127.0.0.1', 'localhost')}/prod/app:1.4.1@${digest}` }]);
    assert.deepEqual(planned.skippedManifests, [
      { file: 'deploy/live.yaml', line: 7, from: `${host}/prod/app:1.4.2`, reason: '1.4.1 is older than 1.4.2 (--allow-downgrade moves it)' },
      { file: 'deploy/live.yaml', line: 9, from: `${host}/demo/app:1.4.2`, reason: `another image of ${host}/demo/app than the promoted one` },
      { file: 'deploy/live.yaml', line: 11, from: `${host}/demo/app:1.4.1`, reason: `the promoted source itself: it moves from ${host}/demo/app to ${host}/prod/app (--update-source-references moves it)` },
    ]);

    const text = await promote();
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.includes('--- a/deploy/old.yaml\n'), text.stdout);
    assert.ok(!text.stdout.includes('a/deploy/live.yaml') && !text.stdout.includes('a/deploy/values.yaml'), text.stdout);
    assert.ok(text.stdout.includes(`skipped deploy/live.yaml:7: ${host}/prod/app:1.4.2: 1.4.1 is older than 1.4.2 (--allow-downgrade moves it)\n`), text.stdout);

    const asked = JSON.parse((await promote('--json', '--update-source-references', '--allow-downgrade')).stdout) as { manifests: { file: string; line: number; to: string }[]; skippedManifests: { line: number }[] };
    assert.deepEqual(asked.manifests.map((change) => `${change.file}:${change.line} ${change.to}`), [
      `deploy/live.yaml:7 ${host}/prod/app:1.4.1@${digest}`, `deploy/live.yaml:11 ${host}/prod/app:1.4.1@${digest}`, `deploy/old.yaml:7 ${host.replace('127.0.0.1', 'localhost')}/prod/app:1.4.1@${digest}`,
    ]);
    assert.deepEqual(asked.skippedManifests.map((reference) => reference.line), [9], 'another demo/app image never moves');
    for (const [file, before] of Object.entries(files)) assert.equal(readFileSync(join(work, file), 'utf8'), before, `--dry-run changes no file (${file})`);
    const usage = await steward(['promote', `${host}/demo/app:1.4.1`, `${host}/prod/app`, '--allow-downgrade', '--dry-run'], work);
    assert.equal(usage.code, 2);
  });

  it('promote: --dev-tag adds <branch>-<short sha> of the git checkout; outside a repository it is a usage error', async () => {
    const work = join(root, 'promote-dev');
    mkdirSync(work, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();
    const outside = await steward(['promote', `${registry.host}/team/app:1.2.3`, `${registry.host}/dev/app`, '--dev-tag', '--dry-run'], work);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /--dev-tag needs a git repository with a commit/);
    git('init', '-q', '-b', 'feature/Login-Page');
    git('commit', '-q', '--allow-empty', '-m', 'first');
    const sha = git('rev-parse', 'HEAD');
    const dry = await steward(['promote', `${registry.host}/team/app:1.2.3`, `${registry.host}/dev/app`, '--dev-tag', '--dry-run', '--json'], work);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as { plan: { tags: { tag: string; action: string }[] } };
    assert.deepEqual(plan.plan.tags.map((tag) => `${tag.tag} ${tag.action}`), ['1.2.3 create', `feature-login-page-${sha.slice(0, 7)} create`]);
  });

  it('promote: a scan gate with trivy: true scans the image with trivy before promoting', async (context) => {
    const trivy = installedTrivy();
    const db = join(REPO_ROOT, '..', 'shared', 'fixtures', 'trivy-db');
    if ('skip' in trivy) return context.skip(trivy.skip);
    if (!existsSync(db)) return context.skip(`${db} is absent (a user's clone has no shared/): the trivy scan gate is skipped`);
    const work = join(root, 'promote-trivy');
    const cache = join(work, 'cache');
    mkdirSync(join(cache, 'db'), { recursive: true });
    for (const file of ['trivy.db', 'metadata.json']) copyFileSync(join(db, file), join(cache, 'db', file));
    writeFileSync(join(work, '.steward.yaml'), `promotion:\n  targets:\n    - match: "**"\n      gates:\n        scan: {blockOn: HIGH, trivy: true}\n`);
    const result = await steward(['promote', `${registry.host}/team/app:1.2.3`, `${registry.host}/scanned/app`, '--dry-run', '--json', '--trivy', trivy.binary, `--trivy-arg=--cache-dir=${cache}`, '--trivy-arg=--skip-db-update'], work);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const gates = (JSON.parse(result.stdout) as { plan: { gates: { gate: string; pass: boolean; detail: string }[] } }).plan.gates;
    assert.deepEqual(gates, [{ gate: 'scan', pass: true, detail: `trivy on ${registry.host}/team/app@${digests['1.2.3']}: no findings` }]);
  });

  it('pin --dry-run prints the diff and changes nothing; pin rewrites in place, keeping the tag', async () => {
    const tree = join(root, 'tree');
    mkdirSync(join(tree, 'k8s'), { recursive: true });
    const host = registry.host;
    const dockerfile = `ARG BASE=${host}/team/app:1.2.3\nFROM \${BASE} AS base\nFROM ${host}/team/app:multi\nCOPY --from=${host}/team/app:stable /a /b\n`;
    const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: "${host}/team/app:1.2.3"\n        - name: gone\n          image: ${host}/team/app:9.9.9\n`;
    const kustomization = `images:\n  - name: ${host}/team/app\n    newTag: 1.2.3\n`;
    writeFileSync(join(tree, 'Dockerfile'), dockerfile);
    writeFileSync(join(tree, 'k8s', 'deployment.yaml'), deployment);
    writeFileSync(join(tree, 'kustomization.yaml'), kustomization);

    const dry = await steward(['pin', '--dry-run'], tree);
    assert.equal(dry.code, 1, 'the missing 9.9.9 tag is a failure');
    assert.ok(dry.stdout.includes(`--- a/Dockerfile\n+++ b/Dockerfile\n@@ -3 +3 @@\n-FROM ${host}/team/app:multi\n+FROM ${host}/team/app:multi@${digests.multi}\n`), dry.stdout);
    assert.match(dry.stderr, /k8s\/deployment\.yaml:11:18: resolve .*team\/app:9\.9\.9: 404 not found/);
    assert.match(dry.stderr, /Would pin 3 references; 1 failed; 2 left as they are\./);
    assert.equal(readFileSync(join(tree, 'Dockerfile'), 'utf8'), dockerfile);

    const real = await steward(['pin', '--json'], tree);
    const report = JSON.parse(real.stdout);
    assert.deepEqual(report.skipped.map((item: { reason: string }) => item.reason.split(' ')[0]).sort(), ['built', 'split']);
    assert.equal(readFileSync(join(tree, 'Dockerfile'), 'utf8'), dockerfile.replace(`team/app:multi\n`, `team/app:multi@${digests.multi}\n`).replace(`team/app:stable /a`, `team/app:stable@${digests['1.2.3']} /a`));
    assert.ok(readFileSync(join(tree, 'k8s', 'deployment.yaml'), 'utf8').includes(`image: "${host}/team/app:1.2.3@${digests['1.2.3']}"\n`));
    assert.equal(readFileSync(join(tree, 'kustomization.yaml'), 'utf8'), kustomization);
  });
});

describe('steward with registry credentials', () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry('basic', join(root, 'basic'));
    const layoutDir = join(root, 'layout-basic');
    writeOciLayout(layoutDir, [{ tag: '1.0.0' }]);
    await skopeoPush(registry, layoutDir, '1.0.0', 'private/app');
  });
  after(() => registry.stop());

  it('reads auths from the Docker config, or the environment, and never prints the password', async () => {
    const dockerConfig = join(root, 'docker-config');
    mkdirSync(dockerConfig, { recursive: true });
    writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64') } } }));
    const withConfig = await steward(['ls', `${registry.host}/private/app`], root, { DOCKER_CONFIG: dockerConfig });
    assert.equal(withConfig.stdout, '1.0.0\n', withConfig.stderr);
    const withEnvironment = await steward(['ls', `${registry.host}/private/app`], root, { STEWARD_REGISTRY_USERNAME: USERNAME, STEWARD_REGISTRY_PASSWORD: PASSWORD, STEWARD_REGISTRY_HOSTS: `other.example, ${registry.host}` });
    assert.equal(withEnvironment.stdout, '1.0.0\n', withEnvironment.stderr);
    // Without STEWARD_REGISTRY_HOSTS naming this host, the environment's credentials go nowhere.
    const unscoped = await steward(['ls', `${registry.host}/private/app`], root, { STEWARD_REGISTRY_USERNAME: USERNAME, STEWARD_REGISTRY_PASSWORD: PASSWORD });
    assert.equal(unscoped.code, 1);
    assert.match(unscoped.stderr, /STEWARD_REGISTRY_HOSTS is empty/);
    const refused = await steward(['ls', `${registry.host}/private/app`], root, { STEWARD_REGISTRY_USERNAME: USERNAME, STEWARD_REGISTRY_PASSWORD: 'wrong-password', STEWARD_REGISTRY_HOSTS: registry.host });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /list tags of 127\.0\.0\.1:\d+\/private\/app: 401/);
    for (const output of [withConfig, withEnvironment, unscoped, refused]) assert.ok(!(output.stdout + output.stderr).includes(PASSWORD) && !(output.stdout + output.stderr).includes('wrong-password'));
  });
});

describe('image-tag-drift (opt-in)', () => {
  let registry: RunningRegistry;
  let digests: Record<string, string>;
  before(async () => {
    registry = await startRegistry('plain', join(root, 'drift'));
    const layoutDir = join(root, 'layout-drift');
    ({ digests } = writeOciLayout(layoutDir, [{ tag: 'old', content: 'old' }, { tag: 'new', content: 'new' }]));
    await skopeoPush(registry, layoutDir, 'old', 'team/app', '1.0.0');
    await skopeoPush(registry, layoutDir, 'new', 'team/app', '1.0.0');
  });
  after(() => registry.stop());

  it('reports a pinned tag that the registry has moved, and nothing when it is off or still in place', async () => {
    const tree = join(root, 'drift-tree');
    mkdirSync(join(tree, 'k8s'), { recursive: true });
    writeFileSync(join(tree, '.steward.yaml'), 'rules: {image-tag-drift: warning}\nlabels: {defaults: false}\n');
    writeFileSync(join(tree, 'k8s', 'pod.yaml'), `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: moved, image: "${registry.host}/team/app:1.0.0@${digests.old}"}\n    - {name: current, image: "${registry.host}/team/app:1.0.0@${digests.new}"}\n`);
    const enabled = await steward(['check', '--format', 'json', '--config-root', tree], tree);
    const findings = JSON.parse(enabled.stdout).findings as { rule: string; line: number; message: string }[];
    assert.deepEqual(findings.map((finding) => `${finding.rule}@${finding.line}`), ['image-tag-drift@6']);
    assert.ok(findings[0]!.message.includes(digests.new!));
    writeFileSync(join(tree, '.steward.yaml'), 'labels: {defaults: false}\n');
    const disabled = await steward(['check', '--format', 'json', '--config-root', tree], tree);
    assert.deepEqual(JSON.parse(disabled.stdout).findings, []);
  });
});
