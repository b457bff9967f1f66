import { quoteOccurrence } from '../rule';
import type { ImageRule } from '../rule';

export const imageUntagged: ImageRule = {
  id: 'image-untagged',
  description: 'An image reference with neither tag nor digest: it pulls whatever `latest` points to at the time.',
  defaultSeverity: 'warning',
  appliesTo: 'image',
  mutableTag: true,
  check(occurrence) {
    if (occurrence.mutability !== 'untagged') return undefined;
    return { range: occurrence.range, message: `${quoteOccurrence(occurrence)} has no tag or digest, so it means "latest" at pull time. Pin a version tag and its digest.` };
  },
};
