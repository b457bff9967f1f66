// A sigstore of the tests' own, independent of core: a Fulcio-like CA and leaf certificates made
// with Debian's openssl, a Rekor-like log key, the trusted_root.json naming both, and bundles whose
// log entries carry a signed entry timestamp (SET) over the canonical entry, as Rekor signs it, and
// an RFC 6962 inclusion proof in a two-leaf tree with its checkpoint signed as a note.
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blob, pushRaw } from './fixtures';
import type { Blob, CosignLayer } from './fixtures';
import type { RunningRegistry } from './registryServer';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64');

function ecKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

export interface TestCertificate {
  readonly pem: string;
  readonly der: Buffer;
  readonly privateKey: KeyObject;
}

export interface LeafSpec {
  /** A URI SAN (a workflow identity) or, with `@` and no scheme, an email SAN. */
  readonly san: string;
  readonly issuer: string;
  /** Validity from now, in days (openssl starts certificates now). */
  readonly days?: number;
}

export interface TestCa {
  readonly root: TestCertificate;
  leaf(name: string, spec: LeafSpec): TestCertificate;
}

/** A root CA (`CA:TRUE`, keyCertSign) and a leaf factory with Fulcio's extensions (SAN, OIDC issuer v1 and v2, codeSigning). */
export function testCa(dir: string, name: string): TestCa {
  const rootKey = ecKey();
  const rootKeyFile = join(dir, `${name}-root.key`);
  writeFileSync(rootKeyFile, rootKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const rootConfig = join(dir, `${name}-root.cnf`);
  writeFileSync(rootConfig, '[req]\ndistinguished_name=dn\nx509_extensions=root\n[dn]\n[root]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
  const rootFile = join(dir, `${name}-root.pem`);
  execFileSync('openssl', ['req', '-x509', '-new', '-key', rootKeyFile, '-subj', `/O=steward-test/CN=${name}`, '-days', '3650', '-sha256', '-config', rootConfig, '-out', rootFile]);
  const root = certificateAt(rootFile, rootKey.privateKey);
  let serial = 1;
  return {
    root,
    leaf(leafName, spec) {
      const key = ecKey();
      const keyFile = join(dir, `${name}-${leafName}.key`);
      writeFileSync(keyFile, key.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const csr = join(dir, `${name}-${leafName}.csr`);
      execFileSync('openssl', ['req', '-new', '-key', keyFile, '-subj', '/O=sigstore.dev', '-out', csr]);
      const extensions = join(dir, `${name}-${leafName}.cnf`);
      const san = /^[a-z]+:\/\//.test(spec.san) ? `URI:${spec.san}` : `email:${spec.san}`;
      writeFileSync(extensions, [
        '[leaf]', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=codeSigning',
        `subjectAltName=critical,${san}`, 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid',
        // Fulcio's OIDC issuer: v1 as raw bytes, v2 as a DER UTF8String.
        `1.3.6.1.4.1.57264.1.1=DER:${Buffer.from(spec.issuer).toString('hex')}`, `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${spec.issuer}`, '',
      ].join('\n'));
      const out = join(dir, `${name}-${leafName}.pem`);
      execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', join(dir, `${name}-root.pem`), '-CAkey', rootKeyFile, '-set_serial', String(serial++), '-days', String(spec.days ?? 1), '-sha256', '-extfile', extensions, '-extensions', 'leaf', '-out', out]);
      return certificateAt(out, key.privateKey);
    },
  };
}

function certificateAt(file: string, privateKey: KeyObject): TestCertificate {
  const pem = execFileSync('openssl', ['x509', '-in', file]).toString('utf8');
  return { pem, der: Buffer.from(new X509Certificate(pem).raw), privateKey };
}

/** A transparency log: its key, its id (SHA-256 of the key's DER), and entries it "integrates". */
export interface TestLog {
  readonly publicKeyDer: Buffer;
  readonly logId: Buffer;
  /** A log entry for a canonicalized body at `integratedTime` (seconds), with its SET. */
  entry(body: object, integratedTime: number): TestLogEntry;
}

export interface TestLogEntry {
  readonly body: string;
  readonly integratedTime: number;
  readonly logIndex: number;
  readonly logId: Buffer;
  readonly set: Buffer;
  /** The bundle's `inclusionProof` (JSON form): the entry is leaf 1 of a two-leaf tree. */
  readonly inclusionProof: { logIndex: string; rootHash: string; treeSize: string; hashes: string[]; checkpoint: { envelope: string } };
}

const LOG_ORIGIN = 'rekor.test.invalid';

export function testLog(): TestLog {
  const { privateKey, publicKey } = ecKey();
  const publicKeyDer = publicKey.export({ type: 'spki', format: 'der' });
  const logId = sha256(publicKeyDer);
  let logIndex = 100;
  return {
    publicKeyDer, logId,
    entry(body, integratedTime) {
      const canonical = b64(JSON.stringify(body));
      const index = logIndex++;
      // Rekor's SET: the entry's fields canonicalized (RFC 8785: these keys in this order), signed with the log's key.
      const signed = JSON.stringify({ body: canonical, integratedTime, logID: logId.toString('hex'), logIndex: index });
      // RFC 6962 hashes: leaves 0x00 || entry, nodes 0x01 || left || right.
      const sibling = createHash('sha256').update(Buffer.from([0])).update(randomBytes(64)).digest();
      const leaf = createHash('sha256').update(Buffer.from([0])).update(Buffer.from(canonical, 'base64')).digest();
      const rootHash = createHash('sha256').update(Buffer.from([1])).update(sibling).update(leaf).digest();
      const note = `${LOG_ORIGIN} - 1\n2\n${b64(rootHash)}\n`;
      const noteSignature = Buffer.concat([logId.subarray(0, 4), sign('sha256', Buffer.from(note), privateKey)]);
      return {
        body: canonical, integratedTime, logIndex: index, logId, set: sign('sha256', Buffer.from(signed), privateKey),
        inclusionProof: { logIndex: '1', rootHash: b64(rootHash), treeSize: '2', hashes: [b64(sibling)], checkpoint: { envelope: `${note}\n\u2014 ${LOG_ORIGIN} ${b64(noteSignature)}\n` } },
      };
    },
  };
}

/** `trusted_root.json` as sigstore distributes it: the CAs and logs, no CT logs, no TSAs. */
export function trustedRootJson(cas: readonly TestCertificate[], logs: readonly TestLog[]): string {
  const start = '2020-01-01T00:00:00Z';
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: logs.map((log) => ({ baseUrl: `https://${LOG_ORIGIN}`, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(log.publicKeyDer), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } }, logId: { keyId: b64(log.logId) } })),
    certificateAuthorities: cas.map((ca) => ({ subject: { organization: 'steward-test', commonName: 'test' }, uri: 'https://fulcio.test.invalid', certChain: { certificates: [{ rawBytes: b64(ca.der) }] }, validFor: { start } })),
    ctlogs: [],
    timestampAuthorities: [],
  }, null, 2);
}

const IN_TOTO = 'application/vnd.in-toto+json';

export interface BundleOptions {
  /** The digest the statement names (default: the image's). */
  readonly about?: string;
  readonly integratedTime?: number;
  /** Change the bundle after it was logged. */
  readonly tamper?: 'signature' | 'subject' | 'proof';
  readonly predicateType?: string;
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * A v0.3 bundle as `cosign sign --new-bundle-format` writes it: a DSSE envelope of an in-toto
 * statement about the image, signed with the leaf's key, logged as a `dsse` 0.0.1 entry with a SET.
 */
export function signedBundle(leaf: TestCertificate, log: TestLog, digest: string, options: BundleOptions = {}): string {
  const statement = (about: string) => Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'registry.example.com/app', digest: { sha256: about.slice(7) } }], predicateType: options.predicateType ?? 'https://sigstore.dev/cosign/sign/v1', predicate: {} }));
  const payload = statement(options.about ?? digest);
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${IN_TOTO.length} ${IN_TOTO} ${payload.length} `), payload]);
  const signature = sign('sha256', pae, leaf.privateKey);
  const envelope = { payload: b64(payload), payloadType: IN_TOTO, signatures: [{ sig: b64(signature), keyid: '' }] };
  const entry = log.entry({
    apiVersion: '0.0.1', kind: 'dsse',
    spec: { envelopeHash: { algorithm: 'sha256', value: sha256(JSON.stringify(envelope)).toString('hex') }, payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') }, signatures: [{ signature: b64(signature), verifier: b64(leaf.pem) }] },
  }, options.integratedTime ?? now());
  if (options.tamper === 'signature') envelope.signatures[0]!.sig = b64(Buffer.from(signature.map((byte, index) => (index === signature.length - 1 ? byte ^ 1 : byte))));
  if (options.tamper === 'subject') envelope.payload = b64(statement(digest));
  const inclusionProof = options.tamper === 'proof' ? { ...entry.inclusionProof, hashes: [b64(randomBytes(32))] } : entry.inclusionProof;
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: b64(leaf.der) },
      tlogEntries: [{ logIndex: String(entry.logIndex), logId: { keyId: b64(entry.logId) }, kindVersion: { kind: 'dsse', version: '0.0.1' }, integratedTime: String(entry.integratedTime), inclusionPromise: { signedEntryTimestamp: b64(entry.set) }, inclusionProof, canonicalizedBody: entry.body }],
      timestampVerificationData: {},
    },
    dsseEnvelope: envelope,
  });
}

/**
 * A keyless legacy cosign `.sig` layer: the simple-signing payload signed with the leaf's key, the
 * certificate and chain as annotations, and the Rekor `hashedrekord` entry in `dev.sigstore.cosign/bundle`.
 */
export function keylessCosignLayer(leaf: TestCertificate, chain: TestCertificate, log: TestLog, payload: Buffer, integratedTime = now()): CosignLayer {
  const signature = sign('sha256', payload, leaf.privateKey);
  const entry = log.entry({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data: { hash: { algorithm: 'sha256', value: sha256(payload).toString('hex') } }, signature: { content: b64(signature), publicKey: { content: b64(leaf.pem) } } } }, integratedTime);
  return {
    payload, signature,
    annotations: {
      'dev.sigstore.cosign/certificate': leaf.pem,
      'dev.sigstore.cosign/chain': chain.pem,
      'dev.sigstore.cosign/bundle': JSON.stringify({ SignedEntryTimestamp: b64(entry.set), Payload: { body: entry.body, integratedTime: entry.integratedTime, logIndex: entry.logIndex, logID: entry.logId.toString('hex') } }),
    },
  };
}

export interface ReferrerSpec {
  readonly artifactType: string;
  readonly content: string;
  readonly layerMediaType?: string;
  /** What the fallback index says the artifactType is (default: the manifest's; null: none, as some cosign versions write). */
  readonly indexArtifactType?: string | null;
}

const EMPTY = blob('{}');

/** Referrers of `subjectDigest` (OCI 1.1 manifests with `subject`) and the fallback tag index listing them all. */
export async function pushReferrers(registry: RunningRegistry, repository: string, subjectDigest: string, referrers: readonly ReferrerSpec[]): Promise<Blob[]> {
  const head = await fetch(`${registry.url}/v2/${repository}/manifests/${subjectDigest}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subjectDigest, size: Number(head.headers.get('content-length')) };
  const manifests: Blob[] = [];
  const entries: object[] = [];
  for (const referrer of referrers) {
    const content = blob(referrer.content);
    const manifest = blob(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: referrer.artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY.digest, size: EMPTY.size },
      layers: [{ mediaType: referrer.layerMediaType ?? referrer.artifactType, digest: content.digest, size: content.size }],
      subject,
    }));
    await pushRaw(registry, repository, [EMPTY, content], manifest, 'application/vnd.oci.image.manifest.v1+json', manifest.digest);
    manifests.push(manifest);
    const listed = referrer.indexArtifactType === undefined ? referrer.artifactType : referrer.indexArtifactType;
    entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size, ...(listed === null ? {} : { artifactType: listed }) });
  }
  const index = blob(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
  await pushRaw(registry, repository, [], index, 'application/vnd.oci.image.index.v1+json', subjectDigest.replace(':', '-'));
  return manifests;
}
