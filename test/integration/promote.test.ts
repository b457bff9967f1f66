// Promotion against real registries (Debian's docker-registry), checked with skopeo, through a
// proxy that counts bytes and injects faults.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { executePromotion, planPromotion, PromotionRefused } from '../../src/core/promote/promote';
import type { PromotionOptions, PromotionTarget } from '../../src/core/promote/promote';
import type { PromotionTargetRule } from '../../src/core/promote/gates';
import { noCredentials } from '../../src/core/registry/auth';
import { RegistryError } from '../../src/core/registry/errors';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { attachmentContent, attachmentsOf } from '../../src/core/registry/inspect';
import { Transport } from '../../src/core/registry/transport';
import { REPO_ROOT } from '../helpers';
import { attachSbom, pushCosignSignature, skopeoPush, writeOciLayout } from './fixtures';
import { assertComplete, skopeoDigest, skopeoTags } from './copyChecks';
import { startFaultProxy } from './faultProxy';
import type { FaultProxy } from './faultProxy';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';

const execFileAsync = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'steward-promote-'));
after(() => rmSync(root, { recursive: true, force: true }));

const LABELS = { 'org.opencontainers.image.source': 'https://github.com/acme/api', 'org.opencontainers.image.revision': '3f2a1bc' };
const layoutDir = join(root, 'layout');
writeOciLayout(layoutDir, [
  { tag: '1.2.3', labels: LABELS, extraLayers: { count: 4, bytes: 256 * 1024 } },
  { tag: '1.2.4', labels: LABELS, content: 'next' },
  { tag: 'multi', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }], labels: LABELS },
  { tag: 'unlabelled' },
]);

describe('promotion on real registries', () => {
  let staging: RunningRegistry;
  let production: RunningRegistry;
  let proxy: FaultProxy;
  let transport: Transport;
  const client = (host: string) => new HttpRegistry(host, transport, noCredentials);

  before(async () => {
    transport = new Transport({ backoffMs: 5, maxWaitMs: 50 });
    [staging, production] = await Promise.all([startRegistry('plain', join(root, 'staging')), startRegistry('plain', join(root, 'production'))]);
    for (const tag of ['1.2.3', '1.2.4', 'multi', 'unlabelled']) await skopeoPush(staging, layoutDir, tag, 'staging/api');
    // Evidence on the multi-arch image: an SBOM referrer (fallback tag index) and a legacy cosign signature.
    const multi = await client(staging.host).resolve('staging/api', 'multi');
    await attachSbom(staging, 'staging/api', multi, JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'api', packages: [] }));
    await pushCosignSignature(staging, 'staging/api', multi.digest);
    proxy = await startFaultProxy(staging.host);
  });
  after(async () => {
    await transport?.close();
    await proxy?.stop();
    await Promise.all([staging?.stop(), production?.stop()]);
  });

  async function promote(sourceHost: string, sourceRef: string, target: PromotionTarget, options: PromotionOptions = {}) {
    const [repository, reference] = sourceRef.split(/:(?=[^/]*$)/) as [string, string];
    const source = { backend: client(sourceHost), repository, reference };
    const plan = await planPromotion(sourceHost, source, target, options);
    return executePromotion(source, target, plan, options);
  }

  it('repository promotion mounts every blob: no layer bytes cross the wire', async () => {
    proxy.reset();
    const target = { registry: client(proxy.host), repository: 'prod/api', tags: ['1.2.3'] };
    const result = await promote(proxy.host, 'staging/api:1.2.3', target);
    assert.equal(result.plan.strategy, 'repository');
    assert.equal(result.stats.blobsCopied, 0);
    assert.equal(result.stats.blobsMounted, 6, 'five layers and the config');
    const uploaded = proxy.bodyBytes.get('PUT blob-upload') ?? 0;
    // Only the promotion record (a small JSON) and the empty config `{}` are uploaded.
    assert.ok(uploaded < 4096, `uploaded ${uploaded} bytes of blobs`);
    assert.equal(await skopeoDigest(staging.host, 'prod/api:1.2.3'), await skopeoDigest(staging.host, 'staging/api:1.2.3'));
  });

  it('registry promotion copies a multi-arch index whole, with its SBOM, signature and a promotion record', async () => {
    const target = { registry: client(production.host), repository: 'prod/api', tags: ['multi'] };
    const result = await promote(staging.host, 'staging/api:multi', target);
    assert.equal(result.plan.strategy, 'registry');
    const digest = await skopeoDigest(staging.host, 'staging/api:multi');
    assert.equal(await skopeoDigest(production.host, 'prod/api:multi'), digest);
    const index = JSON.parse((await client(staging.host).getManifest('staging/api', 'multi')).bytes.toString()) as { manifests: { digest: string }[] };
    for (const child of index.manifests) assert.equal(await skopeoDigest(production.host, `prod/api@${child.digest}`), child.digest);
    await assertComplete(client(production.host), 'prod/api', 'multi');
    const tags = await skopeoTags(production.host, 'prod/api');
    const referrersTag = digest.replace(':', '-');
    assert.deepEqual(tags, ['multi', referrersTag, `${referrersTag}.sig`].sort());
    const attachments = await attachmentsOf(client(production.host), 'prod/api', digest, tags);
    assert.deepEqual(attachments.map((attachment) => attachment.kind).sort(), ['promotion', 'sbom', 'signature']);
    const record = JSON.parse((await attachmentContent(client(production.host), 'prod/api', attachments.find((attachment) => attachment.kind === 'promotion')!)).toString()) as Record<string, unknown>;
    assert.equal(record.source, `${staging.host}/staging/api:multi`);
    assert.equal(record.digest, digest);
    assert.equal(record.strategy, 'registry');
  });

  it('a tag in place adds the tag to the same digest', async () => {
    const result = await promote(staging.host, 'staging/api:1.2.4', { registry: client(staging.host), repository: 'staging/api', tags: ['1.2.4-prod'] });
    assert.equal(result.plan.strategy, 'tag');
    assert.equal(await skopeoDigest(staging.host, 'staging/api:1.2.4-prod'), await skopeoDigest(staging.host, 'staging/api:1.2.4'));
  });

  it('never moves an immutable tag; promoting the same digest again is a no-op', async () => {
    const rule: PromotionTargetRule = { match: `${production.host}/prod/**`, immutableTags: ['v*'] };
    const target = { registry: client(production.host), repository: 'prod/api', tags: ['v1'] };
    await promote(staging.host, 'staging/api:1.2.3', target, { rule });
    const before = await skopeoDigest(production.host, 'prod/api:v1');
    await assert.rejects(promote(staging.host, 'staging/api:1.2.4', target, { rule }), (error: Error) => {
      assert.ok(error instanceof PromotionRefused);
      assert.match(error.message, new RegExp(`prod/api:v1 is immutable \\(v\\*\\) and points at ${before}`));
      return true;
    });
    assert.equal(await skopeoDigest(production.host, 'prod/api:v1'), before);
    const again = await promote(staging.host, 'staging/api:1.2.3', target, { rule });
    assert.equal(again.noop, true);
  });

  it('each gate blocks with its reason, and an override reason is kept in the record', async () => {
    const rule: PromotionTargetRule = { match: '**', gates: { sbom: true, signature: true, labels: ['org.opencontainers.image.source'], scan: { blockOn: 'CRITICAL' } } };
    const target = { registry: client(production.host), repository: 'gated/api', tags: ['1.0.0'] };
    const source = { backend: client(staging.host), repository: 'staging/api', reference: 'unlabelled' };
    const plan = await planPromotion(staging.host, source, target, { rule });
    assert.deepEqual(plan.blockers, [
      'gate sbom failed: no SBOM is attached to the image (Generate SBOM, then attach it)',
      'gate signature failed: no signature is attached to the image (cosign sign, notation sign)',
      'gate labels failed: the image config lacks org.opencontainers.image.source',
      'gate scan failed: no scan report: attach one to the image (Scan image) or give one (--scan-report)',
    ]);
    const scanReport = { text: readFileSync(join(REPO_ROOT, 'examples', 'reports', 'api-1.4.2.trivy.json'), 'utf8'), label: 'api-1.4.2.trivy.json' };
    const withReport = await planPromotion(staging.host, { ...source, reference: 'multi' }, target, { rule, scanReport });
    assert.deepEqual(withReport.gates.map((gate) => [gate.gate, gate.pass]), [['sbom', true], ['signature', true], ['labels', true], ['scan', false]]);
    assert.equal(withReport.blockers[0], 'gate scan failed: api-1.4.2.trivy.json: 3 CRITICAL at or above CRITICAL');
    await assert.rejects(executePromotion({ ...source, reference: 'multi' }, target, withReport), PromotionRefused);
    await assert.rejects(client(production.host).resolve('gated/api', '1.0.0'), (error: Error) => error instanceof RegistryError && error.status === 404);
    const overridden = await promote(staging.host, 'staging/api:multi', target, { rule, scanReport, overrideReason: 'CVE fixes ship in 1.0.1; accepted by security (TICKET-42)' });
    const attachments = await attachmentsOf(client(production.host), 'gated/api', overridden.plan.descriptor.digest, []);
    const record = JSON.parse((await attachmentContent(client(production.host), 'gated/api', attachments.find((attachment) => attachment.kind === 'promotion')!)).toString()) as { overrides: { gate: string; reason: string }[] };
    assert.deepEqual(record.overrides.map((override) => [override.gate, override.reason]), [['scan', 'CVE fixes ship in 1.0.1; accepted by security (TICKET-42)']]);
  });

  it('six promotions of one image at once keep six records in the fallback index (no lost updates)', async () => {
    // Tags in place: six writers of one `sha256-<hex>` index, and nothing else they could race on.
    const targets = Array.from({ length: 6 }, (_, index) => ({ registry: client(staging.host), repository: 'staging/api', tags: [`concurrent-${index}`] }));
    const source = { backend: client(staging.host), repository: 'staging/api', reference: 'unlabelled' };
    const plans = await Promise.all(targets.map((target) => planPromotion(staging.host, source, target)));
    const results = await Promise.all(targets.map((target, index) => executePromotion(source, target, plans[index]!)));
    const records = results.map((result) => result.record!.digest);
    assert.equal(new Set(records).size, 6);
    // skopeo reads the index this registry holds for the image (it has no referrers API).
    const { stdout } = await execFileAsync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${staging.host}/staging/api:${plans[0]!.descriptor.digest.replace(':', '-')}`]);
    const indexed = new Set((JSON.parse(stdout) as { manifests: { digest: string }[] }).manifests.map((entry) => entry.digest));
    assert.deepEqual(records.filter((digest) => !indexed.has(digest)), [], 'every record is in the index');
  });

  it('survives 100 runs of injected faults: tags never point at partial images, existing tags never change, a clean re-run completes', async () => {
    // Few retries, short waits: faults must make whole runs fail, not only be absorbed.
    const faultTransport = new Transport({ backoffMs: 1, maxWaitMs: 5, maxRetries: 1, timeoutMs: 5000 });
    const faultyTarget = new HttpRegistry(proxy.host, faultTransport, noCredentials);
    const direct = client(staging.host);
    const digestOf = async (reference: string) => (await direct.resolve('faults/api', reference)).digest;
    const copy = { blobAttempts: 2, blobRetryDelayMs: 1 };
    // An existing tag the runs must never disturb, and a mutable tag every run moves.
    await promote(staging.host, 'staging/api:1.2.4', { registry: direct, repository: 'faults/api', tags: ['keep', 'current'] });
    const keep = await skopeoDigest(staging.host, 'faults/api:keep');
    const sources = ['staging/api:1.2.3', 'staging/api:multi', 'staging/api:1.2.4', 'staging/api:unlabelled'];
    const sourceDigests = new Map(await Promise.all(sources.map(async (ref) => [ref, (await direct.resolve('staging/api', ref.split(':')[1]!)).digest] as const)));
    let failures = 0;
    try {
      for (let run = 0; run < 100; run += 1) {
        const sourceRef = sources[run % sources.length]!;
        const before = await digestOf('current');
        proxy.setFaults(0.2, run + 1);
        const target = { registry: faultyTarget, repository: 'faults/api', tags: [`run-${run}`, 'current'] };
        let failed = false;
        try {
          await promote(proxy.host, sourceRef, target, { copy });
        } catch {
          failed = true;
          failures += 1;
        } finally {
          proxy.setFaults(0);
        }
        if (failed) assert.equal(await digestOf('current'), before, `run ${run} (seed ${run + 1}): current moved although the promotion failed`);
        assert.equal(await digestOf('keep'), keep, `run ${run} (seed ${run + 1}) changed an existing tag`);
        for (const tag of [`run-${run}`, 'current']) {
          const exists = await direct.resolve('faults/api', tag).then(() => true, () => false);
          if (exists) await assertComplete(direct, 'faults/api', tag);
        }
        // The clean re-run completes.
        await promote(proxy.host, sourceRef, target);
        assert.equal(await digestOf(`run-${run}`), sourceDigests.get(sourceRef));
      }
    } finally {
      await faultTransport.close();
    }
    // The independent client agrees at the end.
    assert.equal(await skopeoDigest(staging.host, 'faults/api:keep'), keep);
    assert.equal(await skopeoDigest(staging.host, 'faults/api:run-99'), sourceDigests.get(sources[99 % sources.length]!));
    assert.ok(failures >= 10, `faults made runs fail (${failures} of 100; ${proxy.faultsInjected.length} faults)`);
    console.log(`fault runs: ${failures} of 100 failed and were re-run cleanly; ${proxy.faultsInjected.length} faults injected`);
  });
});
