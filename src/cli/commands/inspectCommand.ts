import { parseArgs } from 'node:util';
import { inspectImage } from '../../core/registry/inspect';
import { parseReference } from '../../core/reference/parse';
import { registryAccess, REGISTRY_OPTIONS } from '../registryAccess';
import { print, UsageError } from '../usage';

export async function inspectCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' }, ...REGISTRY_OPTIONS } });
  if (positionals.length !== 1) throw new UsageError('inspect takes one image reference');
  const parsed = parseReference(positionals[0]!);
  if (!parsed.ok) throw new UsageError(`"${positionals[0]}" is not a valid image reference: ${parsed.error}`);
  const { domain, path, tag, digest } = parsed.reference;
  const access = registryAccess(values);
  try {
    const details = await inspectImage(access.open(domain), path, digest ?? tag ?? 'latest');
    if (values.json) {
      await print(`${JSON.stringify({ registry: domain, ...details }, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `Reference:   ${domain}/${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`,
      `Digest:      ${details.digest}`,
      `Media type:  ${details.mediaType}`,
      `Size:        ${details.size} bytes (manifest)`,
      ...(details.created ? [`Created:     ${details.created}`] : []),
      ...(details.platforms.length > 0 ? ['Platforms:', ...details.platforms.map((platform) => `  ${platform.platform.padEnd(16)} ${platform.digest}`)] : []),
      `Labels:${Object.keys(details.labels).length === 0 ? '      (none)' : ''}`,
      ...Object.entries(details.labels).sort().map(([key, value]) => `  ${key}=${value}`),
      `Attachments:${details.attachments.length === 0 ? ' (none)' : ''}`,
      ...details.attachments.map((attachment) => `  ${attachment.kind.padEnd(12)} ${attachment.digest}  ${attachment.artifactType ?? attachment.mediaType}${attachment.tag ? ` (tag ${attachment.tag})` : ''}`),
    ];
    await print(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await access.close();
  }
}
