import type { LintConfig } from '../lint/config';
import { applySettings, imageOccurrences } from '../lint/engine';
import type { Finding } from '../lint/finding';
import { imageTagDrift } from '../lint/rules/imageTagDrift';
import { mapLimited } from '../concurrency';
import type { LintContext } from '../workspace/neighbours';

/** Resolves `registry/repository:tag` to its current digest. */
export type DigestResolver = (registry: string, repository: string, tag: string) => Promise<string>;

/**
 * image-tag-drift: for every `tag@digest` in the file, asks the registry where the tag points now.
 * Off by default (it needs the network); references the registry cannot answer for are reported
 * through `onError`, not as findings.
 */
export async function tagDriftFindings(path: string, text: string, config: LintConfig, resolve: DigestResolver, onError: (reference: string, error: Error) => void = () => undefined, context: LintContext = {}): Promise<Finding[]> {
  if (config.severities.get(imageTagDrift.id) === 'off') return [];
  const pinned = imageOccurrences(path, text, undefined, context).filter((occurrence) => occurrence.parsed.ok && occurrence.parsed.reference.tag && occurrence.parsed.reference.digest);
  const hits = await mapLimited(pinned, 4, async (occurrence) => {
    if (!occurrence.parsed.ok) return undefined;
    const { domain, path: repository, tag, digest } = occurrence.parsed.reference;
    try {
      const current = await resolve(domain, repository, tag!);
      if (current === digest) return undefined;
      return { rule: imageTagDrift, hit: { range: occurrence.range, message: `The tag "${tag}" of ${domain}/${repository} now points at ${current}, not at the pinned ${digest}: someone moved the tag. Re-pin if the new image is wanted.` } };
    } catch (error) {
      onError(occurrence.text, error as Error);
      return undefined;
    }
  });
  return applySettings(path, text, hits.filter((hit) => hit !== undefined), config);
}
