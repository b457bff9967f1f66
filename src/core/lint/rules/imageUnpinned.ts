import { quoteOccurrence } from '../rule';
import type { ImageRule } from '../rule';

export const imageUnpinned: ImageRule = {
  id: 'image-unpinned',
  description: 'A tagged image reference without a digest, for teams that require every image pinned by digest.',
  defaultSeverity: 'off',
  appliesTo: 'image',
  mutableTag: true,
  check(occurrence) {
    if (!occurrence.parsed.ok || occurrence.parsed.reference.tag === undefined || occurrence.parsed.reference.digest !== undefined) return undefined;
    return { range: occurrence.range, message: `${quoteOccurrence(occurrence)} is not pinned by digest. Use "${occurrence.text}@sha256:…" so the tag stays readable and the image cannot change.` };
  },
};
