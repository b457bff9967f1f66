import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { newest } from '../../../src/core/retention/model';
import type { Artifact } from '../../../src/core/retention/model';
import { seededRandom } from '../../helpers';
import { digestOf } from './inventoryTable';

describe('Retention: the newest N', () => {
  it('are the first N of all dated artifacts sorted newest first, ties by digest, over 500 random inventories', () => {
    const random = seededRandom(5);
    for (let round = 0; round < 500; round += 1) {
      // Few distinct times (many ties), now and then an unknown age.
      const days = 1 + Math.floor(random() * 30);
      const artifacts = Array.from({ length: Math.floor(random() * 200) }, (_, index): Artifact => ({
        digest: digestOf(`artifact-${round}-${index}`), mediaType: 'application/vnd.oci.image.manifest.v1+json', role: 'image', tags: [], blobs: [], children: [],
        ...(random() < 0.1 ? { ageSource: 'unknown' as const } : { created: Math.floor(random() * days) * 86_400_000, ageSource: 'config created' as const }),
      }));
      const count = Math.floor(random() * (artifacts.length + 5)) - 2;
      const sorted = artifacts.filter((artifact) => artifact.created !== undefined).sort((a, b) => b.created! - a.created! || (a.digest < b.digest ? -1 : 1));
      assert.deepEqual(newest(artifacts, count).map((artifact) => artifact.digest), sorted.slice(0, Math.max(count, 0)).map((artifact) => artifact.digest), `round ${round}, count ${count}`);
    }
  });
});
