// Offline verification of 100 signed images (one cosign signature each) on a local docker-registry:
// verifyImage as a signature gate asks (signatures only, stopping once verified) against the bare cost of what it cannot avoid — each signature manifest and payload
// fetched with the same client, and one crypto.verify — at the same concurrency, requests counted.
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapLimited } from '../src/core/concurrency';
import { readPublicKey } from '../src/core/evidence/keys';
import { verifyImage } from '../src/core/evidence/verify';
import { HttpRegistry } from '../src/core/registry/httpRegistry';
import { referrersTag } from '../src/core/registry/digest';
import { Transport } from '../src/core/registry/transport';
import { cosignPayload, pushCosignSignature, skopeoPush, writeOciLayout } from '../test/integration/fixtures';
import { startRegistry } from '../test/integration/registryServer';
import { compareAsync, missingTools, ratio, requestCounter, row } from './measure';

const IMAGES = 100;

export async function benchVerify(): Promise<void> {
  const missing = missingTools(['docker-registry', 'skopeo']);
  if (missing.length > 0) {
    console.log(`\nVerification: skipped (missing ${missing.join(', ')}; npm test installs them as root)`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-verify-'));
  const registry = await startRegistry('plain', join(root, 'registry'));
  try {
    const tags = Array.from({ length: IMAGES }, (_, index) => `v1.0.${index}`);
    const { digests } = writeOciLayout(join(root, 'layout'), tags.map((tag) => ({ tag, content: tag })));
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = readPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'bench.pub');
    await mapLimited(tags, 8, async (tag) => {
      await skopeoPush(registry, join(root, 'layout'), tag, 'team/app');
      const payload = cosignPayload(digests[tag]!);
      await pushCosignSignature(registry, 'team/app', digests[tag]!, [{ payload, signature: sign('sha256', payload, privateKey) }]);
    });
    const requests = requestCounter();
    const client = new HttpRegistry(registry.host, new Transport({ logger: requests.logger }), { get: async () => undefined });
    const imageDigests = tags.map((tag) => digests[tag]!);
    const counts: Record<string, number> = {};
    const counted = (name: string, run: () => Promise<unknown>) => async () => {
      requests.reset();
      await run();
      counts[name] = requests.count;
    };
    const times = await compareAsync({
      steward: counted('steward', () => mapLimited(imageDigests, 8, async (digest) => {
        if (!(await verifyImage(client, 'team/app', digest, { keys: [key], attestations: false, stopWhenVerified: true })).verified) throw new Error(`${digest} did not verify`);
      })),
      bare: counted('bare', () => mapLimited(imageDigests, 8, async (digest) => {
        const manifest = await client.getManifest('team/app', `${referrersTag(digest)}.sig`);
        const layer = manifest.json.layers![0]!;
        const payload = await client.getBlob('team/app', layer.digest);
        if (!verify('sha256', payload, publicKey, Buffer.from(layer.annotations!['dev.cosignproject.cosign/signature']!, 'base64'))) throw new Error('bare verify failed');
      })),
    }, 9);
    console.log(`\nVerification: ${IMAGES} images with one cosign signature each, 8 at a time (local docker-registry)`);
    row('manifest + payload fetches + crypto.verify', times.bare!, `${counts.bare} requests`);
    row('steward verifyImage', times.steward!, `${ratio(times.steward!, times.bare!)} the bare cost (goal ≤ 1.3×), ${counts.steward} requests`);
  } finally {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
