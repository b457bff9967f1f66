import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Artifact, Blob } from '../../../src/core/retention/model';
import { reclaimableBytes } from '../../../src/core/retention/reclaimable';
import { seededRandom } from '../../helpers';
import { digestOf } from './inventoryTable';

/** The plain definition: the blobs of kept artifacts as a set of digests, then each deleted artifact's other blobs, counted once per digest for the total. */
function recomputed(artifacts: readonly Artifact[], keeps: readonly boolean[]): { perArtifact: number[]; total: number } {
  const usedByKept = new Set(artifacts.flatMap((artifact, position) => (keeps[position] ? artifact.blobs.map((blob) => blob.digest) : [])));
  const freed = new Map<string, number>();
  const perArtifact = artifacts.map((artifact, position) => {
    if (keeps[position]) return 0;
    const mine = artifact.blobs.filter((blob) => !usedByKept.has(blob.digest));
    for (const blob of mine) freed.set(blob.digest, blob.size);
    return mine.reduce((sum, blob) => sum + blob.size, 0);
  });
  return { perArtifact, total: [...freed.values()].reduce((sum, size) => sum + size, 0) };
}

/**
 * Artifacts (one per digest) whose blobs are their own manifest, often a config and layers from
 * small shared pools, and now and then another artifact's manifest digest, their own digest twice,
 * a blob listed with another size, or no blobs at all.
 */
function randomArtifacts(random: () => number, count: number): Artifact[] {
  const pick = (limit: number) => Math.floor(random() * limit);
  const digests = Array.from({ length: count }, (_, index) => digestOf(`artifact-${index}`));
  return digests.map((digest, index): Artifact => {
    const blobs: Blob[] = random() < 0.05 ? [] : [{ digest, size: 100 + pick(900) }];
    if (random() < 0.7) blobs.push({ digest: digestOf(`config-${pick(count)}`), size: 50 });
    for (let layer = pick(4); layer > 0; layer -= 1) blobs.push({ digest: digestOf(`layer-${pick(12)}`), size: random() < 0.1 ? 7 : 1000 * (1 + pick(5)) });
    if (random() < 0.1) blobs.push({ digest: digests[pick(count)]!, size: 300 });
    if (random() < 0.05) blobs.push({ digest, size: 100 });
    return { digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', role: 'image', tags: [], ageSource: 'unknown', blobs, children: [] };
  });
}

describe('Retention plan: reclaimable bytes', () => {
  it('equal the plain recomputation over 500 random inventories and keep/delete splits', () => {
    const random = seededRandom(17);
    for (let round = 0; round < 500; round += 1) {
      const artifacts = randomArtifacts(random, 1 + Math.floor(random() * 40));
      const keepShare = random();
      const keeps = artifacts.map(() => random() < keepShare);
      const fast = reclaimableBytes(artifacts, (position) => keeps[position]!);
      const plain = recomputed(artifacts, keeps);
      assert.deepEqual([...fast.perArtifact], plain.perArtifact, `round ${round}: per artifact`);
      assert.equal(fast.total, plain.total, `round ${round}: total`);
    }
  });

  it('count a layer only when no kept artifact uses it, and once however many deleted ones do', () => {
    const layer = { digest: digestOf('layer'), size: 5000 };
    const image = (name: string, blobs: readonly Blob[]): Artifact => ({ digest: digestOf(name), mediaType: 'application/vnd.oci.image.manifest.v1+json', role: 'image', tags: [], ageSource: 'unknown', blobs: [{ digest: digestOf(name), size: 700 }, ...blobs], children: [] });
    const artifacts = [image('a', [layer]), image('b', [layer]), image('c', [layer]), image('d', [{ digest: digestOf('a'), size: 700 }])];
    const keptNone = reclaimableBytes(artifacts, () => false);
    assert.deepEqual([...keptNone.perArtifact], [5700, 5700, 5700, 1400]);
    assert.equal(keptNone.total, 4 * 700 + 5000);
    // d is kept and lists a's manifest: a frees nothing of it.
    const keptD = reclaimableBytes(artifacts, (position) => position === 3);
    assert.deepEqual([...keptD.perArtifact], [5000, 5700, 5700, 0]);
    assert.equal(keptD.total, 2 * 700 + 5000);
    const keptC = reclaimableBytes(artifacts, (position) => position === 2);
    assert.deepEqual([...keptC.perArtifact], [700, 700, 0, 1400]);
    assert.equal(keptC.total, 3 * 700);
  });
});
