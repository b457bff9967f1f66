import { imageOccurrences } from '../lint/engine';
import type { Range } from '../lint/finding';
import type { LintContext } from '../workspace/neighbours';

/** A reference that can be pinned or re-tagged in place: written literally, without a digest. */
export interface PinCandidate {
  readonly range: Range;
  /** The text at `range`. */
  readonly written: string;
  /** `domain/path` and tag, for resolving; `latest` for an untagged reference, as a pull reads it. */
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  /** What `range` holds: the reference with its tag, one without a tag, or only the `tag` of a Helm image map. */
  readonly holds: 'reference' | 'untagged-reference' | 'map-tag';
}

export interface PinSkip {
  readonly range: Range;
  readonly written: string;
  readonly reason: string;
}

/**
 * What the editor offers beyond `steward pin`, where the user sees the result: untagged references
 * (pinned as `:latest@…`) and the `tag` of Helm image maps.
 */
export interface PinCandidateOptions {
  readonly untagged?: boolean;
  readonly mapTags?: boolean;
  /** The files beside this one (NeighbourFiles): a bake context or a Skaffold-built image is no candidate. */
  readonly context?: LintContext;
}

/** Which references of a file `steward pin` rewrites, and why it leaves the others. */
export function pinCandidates(path: string, text: string, options: PinCandidateOptions = {}): { candidates: PinCandidate[]; skipped: PinSkip[] } {
  const lines = text.split('\n');
  const textAt = ({ start, end }: Range) => (start.line === end.line ? lines[start.line]?.slice(start.character, end.character) : undefined);
  const candidates: PinCandidate[] = [];
  const skipped: PinSkip[] = [];
  for (const occurrence of imageOccurrences(path, text, undefined, options.context)) {
    const skip = (reason: string) => skipped.push({ range: occurrence.range, written: occurrence.written, reason });
    if (!occurrence.parsed.ok) {
      skip(`not a valid reference (${occurrence.parsed.error})`);
      continue;
    }
    const reference = occurrence.parsed.reference;
    if (reference.digest) continue;
    const found = { range: occurrence.range, registry: reference.domain, repository: reference.path };
    if (reference.tag === undefined && !options.untagged) skip('no tag: choose a version tag first, then pin it');
    else if (occurrence.written !== occurrence.text) skip(`built from variables (${occurrence.written}): pin the ARG default instead`);
    else if (options.mapTags && occurrence.rangeIsTag && reference.tag !== undefined && textAt(occurrence.range) === reference.tag) candidates.push({ ...found, written: reference.tag, tag: reference.tag, holds: 'map-tag' });
    // In place only where the file holds the reference as one piece of text (not Kustomize or Helm maps).
    else if (textAt(occurrence.range) !== occurrence.written) skip('split over several keys (Kustomize images, Helm image maps): set the digest key there');
    else candidates.push({ ...found, written: occurrence.written, tag: reference.tag ?? 'latest', holds: reference.tag === undefined ? 'untagged-reference' : 'reference' });
  }
  return { candidates, skipped };
}

/** `repo:tag@digest` in place of the candidate (an untagged one says `latest`, the tag it resolved). */
export function pinnedText(candidate: PinCandidate, digest: string): string {
  return candidate.holds === 'untagged-reference' ? `${candidate.written}:${candidate.tag}@${digest}` : `${candidate.written}@${digest}`;
}

/** The candidate's text with another tag (a map's `tag` scalar is the tag alone). */
export function retaggedText(candidate: PinCandidate, tag: string): string {
  switch (candidate.holds) {
    case 'map-tag':
      return tag;
    case 'untagged-reference':
      return `${candidate.written}:${tag}`;
    case 'reference':
      return `${candidate.written.slice(0, -candidate.tag.length)}${tag}`;
  }
}

/** Applies replacements (zero-based ranges on single lines) to text, last first. */
export function replaceRanges(text: string, replacements: readonly { range: Range; newText: string }[]): string {
  const lines = text.split('\n');
  for (const { range, newText } of [...replacements].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)) {
    const line = lines[range.start.line]!;
    lines[range.start.line] = line.slice(0, range.start.character) + newText + line.slice(range.end.character);
  }
  return lines.join('\n');
}

export function candidateName(candidate: PinCandidate): string {
  return `${candidate.registry}/${candidate.repository}:${candidate.tag}`;
}
