// steward find against a real registry holding 50 images with different labels, annotations and
// provenance (cosign .att, a DSSE referrer, BuildKit's in-index attestations): every query returns
// exactly the expected set, in core and through the CLI.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findImages } from '../../src/core/find/find';
import { parseFindQuery } from '../../src/core/find/query';
import type { WrittenFindQuery } from '../../src/core/find/query';
import { noCredentials } from '../../src/core/registry/auth';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { Transport } from '../../src/core/registry/transport';
import { attachReferrer, BUILDKIT_SOURCE, pushCosignAttestation, skopeoPush, writeOciLayout } from './fixtures';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';
import { stewardIn } from './stewardCli';

const root = mkdtempSync(join(tmpdir(), 'steward-find-'));
after(() => rmSync(root, { recursive: true, force: true }));

const COMMIT_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const COMMIT_B = 'b7e6d5c4b3a291807f6e5d4c3b2a190817263545';
const COMMIT_C = 'c0ffee0123456789abcdef0123456789abcdef01';
const BASE_1 = `sha256:${'4'.repeat(64)}`;
const REPOSITORIES = ['find/api', 'find/web', 'find/worker', 'other/tool'];
const SLSA = 'https://slsa.dev/provenance/v0.2';

/** What image i carries: the table both the fixtures and the expected sets come from. */
interface Spec {
  readonly i: number;
  readonly repository: string;
  readonly tag: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly created?: string;
  /** Provenance attached (commit, source) and how. */
  readonly provenance?: { readonly commit: string; readonly source: string; readonly via: 'cosign-att' | 'referrer' | 'buildkit' };
}

function spec(i: number): Spec {
  const repository = REPOSITORIES[i % 4]!;
  const tag = `1.0.${i}`;
  const created = i <= 47 ? new Date(Date.UTC(2024, 0, 1 + i)).toISOString() : undefined;
  if (i === 45 || i === 46) return { i, repository, tag, labels: {}, annotations: {}, created: created!, provenance: { commit: COMMIT_A, source: 'https://github.com/acme/api', via: 'cosign-att' } };
  if (i === 47) return { i, repository, tag, labels: {}, annotations: {}, created: created!, provenance: { commit: COMMIT_C, source: 'https://github.com/acme/tools', via: 'referrer' } };
  if (i === 48) return { i, repository, tag, labels: {}, annotations: {}, created: '2024-05-01T12:00:00Z', provenance: { commit: BUILDKIT_SOURCE.commit, source: BUILDKIT_SOURCE.uri, via: 'buildkit' } };
  if (i === 49) return { i, repository, tag, labels: {}, annotations: {} };
  const labels: Record<string, string> = { team: i < 20 ? 'payments' : 'search' };
  if (i % 5 === 0) labels['org.opencontainers.image.revision'] = COMMIT_A;
  if (i % 5 === 1) labels['org.opencontainers.image.revision'] = COMMIT_B;
  if (i % 3 === 0) labels['org.opencontainers.image.source'] = 'https://github.com/acme/api';
  if (i % 3 === 1) labels['org.opencontainers.image.source'] = 'git+https://GitHub.com/Acme/Web.git';
  const annotations: Record<string, string> = {};
  if (i % 7 === 3) annotations['org.opencontainers.image.revision'] = COMMIT_A;
  if (i % 10 === 4) annotations['org.opencontainers.image.base.digest'] = BASE_1;
  return { i, repository, tag, labels, annotations, created: created! };
}

const SPECS = Array.from({ length: 50 }, (_, i) => spec(i));
const name = (entry: Spec) => `${entry.repository}:${entry.tag}`;
const expected = (keep: (entry: Spec) => boolean) => SPECS.filter(keep).map(name).sort();

describe('steward find on a real registry with 50 images', () => {
  let registry: RunningRegistry;
  let transport: Transport;
  let client: HttpRegistry;
  const run = stewardIn(join(root, 'home'));

  before(async () => {
    transport = new Transport({});
    registry = await startRegistry('plain', join(root, 'registry'));
    client = new HttpRegistry(registry.host, transport, noCredentials);
    // One shared layer, a small config each: 50 images cost about 150 small requests.
    const layer = Buffer.from('shared layer bytes');
    const pushed = new Map<number, { digest: string; size: number; mediaType: string }>();
    for (const entry of SPECS.filter((candidate) => candidate.provenance?.via !== 'buildkit')) {
      const layerBlob = await client.pushBlob(entry.repository, layer);
      const config = await client.pushBlob(entry.repository, Buffer.from(JSON.stringify({
        architecture: 'amd64', os: 'linux', ...(entry.created ? { created: entry.created } : {}), config: { Labels: entry.labels }, rootfs: { type: 'layers', diff_ids: [] }, marker: entry.i,
      })));
      const mediaType = 'application/vnd.oci.image.manifest.v1+json';
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType, config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layerBlob }],
        ...(Object.keys(entry.annotations).length > 0 ? { annotations: entry.annotations } : {}),
      }));
      const { digest } = await client.putManifest(entry.repository, entry.tag, manifest, mediaType);
      pushed.set(entry.i, { digest, size: manifest.length, mediaType });
    }
    // A second tag on image 0: one result with both tags.
    await client.putManifest('find/api', 'latest', (await client.getManifest('find/api', '1.0.0')).bytes, 'application/vnd.oci.image.manifest.v1+json');
    const statement = (subject: string, entry: Spec) => ({
      builder: { id: 'https://github.com/actions/runner' }, buildType: 'https://example.com/build',
      invocation: { configSource: { uri: `git+${entry.provenance!.source}.git`, digest: { sha1: entry.provenance!.commit }, entryPoint: 'Dockerfile' } },
      materials: [{ uri: `git+${entry.provenance!.source}`, digest: { sha1: entry.provenance!.commit } }], subject,
    });
    for (const entry of SPECS.filter((candidate) => candidate.provenance?.via === 'cosign-att')) {
      const subject = pushed.get(entry.i)!;
      await pushCosignAttestation(registry, entry.repository, subject.digest, SLSA, statement(subject.digest, entry), () => Buffer.from('not verified by find'));
    }
    for (const entry of SPECS.filter((candidate) => candidate.provenance?.via === 'referrer')) {
      const subject = pushed.get(entry.i)!;
      const payload = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: SLSA, subject: [{ name: 'app', digest: { sha256: subject.digest.slice(7) } }], predicate: statement(subject.digest, entry) }));
      await attachReferrer(registry, entry.repository, subject, {
        artifactType: 'application/vnd.dsse.envelope.v1+json',
        content: JSON.stringify({ payloadType: 'application/vnd.in-toto+json', payload: payload.toString('base64'), signatures: [] }),
      });
    }
    const layoutDir = join(root, 'buildkit-layout');
    writeOciLayout(layoutDir, [{ tag: '1.0.48', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }], buildkitAttestations: true }]);
    await skopeoPush(registry, layoutDir, '1.0.48', SPECS[48]!.repository);
  });
  after(async () => {
    await transport?.close();
    await registry?.stop();
  });

  const find = async (written: WrittenFindQuery, repositoryPrefix?: string) => {
    const result = await findImages(client, parseFindQuery(written), repositoryPrefix ? { repositoryPrefix } : {});
    assert.deepEqual(result.failures, []);
    return result;
  };
  const names = (result: Awaited<ReturnType<typeof find>>) => result.images.map((image) => `${image.repository}:${image.tags.filter((tag) => tag !== 'latest')[0]}`).sort();

  const labelledRevisionA = (entry: Spec) => entry.labels['org.opencontainers.image.revision'] === COMMIT_A || entry.annotations['org.opencontainers.image.revision'] === COMMIT_A;

  it('a short SHA finds its full form in labels, annotations and provenance (cosign .att)', async () => {
    const result = await find({ revision: 'a1b2c3d' });
    assert.deepEqual(names(result), expected((entry) => labelledRevisionA(entry) || entry.provenance?.commit === COMMIT_A));
    assert.ok(names(result).includes('find/worker:1.0.46'));
    const viaProvenance = result.images.find((image) => image.tags.includes('1.0.45'))!;
    assert.match(viaProvenance.matchedBy.join(), /provenance cosign sha256-[0-9a-f]{64}\.att, unverified/);
    const zero = result.images.find((image) => image.tags.includes('1.0.0'))!;
    assert.deepEqual(zero.tags, ['1.0.0', 'latest']);
    assert.deepEqual(zero.matchedBy, ['revision (label org.opencontainers.image.revision)']);
    assert.equal(result.imagesRead, 50);
  });

  it('a full SHA, a referrer DSSE provenance and BuildKit provenance inside an index', async () => {
    assert.deepEqual(names(await find({ revision: COMMIT_B })), expected((entry) => entry.labels['org.opencontainers.image.revision'] === COMMIT_B));
    assert.deepEqual(names(await find({ revision: COMMIT_C.slice(0, 10) })), ['other/tool:1.0.47']);
    const buildkit = await find({ revision: BUILDKIT_SOURCE.commit.slice(0, 7) });
    assert.deepEqual(names(buildkit), ['find/api:1.0.48']);
    assert.match(buildkit.images[0]!.matchedBy[0]!, /provenance BuildKit linux\/amd64, unverified/);
  });

  it('labels, sources in their other spellings, base digests and creation times', async () => {
    assert.deepEqual(names(await find({ labels: ['team=payments'] })), expected((entry) => entry.labels.team === 'payments'));
    assert.deepEqual(names(await find({ labels: ['team=search'], revision: 'a1b2c3d' })), expected((entry) => entry.labels.team === 'search' && labelledRevisionA(entry)));
    assert.deepEqual(names(await find({ source: 'https://github.com/acme/web' })), expected((entry) => entry.labels['org.opencontainers.image.source']?.includes('Web') === true));
    assert.deepEqual(names(await find({ source: 'https://github.com/acme/api' })), expected((entry) => entry.labels['org.opencontainers.image.source'] === 'https://github.com/acme/api' || entry.provenance?.source === 'https://github.com/acme/api'));
    assert.deepEqual(names(await find({ source: BUILDKIT_SOURCE.uri })), ['find/api:1.0.48']);
    assert.deepEqual(names(await find({ baseDigest: BASE_1 })), expected((entry) => entry.annotations['org.opencontainers.image.base.digest'] === BASE_1));
    const after = await find({ createdAfter: '2024-02-01' });
    assert.deepEqual(names(after), expected((entry) => entry.created !== undefined && entry.created > '2024-02-01T00:00:00.000Z'));
    assert.equal(after.images.length, 17, 'images 32 to 48');
    assert.deepEqual(names(await find({ labels: ['team=nobody'] })), []);
  });

  it('a repository prefix, and annotations only', async () => {
    assert.deepEqual(names(await find({ labels: ['team=payments'] }, 'find/api')), expected((entry) => entry.repository === 'find/api' && entry.labels.team === 'payments'));
    const prefixed = await find({ labels: ['team=search'] }, 'find');
    assert.equal(prefixed.repositories, 3);
    assert.deepEqual(names(await find({ revision: 'a1b2c3d', annotationsOnly: true })), expected((entry) => entry.annotations['org.opencontainers.image.revision'] === COMMIT_A));
  });

  it('the CLI prints the same sets, and the workspace files that deploy each result', async () => {
    const workspace = join(root, 'workspace');
    mkdirSync(join(workspace, 'deploy'), { recursive: true });
    writeFileSync(join(workspace, 'deploy', 'api.yaml'), `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${registry.host}/find/api:1.0.20\n`);
    const json = await run(['find', `${registry.host}/find`, '--revision', 'a1b2c3d', '--json'], workspace);
    assert.equal(json.code, 0, json.stderr);
    const output = JSON.parse(json.stdout) as { images: { repository: string; tags: string[]; deployedBy: { where: string }[] }[] };
    assert.deepEqual(output.images.map((image) => `${image.repository}:${image.tags.filter((tag) => tag !== 'latest')[0]}`).sort(), expected((entry) => entry.repository.startsWith('find/') && (labelledRevisionA(entry) || entry.provenance?.commit === COMMIT_A)));
    assert.deepEqual(output.images.find((image) => image.tags.includes('1.0.20'))!.deployedBy.map((reference) => reference.where), ['deploy/api.yaml:9']);
    const text = await run(['find', registry.host, '--base-digest', BASE_1], workspace);
    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(text.stdout.split('\n').filter((line) => line.startsWith(registry.host)).map((line) => line.split('  ')[1]).sort(), SPECS.filter((entry) => entry.annotations['org.opencontainers.image.base.digest'] === BASE_1).map((entry) => entry.tag).sort());
    assert.match(text.stderr, /5 image\(s\) found; 50 image\(s\) read in 4 repositories/);
    const bad = await run(['find', registry.host, '--revision', 'xyz'], workspace);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--revision takes a commit: 7 to 64 hex characters \(got "xyz"\)/);
  });
});
