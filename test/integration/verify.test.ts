// Offline verification on a real registry: cosign-format signatures and DSSE attestations made here
// with node:crypto (independently of core), then every forgery a registry or a pull request can try.
import { strict as assert } from 'node:assert';
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKeyFiles, readPublicKey } from '../../src/core/evidence/keys';
import type { TrustedKey } from '../../src/core/evidence/keys';
import { verifyImage } from '../../src/core/evidence/verify';
import { evaluateGates } from '../../src/core/promote/gates';
import type { GateEvidence, PromotionGates } from '../../src/core/promote/gates';
import { attachmentContent, inspectImage } from '../../src/core/registry/inspect';
import { noCredentials } from '../../src/core/registry/auth';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { Transport } from '../../src/core/registry/transport';
import { cosignPayload, pushCosignAttestation, pushCosignSignature, skopeoPush, writeOciLayout } from './fixtures';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';
import { stewardIn } from './stewardCli';

const root = mkdtempSync(join(tmpdir(), 'steward-verify-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface TestKey {
  readonly privateKey: KeyObject;
  readonly trusted: TrustedKey;
  readonly pemFile: string;
  /** Signs as cosign does: SHA-256 with ECDSA (DER) or RSA PKCS#1 v1.5, or plain Ed25519. */
  readonly sign: (data: Buffer) => Buffer;
}

function testKey(name: string, type: 'ec' | 'rsa' | 'ed25519'): TestKey {
  const { publicKey, privateKey } = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const pemFile = join(root, `${name}.pub`);
  writeFileSync(pemFile, pem);
  return { privateKey, trusted: readPublicKey(pem, `${name}.pub`), pemFile, sign: (data) => sign(type === 'ed25519' ? null : 'sha256', data, privateKey) };
}

describe('steward verify and verifyImage, offline, on a real registry', () => {
  let registry: RunningRegistry;
  let client: HttpRegistry;
  const release = testKey('release', 'ec');
  const ops = testKey('ops', 'rsa');
  const edge = testKey('edge', 'ed25519');
  const stranger = testKey('stranger', 'ec');
  const layoutDir = join(root, 'layout');
  const tags = ['signed', 'other-key', 'flipped', 'names-other', 'copied', 'unsigned', 'same-key-twice', 'two-keys', 'ed25519', 'attested', 'attested-elsewhere'];
  const { digests } = writeOciLayout(layoutDir, tags.map((tag) => ({ tag, content: tag })));
  const steward = stewardIn(root);

  before(async () => {
    registry = await startRegistry('plain', join(root, 'registry'));
    for (const tag of tags) await skopeoPush(registry, layoutDir, tag, 'team/app');
    const signed = (key: TestKey, digest: string) => ({ payload: cosignPayload(digest), signature: key.sign(cosignPayload(digest)) });
    await pushCosignSignature(registry, 'team/app', digests.signed!, [signed(release, digests.signed!)]);
    await pushCosignSignature(registry, 'team/app', digests['other-key']!, [signed(stranger, digests['other-key']!)]);
    const flipped = release.sign(cosignPayload(digests.flipped!));
    flipped[flipped.length - 1]! ^= 0x01;
    await pushCosignSignature(registry, 'team/app', digests.flipped!, [{ payload: cosignPayload(digests.flipped!), signature: flipped }]);
    // A valid signature whose payload names another image, under this image's tag.
    await pushCosignSignature(registry, 'team/app', digests['names-other']!, [signed(release, digests.signed!)]);
    // The whole .sig manifest of `signed`, copied under `copied`'s signature tag.
    await pushCosignSignature(registry, 'team/app', digests.copied!, [signed(release, digests.signed!)]);
    await pushCosignSignature(registry, 'team/app', digests['same-key-twice']!, [signed(release, digests['same-key-twice']!), signed(release, digests['same-key-twice']!)]);
    await pushCosignSignature(registry, 'team/app', digests['two-keys']!, [signed(release, digests['two-keys']!), signed(ops, digests['two-keys']!)]);
    await pushCosignSignature(registry, 'team/app', digests.ed25519!, [signed(edge, digests.ed25519!)]);
    const provenance = { buildType: 'https://mobyproject.org/buildkit@v1', builder: { id: 'https://github.com/actions/runner' }, invocation: { configSource: { uri: 'https://github.com/example/app', digest: { sha1: 'a1b2c3d' } } } };
    await pushCosignAttestation(registry, 'team/app', digests.attested!, 'https://slsa.dev/provenance/v0.2', provenance, release.sign);
    await pushCosignAttestation(registry, 'team/app', digests['attested-elsewhere']!, 'https://slsa.dev/provenance/v0.2', provenance, release.sign, digests.attested);
    client = new HttpRegistry(registry.host, new Transport({}), noCredentials);
  });
  after(async () => { await registry?.stop(); });

  const verify = (tag: string, keys: readonly TestKey[], threshold = 1) => verifyImage(client, 'team/app', digests[tag]!, { keys: keys.map((key) => key.trusted), threshold });

  it('a signature by a configured key verifies (ECDSA P-256, RSA, Ed25519)', async () => {
    const result = await verify('signed', [ops, release]);
    assert.deepEqual([result.verified, result.reason, result.signatures.map((signature) => [signature.verified, signature.reason, signature.keyId])], [true, '1 of the required 1 distinct key(s) signed it', [[true, 'signed by release.pub', release.trusted.id]]]);
    assert.equal((await verify('ed25519', [edge])).verified, true);
    assert.equal((await verify('two-keys', [ops])).verified, true, 'the RSA signature of two-keys');
  });

  it('each forgery fails with its own reason', async () => {
    const reasons = async (tag: string) => {
      const result = await verify(tag, [release, ops]);
      assert.equal(result.verified, false, tag);
      return [result.reason, ...result.signatures.map((signature) => signature.reason)];
    };
    assert.deepEqual(await reasons('other-key'), ['0 distinct trusted key(s) signed it, 1 required', 'does not verify with any of the 2 configured key(s): signed by another key, or altered']);
    assert.deepEqual(await reasons('flipped'), ['0 distinct trusted key(s) signed it, 1 required', 'does not verify with any of the 2 configured key(s): signed by another key, or altered']);
    const elsewhere = `the payload names ${digests.signed!.slice(0, 19)}…, not this image`;
    assert.match((await reasons('names-other'))[1]!, new RegExp(`^${elsewhere.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match((await reasons('copied'))[1]!, new RegExp(`^${elsewhere.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.deepEqual(await reasons('unsigned'), ['no signature is attached']);
  });

  it('a threshold counts distinct keys: two signatures by one key are one', async () => {
    const once = await verify('same-key-twice', [release, ops], 2);
    assert.deepEqual([once.verified, once.reason, once.signatures.filter((signature) => signature.verified).length], [false, '1 distinct trusted key(s) signed it, 2 required', 2]);
    const twice = await verify('two-keys', [release, ops], 2);
    assert.deepEqual([twice.verified, twice.reason], [true, '2 of the required 2 distinct key(s) signed it']);
  });

  it('a DSSE attestation verifies over PAE and must name this image', async () => {
    const [attestation] = (await verify('attested', [release])).attestations;
    assert.deepEqual([attestation!.verified, attestation!.reason, attestation!.predicateType], [true, 'signed by release.pub', 'https://slsa.dev/provenance/v0.2']);
    assert.equal((await verify('attested', [ops])).attestations[0]!.reason, 'no signature of the envelope verifies with the 1 configured key(s)');
    assert.equal((await verify('attested-elsewhere', [release])).attestations[0]!.reason, `the statement's subject is sha256:${digests.attested!.slice(7, 19)}…, not this image (${digests['attested-elsewhere']!.slice(0, 19)}…)`);
  });

  /** The promotion's gate evidence for a tag, with keys read from this test's folder. */
  async function gates(tag: string, config: PromotionGates, labels: Record<string, string> = {}) {
    const details = await inspectImage(client, 'team/app', tag);
    const evidence: GateEvidence = {
      attachments: details.attachments, labels, digests: [details.digest],
      read: (attachment) => attachmentContent(client, 'team/app', attachment),
      loadKeys: (paths) => loadKeyFiles(paths, root, root),
      verify: (policy) => verifyImage(client, 'team/app', details.digest, policy),
    };
    return (await evaluateGates(config, evidence)).map((result) => [result.gate, result.pass, result.detail]);
  }

  it('promotion gates: signature true is only "present"; with keys it verifies; provenance conditions are checked', async () => {
    assert.deepEqual(await gates('other-key', { signature: true }), [['signature', true, `present, not verified (cosign tag ${digests['other-key']!.replace(':', '-')}.sig); configure keys to verify it`]]);
    assert.deepEqual(await gates('signed', { signature: { keys: ['release.pub'] } }), [['signature', true, '1 of the required 1 distinct key(s) signed it; signature 1: signed by release.pub']]);
    assert.deepEqual((await gates('other-key', { signature: { keys: ['release.pub', 'ops.pub'] } }))[0]!.slice(0, 2), ['signature', false]);
    assert.deepEqual((await gates('signed', { signature: { keys: ['../outside.pub'] } }))[0]!.slice(0, 2), ['signature', false], 'a key outside the config folder is not read');
    const provenance = { source: 'git+https://github.com/Example/app.git', builder: 'https://github.com/actions/runner', matchRevisionLabel: true, signed: true };
    assert.deepEqual(await gates('attested', { provenance: { ...provenance, keys: ['release.pub'] } }, { 'org.opencontainers.image.revision': 'a1b2c3d4e5f6' }), [['provenance', true, `${digests.attested!.replace(':', '-')}.att layer 1: signed, built from git+https://github.com/Example/app.git, by https://github.com/actions/runner`]]);
    const [[, wrongCommit, why]] = await gates('attested', { provenance: { ...provenance, keys: ['release.pub'] } }, { 'org.opencontainers.image.revision': 'ffff000' }) as [[string, boolean, string]];
    assert.deepEqual([wrongCommit, why], [false, `${digests.attested!.replace(':', '-')}.att layer 1: built from commit a1b2c3d, but the image's revision label says ffff000`]);
    const [[, unsigned, unsignedWhy]] = await gates('attested', { provenance: { ...provenance, keys: ['ops.pub'] } }) as [[string, boolean, string]];
    assert.deepEqual([unsigned, unsignedWhy], [false, `${digests.attested!.replace(':', '-')}.att layer 1: present, not signed by a trusted key (no signature of the envelope verifies with the 1 configured key(s))`]);
    assert.deepEqual(await gates('signed', { provenance: { source: 'https://github.com/example/app' } }), [['provenance', false, 'no SLSA provenance is attached to the image (docker buildx build --provenance=true, cosign attest --type slsaprovenance)']]);
  });

  it('steward verify: exit 0 verified, 1 not, 2 usage; JSON with a verdict per signature', async () => {
    const ok = await steward(['verify', `${registry.host}/team/app:two-keys`, '--key', release.pemFile, '--key', ops.pemFile, '--threshold', '2', '--json'], root);
    assert.equal(ok.code, 0, ok.stderr);
    const json = JSON.parse(ok.stdout) as { verified: boolean; digest: string; signatures: { verified: boolean; keyId: string }[] };
    assert.deepEqual([json.verified, json.digest, json.signatures.map((signature) => signature.keyId)], [true, digests['two-keys'], [release.trusted.id, ops.trusted.id]]);
    const copied = await steward(['verify', `${registry.host}/team/app:copied`, '--key', release.pemFile], root);
    assert.equal(copied.code, 1);
    assert.match(copied.stdout, /^NOT VERIFIED {2}.*\n {2}✗ 0 distinct trusted key\(s\) signed it, 1 required\n {2}signature 1 \(sha256-[0-9a-f]{64}\.sig layer 1\): not verified: the payload names sha256:/);
    const attestation = await steward(['verify', `${registry.host}/team/app:attested`, '--key', release.pemFile, '--attestation', 'slsaprovenance'], root);
    assert.equal(attestation.code, 1, 'attested has an attestation but no signature');
    assert.match(attestation.stdout, /attestation 1 \(https:\/\/slsa\.dev\/provenance\/v0\.2, .*\): verified: signed by .*release\.pub/);
    const usage = await steward(['verify', `${registry.host}/team/app:signed`], root);
    assert.deepEqual([usage.code, /needs at least one --key/.test(usage.stderr)], [2, true]);
  });
});
