// Offline verification on a real registry: cosign-format signatures and DSSE attestations made here
// with node:crypto (independently of core), then every forgery a registry or a pull request can try.
import { strict as assert } from 'node:assert';
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKeyFiles, readPublicKey } from '../../src/core/evidence/keys';
import type { TrustedKey } from '../../src/core/evidence/keys';
import { readTrustedRoot, loadTrustedRoot } from '../../src/core/evidence/sigstore';
import { verifyImage } from '../../src/core/evidence/verify';
import type { VerificationPolicy } from '../../src/core/evidence/verify';
import { evaluateGates } from '../../src/core/promote/gates';
import { executePromotion, planPromotion } from '../../src/core/promote/promote';
import type { GateEvidence, PromotionGates } from '../../src/core/promote/gates';
import { attachmentContent, inspectImage } from '../../src/core/registry/inspect';
import { noCredentials } from '../../src/core/registry/auth';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { Transport } from '../../src/core/registry/transport';
import { cosignPayload, pushCosignAttestation, pushCosignSignature, skopeoPush, writeOciLayout } from './fixtures';
import { keylessCosignLayer, pushReferrers, signedBundle, testCa, testLog, trustedRootJson } from './sigstoreFixtures';
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

  it('a promotion to another registry carries the signatures and attestations: verification passes at the target, behind a verifying gate', async () => {
    const target = await startRegistry('plain', join(root, 'target'));
    try {
      const targetClient = new HttpRegistry(target.host, new Transport({}), noCredentials);
      const source = { backend: client, repository: 'team/app', reference: 'two-keys' };
      const destination = { registry: targetClient, repository: 'prod/app', tags: ['1.0.0'] };
      const rule = { match: `${target.host}/prod/**`, gates: { signature: { keys: ['release.pub', 'ops.pub'], threshold: 2 } } };
      const plan = await planPromotion(registry.host, source, destination, { rule, configRoot: root });
      assert.deepEqual(plan.gates.map((gate) => [gate.gate, gate.pass]), [['signature', true]], plan.blockers.join('; '));
      await executePromotion(source, destination, plan, { rule, configRoot: root });
      const atTarget = await verifyImage(targetClient, 'prod/app', digests['two-keys']!, { keys: [release.trusted, ops.trusted], threshold: 2 });
      assert.deepEqual([atTarget.verified, atTarget.reason], [true, '2 of the required 2 distinct key(s) signed it']);
      const refused = await planPromotion(registry.host, { ...source, reference: 'other-key' }, { ...destination, tags: ['1.0.1'] }, { rule, configRoot: root });
      assert.match(refused.blockers.join('\n'), /^gate signature failed: 0 distinct trusted key\(s\) signed it, 2 required; signature 1: does not verify/m);
    } finally {
      await target.stop();
    }
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
    const inspected = await steward(['inspect', `${registry.host}/team/app:other-key`, '--key', release.pemFile], root);
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.match(inspected.stdout, /\nVerification: not verified \(0 distinct trusted key\(s\) signed it, 1 required\)\n {2}invalid {4}sha256-[0-9a-f]{64}\.sig layer 1: does not verify with any of the 1 configured key\(s\)/);
    const usage = await steward(['verify', `${registry.host}/team/app:signed`], root);
    assert.deepEqual([usage.code, /needs at least one --key/.test(usage.stderr)], [2, true]);
  });
});

// Keyless: a test sigstore (CA, log, trusted_root.json) made by sigstoreFixtures with openssl and
// node:crypto. Every socket this process or the spawned CLI opens is checked: only the test
// registry may be reached (the trusted root names https://rekor.test.invalid, which must stay untouched).
const OFFLINE_GUARD = `
const net = require('node:net');
const { appendFileSync } = require('node:fs');
const allowed = process.env.STEWARD_TEST_ONLY_PORT;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  const loopback = options.host === undefined || ['127.0.0.1', 'localhost', '::1'].includes(options.host);
  if (options.path === undefined && !(loopback && String(options.port) === allowed)) {
    appendFileSync(process.env.STEWARD_TEST_VIOLATIONS, JSON.stringify({ host: options.host, port: options.port }) + '\\n');
    throw new Error('offline test: a connection to ' + options.host + ':' + options.port + ' was refused');
  }
  return connect.apply(this, args);
};
`;

describe('keyless verification (sigstore bundles, cosign certificates), offline, on a real registry', () => {
  const dir = join(root, 'keyless');
  mkdirSync(dir, { recursive: true });
  const RELEASE = { san: 'https://github.com/example/app/.github/workflows/release.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' };
  const OPS = { san: 'ops@example.com', issuer: 'https://accounts.google.com' };
  const release = { issuer: RELEASE.issuer, subject: RELEASE.san };
  const ops = { issuer: OPS.issuer, subject: OPS.san };
  const ca = testCa(dir, 'test-fulcio');
  const strangerCa = testCa(dir, 'stranger-fulcio');
  const log = testLog();
  const rogueLog = testLog();
  const releaseLeaf = ca.leaf('release', RELEASE);
  const opsLeaf = ca.leaf('ops', OPS);
  const strangerLeaf = strangerCa.leaf('release', RELEASE);
  const rootFile = join(dir, 'trusted_root.json');
  writeFileSync(rootFile, trustedRootJson([ca.root], [log]));
  const trustedRoot = readTrustedRoot(trustedRootJson([ca.root], [log]), 'trusted_root.json');
  const releaseKey = testKey('keyless-release', 'ec');
  const tags = ['kl-signed', 'kl-bad-proof', 'kl-expired', 'kl-elsewhere', 'kl-rewritten', 'kl-tampered', 'kl-wrong-key', 'kl-forged-set', 'kl-stranger-ca', 'kl-twice', 'kl-two', 'kl-mixed', 'kl-cosign', 'kl-notation', 'kl-attested'];
  const layoutDir = join(dir, 'layout');
  const { digests } = writeOciLayout(layoutDir, tags.map((tag) => ({ tag, content: tag })));
  const steward = stewardIn(root);
  const violations = join(dir, 'violations.jsonl');
  const guardFile = join(dir, 'offline-guard.cjs');
  writeFileSync(guardFile, OFFLINE_GUARD);
  writeFileSync(violations, '');
  let registry: RunningRegistry;
  let client: HttpRegistry;
  let restoreConnect: (() => void) | undefined;

  const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const bundleOf = (tag: string, content: string, indexArtifactType?: string | null) => ({ artifactType: BUNDLE, content, ...(indexArtifactType !== undefined ? { indexArtifactType } : {}) });

  before(async () => {
    registry = await startRegistry('plain', join(dir, 'registry'));
    for (const tag of tags) await skopeoPush(registry, layoutDir, tag, 'team/keyless');
    const push = (tag: string, ...bundles: string[]) => pushReferrers(registry, 'team/keyless', digests[tag]!, bundles.map((content) => bundleOf(tag, content)));
    await push('kl-signed', signedBundle(releaseLeaf, log, digests['kl-signed']!));
    // Logged two days after its one-day certificate was issued: outside its validity at the integrated time.
    await push('kl-expired', signedBundle(releaseLeaf, log, digests['kl-expired']!, { integratedTime: Math.floor(Date.now() / 1000) + 2 * 86400 }));
    await push('kl-elsewhere', signedBundle(releaseLeaf, log, digests['kl-signed']!));
    await push('kl-rewritten', signedBundle(releaseLeaf, log, digests['kl-rewritten']!, { about: digests['kl-signed']!, tamper: 'subject' }));
    await push('kl-bad-proof', signedBundle(releaseLeaf, log, digests['kl-bad-proof']!, { tamper: 'proof' }));
    await push('kl-tampered', signedBundle(releaseLeaf, log, digests['kl-tampered']!, { tamper: 'signature' }));
    await push('kl-wrong-key', signedBundle({ ...releaseLeaf, privateKey: opsLeaf.privateKey }, log, digests['kl-wrong-key']!));
    await push('kl-forged-set', signedBundle(releaseLeaf, rogueLog, digests['kl-forged-set']!));
    await push('kl-stranger-ca', signedBundle(strangerLeaf, log, digests['kl-stranger-ca']!));
    await push('kl-twice', signedBundle(releaseLeaf, log, digests['kl-twice']!), signedBundle(releaseLeaf, log, digests['kl-twice']!));
    // The second as some cosign versions list it: the index names no artifactType.
    await pushReferrers(registry, 'team/keyless', digests['kl-two']!, [bundleOf('kl-two', signedBundle(releaseLeaf, log, digests['kl-two']!)), bundleOf('kl-two', signedBundle(opsLeaf, log, digests['kl-two']!), null)]);
    await push('kl-mixed', signedBundle(opsLeaf, log, digests['kl-mixed']!));
    await pushCosignSignature(registry, 'team/keyless', digests['kl-mixed']!, [{ payload: cosignPayload(digests['kl-mixed']!), signature: releaseKey.sign(cosignPayload(digests['kl-mixed']!)) }]);
    await pushCosignSignature(registry, 'team/keyless', digests['kl-cosign']!, [keylessCosignLayer(releaseLeaf, ca.root, log, cosignPayload(digests['kl-cosign']!))]);
    await pushReferrers(registry, 'team/keyless', digests['kl-notation']!, [{ artifactType: 'application/vnd.cncf.notary.signature', content: '{"payload":"…"}', layerMediaType: 'application/jose+json' }]);
    await push('kl-attested', signedBundle(releaseLeaf, log, digests['kl-attested']!, { predicateType: 'https://slsa.dev/provenance/v1' }));
    client = new HttpRegistry(registry.host, new Transport({}), noCredentials);
    // From here on, this process may reach the test registry only.
    process.env.STEWARD_TEST_ONLY_PORT = registry.host.split(':').pop();
    process.env.STEWARD_TEST_VIOLATIONS = violations;
    const original = net.Socket.prototype.connect;
    createRequire(__filename)(guardFile);
    const guarded = net.Socket.prototype.connect;
    restoreConnect = () => { if (net.Socket.prototype.connect === guarded) net.Socket.prototype.connect = original; };
  });
  after(async () => {
    restoreConnect?.();
    await registry?.stop();
  });

  const verify = (tag: string, policy: Partial<VerificationPolicy> = {}) => verifyImage(client, 'team/keyless', digests[tag]!, { keys: [], identities: [release], trustedRoot, ...policy });
  const signatureReasons = async (tag: string, policy: Partial<VerificationPolicy> = {}) => {
    const result = await verify(tag, policy);
    assert.equal(result.verified, false, tag);
    return result.signatures.map((signature) => signature.reason);
  };
  const releaseSigner = `${RELEASE.san} (issuer ${RELEASE.issuer})`;

  it('a bundle verifies: certificate chained to the trusted root at the integrated time, SET by a trusted log, identity by exact SAN or RE2 regexp', async () => {
    const result = await verify('kl-signed');
    assert.deepEqual([result.verified, result.reason], [true, '1 of the required 1 distinct key(s) or identities signed it']);
    assert.deepEqual(result.signatures.map(({ kind, verified, reason, identity }) => ({ kind, verified, reason, identity })), [{ kind: 'sigstore-bundle', verified: true, reason: `signed by ${releaseSigner}`, identity: { subject: RELEASE.san, issuer: RELEASE.issuer } }]);
    assert.equal((await verify('kl-signed', { identities: [{ issuer: RELEASE.issuer, subjectRegExp: 'https://github\\.com/example/app/\\.github/workflows/[a-z]+\\.yml@refs/heads/main' }] })).verified, true);
    // The whole SAN must match: a pattern that only occurs in it is not enough.
    assert.equal((await verify('kl-signed', { identities: [{ issuer: RELEASE.issuer, subjectRegExp: 'example/app' }] })).verified, false);
  });

  it('a legacy cosign .sig layer with certificate, chain and Rekor bundle annotations verifies the same way', async () => {
    const result = await verify('kl-cosign');
    assert.deepEqual([result.verified, result.signatures[0]!.kind, result.signatures[0]!.reason, result.signatures[0]!.identity?.subject], [true, 'cosign', `signed by ${releaseSigner}`, RELEASE.san]);
    assert.deepEqual(await signatureReasons('kl-cosign', { identities: [ops] }), [`signed by ${releaseSigner}, not an identity the policy trusts`]);
  });

  it('each forgery fails with its own reason', async () => {
    const untrusted = `signed by ${releaseSigner}, not an identity the policy trusts`;
    assert.deepEqual(await signatureReasons('kl-signed', { identities: [{ issuer: RELEASE.issuer, subject: 'https://github.com/example/app/.github/workflows/release.yml@refs/heads/evil' }] }), [untrusted], 'wrong SAN');
    assert.deepEqual(await signatureReasons('kl-signed', { identities: [{ issuer: 'https://accounts.google.com', subject: RELEASE.san }] }), [untrusted], 'wrong issuer');
    assert.match((await signatureReasons('kl-expired'))[0]!, /^does not verify against trusted_root\.json: Failed to verify certificate chain \(certificate is not valid or expired at the specified date\)$/, 'outside the validity at the integrated time');
    assert.deepEqual(await signatureReasons('kl-elsewhere'), [`the statement's subject is sha256:${digests['kl-signed']!.slice(7, 19)}…, not this image (${digests['kl-elsewhere']!.slice(0, 19)}…)`], 'a bundle about another digest');
    assert.deepEqual(await signatureReasons('kl-rewritten'), ['does not verify against trusted_root.json: DSSE payload hash mismatch'], 'its subject rewritten to this image after logging');
    assert.deepEqual(await signatureReasons('kl-tampered'), ['does not verify against trusted_root.json: tlog entry signature mismatch'], 'a flipped signature byte');
    assert.deepEqual(await signatureReasons('kl-wrong-key'), ['does not verify against trusted_root.json: signature verification failed'], 'signed (and logged) by a key that is not the certificate\'s');
    assert.deepEqual(await signatureReasons('kl-forged-set'), ['does not verify against trusted_root.json: inclusion promise could not be verified'], 'a SET by a log not in the root');
    assert.deepEqual(await signatureReasons('kl-bad-proof'), ['does not verify against trusted_root.json: calculated root hash does not match inclusion proof'], 'an inclusion proof that does not lead to the signed checkpoint');
    assert.match((await signatureReasons('kl-stranger-ca'))[0]!, /^does not verify against trusted_root\.json: Failed to verify certificate chain/, 'a certificate of another CA, same identity');
    assert.deepEqual(await signatureReasons('kl-signed', { trustedRoot: undefined }), ['keyless (a certificate), not verified: no trusted root is configured']);
    assert.deepEqual(await signatureReasons('kl-signed', { identities: [] }), [`signed by ${releaseSigner}; not verified: no certificate identity is configured`]);
  });

  it('a threshold counts distinct keys and identities: two bundles by one identity are one', async () => {
    const once = await verify('kl-twice', { identities: [release, ops], threshold: 2 });
    assert.deepEqual([once.verified, once.reason, once.signatures.filter((signature) => signature.verified).length], [false, '1 distinct trusted key(s) or identities signed it, 2 required', 2]);
    const two = await verify('kl-two', { identities: [release, ops], threshold: 2 });
    assert.deepEqual([two.verified, two.reason, two.signatures.map((signature) => signature.identity?.subject)], [true, '2 of the required 2 distinct key(s) or identities signed it', [RELEASE.san, OPS.san]]);
    const mixed = await verify('kl-mixed', { keys: [releaseKey.trusted], identities: [ops], threshold: 2 });
    assert.deepEqual([mixed.verified, mixed.signatures.map((signature) => [signature.kind, signature.keyId ?? signature.identity?.subject])], [true, [['cosign', releaseKey.trusted.id], ['sigstore-bundle', OPS.san]]]);
  });

  it('notation signatures are listed, not verified; a bundle with another predicate is an attestation', async () => {
    const notation = await verify('kl-notation');
    assert.deepEqual([notation.verified, notation.signatures.map(({ kind, verified, reason }) => [kind, verified, reason])], [false, [['notation', false, 'not supported yet (notation)']]]);
    const attested = await verify('kl-attested');
    assert.deepEqual([attested.signatures.length, attested.attestations.map(({ predicateType, verified, reason }) => [predicateType, verified, reason])], [0, [['https://slsa.dev/provenance/v1', true, `signed by ${releaseSigner}`]]]);
  });

  it('steward verify --certificate-identity(-regexp) --certificate-oidc-issuer --trusted-root: exit 0, 1, 2', async () => {
    const env = { NODE_OPTIONS: `--require ${guardFile}` };
    const image = `${registry.host}/team/keyless:kl-signed`;
    const ok = await steward(['verify', image, '--certificate-identity', RELEASE.san, '--certificate-oidc-issuer', RELEASE.issuer, '--trusted-root', rootFile, '--json'], dir, env);
    assert.equal(ok.code, 0, ok.stderr);
    const json = JSON.parse(ok.stdout) as { verified: boolean; signatures: { kind: string; identity: unknown }[] };
    assert.deepEqual([json.verified, json.signatures.map(({ kind, identity }) => ({ kind, identity }))], [true, [{ kind: 'sigstore-bundle', identity: { subject: RELEASE.san, issuer: RELEASE.issuer } }]]);
    const regexp = await steward(['verify', image, '--certificate-identity-regexp', '^https://github\\.com/example/.*$', '--certificate-oidc-issuer', RELEASE.issuer, '--trusted-root', 'trusted_root.json'], dir, env);
    assert.equal(regexp.code, 0, regexp.stdout + regexp.stderr);
    const wrong = await steward(['verify', image, '--certificate-identity', OPS.san, '--certificate-oidc-issuer', OPS.issuer, '--trusted-root', rootFile], dir, env);
    assert.deepEqual([wrong.code, wrong.stdout.includes('not an identity the policy trusts')], [1, true]);
    const usage = async (args: string[], message: RegExp) => {
      const run = await steward(['verify', image, ...args], dir, env);
      assert.deepEqual([run.code, message.test(run.stderr)], [2, true], run.stderr);
    };
    await usage(['--certificate-identity', RELEASE.san, '--certificate-oidc-issuer', RELEASE.issuer], /needs --trusted-root/);
    await usage(['--certificate-identity', RELEASE.san, '--trusted-root', rootFile], /needs --certificate-oidc-issuer/);
    await usage(['--certificate-identity-regexp', '(?=x)release', '--certificate-oidc-issuer', RELEASE.issuer, '--trusted-root', rootFile], /not a valid regular expression for RE2/);
    await usage(['--certificate-identity', RELEASE.san, '--certificate-oidc-issuer', RELEASE.issuer, '--trusted-root', join(dir, 'test-fulcio-root.pem')], /trusted root .* is not JSON/);
  });

  it('promotion gate signature {identities, trustedRoot}: paths relative to the config, read inside its folder; regexps on RE2', async () => {
    const gate = async (tag: string, signature: PromotionGates['signature']) => {
      const details = await inspectImage(client, 'team/keyless', tag);
      const evidence: GateEvidence = {
        attachments: details.attachments, labels: {}, digests: [details.digest],
        read: (attachment) => attachmentContent(client, 'team/keyless', attachment),
        loadKeys: (paths) => loadKeyFiles(paths, dir, dir),
        loadTrustedRoot: (path) => loadTrustedRoot(path, dir, dir),
        verify: (policy) => verifyImage(client, 'team/keyless', details.digest, policy),
      };
      return (await evaluateGates({ signature }, evidence)).map((result) => [result.pass, result.detail]);
    };
    assert.deepEqual(await gate('kl-signed', { identities: [release], trustedRoot: 'trusted_root.json' }), [[true, `1 of the required 1 distinct key(s) or identities signed it; signature 1: signed by ${releaseSigner}`]]);
    assert.deepEqual(await gate('kl-two', { identities: [release, { issuer: OPS.issuer, subjectRegExp: '[a-z]+@example\\.com' }], trustedRoot: 'trusted_root.json', threshold: 2 }), [[true, `2 of the required 2 distinct key(s) or identities signed it; signature 1: signed by ${releaseSigner}; signature 2: signed by ${OPS.san} (issuer ${OPS.issuer})`]]);
    const [[outside, outsideWhy]] = await gate('kl-signed', { identities: [release], trustedRoot: '../trusted_root.json' }) as [[boolean, string]];
    assert.deepEqual([outside, /^trusted root \.\.\/trusted_root\.json cannot be read/.test(outsideWhy)], [false, true], outsideWhy);
    assert.deepEqual(await gate('kl-signed', { identities: [release] }), [[false, 'identities need a trustedRoot (a sigstore trusted_root.json) to verify keyless signatures against']]);
    const [[lookahead, lookaheadWhy]] = await gate('kl-signed', { identities: [{ issuer: RELEASE.issuer, subjectRegExp: '(?!evil).*' }], trustedRoot: 'trusted_root.json' }) as [[boolean, string]];
    assert.deepEqual([lookahead, /is not a valid regular expression for RE2/.test(lookaheadWhy)], [false, true], lookaheadWhy);
  });

  it('offline: nothing but the test registry was reached, in this process or the CLI', () => {
    assert.throws(() => net.connect({ host: '192.0.2.1', port: 443 }), /offline test: a connection to 192\.0\.2\.1:443 was refused/, 'the guard is in place');
    assert.deepEqual(readFileSync(violations, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown), [{ host: '192.0.2.1', port: 443 }]);
  });
});
