// Replication between two real registries (Debian's docker-registry), the target behind the
// counting, fault-injecting proxy: exact copies by skopeo's digests, a second run that writes
// nothing, immutable tags never moved, and fault-injected runs that move no tag and re-run clean.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PromotionTargetRule } from '../../src/core/promote/gates';
import { executeReplication, planReplication } from '../../src/core/replicate/replicate';
import type { ReplicationOptions } from '../../src/core/replicate/replicate';
import type { ReplicationRule } from '../../src/core/replicate/rules';
import { noCredentials } from '../../src/core/registry/auth';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { attachmentsOf } from '../../src/core/registry/inspect';
import { Transport } from '../../src/core/registry/transport';
import { assertComplete, skopeoDigest, skopeoTags } from './copyChecks';
import { startFaultProxy } from './faultProxy';
import type { FaultProxy } from './faultProxy';
import { attachSbom, pushCosignSignature, skopeoPush, writeOciLayout } from './fixtures';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';
import { stewardIn } from './stewardCli';

const root = mkdtempSync(join(tmpdir(), 'steward-replicate-'));
after(() => rmSync(root, { recursive: true, force: true }));

const layoutDir = join(root, 'layout');
writeOciLayout(layoutDir, [
  { tag: 'v1.0.0', labels: { version: '1.0.0' }, extraLayers: { count: 2, bytes: 64 * 1024 } },
  { tag: 'v1.1.0', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }], buildkitAttestations: true },
  { tag: 'v2.0.0', content: 'web' },
  { tag: 'other', content: 'something else' },
  { tag: '1.1.0', content: 'cli 1.1.0' },
  { tag: '1.2.0', content: 'cli 1.2.0' },
  { tag: '1.3.0-rc.1', content: 'cli rc' },
  { tag: '2.0.0', content: 'cli 2' },
]);

describe('replication between two real registries', () => {
  let source: RunningRegistry;
  let target: RunningRegistry;
  let proxy: FaultProxy;
  let transport: Transport;
  const client = (host: string) => new HttpRegistry(host, transport, noCredentials);
  const clients = new Map<string, HttpRegistry>();
  const open = (host: string) => {
    if (!clients.has(host)) clients.set(host, client(host));
    return clients.get(host)!;
  };
  let rules: ReplicationRule[];
  let promotionRules: PromotionTargetRule[];

  before(async () => {
    transport = new Transport({ backoffMs: 5, maxWaitMs: 50 });
    [source, target] = await Promise.all([startRegistry('plain', join(root, 'source')), startRegistry('plain', join(root, 'target'))]);
    proxy = await startFaultProxy(target.host);
    for (const tag of ['v1.0.0', 'v1.1.0']) await skopeoPush(source, layoutDir, tag, 'prod/api');
    await skopeoPush(source, layoutDir, 'other', 'prod/api', 'dev-123');
    await skopeoPush(source, layoutDir, 'v2.0.0', 'prod/team/web');
    for (const tag of ['1.1.0', '1.2.0', '1.3.0-rc.1', '2.0.0']) await skopeoPush(source, layoutDir, tag, 'tools/cli');
    const multi = await client(source.host).resolve('prod/api', 'v1.1.0');
    await attachSbom(source, 'prod/api', multi, JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'api', packages: [] }));
    await pushCosignSignature(source, 'prod/api', multi.digest);
    // At the target: an immutable tag on another image (must be refused), and a stale mutable one (must move).
    await skopeoPush(target, layoutDir, 'other', 'mirror/api', 'v1.0.0');
    await skopeoPush(target, layoutDir, 'other', 'mirror/team/web', 'v2.0.0');
    rules = [
      { from: `${source.host}/prod/**`, to: [`${proxy.host}/mirror`], tags: ['v*'], include: ['signatures', 'sboms'] },
      { from: `${source.host}/tools/cli`, to: [`${proxy.host}/tools`], tags: '>=1.2.0 <2' },
    ];
    promotionRules = [{ match: `${proxy.host}/mirror/**`, immutableTags: ['v1.0.*'] }];
  });
  after(async () => {
    await transport?.close();
    await proxy?.stop();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const replicate = async (options: ReplicationOptions = {}, chosen = rules) => {
    const plan = await planReplication(chosen, open, { promotionRules, ...options });
    return { plan, run: await executeReplication(plan, open, { promotionRules, ...options }) };
  };
  const outcomes = (run: Awaited<ReturnType<typeof replicate>>['run']) => run.results.map((result) => `${result.outcome} ${result.item.target.repository}:${result.item.target.tag}`).sort();

  it('copies exactly what the rules select, by digest, with attachments; refuses an immutable tag', async () => {
    const otherDigest = await skopeoDigest(target.host, 'mirror/api:v1.0.0');
    const { plan, run } = await replicate();
    assert.deepEqual(plan.failures, []);
    assert.deepEqual(outcomes(run), ['copied mirror/api:v1.1.0', 'copied mirror/team/web:v2.0.0', 'copied tools/cli:1.2.0', 'refused mirror/api:v1.0.0']);
    assert.match(run.results.find((result) => result.outcome === 'refused')!.detail!, /mirror\/api:v1\.0\.0 is immutable \(v1\.0\.\*\) and points at sha256:/);
    assert.equal(await skopeoDigest(target.host, 'mirror/api:v1.0.0'), otherDigest, 'the immutable tag did not move');
    for (const [from, to] of [['prod/api:v1.1.0', 'mirror/api:v1.1.0'], ['prod/team/web:v2.0.0', 'mirror/team/web:v2.0.0'], ['tools/cli:1.2.0', 'tools/cli:1.2.0']] as const) {
      assert.equal(await skopeoDigest(target.host, to), await skopeoDigest(source.host, from), to);
      await assertComplete(client(target.host), to.split(':')[0]!, to.split(':')[1]!);
    }
    // The index travelled whole: platforms and BuildKit's attestation manifests, by their digests.
    const index = JSON.parse((await client(source.host).getManifest('prod/api', 'v1.1.0')).bytes.toString()) as { manifests: { digest: string }[] };
    assert.equal(index.manifests.length, 4);
    for (const child of index.manifests) assert.equal(await skopeoDigest(target.host, `mirror/api@${child.digest}`), child.digest);
    const digest = await skopeoDigest(source.host, 'prod/api:v1.1.0');
    const tags = await skopeoTags(target.host, 'mirror/api');
    assert.deepEqual(tags, ['v1.0.0', 'v1.1.0', digest.replace(':', '-'), `${digest.replace(':', '-')}.sig`].sort());
    const attachments = await attachmentsOf(client(target.host), 'mirror/api', digest, tags);
    assert.deepEqual(attachments.map((attachment) => attachment.kind).sort(), ['sbom', 'signature']);
    assert.deepEqual(await skopeoTags(target.host, 'tools/cli'), ['1.2.0'], 'the range takes 1.2.0 only (no pre-release, no 2.0.0)');
  });

  it('a second run moves no blob and no manifest: reads only, at the proxy', async () => {
    proxy.reset();
    const { run } = await replicate();
    assert.deepEqual(outcomes(run), ['already-there mirror/api:v1.1.0', 'already-there mirror/team/web:v2.0.0', 'already-there tools/cli:1.2.0', 'refused mirror/api:v1.0.0']);
    assert.deepEqual(run.stats, { blobsMounted: 0, blobsCopied: 0, blobsPresent: 0, bytesSent: 0, manifests: 0 });
    const writes = proxy.requests.filter((request) => !request.startsWith('GET ') && !request.startsWith('HEAD '));
    assert.deepEqual(writes, [], 'no PUT, POST, PATCH or DELETE reached the target');
    assert.ok(proxy.requests.filter((request) => request.startsWith('HEAD ') && request.includes('/manifests/')).length >= 4, 'the target tags were read');
  });

  it('the CLI: --check lists what is stale, replicate copies it, and --dry-run changes nothing', async () => {
    await skopeoPush(source, layoutDir, 'v2.0.0', 'prod/api', 'v1.2.0');
    const workspace = join(root, 'workspace');
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, '.steward.yaml'), [
      'promotion:', '  targets:', `    - match: "${proxy.host}/mirror/**"`, '      immutableTags: ["v1.0.*"]',
      'replication:', `  - from: "${source.host}/prod/**"`, `    to: ["${proxy.host}/mirror"]`, '    tags: ["v*"]', '    include: [signatures, sboms]', '',
    ].join('\n'));
    const run = stewardIn(join(root, 'home'));
    const check = await run(['replicate', '--check'], workspace);
    assert.equal(check.code, 1, check.stderr);
    assert.deepEqual(check.stdout.trim().split('\n').map((line) => line.replace(/ \(sha256:[0-9a-f]{12}…\)/g, ' (…)')).sort(), [
      `stale: copy ${source.host}/prod/api:v1.2.0 → ${proxy.host}/mirror/api:v1.2.0 (…)`,
      `stale: refused: ${source.host}/prod/api:v1.0.0 → ${proxy.host}/mirror/api:v1.0.0: ${proxy.host}/mirror/api:v1.0.0 is immutable (v1.0.*) and points at ${await skopeoDigest(target.host, 'mirror/api:v1.0.0')}, not ${await skopeoDigest(source.host, 'prod/api:v1.0.0')}`,
    ].sort());
    const dry = await run(['replicate', '--dry-run', '--json'], workspace);
    assert.equal(dry.code, 1, 'a refused tag makes the plan fail');
    assert.equal((JSON.parse(dry.stdout) as { plan: unknown[] }).plan.length, 4);
    await assert.rejects(client(target.host).resolve('mirror/api', 'v1.2.0'), /404|manifest unknown/i);
    const copied = await run(['replicate', '--json'], workspace);
    assert.equal(copied.code, 1, 'the refused tag is still refused');
    const results = (JSON.parse(copied.stdout) as { results: { outcome: string; item: { target: { tag: string } } }[] }).results;
    assert.deepEqual(results.map((result) => `${result.outcome} ${result.item.target.tag}`).sort(), ['already-there v1.1.0', 'already-there v2.0.0', 'copied v1.2.0', 'refused v1.0.0']);
    assert.equal(await skopeoDigest(target.host, 'mirror/api:v1.2.0'), await skopeoDigest(source.host, 'prod/api:v1.2.0'));
    const elsewhere = join(root, 'no-config');
    mkdirSync(elsewhere);
    const broken = await run(['replicate', '--config-root', elsewhere], elsewhere);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /no replication: rules/);
  });

  it('fault-injected runs leave every target tag where it was or on a complete copy, and a clean re-run completes', async () => {
    const faultTransport = new Transport({ backoffMs: 1, maxWaitMs: 5, maxRetries: 1, timeoutMs: 5000 });
    const faulty = new HttpRegistry(proxy.host, faultTransport, noCredentials);
    const openFaulty = (host: string) => (host === proxy.host ? faulty : open(host));
    const direct = client(target.host);
    const otherDigest = await skopeoDigest(source.host, 'prod/api:dev-123');
    const copy = { blobAttempts: 2, blobRetryDelayMs: 1 };
    let failedRuns = 0;
    try {
      for (let run = 0; run < 12; run += 1) {
        // A fresh namespace per run, so every run has blobs and manifests to move; in it, a stale tag to move and an immutable one.
        const folder = `faults-${run}`;
        await skopeoPush(target, layoutDir, 'other', `${folder}/api`, 'v1.1.0');
        await skopeoPush(target, layoutDir, 'other', `${folder}/api`, 'v1.0.0');
        const chosen: ReplicationRule[] = [{ from: `${source.host}/prod/**`, to: [`${proxy.host}/${folder}`], tags: ['v*'] }];
        const options = { promotionRules: [{ match: `${proxy.host}/${folder}/**`, immutableTags: ['v1.0.*'] }], copy };
        const plan = await planReplication(chosen, openFaulty, options);
        proxy.setFaults(0.3, run + 1);
        let results;
        try {
          results = (await executeReplication(plan, openFaulty, options)).results;
        } finally {
          proxy.setFaults(0);
        }
        if (results.some((result) => result.outcome === 'failed')) failedRuns += 1;
        assert.equal(await skopeoDigest(target.host, `${folder}/api:v1.0.0`), otherDigest, `run ${run} (seed ${run + 1}) moved the immutable tag`);
        for (const result of results) {
          const { repository, tag, current } = result.item.target;
          const now = await direct.resolve(repository, tag).then((descriptor) => descriptor.digest, () => undefined);
          if (result.outcome === 'failed') assert.equal(now, current, `run ${run} (seed ${run + 1}): ${repository}:${tag} moved although its copy failed`);
          if (now) await assertComplete(direct, repository, tag);
        }
        const clean = await replicate(options, chosen);
        assert.ok(clean.run.results.every((result) => result.outcome !== 'failed'), `run ${run}: the clean re-run failed`);
        for (const [from, to] of [['prod/api:v1.1.0', 'api:v1.1.0'], ['prod/api:v1.2.0', 'api:v1.2.0'], ['prod/team/web:v2.0.0', 'team/web:v2.0.0']] as const) {
          assert.equal(await skopeoDigest(target.host, `${folder}/${to}`), await skopeoDigest(source.host, from), `run ${run}: ${to}`);
        }
      }
    } finally {
      await faultTransport.close();
    }
    assert.ok(failedRuns >= 3, `faults made runs fail (${failedRuns} of 12; ${proxy.faultsInjected.length} faults)`);
    console.log(`replication fault runs: ${failedRuns} of 12 had failed images and were re-run cleanly; ${proxy.faultsInjected.length} faults injected`);
  });
});
