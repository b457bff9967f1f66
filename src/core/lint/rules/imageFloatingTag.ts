import { quoteOccurrence } from '../rule';
import type { ImageRule } from '../rule';

export const imageFloatingTag: ImageRule = {
  id: 'image-floating-tag',
  description: 'A moving tag (a channel such as `stable` or `main`, `*-latest`, a major-only version such as `20-alpine`); major.minor tags are reported at their own, lower severity.',
  defaultSeverity: 'warning',
  appliesTo: 'image',
  mutableTag: true,
  check(occurrence, options) {
    if (!occurrence.parsed.ok) return undefined;
    const tag = occurrence.parsed.reference.tag;
    if (occurrence.mutability === 'floating') {
      return { range: occurrence.range, message: `${quoteOccurrence(occurrence)} uses the moving tag "${tag}": the registry re-points it to new builds. Pin a full version and its digest.` };
    }
    if (occurrence.mutability === 'major-minor') {
      return {
        range: occurrence.range,
        severity: options.majorMinorSeverity,
        message: `${quoteOccurrence(occurrence)} uses the major.minor tag "${tag}", which moves with each patch release of SemVer projects. Pin a full version or a digest.`,
      };
    }
    return undefined;
  },
};
