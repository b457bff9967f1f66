// Evidence in every storage layout, on a real registry (Debian's docker-registry), pushed with skopeo:
// BuildKit attestation manifests inside the index (an SPDX SBOM and SLSA v0.2 provenance per
// platform, written by the test helper after BuildKit's attestation-storage document), and
// signatures and attestations as referrers and legacy cosign tags. skopeo is the independent
// reader of what the registry holds.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { evaluateGates } from '../../src/core/promote/gates';
import { executePromotion, planPromotion } from '../../src/core/promote/promote';
import { noCredentials } from '../../src/core/registry/auth';
import { ExplorerModel } from '../../src/core/registry/explorer';
import type { ExplorerNode } from '../../src/core/registry/explorer';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { allTags, attachmentContent, attachmentsOf, inspectImage } from '../../src/core/registry/inspect';
import type { Attachment } from '../../src/core/registry/inspect';
import { Transport } from '../../src/core/registry/transport';
import { readReport } from '../../src/core/reports/readReport';
import { applyRetention } from '../../src/core/retention/apply';
import { readInventory } from '../../src/core/retention/inventory';
import { planRetention } from '../../src/core/retention/plan';
import { policyFrom } from '../../src/core/retention/policyFile';
import { NO_PROTECTION } from '../../src/core/retention/protection';
import { attachReferrer, pushCosignAttestation, skopeoPush, writeOciLayout } from './fixtures';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';
import { stewardIn } from './stewardCli';

const execFileAsync = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'steward-buildkit-'));
const steward = stewardIn(root);
after(() => rmSync(root, { recursive: true, force: true }));

const TWO_PLATFORMS = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }];
const SPDX = 'https://spdx.dev/Document';
const SLSA_V02 = 'https://slsa.dev/provenance/v0.2';
const REPOSITORY = 'team/app';
const layoutDir = join(root, 'layout');
writeOciLayout(layoutDir, [
  { tag: '1.0.0', platforms: TWO_PLATFORMS, buildkitAttestations: true, created: '2026-05-01T00:00:00Z' },
  { tag: '0.9.0', platforms: TWO_PLATFORMS, buildkitAttestations: true, created: '2026-01-01T00:00:00Z', content: 'older', sbomOpensslVersion: '3.0.8-1' },
  { tag: 'signed' },
]);

interface IndexEntry {
  readonly digest: string;
  readonly platform: { os: string; architecture: string };
  readonly annotations?: Record<string, string>;
}

/** The raw bytes skopeo reads for a reference. */
async function skopeoRaw(registry: RunningRegistry, reference: string): Promise<Buffer> {
  const { stdout } = await execFileAsync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/${reference}`], { encoding: 'buffer' });
  return stdout;
}

/** Per platform (`linux/amd64`), its manifest and the attestation manifest naming it — read from skopeo's view of the index. */
async function attestationsBySkopeo(registry: RunningRegistry, reference: string): Promise<Map<string, { platform: string; attestation: string }>> {
  const entries = (JSON.parse((await skopeoRaw(registry, reference)).toString('utf8')) as { manifests: IndexEntry[] }).manifests;
  const byPlatform = new Map<string, { platform: string; attestation: string }>();
  for (const entry of entries.filter((candidate) => candidate.platform.os !== 'unknown')) {
    const attestation = entries.find((candidate) => candidate.annotations?.['vnd.docker.reference.digest'] === entry.digest);
    assert.equal(attestation?.annotations?.['vnd.docker.reference.type'], 'attestation-manifest');
    byPlatform.set(`${entry.platform.os}/${entry.platform.architecture}`, { platform: entry.digest, attestation: attestation!.digest });
  }
  return byPlatform;
}

const summary = (attachments: readonly Attachment[]) => attachments.map((attachment) => `${attachment.via} ${attachment.platform ?? '-'} ${attachment.kind} ${attachment.predicateType ?? '-'}`).sort();

describe('BuildKit attestations and signature formats on a real registry', () => {
  let staging: RunningRegistry;
  let production: RunningRegistry;
  let transport: Transport;
  const client = (registry: RunningRegistry) => new HttpRegistry(registry.host, transport, noCredentials);

  before(async () => {
    transport = new Transport({ backoffMs: 5, maxWaitMs: 50 });
    [staging, production] = await Promise.all([startRegistry('plain', join(root, 'staging')), startRegistry('plain', join(root, 'production'))]);
    for (const tag of ['1.0.0', '0.9.0', 'signed']) await skopeoPush(staging, layoutDir, tag, REPOSITORY);
  });
  after(async () => {
    await transport?.close();
    await Promise.all([staging?.stop(), production?.stop()]);
  });

  it('inspect lists 2 platforms and, per platform, its SBOM and provenance found in the index', async () => {
    const details = await inspectImage(client(staging), REPOSITORY, '1.0.0');
    const expected = await attestationsBySkopeo(staging, `${REPOSITORY}:1.0.0`);
    assert.deepEqual(details.platforms, [...expected].map(([platform, { platform: digest }]) => ({ platform, digest })), 'the unknown/unknown entries are not platforms');
    assert.deepEqual(summary(details.attachments), [
      `buildkit linux/amd64 provenance ${SLSA_V02}`, `buildkit linux/amd64 sbom ${SPDX}`,
      `buildkit linux/arm64 provenance ${SLSA_V02}`, `buildkit linux/arm64 sbom ${SPDX}`,
    ]);
    for (const attachment of details.attachments) assert.equal(attachment.digest, expected.get(attachment.platform!)!.attestation, `${attachment.kind} of ${attachment.platform} is in the attestation manifest naming that platform`);
  });

  it('steward inspect prints each attachment with its platform', async () => {
    const run = await steward(['inspect', `${staging.host}/${REPOSITORY}:1.0.0`], root);
    assert.equal(run.code, 0, run.stderr);
    const expected = await attestationsBySkopeo(staging, `${REPOSITORY}:1.0.0`);
    assert.match(run.stdout, /Platforms:\n {2}linux\/amd64 +sha256:\w+\n {2}linux\/arm64 +sha256:\w+\nLabels/);
    for (const [platform, { attestation }] of expected) {
      assert.ok(run.stdout.includes(`  sbom         ${attestation}  ${SPDX} for ${platform} (BuildKit, in the index)`), run.stdout);
      assert.ok(run.stdout.includes(`  provenance   ${attestation}  ${SLSA_V02} for ${platform} (BuildKit, in the index)`), run.stdout);
    }
  });

  it('the explorer folds each platform\'s SBOM and provenance under that platform, and nothing under the tag', async () => {
    const model = new ExplorerModel({ sort: () => 'version', describeError: (error) => ({ message: (error as Error).message, fix: 'retry' }) });
    const registryNode: ExplorerNode = { kind: 'registry', id: 'staging', label: staging.host, source: 'settings', backend: client(staging) };
    const [namespace] = await model.children(registryNode);
    const [repository] = await model.children(namespace!);
    const tag = (await model.children(repository!)).find((node) => node.kind === 'tag' && node.tag === '1.0.0')!;
    const platforms = await model.children(tag);
    assert.deepEqual(platforms.map((node) => (node.kind === 'platform' ? node.label : node.kind)), ['linux/amd64', 'linux/arm64']);
    for (const platform of platforms) {
      const children = await model.children(platform);
      assert.deepEqual(children.map((node) => (node.kind === 'attachment' ? `${node.attachment.kind} ${node.attachment.platform}` : node.kind)).sort(), [`provenance ${(platform as { label: string }).label}`, `sbom ${(platform as { label: string }).label}`]);
      assert.equal(new Set(children.map((node) => node.id)).size, 2, 'the SBOM and the provenance of one manifest are two nodes');
    }
  });

  it('the SPDX layer reads as that platform\'s SBOM; the provenance layer is the SLSA statement', async () => {
    const backend = client(staging);
    const details = await inspectImage(backend, REPOSITORY, '1.0.0');
    const expected = await attestationsBySkopeo(staging, `${REPOSITORY}:1.0.0`);
    const sbomOf = details.attachments.find((attachment) => attachment.kind === 'sbom' && attachment.platform === 'linux/arm64')!;
    const read = readReport((await attachmentContent(backend, REPOSITORY, sbomOf)).toString('utf8'));
    assert.equal(read.kind, 'sbom', read.kind === 'error' ? read.message : '');
    if (read.kind !== 'sbom') return;
    assert.deepEqual([read.sbom.format, read.sbom.packages.map((pkg) => `${pkg.name}@${pkg.version}`)], ['spdx', ['openssl@3.0.9-1']]);
    const provenance = details.attachments.find((attachment) => attachment.kind === 'provenance' && attachment.platform === 'linux/arm64')!;
    const statement = JSON.parse((await attachmentContent(backend, REPOSITORY, provenance)).toString('utf8')) as { predicateType: string; subject: { digest: { sha256: string } }[] };
    assert.deepEqual([statement.predicateType, `sha256:${statement.subject[0]!.digest.sha256}`], [SLSA_V02, expected.get('linux/arm64')!.platform]);
  });

  it('steward sbom diff compares two images\' BuildKit SBOMs, for linux/amd64 unless --platform names another', async () => {
    const [older, newer] = ['0.9.0', '1.0.0'].map((tag) => `${staging.host}/${REPOSITORY}:${tag}`);
    const digests = await Promise.all(['0.9.0', '1.0.0'].map(async (tag) => `sha256:${createHash('sha256').update(await skopeoRaw(staging, `${REPOSITORY}:${tag}`)).digest('hex')}`));
    const diffFor = async (...platform: string[]) => {
      const run = await steward(['sbom', 'diff', older!, newer!, '--json', ...platform], root);
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as { before: string; after: string; added: unknown[]; removed: unknown[]; changed: { before: { version: string }; after: { version: string } }[] };
    };
    for (const [platform, args] of [['linux/amd64', []], ['linux/arm64', ['--platform', 'linux/arm64']]] as const) {
      const diff = await diffFor(...args);
      assert.deepEqual([diff.before, diff.after], [`${older} (${digests[0]!.slice(0, 19)}…, ${platform})`, `${newer} (${digests[1]!.slice(0, 19)}…, ${platform})`]);
      assert.deepEqual([diff.added, diff.removed, diff.changed.map((change) => `${change.before.version} → ${change.after.version}`)], [[], [], ['3.0.8-1 → 3.0.9-1']]);
    }
    const missing = await steward(['sbom', 'licenses', newer!, '--platform', 'linux/s390x'], root);
    assert.deepEqual([missing.code, missing.stderr], [2, `steward: sbom: ${newer} (${digests[1]}) has no SBOM for linux/s390x (it has SBOMs for linux/amd64, linux/arm64)\n`]);
  });

  it('the SBOM gate passes on BuildKit\'s SBOM, in the gates and in the promotion plan', async () => {
    const backend = client(staging);
    const details = await inspectImage(backend, REPOSITORY, '1.0.0');
    const [direct] = await evaluateGates({ sbom: true }, { attachments: details.attachments, labels: details.labels, read: (attachment) => attachmentContent(backend, REPOSITORY, attachment) });
    assert.equal(direct!.pass, true, direct!.detail);
    const plan = await planPromotion(staging.host, { backend, repository: REPOSITORY, reference: '1.0.0' }, { registry: client(production), repository: 'prod/app', tags: ['1.0.0'] }, { rule: { match: '**', gates: { sbom: true } } });
    assert.deepEqual(plan.gates.map((gate) => [gate.gate, gate.pass]), [['sbom', true]]);
    assert.match(plan.gates[0]!.detail, /^SBOM attached \(https:\/\/spdx\.dev\/Document for linux\/amd64 \(BuildKit, in the index\)\)$/);
    assert.deepEqual(plan.blockers, []);
  });

  it('promotion to another repository and to another registry keeps the index byte-identical (skopeo), attestations included', async () => {
    const source = { backend: client(staging), repository: REPOSITORY, reference: '1.0.0' };
    const original = await skopeoRaw(staging, `${REPOSITORY}:1.0.0`);
    const targets = [{ registry: staging, repository: 'release/app' }, { registry: production, repository: 'prod/app' }];
    for (const { registry, repository } of targets) {
      const target = { registry: client(registry), repository, tags: ['1.0.0'] };
      const result = await executePromotion(source, target, await planPromotion(staging.host, source, target));
      assert.equal(result.attachmentsCopied, 0, 'BuildKit attestations ride inside the index: nothing to carry beside it');
      assert.ok((await skopeoRaw(registry, `${repository}:1.0.0`)).equals(original), `${registry.host}/${repository}: the index is byte-identical`);
      const promoted = await inspectImage(client(registry), repository, '1.0.0');
      assert.deepEqual(summary(promoted.attachments.filter((attachment) => attachment.kind !== 'promotion')), summary((await inspectImage(source.backend, REPOSITORY, '1.0.0')).attachments));
      for (const { attestation } of (await attestationsBySkopeo(registry, `${repository}:1.0.0`)).values()) await skopeoRaw(registry, `${repository}@${attestation}`);
    }
  });

  it('retention keeps the attestation manifests of a kept index, and deletes them only with their image', async () => {
    const backend = client(staging);
    const inventory = await readInventory(backend, REPOSITORY);
    const kept = await attestationsBySkopeo(staging, `${REPOSITORY}:1.0.0`);
    const dropped = await attestationsBySkopeo(staging, `${REPOSITORY}:0.9.0`);
    for (const [platform, { platform: digest, attestation }] of [...kept, ...dropped]) {
      const artifact = inventory.artifacts.find((candidate) => candidate.digest === attestation);
      assert.deepEqual([artifact?.role, artifact?.subject], ['attachment', digest], `the attestation manifest of ${platform} is attached to its platform`);
    }
    // Untagged artifacts are deleted unless something kept holds them: the strictest case for attestations.
    const policy = policyFrom({ retention: { rules: [{ tags: ['*.*.*'], keepLast: 1 }, { tags: ['signed'], always: true }], untagged: 'delete' } }, '.steward.yaml');
    const plan = planRetention([inventory], policy, NO_PROTECTION, Date.parse('2026-06-01T00:00:00Z'));
    const items = new Map(plan.repositories[0]!.items.map((item) => [item.digest, item]));
    for (const { platform, attestation } of kept.values()) {
      assert.deepEqual([items.get(platform)!.action, items.get(attestation)!.action], ['keep', 'keep']);
      assert.match(items.get(attestation)!.because!, /^an attestation in the kept index sha256:/);
    }
    for (const { platform, attestation } of dropped.values()) {
      assert.deepEqual([items.get(platform)!.action, items.get(attestation)!.action], ['delete', 'delete']);
      assert.equal(items.get(attestation)!.because, `attached to ${platform.slice(0, 19)}, which is deleted`);
    }
    assert.equal(plan.repositories[0]!.deletes, 5, 'the 0.9.0 index, its 2 platforms and their 2 attestation manifests; nothing of 1.0.0');

    const results = await applyRetention(plan, () => backend);
    assert.deepEqual(results.filter((result) => result.outcome !== 'deleted' && result.outcome !== 'already gone'), []);
    for (const { attestation } of kept.values()) await skopeoRaw(staging, `${REPOSITORY}@${attestation}`);
    assert.equal((await inspectImage(backend, REPOSITORY, '1.0.0')).attachments.length, 4, '1.0.0 still shows its 4 attestations');
  });

  it('signatures and attestations elsewhere: sigstore bundles (also under the wrong index type), notation, DSSE referrers, cosign .att', async () => {
    const backend = client(staging);
    const subject = await backend.resolve(REPOSITORY, 'signed');
    const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
    const bundle = JSON.stringify({ mediaType: bundleType, verificationMaterial: {}, messageSignature: {} });
    const attached = {
      bundle: await attachReferrer(staging, REPOSITORY, subject, { artifactType: bundleType, content: bundle }),
      // cosign ≥ 2.5 with --new-bundle-format names the empty config type in the referrers index.
      misnamedBundle: await attachReferrer(staging, REPOSITORY, subject, { artifactType: bundleType, content: `${bundle} `, indexArtifactType: 'application/vnd.oci.empty.v1+json' }),
      // cosign attest --new-bundle-format: a bundle of a DSSE envelope, its predicate type annotated.
      provenanceBundle: await attachReferrer(staging, REPOSITORY, subject, { artifactType: bundleType, content: `${bundle}  `, annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1' } }),
      notation: await attachReferrer(staging, REPOSITORY, subject, { artifactType: 'application/vnd.cncf.notary.signature', layerMediaType: 'application/jose+json', content: '{"payload":"","protected":"","signature":""}' }),
      dsse: await attachReferrer(staging, REPOSITORY, subject, { artifactType: 'application/vnd.dsse.envelope.v1+json', content: '{"payloadType":"application/vnd.in-toto+json","payload":"","signatures":[]}' }),
      cosignAttestation: await pushCosignAttestation(staging, REPOSITORY, subject.digest, 'https://slsa.dev/provenance/v0.2', {}, () => Buffer.from('MEUCIQ-test')),
    };
    const attachments = await attachmentsOf(backend, REPOSITORY, subject.digest, allTags(backend, REPOSITORY));
    const kindOf = (digest: string) => attachments.find((attachment) => attachment.digest === digest)?.kind;
    assert.deepEqual(Object.fromEntries(Object.entries(attached).map(([name, manifest]) => [name, kindOf(manifest.digest)])), {
      bundle: 'signature', misnamedBundle: 'signature', provenanceBundle: 'provenance', notation: 'signature', dsse: 'attestation', cosignAttestation: 'provenance',
    });
    assert.equal(attachments.find((attachment) => attachment.via === 'cosign-tag')?.predicateType, 'https://slsa.dev/provenance/v0.2');
  });
});
