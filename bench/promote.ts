// Promotion against skopeo copy in the same run: same-registry repository promotion (mounts),
// cross-registry copy of a 50 MB / 5-layer image, and a 2-platform index (`skopeo copy --all`);
// then the peak memory of copying a 1 GB layer.
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { executePromotion, planPromotion } from '../src/core/promote/promote';
import { noCredentials } from '../src/core/registry/auth';
import { HttpRegistry } from '../src/core/registry/httpRegistry';
import { Transport } from '../src/core/registry/transport';
import { skopeoPush, writeOciLayout } from '../test/integration/fixtures';
import { startRegistry } from '../test/integration/registryServer';
import type { RunningRegistry } from '../test/integration/registryServer';
import { median, missingTools, ratio, requestCounter, row, timed } from './measure';

const execFileAsync = promisify(execFile);
const ROUNDS = 15;

/** Our promotion in this process, counting the HTTP requests it makes. */
async function ours(source: RunningRegistry, sourceRef: string, target: RunningRegistry, targetRepository: string): Promise<{ requests: number; bytes: number }> {
  const requests = requestCounter();
  const transport = new Transport({ logger: requests.logger });
  try {
    const [repository, tag] = sourceRef.split(':') as [string, string];
    const src = { backend: new HttpRegistry(source.host, transport, noCredentials), repository, reference: tag };
    const dst = { registry: new HttpRegistry(target.host, transport, noCredentials), repository: targetRepository, tags: [tag] };
    const plan = await planPromotion(source.host, src, dst);
    const result = await executePromotion(src, dst, plan);
    return { requests: requests.count, bytes: result.stats.bytesSent };
  } finally {
    await transport.close();
  }
}

function skopeo(source: RunningRegistry, sourceRef: string, target: RunningRegistry, targetRepository: string, all: boolean): Promise<unknown> {
  return execFileAsync('skopeo', ['copy', ...(all ? ['--all'] : []), '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${source.host}/${sourceRef}`, `docker://${target.host}/${targetRepository}:${sourceRef.split(':')[1]}`]);
}

/** An OCI layout holding one image with a single 1 GB layer of random bytes, written in 16 MB chunks. */
async function largeLayerLayout(dir: string, bytes: number): Promise<void> {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const temporary = join(dir, 'layer.tmp');
  const hash = createHash('sha256');
  const out = createWriteStream(temporary);
  for (let written = 0; written < bytes; written += 16 * 1024 * 1024) {
    const chunk = randomBytes(Math.min(16 * 1024 * 1024, bytes - written));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  const layerDigest = `sha256:${hash.digest('hex')}`;
  renameSync(temporary, join(dir, 'blobs', 'sha256', layerDigest.slice(7)));
  const put = (content: string) => {
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), content);
    return { digest, size: Buffer.byteLength(content) };
  };
  const config = put(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] }, config: {} }));
  const manifest = put(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: bytes }],
  }));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'big' } }] }));
}

export async function benchPromote(): Promise<void> {
  const missing = missingTools(['docker-registry', 'skopeo']);
  if (missing.length > 0) {
    console.log(`\nPromotion: skipped (missing ${missing.join(', ')}; npm test installs them as root)`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-promote-'));
  const [first, second] = await Promise.all([startRegistry('plain', join(root, 'first')), startRegistry('plain', join(root, 'second'))]);
  // `second` receives the 1 GB layer.
  try {
    writeOciLayout(join(root, 'layout'), [
      { tag: 'heavy', extraLayers: { count: 5, bytes: 10 * 1024 * 1024 } },
      { tag: 'multi', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }], extraLayers: { count: 2, bytes: 5 * 1024 * 1024 } },
    ]);
    await skopeoPush(first, join(root, 'layout'), 'heavy', 'src/app');
    await skopeoPush(first, join(root, 'layout'), 'multi', 'src/app');
    const cases = [
      { label: 'same registry, other repository (50 MB)', ref: 'src/app:heavy', crossRegistry: false, all: false },
      { label: 'cross-registry copy (50 MB, 5 layers)', ref: 'src/app:heavy', crossRegistry: true, all: false },
      { label: '2-platform index, cross-registry (--all)', ref: 'src/app:multi', crossRegistry: true, all: true },
    ];
    console.log(`\nPromotion against skopeo copy (median of ${ROUNDS}; a fresh target each round: skopeo's blob cache would mount from an earlier round's copy)`);
    for (const { label, ref, crossRegistry, all } of cases) {
      const oursTimes: number[] = [];
      const skopeoTimes: number[] = [];
      let last = { requests: 0, bytes: 0 };
      for (let round = 0; round < ROUNDS; round += 1) {
        const fresh = () => (crossRegistry ? startRegistry('plain', join(root, `target-${label.length}-${round}-${Math.random().toString(36).slice(2)}`)) : Promise.resolve(first));
        const [forUs, forSkopeo] = await Promise.all([fresh(), fresh()]);
        try {
          const runOurs = async () => oursTimes.push(await timed(async () => { last = await ours(first, ref, forUs, `ours-${round}/app`); }));
          const runSkopeo = async () => skopeoTimes.push(await timed(() => skopeo(first, ref, forSkopeo, `skopeo-${round}/app`, all)));
          // Who goes first alternates: neither tool always meets warm caches left by the other.
          if (round % 2 === 0) {
            await runOurs();
            await runSkopeo();
          } else {
            await runSkopeo();
            await runOurs();
          }
        } finally {
          if (crossRegistry) await Promise.all([forUs.stop(), forSkopeo.stop()]);
        }
      }
      row(`${label}: skopeo`, median(skopeoTimes));
      row(`${label}: steward`, median(oursTimes), `${ratio(median(oursTimes), median(skopeoTimes))} skopeo (goal ≤ 1.0×); ${last.requests} requests, ${(last.bytes / 1048576).toFixed(1)} MB sent`);
    }
    const big = join(root, 'big');
    await largeLayerLayout(big, 1024 * 1024 * 1024);
    const worker = spawnSync(process.execPath, [join(__dirname, 'promoteLargeLayer.js'), big, second.host], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
    if (worker.status !== 0) throw new Error(`the 1 GB copy failed: ${worker.stderr}`);
    const { seconds, maxRssMb } = JSON.parse(worker.stdout.trim().split('\n').at(-1)!) as { seconds: number; maxRssMb: number };
    row('1 GB layer from an OCI layout to a registry', seconds * 1000, `peak memory ${maxRssMb.toFixed(0)} MB (goal < 150 MB), ${(1024 / seconds).toFixed(0)} MB/s`);
  } finally {
    await Promise.all([first.stop(), second.stop()]);
    rmSync(root, { recursive: true, force: true });
  }
}

// `npm run bench` runs this file in its own process (see run.ts).
if (require.main === module) {
  benchPromote().catch((error: unknown) => {
    console.error(`promotion benchmark failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
}
