import type { Artifact } from './model';

export interface Reclaimable {
  /** Per artifact (inventory order): the bytes of its blobs that no kept artifact uses; 0 for a kept one. */
  readonly perArtifact: Float64Array;
  /** Distinct blobs that only deleted artifacts use (a blob listed with two sizes counts its last). */
  readonly total: number;
}

/** The manifest's own blob: its digest is the artifact's. */
const OWN = -1;

/**
 * What deleting frees. A Set of kept digests and a Map of freed ones, per plan, cost more than the
 * policy's evaluation of 100,000 tags, so each shared blob (configs, layers) is looked up once and
 * numbered, and whether a kept artifact uses it and whether it was counted are flags in typed
 * arrays. A manifest's own blob is not numbered: it is the artifact's alone (an inventory holds each
 * digest once) unless another artifact lists that digest among its blobs.
 */
export function reclaimableBytes(artifacts: readonly Artifact[], keeps: (position: number) => boolean): Reclaimable {
  let occurrences = 0;
  for (const artifact of artifacts) occurrences += artifact.blobs.length;
  const numbers = new Map<string, number>();
  const numberOf = new Int32Array(occurrences);
  const ownAt = new Int32Array(artifacts.length).fill(-1);
  let at = 0;
  for (let position = 0; position < artifacts.length; position += 1) {
    const { digest, blobs } = artifacts[position]!;
    for (const blob of blobs) {
      if (ownAt[position]! < 0 && blob.digest === digest) {
        ownAt[position] = at;
        numberOf[at++] = OWN;
        continue;
      }
      let number = numbers.get(blob.digest);
      if (number === undefined) numbers.set(blob.digest, number = numbers.size);
      numberOf[at++] = number;
    }
  }
  // An own blob that another artifact also lists is a shared one.
  if (numbers.size > 0) {
    for (let position = 0; position < artifacts.length; position += 1) {
      const own = ownAt[position]!;
      if (own >= 0) numberOf[own] = numbers.get(artifacts[position]!.digest) ?? OWN;
    }
  }
  const usedByKept = new Uint8Array(numbers.size);
  const kept = new Uint8Array(artifacts.length);
  at = 0;
  for (let position = 0; position < artifacts.length; position += 1) {
    const count = artifacts[position]!.blobs.length;
    if (!keeps(position)) {
      at += count;
      continue;
    }
    kept[position] = 1;
    for (const end = at + count; at < end; at += 1) if (numberOf[at] !== OWN) usedByKept[numberOf[at]!] = 1;
  }
  const perArtifact = new Float64Array(artifacts.length);
  const freed = new Uint8Array(numbers.size);
  const freedSize = new Float64Array(numbers.size);
  let total = 0;
  at = 0;
  for (let position = 0; position < artifacts.length; position += 1) {
    const { blobs } = artifacts[position]!;
    if (kept[position]) {
      at += blobs.length;
      continue;
    }
    let bytes = 0;
    for (const blob of blobs) {
      const number = numberOf[at++]!;
      if (number === OWN) {
        total += blob.size;
        bytes += blob.size;
      } else if (!usedByKept[number]) {
        bytes += blob.size;
        freed[number] = 1;
        freedSize[number] = blob.size;
      }
    }
    perArtifact[position] = bytes;
  }
  for (let number = 0; number < freed.length; number += 1) if (freed[number]) total += freedSize[number]!;
  return { perArtifact, total };
}
