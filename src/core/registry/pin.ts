import { imageOccurrences } from '../lint/engine';
import type { Range } from '../lint/finding';

type Occurrence = ReturnType<typeof imageOccurrences>[number];

/** A reference that can be pinned in place: written literally, with a tag, without a digest. */
export interface PinCandidate {
  readonly range: Range;
  readonly written: string;
  /** `domain/path` and tag, for resolving. */
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
}

export interface PinSkip {
  readonly range: Range;
  readonly written: string;
  readonly reason: string;
}

/** Which references of a file `steward pin` rewrites, and why it leaves the others. */
export function pinCandidates(path: string, text: string): { candidates: PinCandidate[]; skipped: PinSkip[] } {
  const lines = text.split('\n');
  // In place only where the file holds the reference as one piece of text (not Kustomize or Helm maps).
  const writtenAsOnePiece = ({ range, written }: Occurrence) =>
    range.start.line === range.end.line && lines[range.start.line]?.slice(range.start.character, range.end.character) === written;
  const candidates: PinCandidate[] = [];
  const skipped: PinSkip[] = [];
  for (const occurrence of imageOccurrences(path, text)) {
    const skip = (reason: string) => skipped.push({ range: occurrence.range, written: occurrence.written, reason });
    if (!occurrence.parsed.ok) {
      skip(`not a valid reference (${occurrence.parsed.error})`);
      continue;
    }
    const reference = occurrence.parsed.reference;
    if (reference.digest) continue;
    if (reference.tag === undefined) skip('no tag: choose a version tag first, then pin it');
    else if (occurrence.written !== occurrence.text) skip(`built from variables (${occurrence.written}): pin the ARG default instead`);
    else if (!writtenAsOnePiece(occurrence)) skip('split over several keys (Kustomize images, Helm image maps): set the digest key there');
    else candidates.push({ range: occurrence.range, written: occurrence.written, registry: reference.domain, repository: reference.path, tag: reference.tag });
  }
  return { candidates, skipped };
}

export function pinnedText(candidate: PinCandidate, digest: string): string {
  return `${candidate.written}@${digest}`;
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
