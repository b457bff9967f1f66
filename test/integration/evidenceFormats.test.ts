// The same scans written by a real trivy as JSON, SARIF, CycloneDX and SPDX must mean the same to the gate
// and the SBOM diff wherever the format carries the data; and the npm SBOM generators' output reads.
// Everything runs offline on a project and a Debian root file system the test writes.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { evaluateGate } from '../../src/core/reports/gate';
import type { ScanGate } from '../../src/core/reports/gate';
import type { Sbom } from '../../src/core/reports/model';
import { readReport, scanReportOf } from '../../src/core/reports/readReport';
import { diffSboms, summariseLicenses } from '../../src/core/reports/sbomAnalysis';
import { runTrivy } from '../../src/core/scanners/trivy';
import type { FindingKind, GateVerdict, ScanFinding, ScanReport } from '../../src/shared/reportModel';
import { installedNpmTestTool } from '../../scripts/npmTestTool';
import { CDXGEN, CYCLONEDX_NPM } from '../../scripts/sbomGenerators';
import { installedTrivy } from '../../scripts/trivy';
import { REPO_ROOT } from '../helpers';
import { stewardIn } from './stewardCli';

const TRIVY_DB = join(REPO_ROOT, '..', 'shared', 'fixtures', 'trivy-db');
const trivy = installedTrivy();
const trivySkip = 'skip' in trivy ? trivy.skip
  : existsSync(TRIVY_DB) ? false : `${TRIVY_DB} is absent (a user's clone has no shared/): the scans in every format are skipped`;

const root = mkdtempSync(join(tmpdir(), 'steward-evidence-'));
after(() => rmSync(root, { recursive: true, force: true }));

function writeTree(dir: string, files: Readonly<Record<string, string>>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const NPM_PACKAGES = { axios: '0.21.1', lodash: '4.17.15', minimist: '1.2.5' } as const;
const installedPackage = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });
// Assembled so that secret scanners reading this repository do not flag the test's fake key.
const FAKE_AWS_KEY = ['AKIA', '2E0A8F3B244C9986'].join('');
const FAKE_AWS_SECRET = ['Lb3nMx9qT7vR2wK5', 'pZ8yH1cF4jD6sA0gE3uN7iOq'].join('');

/**
 * An npm app with three vulnerable dependencies (lock file v3, and the installed tree `npm ls` and the
 * generators read licenses from), a Dockerfile trivy's built-in checks fail, and a leaked AWS key.
 */
const project = writeTree(join(root, 'project'), {
  'package.json': JSON.stringify({ name: 'evidence-app', version: '1.0.0', license: 'MIT', dependencies: NPM_PACKAGES }),
  'package-lock.json': JSON.stringify({
    name: 'evidence-app', version: '1.0.0', lockfileVersion: 3, requires: true,
    packages: {
      '': { name: 'evidence-app', version: '1.0.0', license: 'MIT', dependencies: NPM_PACKAGES },
      ...Object.fromEntries(Object.entries(NPM_PACKAGES).map(([name, version]) => [`node_modules/${name}`, { version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`, license: 'MIT' }])),
    },
  }),
  ...Object.fromEntries(Object.entries(NPM_PACKAGES).map(([name, version]) => [`node_modules/${name}/package.json`, installedPackage(name, version)])),
  Dockerfile: 'FROM debian:12\nRUN apt-get update\n',
  'config/credentials.ini': `[default]\naws_access_key_id = ${FAKE_AWS_KEY}\naws_secret_access_key = ${FAKE_AWS_SECRET}\n`,
});

const dpkgEntry = (name: string, version: string, source: string) => `Package: ${name}\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: 100\nMaintainer: Debian <debian@example.org>\nArchitecture: amd64\nSource: ${source}\nVersion: ${version}\nDescription: ${name}\n`;

/** Debian 12 with the packages the test database has advisories for; zlib1g carries an epoch and has no fix. */
const rootfs = writeTree(join(root, 'rootfs'), {
  'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n',
  'etc/debian_version': '12.1\n',
  'var/lib/dpkg/status': [
    dpkgEntry('curl', '7.88.1-10', 'curl'), dpkgEntry('libcurl4', '7.88.1-10', 'curl'), dpkgEntry('libssl3', '3.0.9-1', 'openssl'),
    dpkgEntry('openssl', '3.0.9-1', 'openssl'), dpkgEntry('zlib1g', '1:1.2.13.dfsg-1', 'zlib'),
  ].join('\n'),
});

const GATES: readonly ScanGate[] = [{ blockOn: 'CRITICAL' }, { blockOn: 'HIGH', ignoreUnfixed: true }, { maxHigh: 0 }, { blockOn: 'HIGH', unknownSeverity: 'ignore' }];

type Output = 'json' | 'sarif' | 'cyclonedx' | 'spdx-json' | 'json-all';
type Scan = Readonly<Record<Output, string>>;

/** What the gate sees of a verdict, to compare across formats. */
const gist = (verdict: GateVerdict) => ({ pass: verdict.pass, counts: verdict.counts, withoutSeverity: verdict.withoutSeverity });
const identity = (finding: ScanFinding) => `${finding.kind} ${finding.id} ${finding.packageName ?? '-'} ${finding.installedVersion ?? '-'}`;
const described = (finding: ScanFinding) => `${identity(finding)} ${finding.severity} ${finding.status}`;
const fixes = (findings: readonly ScanFinding[]) => findings.filter((finding) => finding.kind === 'vulnerability').map((finding) => `${identity(finding)} → ${finding.fixedVersion ?? 'none'}`).sort();

function scanOf(text: string): ScanReport {
  const report = scanReportOf(readReport(text));
  assert.ok(report, `a scan report: ${text.slice(0, 200)}`);
  return report;
}

function sbomOf(text: string): Sbom {
  const result = readReport(text);
  assert.equal(result.kind, 'sbom', JSON.stringify(result).slice(0, 300));
  return (result as { sbom: Sbom }).sbom;
}

const kindsOf = (report: ScanReport) => {
  const kinds: Partial<Record<FindingKind, number>> = {};
  for (const finding of report.findings) if (finding.status === 'fail') kinds[finding.kind] = (kinds[finding.kind] ?? 0) + 1;
  return kinds;
};

describe('one trivy scan in every format: the same verdicts, fixes and packages', { skip: trivySkip }, () => {
  const binary = 'binary' in trivy ? trivy.binary : '';
  const cache = join(root, 'trivy-cache');
  const scans: Record<'fs' | 'rootfs', Scan> = { fs: {} as Scan, rootfs: {} as Scan };

  async function scan(command: 'fs' | 'rootfs', target: string): Promise<Scan> {
    const outputs: Partial<Record<Output, string>> = {};
    for (const output of ['json', 'sarif', 'cyclonedx', 'spdx-json', 'json-all'] as const) {
      const file = join(root, `${command}.${output}`);
      const format = output === 'json-all' ? ['--format', 'json', '--include-non-failures'] : ['--format', output];
      await runTrivy(binary, [command, '--cache-dir', cache, '--skip-db-update', '--skip-policy-update', '--offline-scan', '--scanners', 'vuln,config,secret', ...format, '--output', file, target]);
      outputs[output] = file;
    }
    return outputs as Scan;
  }

  before(async () => {
    mkdirSync(join(cache, 'db'), { recursive: true });
    for (const file of ['trivy.db', 'metadata.json']) copyFileSync(join(TRIVY_DB, file), join(cache, 'db', file));
    scans.fs = await scan('fs', project);
    scans.rootfs = await scan('rootfs', rootfs);
  }, { timeout: 300_000 });

  const read = (which: 'fs' | 'rootfs', output: Output) => readFileSync(scans[which][output], 'utf8');

  it('finds the planted problems of every kind in the project (JSON and SARIF alike)', () => {
    for (const output of ['json', 'sarif'] as const) {
      const report = scanOf(read('fs', output));
      assert.deepEqual(kindsOf(report), { vulnerability: 3, misconfiguration: 3, secret: 2 }, output);
      assert.deepEqual(report.findings.filter((finding) => finding.kind === 'secret').map(described).sort(), ['secret aws-access-key-id - - CRITICAL fail', 'secret aws-secret-access-key - - CRITICAL fail'], output);
    }
    assert.deepEqual(kindsOf(scanOf(read('rootfs', 'json'))), { vulnerability: 5 });
  });

  for (const which of ['fs', 'rootfs'] as const) {
    it(`${which}: every gate gives the same verdict and counts on JSON and SARIF, for every kind of finding`, () => {
      const json = scanOf(read(which, 'json'));
      const sarif = scanOf(read(which, 'sarif'));
      assert.deepEqual(sarif.findings.map(described).sort(), json.findings.map(described).sort());
      for (const gate of GATES) assert.deepEqual(gist(evaluateGate(sarif, gate)), gist(evaluateGate(json, gate)), JSON.stringify(gate));
    });

    it(`${which}: SARIF and CycloneDX give the fixed versions JSON gives`, () => {
      const json = fixes(scanOf(read(which, 'json')).findings);
      assert.ok(json.some((line) => !line.endsWith('→ none')), json.join('\n'));
      assert.deepEqual(fixes(scanOf(read(which, 'sarif')).findings), json);
      // CycloneDX names the installed version without the Debian epoch (it is a purl qualifier there).
      assert.deepEqual(fixes(scanOf(read(which, 'cyclonedx')).findings), json.map((line) => line.replace(' 1:1.2.13', ' 1.2.13')));
    });

    it(`${which}: --include-non-failures adds passed checks as 'passed' decisions and changes no count`, () => {
      const plain = scanOf(read(which, 'json'));
      const all = scanOf(read(which, 'json-all'));
      const raw = JSON.parse(read(which, 'json-all')) as { Results?: { MisconfSummary?: { Successes?: number } }[] };
      const successes = (raw.Results ?? []).reduce((sum, result) => sum + (result.MisconfSummary?.Successes ?? 0), 0);
      if (which === 'fs') assert.ok(successes > 0, 'trivy reports the Dockerfile checks that passed');
      assert.equal(all.findings.length, plain.findings.length + successes);
      for (const gate of GATES) {
        const verdict = evaluateGate(all, gate);
        assert.deepEqual(gist(verdict), gist(evaluateGate(plain, gate)), JSON.stringify(gate));
        assert.equal(verdict.decisions.filter((decision) => decision.status === 'passed').length, successes, JSON.stringify(gate));
      }
    });
  }

  it('the JSON verdicts themselves, per gate (what every other format is held to)', () => {
    const verdicts = (which: 'fs' | 'rootfs') => GATES.map((gate) => gist(evaluateGate(scanOf(read(which, 'json')), gate)));
    const counts = (CRITICAL: number, HIGH: number, LOW: number) => ({ CRITICAL, HIGH, MEDIUM: 0, LOW, UNKNOWN: 0 });
    // Secrets and misconfigurations always count; only zlib1g's vulnerability has no fix.
    assert.deepEqual(verdicts('fs'), GATES.map(() => ({ pass: false, counts: counts(3, 4, 1), withoutSeverity: 0 })));
    assert.deepEqual(verdicts('rootfs'), [
      { pass: false, counts: counts(3, 2, 0), withoutSeverity: 0 },
      { pass: false, counts: counts(2, 2, 0), withoutSeverity: 0 },
      { pass: false, counts: counts(3, 2, 0), withoutSeverity: 0 },
      { pass: false, counts: counts(3, 2, 0), withoutSeverity: 0 },
    ]);
  });

  for (const which of ['fs', 'rootfs'] as const) {
    it(`${which}: CycloneDX carries the vulnerabilities without ratings, so a blockOn gate fails closed`, () => {
      const raw = JSON.parse(read(which, 'cyclonedx')) as { vulnerabilities: { ratings: unknown }[] };
      assert.ok(raw.vulnerabilities.length > 0);
      // What this trivy writes with the test database: no severity at all, not even a score.
      for (const vulnerability of raw.vulnerabilities) assert.deepEqual(vulnerability.ratings, []);
      const cyclonedx = scanOf(read(which, 'cyclonedx'));
      const json = scanOf(read(which, 'json'));
      const vulnerabilities = json.findings.filter((finding) => finding.kind === 'vulnerability');
      assert.deepEqual(cyclonedx.findings.map((finding) => `${finding.id} ${finding.packageName} ${finding.severity} ${finding.status}`).sort(),
        vulnerabilities.map((finding) => `${finding.id} ${finding.packageName} UNKNOWN fail`).sort());
      const fixed = vulnerabilities.filter((finding) => finding.fixedVersion).length;
      const none = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
      const [blockCritical, blockHighFixed, maxHigh, blockHighIgnoringUnknown] = GATES.map((gate) => evaluateGate(cyclonedx, gate));
      assert.deepEqual(gist(blockCritical!), { pass: false, counts: { ...none, UNKNOWN: vulnerabilities.length }, withoutSeverity: vulnerabilities.length });
      assert.match(blockCritical!.reasons.join('\n'), /without a severity/);
      assert.deepEqual(gist(blockHighFixed!), { pass: false, counts: { ...none, UNKNOWN: fixed }, withoutSeverity: fixed });
      // A HIGH cap cannot tell unrated findings from HIGH ones: it fails closed too.
      assert.deepEqual(gist(maxHigh!), { pass: false, counts: { ...none, UNKNOWN: vulnerabilities.length }, withoutSeverity: vulnerabilities.length });
      assert.match(maxHigh!.reasons.join('\n'), /without a severity/);
      assert.deepEqual(gist(blockHighIgnoringUnknown!), { pass: true, counts: { ...none, UNKNOWN: vulnerabilities.length }, withoutSeverity: vulnerabilities.length });
    });

    it(`${which}: the CycloneDX and SPDX SBOMs of the scan have an empty diff`, () => {
      const cyclonedx = sbomOf(read(which, 'cyclonedx'));
      const spdx = sbomOf(read(which, 'spdx-json'));
      const expected = which === 'fs' ? Object.keys(NPM_PACKAGES) : ['curl', 'debian', 'libcurl4', 'libssl3', 'openssl', 'zlib1g'];
      for (const sbom of [cyclonedx, spdx]) assert.deepEqual(sbom.packages.map((pkg) => pkg.name).sort(), expected, sbom.format);
      assert.equal(cyclonedx.subject, spdx.subject);
      assert.deepEqual(diffSboms(cyclonedx, spdx), { added: [], removed: [], changed: [] });
      assert.deepEqual(diffSboms(spdx, cyclonedx), { added: [], removed: [], changed: [] });
    });
  }

  it('rootfs: SPDX keeps zlib1g\'s epoch in the version, CycloneDX in the purl (and the empty diff above pairs them)', () => {
    const version = (sbom: Sbom) => sbom.packages.find((pkg) => pkg.name === 'zlib1g')!;
    assert.equal(version(sbomOf(read('rootfs', 'spdx-json'))).version, '1:1.2.13.dfsg-1');
    assert.match(version(sbomOf(read('rootfs', 'cyclonedx'))).purl!, /^pkg:deb\/debian\/zlib1g@1\.2\.13\.dfsg-1\?.*epoch=1/);
  });

  it('steward gate exits alike on JSON and SARIF, fails closed on CycloneDX without severities, and refuses an SPDX SBOM', async () => {
    const steward = stewardIn(join(root, 'home'));
    const gate = async (file: string) => {
      const run = await steward(['gate', file, '--block-on', 'HIGH', '--ignore-unfixed', '--json'], root);
      return { code: run.code, counts: run.stdout ? (JSON.parse(run.stdout) as { counts: unknown }).counts : undefined, stderr: run.stderr };
    };
    for (const which of ['fs', 'rootfs'] as const) {
      const json = await gate(scans[which].json);
      assert.equal(json.code, 1, json.stderr);
      assert.deepEqual(json.counts, gist(evaluateGate(scanOf(read(which, 'json')), GATES[1]!)).counts);
      const sarif = await gate(scans[which].sarif);
      assert.deepEqual({ code: sarif.code, counts: sarif.counts }, { code: json.code, counts: json.counts }, sarif.stderr);
      const cyclonedx = await gate(scans[which].cyclonedx);
      assert.equal(cyclonedx.code, 1, cyclonedx.stderr);
      const spdx = await gate(scans[which]['spdx-json']);
      assert.equal(spdx.code, 2);
      assert.match(spdx.stderr, /an SBOM without vulnerability data, not a scan report/);
    }
  });
});

const execFileAsync = promisify(execFile);

describe('SBOMs of the project from the npm generators read as SBOMs', () => {
  const generators = [
    // cyclonedx-npm asks `npm ls`, which reads the installed tree the test wrote.
    { tool: CYCLONEDX_NPM, args: (output: string) => ['--output-format', 'JSON', '--output-file', output], env: {} },
    // No dependency installs and no license look-ups: cdxgen reads the lock file and node_modules only.
    { tool: CDXGEN, args: (output: string) => ['-t', 'js', '--no-install-deps', '--no-recurse', '--no-babel', '-o', output, '.'], env: { FETCH_LICENSE: 'false', CDXGEN_NO_BANNER: 'true' } },
  ];
  const sboms = new Map<string, Sbom>();

  for (const { tool, args, env } of generators) {
    const installed = installedNpmTestTool(tool);
    it(`${tool.what} ${tool.version}: the packages with their licenses, and a license summary`, { skip: 'skip' in installed ? installed.skip : false }, async () => {
      const output = join(root, `${tool.what}.cdx.json`);
      await execFileAsync(process.execPath, [(installed as { path: string }).path, ...args(output)], { cwd: project, env: { ...process.env, ...env } });
      const sbom = sbomOf(readFileSync(output, 'utf8'));
      sboms.set(tool.what, sbom);
      assert.equal(sbom.format, 'cyclonedx');
      assert.equal(sbom.subject, 'evidence-app:1.0.0');
      assert.deepEqual(sbom.packages.map((pkg) => `${pkg.name}@${pkg.version} ${pkg.purl} ${pkg.licenses.join(' ')}`).sort(),
        Object.entries(NPM_PACKAGES).map(([name, version]) => `${name}@${version} pkg:npm/${name}@${version} MIT`));
      const summary = summariseLicenses(sbom, ['MIT']);
      assert.deepEqual([...summary.counts], [['MIT', 3]]);
      assert.deepEqual(summary.unlicensed, []);
      assert.deepEqual(summary.denied.map(({ pkg }) => pkg.name).sort(), Object.keys(NPM_PACKAGES));
      assert.deepEqual(summariseLicenses(sbom, ['GPL-3.0-only']).denied, []);
    });
  }

  it('cyclonedx-npm and cdxgen agree on the packages', (context) => {
    const [npm, cdxgen] = [sboms.get(CYCLONEDX_NPM.what), sboms.get(CDXGEN.what)];
    if (!npm || !cdxgen) return context.skip('needs both generators\' SBOMs (one of them is not installed)');
    assert.deepEqual(diffSboms(npm, cdxgen), { added: [], removed: [], changed: [] });
  });
});
