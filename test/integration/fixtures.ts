// Test images built as OCI image layouts in code (no Docker), pushed with skopeo, the independent
// client; artifacts skopeo 1.9 cannot push (manifests with `subject`) go over plain HTTP.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MANIFEST_ACCEPT } from '../../src/core/registry/types';
import type { Descriptor } from '../../src/core/registry/types';
import type { RunningRegistry } from './registryServer';

const execFileAsync = promisify(execFile);

export interface Blob {
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
}

export function blob(bytes: Buffer | string): Blob {
  const buffer = Buffer.from(bytes);
  return { digest: `sha256:${createHash('sha256').update(buffer).digest('hex')}`, size: buffer.length, bytes: buffer };
}

/** A ustar archive of regular files (directories are implied): enough for a real, pullable layer. */
function tarOf(files: Readonly<Record<string, string | Buffer>>): Buffer {
  const parts = Object.entries(files).flatMap(([name, content]) => {
    const data = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write(`${Math.floor(Date.UTC(2024, 0, 1) / 1000).toString(8).padStart(11, '0')}\0`, 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let checksum = 0;
    for (const byte of header) checksum += byte;
    header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
    return [header, data, Buffer.alloc((512 - (data.length % 512)) % 512)];
  });
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

const dpkgEntry = (name: string, version: string, source = name) => `Package: ${name}\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: 100\nMaintainer: Debian <debian@example.org>\nArchitecture: amd64\nSource: ${source}\nVersion: ${version}\nDescription: ${name}\n`;
const npmPackage = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });

/**
 * Files of a Debian 12 image with old curl, openssl and zlib packages and an npm app with old lodash
 * and minimist: what trivy finds packages (and, with the test database, vulnerabilities) in.
 */
export const DEBIAN_APP_FILES: Readonly<Record<string, string>> = {
  'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n',
  'etc/debian_version': '12.1\n',
  'var/lib/dpkg/status': [dpkgEntry('curl', '7.88.1-10'), dpkgEntry('openssl', '3.0.9-1'), dpkgEntry('zlib1g', '1:1.2.13.dfsg-1', 'zlib')].join('\n'),
  'app/package.json': JSON.stringify({ name: 'demo-app', version: '1.0.0', dependencies: { lodash: '4.17.15', minimist: '1.2.5' } }),
  'app/node_modules/lodash/package.json': npmPackage('lodash', '4.17.15'),
  'app/node_modules/minimist/package.json': npmPackage('minimist', '1.2.5'),
};

export interface PlatformImage {
  readonly os: string;
  readonly architecture: string;
}

export interface ImageSpec {
  readonly tag: string;
  readonly labels?: Record<string, string>;
  readonly created?: string;
  /** Several platforms make a multi-arch index. */
  readonly platforms?: readonly PlatformImage[];
  /** Distinguishes images that would otherwise be identical. */
  readonly content?: string;
  /** The layer's files; by default one `app.txt` made from `content`. */
  readonly files?: Readonly<Record<string, string>>;
  /** More layers of random (incompressible) bytes: images with real weight for copies. */
  readonly extraLayers?: { readonly count: number; readonly bytes: number };
  /** `docker buildx build --sbom=true --provenance=true`: an SPDX SBOM and SLSA v0.2 provenance per platform, in the index. */
  readonly buildkitAttestations?: boolean;
  /** The openssl version those SBOMs list (default 3.0.9-1): SBOMs that differ between images. */
  readonly sbomOpensslVersion?: string;
}

interface Layout {
  readonly dir: string;
  write(item: Blob): void;
}

function layout(dir: string): Layout {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return { dir, write: (item) => writeFileSync(join(dir, 'blobs', 'sha256', item.digest.slice(7)), item.bytes) };
}

function platformManifest(out: Layout, spec: ImageSpec, platform: PlatformImage): Blob {
  const tar = tarOf(spec.files ?? { 'app.txt': `${spec.content ?? spec.tag} ${platform.os}/${platform.architecture}\n` });
  const layer = blob(gzipSync(tar));
  const extra = Array.from({ length: spec.extraLayers?.count ?? 0 }, (_, index) => {
    const layerTar = tarOf({ [`data-${index}.bin`]: randomBytes(spec.extraLayers!.bytes) });
    return { tar: layerTar, blob: blob(gzipSync(layerTar, { level: 1 })) };
  });
  const config = blob(JSON.stringify({
    created: spec.created ?? '2024-05-01T12:00:00Z', architecture: platform.architecture, os: platform.os,
    config: { Labels: spec.labels ?? {} }, rootfs: { type: 'layers', diff_ids: [tar, ...extra.map((entry) => entry.tar)].map((bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`) },
  }));
  const manifest = blob(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: [layer, ...extra.map((entry) => entry.blob)].map((item) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: item.digest, size: item.size })),
  }));
  [layer, ...extra.map((entry) => entry.blob), config, manifest].forEach(out.write);
  return manifest;
}

/** The source the fixture provenance names: what a provenance gate would check it against. */
export const BUILDKIT_SOURCE = { uri: 'https://github.com/acme/app', commit: '3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3' };

/** An in-toto v0.1 statement about one platform manifest, as BuildKit writes it (plain JSON, no DSSE). */
function statementAbout(platformManifest: Descriptor, predicateType: string, predicate: object): Blob {
  const name = `pkg:docker/acme/app?platform=${encodeURIComponent(`${platformManifest.platform!.os}/${platformManifest.platform!.architecture}`)}`;
  return blob(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType, subject: [{ name, digest: { sha256: platformManifest.digest.slice(7) } }], predicate }));
}

/**
 * BuildKit's attestation manifest for one platform, following its attestation-storage document:
 * an image manifest whose layers are in-toto statements (`application/vnd.in-toto+json`, each
 * annotated with its predicate type) and whose config is a placeholder; in the index as an
 * `unknown/unknown` entry naming the platform manifest it attests.
 */
function buildkitAttestationManifest(out: Layout, platformManifest: Descriptor, opensslVersion = '3.0.9-1'): Descriptor {
  const platform = `${platformManifest.platform!.os}/${platformManifest.platform!.architecture}`;
  const sbom = statementAbout(platformManifest, 'https://spdx.dev/Document', {
    spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: `sbom-${platform}`, documentNamespace: `https://example.com/sbom/${platformManifest.digest.slice(7, 19)}`,
    creationInfo: { created: '2024-05-01T12:00:00Z', creators: ['Tool: buildkit-v0.12.5'] },
    packages: [{ SPDXID: 'SPDXRef-Package-openssl', name: 'openssl', versionInfo: opensslVersion, licenseDeclared: 'Apache-2.0', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:deb/debian/openssl@${opensslVersion}` }] }],
  });
  const provenance = statementAbout(platformManifest, 'https://slsa.dev/provenance/v0.2', {
    builder: { id: 'https://github.com/docker/buildx' }, buildType: 'https://mobyproject.org/buildkit@v1',
    invocation: { configSource: { uri: BUILDKIT_SOURCE.uri, digest: { sha1: BUILDKIT_SOURCE.commit }, entryPoint: 'Dockerfile' }, parameters: { frontend: 'dockerfile.v0' } },
    metadata: { buildStartedOn: '2024-05-01T11:59:00Z', buildFinishedOn: '2024-05-01T12:00:00Z', completeness: { parameters: true, environment: true, materials: false }, reproducible: false }, materials: [],
  });
  const layers = [[sbom, 'https://spdx.dev/Document'], [provenance, 'https://slsa.dev/provenance/v0.2']] as const;
  const config = blob(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: layers.map(([statement]) => statement.digest) } }));
  const manifest = blob(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: layers.map(([statement, predicateType]) => ({ mediaType: 'application/vnd.in-toto+json', digest: statement.digest, size: statement.size, annotations: { 'in-toto.io/predicate-type': predicateType } })),
  }));
  [sbom, provenance, config, manifest].forEach(out.write);
  return {
    mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size,
    annotations: { 'vnd.docker.reference.digest': platformManifest.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    platform: { architecture: 'unknown', os: 'unknown' },
  };
}

/** Writes images into an OCI layout folder, tagged by `org.opencontainers.image.ref.name`. */
export function writeOciLayout(dir: string, images: readonly ImageSpec[]): { digests: Record<string, string> } {
  const out = layout(dir);
  const digests: Record<string, string> = {};
  const entries = images.map((spec) => {
    const platforms = spec.platforms ?? [{ os: 'linux', architecture: 'amd64' }];
    const annotations = { 'org.opencontainers.image.ref.name': spec.tag };
    if (platforms.length === 1) {
      const manifest = platformManifest(out, spec, platforms[0]!);
      digests[spec.tag] = manifest.digest;
      return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size, annotations };
    }
    const children = platforms.map((platform): Descriptor => {
      const manifest = platformManifest(out, spec, platform);
      return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size, platform };
    });
    const attestations = spec.buildkitAttestations ? children.map((child) => buildkitAttestationManifest(out, child, spec.sbomOpensslVersion)) : [];
    const index = blob(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [...children, ...attestations] }));
    out.write(index);
    digests[spec.tag] = index.digest;
    return { mediaType: 'application/vnd.oci.image.index.v1+json', digest: index.digest, size: index.size, annotations };
  });
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
  return { digests };
}

/**
 * `skopeo copy --all oci:DIR:TAG docker://HOST/REPO:TAG`, with the registry's credentials and CA.
 * Asynchronous: the token server of token-mode registries runs in this process.
 */
export async function skopeoPush(registry: RunningRegistry, layoutDir: string, tag: string, repository: string, targetTag = tag): Promise<void> {
  const args = ['copy', '--all', '--quiet', `oci:${layoutDir}:${tag}`, `docker://${registry.host}/${repository}:${targetTag}`];
  if (registry.certDir) args.push('--dest-cert-dir', registry.certDir);
  else args.push('--dest-tls-verify=false');
  if (registry.mode !== 'plain') args.push('--dest-creds', `${registry.username}:${registry.password}`);
  await execFileAsync('skopeo', args);
}

/** Pushes a blob and a manifest over plain HTTP (plain-mode registries only). */
export async function pushRaw(registry: RunningRegistry, repository: string, blobs: readonly Blob[], manifest: Blob, mediaType: string, reference: string): Promise<void> {
  for (const item of blobs) {
    const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    const location = new URL(start.headers.get('location')!, registry.url);
    location.searchParams.set('digest', item.digest);
    const put = await fetch(location, { method: 'PUT', body: item.bytes, headers: { 'content-type': 'application/octet-stream' } });
    if (put.status !== 201) throw new Error(`blob upload ${put.status}: ${await put.text()}`);
  }
  const put = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body: manifest.bytes, headers: { 'content-type': mediaType } });
  if (put.status !== 201) throw new Error(`manifest PUT ${put.status}: ${await put.text()}`);
}

const EMPTY = blob('{}');

type Subject = { digest: string; size: number; mediaType: string };

export interface ReferrerSpec {
  readonly artifactType: string;
  readonly content: string;
  /** The layer's media type; the artifact type by default. */
  readonly layerMediaType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** What the fallback index entry says the artifact type is (some cosign versions write the empty config type there). */
  readonly indexArtifactType?: string;
}

/**
 * Attaches an artifact to `subject` as an OCI 1.1 manifest with `subject`, and maintains the fallback
 * tag index `sha256-<hex>` (this registry has no referrers API), as the distribution spec asks:
 * its entry carries the manifest's annotations, as a referrers API would.
 */
export async function attachReferrer(registry: RunningRegistry, repository: string, subject: Subject, spec: ReferrerSpec): Promise<Blob> {
  const content = blob(spec.content);
  const manifest = blob(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: spec.artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY.digest, size: EMPTY.size },
    layers: [{ mediaType: spec.layerMediaType ?? spec.artifactType, digest: content.digest, size: content.size }],
    subject, ...(spec.annotations ? { annotations: spec.annotations } : {}),
  }));
  await pushRaw(registry, repository, [EMPTY, content], manifest, 'application/vnd.oci.image.manifest.v1+json', manifest.digest);
  const fallbackTag = subject.digest.replace(':', '-');
  const existing = await fetch(`${registry.url}/v2/${repository}/manifests/${fallbackTag}`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
  const entries = existing.ok ? (await existing.json() as { manifests: object[] }).manifests : [];
  const entry = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size, artifactType: spec.indexArtifactType ?? spec.artifactType, ...(spec.annotations ? { annotations: spec.annotations } : {}) };
  const index = blob(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [...entries, entry] }));
  await pushRaw(registry, repository, [], index, 'application/vnd.oci.image.index.v1+json', fallbackTag);
  return manifest;
}

/** Attaches an SPDX SBOM to `subject` as a referrer. */
export function attachSbom(registry: RunningRegistry, repository: string, subject: Subject, sbomJson: string): Promise<Blob> {
  return attachReferrer(registry, repository, subject, { artifactType: 'application/spdx+json', content: sbomJson });
}

/** cosign's simple-signing payload for an image digest, as `cosign sign` writes it. */
export function cosignPayload(digest: string, reference = 'registry.example.com/app'): Buffer {
  return Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': reference }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' }, optional: null }));
}

/** One signature layer: its payload and the signature bytes over it (made by the test's own keys). */
export interface CosignLayer {
  readonly payload: Buffer;
  readonly signature: Buffer;
  /** More layer annotations: a keyless signature's certificate, chain and Rekor bundle. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A legacy cosign signature manifest under the tag `sha256-<hex>.sig` of `subjectDigest` (one layer
 * per signature, as cosign appends them). Without layers, one with a signature that verifies with no key.
 */
export async function pushCosignSignature(registry: RunningRegistry, repository: string, subjectDigest: string, layers: readonly CosignLayer[] = [{ payload: cosignPayload(subjectDigest), signature: Buffer.from('MEUCIQ-test') }]): Promise<Blob> {
  const payloads = layers.map((layer) => blob(layer.payload));
  const config = blob(JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: payloads.map((payload) => payload.digest) } }));
  const manifest = blob(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: payloads.map((payload, index) => ({ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: payload.digest, size: payload.size, annotations: { ...layers[index]!.annotations, 'dev.cosignproject.cosign/signature': layers[index]!.signature.toString('base64') } })),
  }));
  await pushRaw(registry, repository, [config, ...payloads], manifest, 'application/vnd.oci.image.manifest.v1+json', `${subjectDigest.replace(':', '-')}.sig`);
  return manifest;
}

/**
 * A DSSE envelope of an in-toto statement, as `cosign attest` writes it under `sha256-<hex>.att` of
 * `subjectDigest`; the statement is about `about` (by default the same image).
 */
export async function pushCosignAttestation(registry: RunningRegistry, repository: string, subjectDigest: string, predicateType: string, predicate: unknown, sign: (preAuthenticationEncoding: Buffer) => Buffer, about = subjectDigest): Promise<Blob> {
  const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType, subject: [{ name: 'registry.example.com/app', digest: { sha256: about.slice('sha256:'.length) } }], predicate }));
  const payloadType = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${statement.length} `), statement]);
  const envelope = blob(JSON.stringify({ payloadType, payload: statement.toString('base64'), signatures: [{ keyid: '', sig: sign(pae).toString('base64') }] }));
  const config = blob(JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [envelope.digest] } }));
  const manifest = blob(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: [{ mediaType: 'application/vnd.dsse.envelope.v1+json', digest: envelope.digest, size: envelope.size, annotations: { predicateType } }],
  }));
  await pushRaw(registry, repository, [config, envelope], manifest, 'application/vnd.oci.image.manifest.v1+json', `${subjectDigest.replace(':', '-')}.att`);
  return manifest;
}

/** Copies an image to another repository of the same registry by blob mounts (plain mode): fast fixture fan-out. */
export async function copyWithinRegistry(registry: RunningRegistry, from: string, tag: string, to: string): Promise<void> {
  const accept = 'application/vnd.oci.image.manifest.v1+json';
  const response = await fetch(`${registry.url}/v2/${from}/manifests/${tag}`, { headers: { accept } });
  const bytes = Buffer.from(await response.arrayBuffer());
  const manifest = JSON.parse(bytes.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  for (const digest of [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)]) {
    const mount = await fetch(`${registry.url}/v2/${to}/blobs/uploads/?mount=${digest}&from=${from}`, { method: 'POST' });
    if (mount.status !== 201) throw new Error(`mount ${digest} into ${to}: ${mount.status}`);
  }
  const put = await fetch(`${registry.url}/v2/${to}/manifests/${tag}`, { method: 'PUT', body: bytes, headers: { 'content-type': accept } });
  if (put.status !== 201) throw new Error(`manifest PUT ${to}:${tag}: ${put.status}`);
}

/**
 * Gives the manifest of `repository:tag` many more tags, cheaply: one manifest PUT per tag, the same
 * bytes each time (the registry stores one manifest with many tag links), several at a time.
 */
export async function addTags(registry: RunningRegistry, repository: string, tag: string, tags: readonly string[], concurrency = 16): Promise<void> {
  const manifest = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
  const bytes = Buffer.from(await manifest.arrayBuffer());
  const contentType = manifest.headers.get('content-type') ?? 'application/vnd.oci.image.manifest.v1+json';
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < tags.length) {
      const name = tags[next++]!;
      const put = await fetch(`${registry.url}/v2/${repository}/manifests/${name}`, { method: 'PUT', body: bytes, headers: { 'content-type': contentType } });
      if (put.status !== 201) throw new Error(`manifest PUT ${repository}:${name}: ${put.status}`);
    }
  }));
}
