import { quoteOccurrence } from '../rule';
import type { ImageRule } from '../rule';

export const imageLatest: ImageRule = {
  id: 'image-latest',
  description: 'An image pinned to the `latest` tag without a digest: it changes with every push.',
  defaultSeverity: 'warning',
  appliesTo: 'image',
  mutableTag: true,
  check(occurrence) {
    if (occurrence.mutability !== 'latest') return undefined;
    return { range: occurrence.range, message: `${quoteOccurrence(occurrence)} uses the "latest" tag, which moves with every push. Pin a version tag and its digest.` };
  },
};
