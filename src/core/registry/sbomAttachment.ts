import type { Attachment } from './inspect';

/**
 * Which SBOM of an image to read: BuildKit attaches one per platform of an index. One about the
 * whole image (cosign `.sbom`, a referrer) counts for every platform; without a platform,
 * linux/amd64's is read, as a pull on most CI runners resolves it, else the first platform's.
 */
export function chooseSbom(attachments: readonly Attachment[], platform?: string): { attachment: Attachment } | { problem: string } {
  const sboms = attachments.filter((attachment) => attachment.kind === 'sbom');
  const about = (wanted: string) => sboms.find((attachment) => attachment.platform === wanted);
  const wholeImage = sboms.find((attachment) => attachment.platform === undefined);
  const chosen = platform === undefined ? wholeImage ?? about('linux/amd64') ?? sboms[0] : about(platform) ?? wholeImage;
  if (chosen) return { attachment: chosen };
  if (sboms.length === 0) return { problem: 'has no SBOM attached' };
  return { problem: `has no SBOM for ${platform} (it has SBOMs for ${[...new Set(sboms.map((attachment) => attachment.platform))].join(', ')})` };
}
