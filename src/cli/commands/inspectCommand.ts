import { parseArgs } from 'node:util';
import { basename, resolve } from 'node:path';
import { describeAttachment, inspectImage } from '../../core/registry/inspect';
import type { ImageDetails } from '../../core/registry/inspect';
import { OciLayoutRegistry } from '../../core/registry/ociLayout';
import { parseReference } from '../../core/reference/parse';
import { registryAccess, splitLayoutArgument } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { print, UsageError } from '../usage';
import { inert } from '../terminalText';

export async function inspectCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' }, ...REGISTRY_OPTIONS } });
  if (positionals.length !== 1) throw new UsageError('inspect takes one image reference');
  const layout = splitLayoutArgument(positionals[0]!);
  if (layout) {
    const dir = resolve(layout.dir);
    const tag = layout.tag ?? impliedLatest();
    const details = await inspectImage(new OciLayoutRegistry(dir), basename(dir), tag);
    return report(values.json === true, `oci:${layout.dir}`, `oci:${layout.dir}:${tag}`, details);
  }
  const parsed = parseReference(positionals[0]!);
  if (!parsed.ok) throw new UsageError(`"${positionals[0]}" is not a valid image reference: ${parsed.error}`);
  const { domain, path, digest } = parsed.reference;
  const tag = parsed.reference.tag ?? (digest ? undefined : impliedLatest());
  const access = registryAccess(values);
  try {
    const details = await inspectImage(access.open(domain), path, digest ?? tag!);
    return await report(values.json === true, domain, `${domain}/${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`, details);
  } finally {
    await access.close();
  }
}

/** A reference without tag or digest means `latest`, as docker has it; said on stderr, so JSON output stays clean. */
function impliedLatest(): 'latest' {
  process.stderr.write('steward: no tag or digest given: inspecting the tag latest\n');
  return 'latest';
}

async function report(json: boolean, registry: string, reference: string, details: ImageDetails): Promise<number> {
  if (json) {
    await print(`${JSON.stringify({ registry, ...details }, null, 2)}\n`);
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
  ];
  await print(`${inert(lines.join('\n'))}\n`);
  return 0;
}
