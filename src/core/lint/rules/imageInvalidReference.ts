import type { ImageRule } from '../rule';

export const imageInvalidReference: ImageRule = {
  id: 'image-invalid-reference',
  description: 'An image reference that is not valid under the distribution reference grammar: pulling it fails.',
  defaultSeverity: 'error',
  appliesTo: 'image',
  mutableTag: false,
  check(occurrence) {
    if (occurrence.parsed.ok) return undefined;
    const resolved = occurrence.written === occurrence.text ? '' : ` (resolved to "${occurrence.text}")`;
    return { range: occurrence.range, message: `"${occurrence.written}"${resolved} is not a valid image reference: ${occurrence.parsed.error}.` };
  },
};
