/** cosign's short names for in-toto predicate types (`cosign attest --type`), and what they stand for. */
const PREDICATE_TYPES: Readonly<Record<string, string>> = {
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

/** A short name (`slsaprovenance`) or a predicate type URI as given. */
export function predicateTypeFor(name: string): string {
  return PREDICATE_TYPES[name.toLowerCase()] ?? name;
}
