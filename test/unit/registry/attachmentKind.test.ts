// What each kind of evidence is called, from the types the tools that write it use.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { attachmentKind, describeAttachment, predicateKind } from '../../../src/core/registry/inspect';

describe('attachment kinds', () => {
  it('signatures: sigstore bundles (both spellings), notation, cosign simple signing', () => {
    for (const type of ['application/vnd.dev.sigstore.bundle.v0.3+json', 'application/vnd.dev.sigstore.bundle+json;version=0.3', 'application/vnd.cncf.notary.signature', 'application/vnd.dev.cosign.simplesigning.v1+json']) {
      assert.equal(attachmentKind(type), 'signature', type);
    }
  });
  it('attestations: DSSE envelopes and in-toto statements', () => {
    for (const type of ['application/vnd.dsse.envelope.v1+json', 'application/vnd.in-toto+json']) assert.equal(attachmentKind(type), 'attestation', type);
  });
  it('predicate types: SBOMs, SLSA provenance v0.2 and v1, the cosign sign predicate; unknown ones are still attestations', () => {
    assert.deepEqual(
      ['https://spdx.dev/Document', 'https://cyclonedx.org/bom', 'https://slsa.dev/provenance/v0.2', 'https://slsa.dev/provenance/v1', 'https://sigstore.dev/cosign/sign/v1', 'https://cosign.sigstore.dev/attestation/vuln/v1', 'https://openvex.dev/ns/v0.2.0', 'https://example.com/custom/v1'].map(predicateKind),
      ['sbom', 'sbom', 'provenance', 'provenance', 'signature', 'scan-report', 'vex', 'attestation'],
    );
  });
  it('describes a BuildKit attestation by its predicate and platform, a cosign tag by its tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.equal(describeAttachment({ kind: 'sbom', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', via: 'buildkit', platform: 'linux/arm64', predicateType: 'https://spdx.dev/Document', layerDigest: digest }), 'https://spdx.dev/Document for linux/arm64 (BuildKit, in the index)');
    assert.equal(describeAttachment({ kind: 'signature', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', via: 'cosign-tag', tag: 'sha256-a.sig' }), 'application/vnd.oci.image.manifest.v1+json (tag sha256-a.sig)');
  });
});
