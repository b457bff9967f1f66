// What deleting one digest breaks, read from a real registry (Debian's docker-registry): its tags,
// the multi-arch indexes that list it as a platform, and the workspace references that pull it.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noCredentials } from '../../src/core/registry/auth';
import { deleteImpact, describeDeleteImpact } from '../../src/core/registry/deleteImpact';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { Transport } from '../../src/core/registry/transport';
import { referencesIn } from '../../src/core/retention/protection';
import { skopeoPush, writeOciLayout } from './fixtures';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';

const root = mkdtempSync(join(tmpdir(), 'steward-delete-impact-'));
after(() => rmSync(root, { recursive: true, force: true }));

const layoutDir = join(root, 'layout');
const { digests } = writeOciLayout(layoutDir, [
  { tag: 'multi', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] },
  { tag: '1.0.0', content: 'single' },
]);

/** Tags a manifest already in the repository (by digest) under another tag. */
async function tagManifest(registry: RunningRegistry, repository: string, digest: string, tag: string): Promise<void> {
  const accept = 'application/vnd.oci.image.manifest.v1+json';
  const bytes = Buffer.from(await (await fetch(`${registry.url}/v2/${repository}/manifests/${digest}`, { headers: { accept } })).arrayBuffer());
  const put = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, { method: 'PUT', body: bytes, headers: { 'content-type': accept } });
  assert.equal(put.status, 201, await put.text());
}

describe('deleteImpact on a real registry', () => {
  let registry: RunningRegistry;
  let transport: Transport;
  let client: HttpRegistry;
  let amd64: string;
  let workspace: ReturnType<typeof referencesIn>['references'];

  before(async () => {
    registry = await startRegistry('plain', join(root, 'registry'));
    transport = new Transport({ backoffMs: 5, maxWaitMs: 50 });
    client = new HttpRegistry(registry.host, transport, noCredentials);
    await skopeoPush(registry, layoutDir, 'multi', 'team/app', '1.4.2');
    await skopeoPush(registry, layoutDir, 'multi', 'team/app', 'latest');
    await skopeoPush(registry, layoutDir, '1.0.0', 'team/app');
    await skopeoPush(registry, layoutDir, 'multi', 'team/other', '1.4.2');
    const index = JSON.parse((await client.getManifest('team/app', '1.4.2')).bytes.toString('utf8')) as { manifests: { digest: string; platform: { architecture: string } }[] };
    amd64 = index.manifests.find((entry) => entry.platform.architecture === 'amd64')!.digest;
    // The platform also has a tag of its own: what the explorer shows as a deletable image.
    await tagManifest(registry, 'team/app', amd64, '1.4.2-amd64');
    const localhost = registry.host.replace('127.0.0.1', 'localhost');
    const deployment = [
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: app}', 'spec:', '  containers:',
      `    - {name: index, image: "${registry.host}/team/app:1.4.2"}`,
      `    - {name: platform, image: "${localhost}/team/app:1.4.2-amd64"}`,
      `    - {name: other, image: "${registry.host}/team/other:1.4.2"}`,
      `    - {name: single, image: "${registry.host}/team/app:1.0.0"}`,
      '',
    ].join('\n');
    ({ references: workspace } = referencesIn('deploy/app.yaml', deployment));
  });
  after(async () => {
    await transport?.close();
    await registry?.stop();
  });

  it('a platform of a multi-arch index: its own tag, the index with its tags, and the references that pull either (hosts normalised, other repositories not)', async () => {
    const impact = await deleteImpact(client, 'team/app', amd64, workspace);
    assert.deepEqual(impact, {
      digest: amd64,
      tags: ['1.4.2-amd64'],
      indexes: [{ digest: digests.multi, tags: ['1.4.2', 'latest'] }],
      deployedBy: ['deploy/app.yaml:6', 'deploy/app.yaml:7'],
    });
    assert.equal(describeDeleteImpact(impact), [
      'Tags that go with it: 1.4.2-amd64.',
      `It is a platform of 1 multi-arch image(s), which break: ${digests.multi!.slice(0, 19)}… (1.4.2, latest).`,
      'The workspace deploys it: deploy/app.yaml:6, deploy/app.yaml:7.',
    ].join('\n'));
  });

  it('an untagged platform, a single-platform image and the index itself', async () => {
    const index = JSON.parse((await client.getManifest('team/app', '1.4.2')).bytes.toString('utf8')) as { manifests: { digest: string }[] };
    const arm64 = index.manifests.find((entry) => entry.digest !== amd64)!.digest;
    assert.deepEqual(await deleteImpact(client, 'team/app', arm64, workspace), { digest: arm64, tags: [], indexes: [{ digest: digests.multi, tags: ['1.4.2', 'latest'] }], deployedBy: ['deploy/app.yaml:6'] });
    assert.deepEqual(await deleteImpact(client, 'team/app', digests['1.0.0']!, workspace), { digest: digests['1.0.0'], tags: ['1.0.0'], indexes: [], deployedBy: ['deploy/app.yaml:9'] });
    const whole = await deleteImpact(client, 'team/app', digests.multi!, []);
    assert.deepEqual(whole, { digest: digests.multi, tags: ['1.4.2', 'latest'], indexes: [], deployedBy: [] });
    assert.equal(describeDeleteImpact({ ...whole, tags: ['a', 'b', 'c'] }, 2), 'Tags that go with it: a, b and 1 more.');
  });
});
