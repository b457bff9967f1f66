import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspectImage } from '../../src/core/registry/inspect';
import { OciLayoutRegistry } from '../../src/core/registry/ociLayout';
import { REPO_ROOT } from '../helpers';
import { blob, writeOciLayout } from './fixtures';
import { startRegistry } from './registryServer';
import { stewardIn } from './stewardCli';

const root = mkdtempSync(join(tmpdir(), 'steward-layout-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('OCI image layout as a registry', () => {
  const dir = join(root, 'app');
  const { digests } = writeOciLayout(dir, [
    { tag: '1.0.0', labels: { 'org.opencontainers.image.title': 'app' } },
    { tag: 'multi', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] },
  ]);
  // An SBOM referrer listed in index.json, as oras does in layouts.
  const sbom = blob('{"spdxVersion":"SPDX-2.3"}');
  const empty = blob('{}');
  const artifact = blob(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/spdx+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: 2 }, layers: [{ mediaType: 'application/spdx+json', digest: sbom.digest, size: sbom.size }], subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digests['1.0.0'], size: 1 } }));
  for (const item of [sbom, empty, artifact]) writeFileSync(join(dir, 'blobs', 'sha256', item.digest.slice(7)), item.bytes);
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  index.manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: artifact.digest, size: artifact.size, artifactType: 'application/spdx+json' });
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  const layout = new OciLayoutRegistry(dir);

  it('lists its repository and tags, and resolves digests as skopeo does', async () => {
    for await (const page of layout.listRepositories()) assert.deepEqual(page, ['app']);
    for await (const page of layout.listTags('app')) assert.deepEqual(page.sort(), ['1.0.0', 'multi']);
    for (const tag of ['1.0.0', 'multi']) {
      const raw = execFileSync('skopeo', ['inspect', '--raw', `oci:${dir}:${tag}`]);
      assert.equal((await layout.resolve('app', tag)).digest, `sha256:${createHash('sha256').update(raw).digest('hex')}`);
    }
  });

  it('inspects platforms, labels and the SBOM attachment', async () => {
    const multi = await inspectImage(layout, 'app', 'multi');
    assert.deepEqual(multi.platforms.map((platform) => platform.platform), ['linux/amd64', 'linux/arm64']);
    const single = await inspectImage(layout, 'app', '1.0.0');
    assert.deepEqual(single.labels, { 'org.opencontainers.image.title': 'app' });
    assert.deepEqual(single.attachments.map((attachment) => [attachment.kind, attachment.digest]), [['sbom', artifact.digest]]);
  });

  it('reports a missing tag or a corrupt blob with the layout and the reference', async () => {
    await assert.rejects(layout.resolve('app', '9.9.9'), /resolve .*app:9\.9\.9: no image tagged 9\.9\.9/);
    const blobPath = join(dir, 'blobs', 'sha256', sbom.digest.slice(7));
    writeFileSync(blobPath, 'tampered');
    await assert.rejects(layout.getBlob('app', sbom.digest), /does not match its digest/);
  });

  it('serves the layout shipped in examples/', async () => {
    const example = new OciLayoutRegistry(join(REPO_ROOT, 'examples', 'oci-layout'));
    const details = await inspectImage(example, 'oci-layout', '1.4.2');
    assert.equal(details.labels['org.opencontainers.image.version'], '1.4.2');
    assert.deepEqual(details.attachments.map((attachment) => attachment.kind), ['sbom']);
  });
});

describe('steward ls and inspect on an OCI layout (oci:DIR[:TAG])', () => {
  it('list the tags and inspect an image with no server at all', () => {
    const cli = join(REPO_ROOT, 'dist', 'cli.js');
    const tags = execFileSync(process.execPath, [cli, 'ls', 'oci:examples/oci-layout'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(tags, '1.4.2\n1.4.1\n', 'the explorer\'s order: versions newest first');
    const details = JSON.parse(execFileSync(process.execPath, [cli, 'inspect', 'oci:examples/oci-layout:1.4.2', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' }));
    assert.deepEqual(details.platforms.map((platform: { platform: string }) => platform.platform), ['linux/amd64', 'linux/arm64']);
    assert.equal(details.attachments[0].kind, 'sbom');
  });
});

describe('steward promote from an OCI layout', () => {
  it('names the source as it was written (oci:DIR:TAG), a name steward inspect takes back', async () => {
    const registry = await startRegistry('plain', join(root, 'registry'));
    const steward = stewardIn(root);
    try {
      const promoted = await steward(['promote', 'oci:examples/oci-layout:1.4.2', `${registry.host}/prod/app`, '--dry-run'], REPO_ROOT);
      assert.equal(promoted.code, 0, promoted.stderr);
      const source = /^Promote (\S+) \(sha256:/.exec(promoted.stdout)?.[1];
      assert.equal(source, 'oci:examples/oci-layout:1.4.2');
      const inspected = await steward(['inspect', source], REPO_ROOT);
      assert.equal(inspected.code, 0, inspected.stderr);
      assert.match(inspected.stdout, /^Reference: {3}oci:examples\/oci-layout:1\.4\.2\n/);
    } finally {
      await registry.stop();
    }
  });
});
