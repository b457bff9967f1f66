// Retention against a real registry (Debian's docker-registry): plan, then apply through the CLI,
// checked with skopeo; the re-check before deleting; stopping at the first failure; failing
// closed (unreadable workspace files, images deleted before their attachments, a 202 that did not delete).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { noCredentials } from '../../src/core/registry/auth';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { Transport } from '../../src/core/registry/transport';
import { applyRetention } from '../../src/core/retention/apply';
import type { ApplyResult } from '../../src/core/retention/apply';
import { readInventory } from '../../src/core/retention/inventory';
import { planRetention } from '../../src/core/retention/plan';
import type { RetentionPlanJson } from '../../src/core/retention/plan';
import { policyFrom } from '../../src/core/retention/policyFile';
import { NO_PROTECTION } from '../../src/core/retention/protection';
import { attachSbom, pushCosignSignature, skopeoPush, writeOciLayout } from './fixtures';
import { startFaultProxy } from './faultProxy';
import { stewardIn } from './stewardCli';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';

const execFileAsync = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'steward-retention-'));
const steward = stewardIn(root);
after(() => rmSync(root, { recursive: true, force: true }));

const NOW = '2026-06-01T00:00:00Z';
const TWO_PLATFORMS = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }];
const layoutDir = join(root, 'layout');
const { digests } = writeOciLayout(layoutDir, [
  { tag: '1.0.0', created: '2026-01-01T00:00:00Z', content: 'a' },
  { tag: '1.1.0', created: '2026-02-01T00:00:00Z', content: 'b' },
  { tag: '1.2.0', created: '2026-03-01T00:00:00Z', content: 'c' },
  { tag: '1.3.0', created: '2026-04-01T00:00:00Z', content: 'd' },
  { tag: 'dev-1', created: '2026-05-25T00:00:00Z', content: 'e' },
  { tag: 'dev-0', created: '2026-01-15T00:00:00Z', content: 'f' },
  // A reproducible build: the epoch in the config, the real time in the label.
  { tag: 'repro', created: '1970-01-01T00:00:00Z', labels: { 'org.opencontainers.image.created': '2026-02-15T00:00:00Z' }, content: 'g' },
  { tag: 'multi-1', created: '2026-01-05T00:00:00Z', platforms: TWO_PLATFORMS, content: 'h' },
  { tag: 'multi-2', created: '2026-01-20T00:00:00Z', platforms: TWO_PLATFORMS, content: 'i' },
]);

// ECR: keep the 2 newest 1.x releases; expire anything else pushed more than 30 days ago.
const ECR_POLICY = {
  rules: [
    { rulePriority: 1, description: 'releases', selection: { tagStatus: 'tagged', tagPrefixList: ['1.'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'the rest', selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'expire' } },
  ],
};


async function skopeoExists(registry: RunningRegistry, reference: string): Promise<boolean> {
  try {
    await execFileAsync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/${reference}`]);
    return true;
  } catch (error) {
    if (/manifest unknown|not found/i.test((error as { stderr?: string }).stderr ?? '')) return false;
    throw error;
  }
}

/** The digest the registry serves for a tag (HEAD, as skopeo would resolve it). */
async function registryDigest(registry: RunningRegistry, repository: string, tag: string): Promise<string> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
  return response.headers.get('docker-content-digest')!;
}

async function skopeoTags(registry: RunningRegistry, repository: string): Promise<string[]> {
  const { stdout } = await execFileAsync('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry.host}/${repository}`]);
  return (JSON.parse(stdout) as { Tags: string[] }).Tags.sort();
}

/** The descriptor of a pushed single-platform tag, as an SBOM's `subject` names it. */
async function subjectOf(registry: RunningRegistry, repository: string, tag: string): Promise<{ digest: string; size: number; mediaType: string }> {
  const manifest = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  return { digest: digests[tag]!, size: Number(manifest.headers.get('content-length')), mediaType: 'application/vnd.oci.image.manifest.v1+json' };
}

async function pushAll(registry: RunningRegistry, repository: string): Promise<{ sbom: string; signature: string }> {
  for (const tag of Object.keys(digests)) await skopeoPush(registry, layoutDir, tag, repository);
  const sbom = await attachSbom(registry, repository, await subjectOf(registry, repository, '1.0.0'), '{"spdxVersion":"SPDX-2.3"}');
  const signature = await pushCosignSignature(registry, repository, digests['1.1.0']!);
  return { sbom: sbom.digest, signature: signature.digest };
}

/** A workspace with the ECR policy and, by path, the files given. */
function workspaceWith(name: string, files: Readonly<Record<string, string>> = {}): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries({ 'policy.json': JSON.stringify(ECR_POLICY), ...files })) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The CLI's result lines (`deleted …`, `failed …`, `skipped …`), in the order they were printed. */
function resultLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /^(deleted|already gone|skipped|failed) /.test(line));
}

describe('retention on a real registry', () => {
  let registry: RunningRegistry;
  let attached: { sbom: string; signature: string };
  const workspace = join(root, 'workspace');
  before(async () => {
    registry = await startRegistry('plain', join(root, 'registry'));
    attached = await pushAll(registry, 'team/app');
    mkdirSync(join(workspace, 'deploy'), { recursive: true });
    writeFileSync(join(workspace, 'policy.json'), JSON.stringify(ECR_POLICY));
    writeFileSync(join(workspace, 'deploy', 'app.yaml'), [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: app}', 'spec:', '  template:', '    spec:', '      containers:',
      `        - name: app`, `          image: ${registry.host}/team/app:1.1.0`,
      `        - name: multi`, `          image: ${registry.host}/team/app:multi-2`, '',
    ].join('\n'));
  });
  after(() => registry.stop());

  it('plans with ECR semantics and protection, then apply deletes exactly the planned digests (skopeo agrees)', async () => {
    const planned = await steward(['retention', 'plan', '--policy', 'policy.json', '--now', NOW, '--json', `${registry.host}/team/app`], workspace);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = (JSON.parse(planned.stdout) as { plan: RetentionPlanJson }).plan;
    const items = plan.repositories[0]!.items;
    const byTag = (tag: string) => items.find((item) => item.tags.includes(tag))!;
    const deleted = items.filter((item) => item.action === 'delete').map((item) => item.digest).sort();
    const multi1 = items.find((item) => item.tags.includes('multi-1'))!;
    const multi2 = items.find((item) => item.tags.includes('multi-2'))!;
    const sbomIndex = items.find((item) => item.role === 'referrers-index')!;
    assert.deepEqual(deleted, [digests['1.0.0'], digests['dev-0'], digests.repro, digests['multi-1'], ...multi1.children, attached.sbom, sbomIndex.digest].sort());
    assert.equal(byTag('1.1.0').action, 'keep');
    assert.match(byTag('1.1.0').because!, /the workspace uses it \(deploy\/app\.yaml:9\)/);
    assert.equal(byTag('1.1.0').policy.rule, 'ECR rule 1 (tagged with prefix 1., more than 2 images)');
    assert.equal(byTag('repro').ageSource, 'label org.opencontainers.image.created');
    assert.equal(byTag('repro').created, '2026-02-15T00:00:00.000Z');
    assert.equal(byTag('1.2.0').ageSource, 'config created');
    for (const child of multi2.children) {
      const item = items.find((candidate) => candidate.digest === child)!;
      assert.equal(item.action, 'keep');
      assert.match(item.because!, /a platform of the kept index/);
    }
    assert.equal(items.find((item) => item.digest === attached.signature)!.action, 'keep', 'the signature of the kept 1.1.0 stays');
    assert.ok(plan.repositories[0]!.reclaimableBytes > 0);

    const refused = await steward(['retention', 'apply', '--policy', 'policy.json', '--now', NOW, `${registry.host}/team/app`], workspace);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /nothing deleted; this deletes 8 digest\(s\) with every tag on them: run again with --yes/);
    assert.ok(await skopeoExists(registry, 'team/app:1.0.0'));

    const applied = await steward(['retention', 'apply', '--policy', 'policy.json', '--now', NOW, '--yes', `${registry.host}/team/app`], workspace);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(applied.stdout.split('\n').filter((line) => line.startsWith('deleted ')).length, 8);
    assert.match(applied.stderr, /8 deleted, 0 already gone, 0 skipped\.\nStorage is reclaimed only when the registry runs its garbage collection/);
    for (const digest of deleted) assert.equal(await skopeoExists(registry, `team/app@${digest}`), false, `${digest} is gone`);
    for (const item of items.filter((candidate) => candidate.action === 'keep')) assert.equal(await skopeoExists(registry, `team/app@${item.digest}`), true, `${item.digest} (${item.tags.join(', ')}) stays`);
    assert.deepEqual(await skopeoTags(registry, 'team/app'), ['1.1.0', '1.2.0', '1.3.0', 'dev-1', 'multi-2', `${digests['1.1.0']!.replace(':', '-')}.sig`].sort());

    const again = await steward(['retention', 'plan', '--policy', 'policy.json', '--now', NOW, `${registry.host}/team/app`], workspace);
    assert.match(again.stdout, /0 digest\(s\) to delete in 1 repository\./);
  });

  it('skips an item that gained a tag since the plan, and stops at the first failure leaving the rest', async () => {
    const other = await startRegistry('plain', join(root, 'registry-2'));
    const proxy = await startFaultProxy(other.host);
    const transport = new Transport({ backoffMs: 1, maxRetries: 1 });
    try {
      await pushAll(other, 'team/app');
      await pushAll(other, 'team/fail');
      const client = new HttpRegistry(proxy.host, transport, noCredentials);
      const policy = policyFrom(ECR_POLICY, 'policy.json');
      const planFor = async (repository: string) => planRetention([await readInventory(client, repository)], policy, NO_PROTECTION, Date.parse(NOW));

      const plan = await planFor('team/app');
      const doomed = plan.repositories[0]!.items.filter((item) => item.action === 'delete');
      const dev0 = doomed.find((item) => item.tags.includes('dev-0'))!;
      // Someone tags dev-0's digest as "hotfix" after the plan: deleting it would remove that tag.
      const manifest = await fetch(`${other.url}/v2/team/app/manifests/dev-0`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      await fetch(`${other.url}/v2/team/app/manifests/hotfix`, { method: 'PUT', body: Buffer.from(await manifest.arrayBuffer()), headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
      const results = await applyRetention(plan, () => client);
      assert.deepEqual(results.filter((result) => result.outcome !== 'deleted').map((result) => [result.digest, result.outcome, result.detail]), [[dev0.digest, 'skipped', 'changed since the plan: now also tagged hotfix']]);
      assert.equal(results.length, doomed.length);
      assert.equal(await skopeoExists(other, 'team/app:hotfix'), true);
      assert.equal(await skopeoExists(other, 'team/app:dev-0'), true);

      const failing = await planFor('team/fail');
      const failingDoomed = failing.repositories[0]!.items.filter((item) => item.action === 'delete');
      const seen: ApplyResult[] = [];
      await assert.rejects(applyRetention(failing, () => client, {
        onResult: (result) => {
          seen.push(result);
          // After the first deletion every request fails with a 500.
          if (result.outcome === 'deleted') proxy.setFaults(1, 7, ['status-500']);
        },
      }), /delete 127\.0\.0\.1:\d+\/team\/fail@sha256:\w+: 500/);
      proxy.setFaults(0);
      assert.deepEqual(seen.slice(0, 2).map((result) => result.outcome), ['deleted', 'failed']);
      // What waits for the failed item (its attachments or platforms) is reported skipped; nothing else is attempted.
      for (const result of seen.slice(2)) assert.match(`${result.outcome} ${result.detail}`, new RegExp(`^skipped its (subject|index) ${seen[1]!.digest.slice(0, 19)} was not deleted \\(failed: delete `));
      for (const item of failingDoomed.filter((candidate) => candidate.digest !== seen[0]!.digest)) assert.equal(await skopeoExists(other, `team/fail@${item.digest}`), true, `${item.digest} was not deleted after the failure`);
    } finally {
      await transport.close();
      await proxy.stop();
      await other.stop();
    }
  });

  it('a workspace file that cannot be parsed: the plan says so, apply refuses (exit 2) until --allow-unreadable; localhost protects what is planned as 127.0.0.1', async () => {
    const repository = 'team/unreadable';
    for (const tag of ['dev-0', 'repro', 'dev-1']) await skopeoPush(registry, layoutDir, tag, repository);
    const port = registry.host.split(':')[1]!;
    const dir = workspaceWith('workspace-unreadable', {
      // Its name holds an escape sequence that would clear the screen: printed inert.
      'deploy/\u001b[2Jbroken.yaml': 'apiVersion: v1\nkind: Pod\nspec: [unclosed\n',
      'deploy/app.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - {name: app, image: "localhost:${port}/${repository}:dev-0"}\n`,
    });
    const args = ['--policy', 'policy.json', '--now', NOW, `${registry.host}/${repository}`];
    const reason = 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ] (line 4)';

    const planned = await steward(['retention', 'plan', ...args], dir);
    assert.equal(planned.code, 0, planned.stderr);
    assert.ok(planned.stdout.includes(`\n\nWorkspace files that could not be read or parsed (the images they use are not protected; apply refuses unless told to delete without them):\n  deploy/\\u001b[2Jbroken.yaml: ${reason}\n\n`), planned.stdout);
    assert.ok(!planned.stdout.includes('\u001b'), 'no raw escape reaches the terminal');
    assert.match(planned.stdout, /\n {2}keep {4}sha256:\w{12} {2}dev-0 {2}.* PROTECTED: the workspace uses it \(deploy\/app\.yaml:6\); the registry would delete it/);

    const refused = await steward(['retention', 'apply', ...args, '--yes'], dir);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `steward: nothing deleted; 1 workspace file(s) could not be read or parsed, so the images they use are not protected: deploy/\\u001b[2Jbroken.yaml (${reason}). Fix them, or run again with --allow-unreadable to delete without their protection.\n`);
    assert.deepEqual(resultLines(refused.stdout), []);
    assert.deepEqual(await skopeoTags(registry, repository), ['dev-0', 'dev-1', 'repro']);

    const applied = await steward(['retention', 'apply', ...args, '--yes', '--allow-unreadable'], dir);
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(resultLines(applied.stdout), [`deleted      ${registry.host}/${repository}@${digests.repro} (repro)`]);
    assert.deepEqual(await skopeoTags(registry, repository), ['dev-0', 'dev-1']);
  });

  it('deletes an image before its signature and SBOM, and keeps them when the image\'s delete is refused', async () => {
    const repository = 'team/signed';
    for (const tag of ['dev-0', 'dev-1']) await skopeoPush(registry, layoutDir, tag, repository);
    const subject = digests['dev-0']!;
    const sbom = (await attachSbom(registry, repository, await subjectOf(registry, repository, 'dev-0'), '{"spdxVersion":"SPDX-2.3"}')).digest;
    const signature = (await pushCosignSignature(registry, repository, subject)).digest;
    const fallbackTag = subject.replace(':', '-');
    const fallbackIndex = (await registryDigest(registry, repository, fallbackTag));
    const dir = workspaceWith('workspace-signed');
    const proxy = await startFaultProxy(registry.host);
    try {
      const args = ['retention', 'apply', '--policy', 'policy.json', '--now', NOW, '--yes', `${proxy.host}/${repository}`];
      const where = (digest: string, tags = '') => `${proxy.host}/${repository}@${digest}${tags}`;
      proxy.deletes.refused.add(subject);
      const refused = await steward(args, dir);
      assert.equal(refused.code, 1, refused.stderr);
      const failure = `delete ${where(subject)}: 403 DENIED deletion refused (injected) (the credentials lack access)`;
      const skipped = `its subject ${subject.slice(0, 19)} was not deleted (failed: ${failure})`;
      const lines = resultLines(refused.stdout);
      assert.equal(lines[0], `failed       ${where(subject, ' (dev-0)')}: ${failure}`);
      assert.deepEqual(lines.slice(1).sort(), [
        `skipped      ${where(sbom)}: ${skipped}`,
        `skipped      ${where(signature, ` (${fallbackTag}.sig)`)}: ${skipped}`,
        `skipped      ${where(fallbackIndex, ` (${fallbackTag})`)}: ${skipped}`,
      ].sort());
      assert.ok(refused.stderr.startsWith(`0 deleted, 0 already gone, 3 skipped; stopped at the first failure: ${failure}.\n`), refused.stderr);
      assert.deepEqual(await skopeoTags(registry, repository), ['dev-0', 'dev-1', fallbackTag, `${fallbackTag}.sig`].sort());
      assert.equal(await skopeoExists(registry, `${repository}@${sbom}`), true, 'the SBOM stays with its image');

      proxy.deletes.refused.clear();
      const applied = await steward(args, dir);
      assert.equal(applied.code, 0, applied.stderr);
      const deleted = resultLines(applied.stdout);
      assert.equal(deleted[0], `deleted      ${where(subject, ' (dev-0)')}`, 'the image goes first');
      assert.deepEqual(deleted.slice(1).sort(), [`deleted      ${where(sbom)}`, `deleted      ${where(signature, ` (${fallbackTag}.sig)`)}`, `deleted      ${where(fallbackIndex, ` (${fallbackTag})`)}`].sort());
      assert.deepEqual(await skopeoTags(registry, repository), ['dev-1']);
      assert.equal(await skopeoExists(registry, `${repository}@${sbom}`), false);
    } finally {
      await proxy.stop();
    }
  });

  it('keeps the platforms of an index whose delete is skipped (tagged since the plan)', async () => {
    const repository = 'team/platforms';
    for (const tag of ['multi-1', 'dev-1']) await skopeoPush(registry, layoutDir, tag, repository);
    const transport = new Transport({ backoffMs: 1, maxRetries: 1 });
    try {
      const client = new HttpRegistry(registry.host, transport, noCredentials);
      const plan = planRetention([await readInventory(client, repository)], policyFrom(ECR_POLICY, 'policy.json'), NO_PROTECTION, Date.parse(NOW));
      const index = plan.repositories[0]!.items.find((item) => item.tags.includes('multi-1'))!;
      assert.equal(index.action, 'delete');
      const accept = 'application/vnd.oci.image.index.v1+json';
      const bytes = Buffer.from(await (await fetch(`${registry.url}/v2/${repository}/manifests/multi-1`, { headers: { accept } })).arrayBuffer());
      await fetch(`${registry.url}/v2/${repository}/manifests/hotfix`, { method: 'PUT', body: bytes, headers: { 'content-type': accept } });

      const results = await applyRetention(plan, () => client);
      const skipped = `its index ${index.digest.slice(0, 19)} was not deleted (skipped: changed since the plan: now also tagged hotfix)`;
      assert.deepEqual(results.map((result) => [result.digest, result.outcome, result.detail]), [
        [index.digest, 'skipped', 'changed since the plan: now also tagged hotfix'],
        ...index.children.map((child) => [child, 'skipped', skipped]),
      ]);
      for (const child of index.children) assert.equal(await skopeoExists(registry, `${repository}@${child}`), true, `platform ${child} stays`);
    } finally {
      await transport.close();
    }
  });

  it('catches a kept tag moved onto a digest the plan deletes (a rollback), at the cost of one tag listing and one HEAD per tag', async () => {
    const repository = 'team/rollback';
    for (const tag of ['1.2.0', '1.3.0', 'dev-0', 'dev-1', 'repro']) await skopeoPush(registry, layoutDir, tag, repository);
    const proxy = await startFaultProxy(registry.host);
    const transport = new Transport({ backoffMs: 1, maxRetries: 1 });
    try {
      const client = new HttpRegistry(proxy.host, transport, noCredentials);
      const plan = planRetention([await readInventory(client, repository)], policyFrom(ECR_POLICY, 'policy.json'), NO_PROTECTION, Date.parse(NOW));
      const doomed = plan.repositories[0]!.items.filter((item) => item.action === 'delete');
      assert.deepEqual(doomed.map((item) => item.tags).sort(), [['dev-0'], ['repro']]);
      // After the plan, 1.3.0 (kept: a newest release) is rolled back to dev-0's image: deleting that digest would take 1.3.0 with it.
      const bytes = Buffer.from(await (await fetch(`${registry.url}/v2/${repository}/manifests/dev-0`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).arrayBuffer());
      await fetch(`${registry.url}/v2/${repository}/manifests/1.3.0`, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });

      proxy.reset();
      const results = await applyRetention(plan, () => client);
      assert.deepEqual(results.map((result) => [result.tags.join(), result.outcome, result.detail]).sort(), [
        ['dev-0', 'skipped', 'changed since the plan: now also tagged 1.3.0'],
        ['repro', 'deleted', undefined],
      ]);
      const rolledBack = await fetch(`${registry.url}/v2/${repository}/manifests/1.3.0`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(rolledBack.headers.get('docker-content-digest'), digests['dev-0'], '1.3.0 is still there, on the image it was rolled back to');
      // Only a tag's own HEAD says where it points now (the tag list names no digests): one per tag,
      // not one per deleted digest, or a moved tag like this one would go unseen.
      const kinds = proxy.requests.map((request) => request.replace(/sha256:[0-9a-f]{64}/, '<digest>').replace(/manifests\/[\w.-]+$/, 'manifests/<tag>'));
      assert.deepEqual(kinds.sort(), [
        `DELETE /v2/${repository}/manifests/<digest>`,
        `GET /v2/${repository}/tags/list?n=1000`,
        `HEAD /v2/${repository}/manifests/<digest>`,
        ...Array.from({ length: 5 }, () => `HEAD /v2/${repository}/manifests/<tag>`),
      ].sort());
    } finally {
      await transport.close();
      await proxy.stop();
    }
  });

  it('a DELETE answered 202 that deleted nothing is a failure naming the reference, not "deleted"', async () => {
    const repository = 'team/accepted';
    for (const tag of ['dev-0', 'dev-1']) await skopeoPush(registry, layoutDir, tag, repository);
    const proxy = await startFaultProxy(registry.host);
    try {
      proxy.deletes.acceptWithoutDeleting = true;
      const run = await steward(['retention', 'apply', '--policy', 'policy.json', '--now', NOW, '--yes', `${proxy.host}/${repository}`], workspaceWith('workspace-accepted'));
      assert.equal(run.code, 1, run.stderr);
      const failure = `delete ${proxy.host}/${repository}@${digests['dev-0']}: the registry answered 202 Accepted but still serves the manifest`;
      assert.deepEqual(resultLines(run.stdout), [`failed       ${proxy.host}/${repository}@${digests['dev-0']} (dev-0): ${failure}`]);
      assert.ok(run.stderr.startsWith(`0 deleted, 0 already gone, 0 skipped; stopped at the first failure: ${failure}.\n`), run.stderr);
      assert.deepEqual(await skopeoTags(registry, repository), ['dev-0', 'dev-1']);
    } finally {
      await proxy.stop();
    }
  });
});
