import { parseArgs } from 'node:util';
import { loadKeyFiles } from '../../core/evidence/keys';
import { predicateTypeFor } from '../../core/evidence/predicates';
import { identityMatcher, loadTrustedRoot } from '../../core/evidence/sigstore';
import type { CertificateIdentity } from '../../core/evidence/sigstore';
import { verifyImage } from '../../core/evidence/verify';
import { openImageArgument } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { inert } from '../terminalText';
import { print, UsageError } from '../usage';

/** `steward verify <image>`: signatures and attestations checked offline. Exit 0 verified, 1 not, 2 usage. */
export async function verifyCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args], allowPositionals: true,
    options: {
      key: { type: 'string', multiple: true }, threshold: { type: 'string' }, attestation: { type: 'string', multiple: true }, json: { type: 'boolean' },
      'certificate-identity': { type: 'string' }, 'certificate-identity-regexp': { type: 'string' }, 'certificate-oidc-issuer': { type: 'string' }, 'trusted-root': { type: 'string' },
      ...REGISTRY_OPTIONS,
    },
  });
  if (positionals.length !== 1) throw new UsageError('verify takes one image reference');
  const threshold = values.threshold === undefined ? 1 : Number(values.threshold);
  if (!Number.isInteger(threshold) || threshold < 1) throw new UsageError(`--threshold takes a whole number of at least 1 (got "${values.threshold}")`);
  const keys = await loadKeyFiles(values.key ?? [], process.cwd()).catch((error: Error) => { throw new UsageError(error.message); });
  const identities = certificateIdentities(values);
  const trustedRoot = values['trusted-root'] === undefined ? undefined : await loadTrustedRoot(values['trusted-root'], process.cwd()).catch((error: Error) => { throw new UsageError(error.message); });
  if (identities.length > 0 && !trustedRoot) throw new UsageError('--certificate-identity needs --trusted-root <trusted_root.json> to verify keyless signatures against');
  if (keys.length === 0 && identities.length === 0) throw new UsageError('verify needs at least one --key <public key PEM>, or --certificate-identity (or --certificate-identity-regexp) with --certificate-oidc-issuer and --trusted-root');
  const wanted = (values.attestation ?? []).map((name) => predicateTypeFor(name));
  const argument = positionals[0]!;
  const image = openImageArgument(argument, values, () => process.stderr.write('steward: no tag or digest given: verifying the tag latest\n'));
  try {
    const { digest } = await image.backend.resolve(image.repository, image.reference);
    const result = await verifyImage(image.backend, image.repository, digest, { keys, threshold, ...(identities.length > 0 ? { identities } : {}), ...(trustedRoot ? { trustedRoot } : {}) });
    const missing = wanted.filter((type) => !result.attestations.some((attestation) => attestation.verified && attestation.predicateType === type));
    const verified = result.verified && missing.length === 0;
    const reasons = [result.reason, ...missing.map((type) => `no verified attestation of type ${type}`)];
    if (values.json) {
      await print(`${JSON.stringify({ verified, digest, reasons, signatures: result.signatures, attestations: result.attestations.map(({ predicate: _predicate, ...rest }) => rest) }, null, 2)}\n`);
    } else {
      const lines = [
        `${verified ? 'VERIFIED' : 'NOT VERIFIED'}  ${argument} (${digest})`,
        ...reasons.map((reason) => `  ${verified ? '✓' : '✗'} ${reason}`),
        ...result.signatures.map((signature, index) => `  signature ${index + 1} (${signature.source}): ${signature.verified ? 'verified' : 'not verified'}: ${signature.reason}`),
        ...result.attestations.map((attestation, index) => `  attestation ${index + 1} (${attestation.predicateType ?? 'unknown type'}, ${attestation.source}): ${attestation.verified ? 'verified' : 'not verified'}: ${attestation.reason}`),
      ];
      await print(`${inert(lines.join('\n'))}\n`);
    }
    return verified ? 0 : 1;
  } finally {
    await image.close();
  }
}

/** The keyless identity of the flags (cosign's names): an issuer and an exact SAN or an RE2 regexp. */
function certificateIdentities(values: { 'certificate-identity'?: string; 'certificate-identity-regexp'?: string; 'certificate-oidc-issuer'?: string }): CertificateIdentity[] {
  const subject = values['certificate-identity'];
  const subjectRegExp = values['certificate-identity-regexp'];
  const issuer = values['certificate-oidc-issuer'];
  if (subject !== undefined && subjectRegExp !== undefined) throw new UsageError('give --certificate-identity or --certificate-identity-regexp, not both');
  if (subject === undefined && subjectRegExp === undefined) {
    if (issuer !== undefined) throw new UsageError('--certificate-oidc-issuer needs --certificate-identity or --certificate-identity-regexp');
    return [];
  }
  if (issuer === undefined) throw new UsageError('--certificate-identity needs --certificate-oidc-issuer (the OIDC issuer the certificate must name)');
  const identity: CertificateIdentity = { issuer, ...(subject !== undefined ? { subject } : { subjectRegExp: subjectRegExp! }) };
  try {
    identityMatcher([identity]);
  } catch (error) {
    throw new UsageError(`--certificate-identity-regexp: ${(error as Error).message}`);
  }
  return [identity];
}
