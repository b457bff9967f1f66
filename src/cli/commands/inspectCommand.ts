import { parseArgs } from 'node:util';
import type { ImageVerification } from '../../core/evidence/verify';
import { describeAttachment, inspectImage } from '../../core/registry/inspect';
import type { ImageDetails } from '../../core/registry/inspect';
import { openImageArgument } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { print, UsageError } from '../usage';
import { inert } from '../terminalText';

export async function inspectCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' }, key: { type: 'string', multiple: true }, ...REGISTRY_OPTIONS } });
  if (positionals.length !== 1) throw new UsageError('inspect takes one image reference');
  // Verification (sigstore's libraries) is loaded only when keys are given: most inspections have none.
  const keys = values.key === undefined ? [] : await (await import('../../core/evidence/keys')).loadKeyFiles(values.key, process.cwd()).catch((error: Error) => { throw new UsageError(error.message); });
  const image = openImageArgument(positionals[0]!, values, () => process.stderr.write('steward: no tag or digest given: inspecting the tag latest\n'));
  try {
    const details = await inspectImage(image.backend, image.repository, image.reference);
    // With keys, each signature is verified offline too (steward verify tells the whole story).
    const verification = keys.length > 0 ? await (await import('../../core/evidence/verify')).verifyImage(image.backend, image.repository, details.digest, { keys }) : undefined;
    return await report(values.json === true, image.registry, image.label, details, verification);
  } finally {
    await image.close();
  }
}

async function report(json: boolean, registry: string, reference: string, details: ImageDetails, verification?: ImageVerification): Promise<number> {
  if (json) {
    await print(`${JSON.stringify({ registry, ...details, ...(verification ? { verification: { verified: verification.verified, reason: verification.reason, signatures: verification.signatures } } : {}) }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `Reference:   ${reference}`,
    `Digest:      ${details.digest}`,
    `Media type:  ${details.mediaType}`,
    `Size:        ${details.size} bytes (manifest)`,
    ...(details.created ? [`Created:     ${details.created}`] : []),
    ...(details.platforms.length > 0 ? ['Platforms:', ...details.platforms.map((platform) => `  ${platform.platform.padEnd(16)} ${platform.digest}`)] : []),
    `Labels:${Object.keys(details.labels).length === 0 ? '      (none)' : ''}`,
    ...Object.entries(details.labels).sort().map(([key, value]) => `  ${key}=${value}`),
    `Attachments:${details.attachments.length === 0 ? ' (none)' : ''}`,
    ...details.attachments.map((attachment) => `  ${attachment.kind.padEnd(12)} ${attachment.digest}  ${describeAttachment(attachment)}`),
    ...(verification ? [
      `Verification: ${verification.verified ? 'verified' : 'not verified'} (${verification.reason})`,
      ...verification.signatures.map((signature) => `  ${signature.verified ? 'verified' : 'invalid '}   ${signature.source}: ${signature.reason}`),
    ] : []),
  ];
  await print(`${inert(lines.join('\n'))}\n`);
  return 0;
}
