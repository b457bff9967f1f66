// One meaning per finding, whatever the format: a table per defect found in real reports (issue 13).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { toCsv, toSarif } from '../../../src/core/reports/export';
import { evaluateGate } from '../../../src/core/reports/gate';
import { isDeniedLicense, denySet, licenseIds } from '../../../src/core/reports/licenses';
import type { ReadResult, Sbom } from '../../../src/core/reports/model';
import { normaliseSeverity } from '../../../src/core/reports/model';
import { compareDebianVersions, packageIdentity } from '../../../src/core/reports/packageIdentity';
import { readReport, scanReportOf } from '../../../src/core/reports/readReport';
import { diffSboms, summariseLicenses } from '../../../src/core/reports/sbomAnalysis';
import type { ScanFinding, ScanReport } from '../../../src/shared/reportModel';

const json = (value: unknown) => JSON.stringify(value);

function scanOf(result: ReadResult): ScanReport {
  const report = scanReportOf(result);
  assert.ok(report, `not a scan: ${JSON.stringify(result).slice(0, 300)}`);
  return report;
}

function sbomOf(result: ReadResult): Sbom {
  assert.equal(result.kind, 'sbom', JSON.stringify(result).slice(0, 300));
  return (result as Extract<ReadResult, { kind: 'sbom' }>).sbom;
}

/** A SARIF run as trivy writes it: rule tags name the kind and severity, the fix is in the message. */
function trivySarif(results: { ruleId: string; kind: string; severity: string; score: string; message: string; extra?: Record<string, unknown> }[]): string {
  return json({
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'Trivy', rules: results.map((result) => ({ id: result.ruleId, shortDescription: { text: result.ruleId }, help: { text: result.message }, properties: { 'security-severity': result.score, tags: [result.kind, 'security', result.severity] } })) } },
      results: results.map((result, index) => ({ ruleId: result.ruleId, ruleIndex: index, level: 'error', message: { text: result.message }, locations: [{ physicalLocation: { artifactLocation: { uri: 'config.ini' } } }], ...result.extra })),
    }],
  });
}

/** An SPDX 2.3 image SBOM shaped as trivy writes one: image root, OS and application nodes, packages, a file. */
const spdxDocument = {
  spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'app:1',
  packages: [
    { SPDXID: 'SPDXRef-Image', name: 'app-amd64.tar', primaryPackagePurpose: 'CONTAINER' },
    { SPDXID: 'SPDXRef-OS', name: 'debian', versionInfo: '12.1', primaryPackagePurpose: 'OPERATING-SYSTEM' },
    { SPDXID: 'SPDXRef-App', name: 'node-pkg', primaryPackagePurpose: 'APPLICATION' },
    { SPDXID: 'SPDXRef-zlib', name: 'zlib1g', versionInfo: '1:1.2.13.dfsg-1', externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&epoch=1&distro=debian-12.1' }] },
    { SPDXID: 'SPDXRef-lodash', name: 'lodash', versionInfo: '4.17.15', externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:npm/lodash@4.17.15' }] },
    null,
  ],
  files: [{ SPDXID: 'SPDXRef-File', fileName: 'app/package.json' }],
  relationships: [
    { spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: 'SPDXRef-Image', relationshipType: 'DESCRIBES' },
    { spdxElementId: 'SPDXRef-Image', relatedSpdxElement: 'SPDXRef-OS', relationshipType: 'CONTAINS' },
    { spdxElementId: 'SPDXRef-Image', relatedSpdxElement: 'SPDXRef-App', relationshipType: 'CONTAINS' },
    { spdxElementId: 'SPDXRef-OS', relatedSpdxElement: 'SPDXRef-zlib', relationshipType: 'CONTAINS' },
    { spdxElementId: 'SPDXRef-App', relatedSpdxElement: 'SPDXRef-lodash', relationshipType: 'CONTAINS' },
    { spdxElementId: 'SPDXRef-lodash', relatedSpdxElement: 'SPDXRef-File', relationshipType: 'CONTAINS' },
    { spdxElementId: 'SPDXRef-zlib', relatedSpdxElement: 'SPDXRef-OS', relationshipType: 'DEPENDENCY_OF' },
    null,
  ],
};

describe('SARIF: kinds, fixes and statuses', () => {
  const leakedKeys = trivySarif([
    { ruleId: 'aws-access-key-id', kind: 'secret', severity: 'CRITICAL', score: '9.5', message: 'Artifact: config.ini\nType: \nSecret AWS Access Key ID\nSeverity: CRITICAL\nMatch: aws_access_key_id = ****' },
    { ruleId: 'aws-secret-access-key', kind: 'secret', severity: 'CRITICAL', score: '9.5', message: 'Artifact: config.ini\nSecret AWS Secret Access Key\nSeverity: CRITICAL' },
  ]);

  it('two leaked AWS keys fail a gate that ignores unfixed vulnerabilities (secrets are never "unfixed")', () => {
    const report = scanOf(readReport(leakedKeys));
    assert.deepEqual(report.findings.map((finding) => [finding.kind, finding.severity]), [['secret', 'CRITICAL'], ['secret', 'CRITICAL']]);
    const verdict = evaluateGate(report, { blockOn: 'CRITICAL', ignoreUnfixed: true });
    assert.deepEqual([verdict.pass, verdict.reasons], [false, ['2 CRITICAL at or above CRITICAL']]);
  });

  it('reads the package, installed and fixed version trivy writes in the message', () => {
    const report = scanOf(readReport(trivySarif([{ ruleId: 'CVE-2021-3749', kind: 'vulnerability', severity: 'HIGH', score: '8.0', message: 'Package: axios\nInstalled Version: 0.21.1\nVulnerability CVE-2021-3749\nSeverity: HIGH\nFixed Version: 0.21.2\nLink: [CVE-2021-3749](https://avd.aquasec.com/nvd/cve-2021-3749)' }])));
    const [finding] = report.findings;
    assert.deepEqual([finding!.packageName, finding!.installedVersion, finding!.fixedVersion], ['axios', '0.21.1', '0.21.2']);
    assert.equal(evaluateGate(report, { blockOn: 'HIGH', ignoreUnfixed: true }).pass, false, 'a fixable HIGH blocks');
  });

  it('a message with a hostile line (a megabyte of blanks) is read in linear time, the value trimmed', { timeout: 10_000 }, () => {
    const message = `Package: axios${' '.repeat(1_000_000)}x\nFixed Version: 0.21.2  \t`;
    const [finding] = scanOf(readReport(trivySarif([{ ruleId: 'CVE-2021-3749', kind: 'vulnerability', severity: 'HIGH', score: '8.0', message }]))).findings;
    assert.deepEqual([finding!.packageName, finding!.fixedVersion], [`axios${' '.repeat(1_000_000)}x`, '0.21.2']);
  });

  it('an empty security-severity leaves the level to decide; passed and suppressed results are not counted', () => {
    const sarif = json({
      version: '2.1.0',
      runs: [{
        tool: { driver: { name: 'Scanner', rules: [{ id: 'R1', properties: { 'security-severity': '' } }] } },
        results: [
          { ruleId: 'R1', level: 'error', message: { text: 'counts' } },
          { ruleId: 'R1', level: 'error', kind: 'pass', message: { text: 'passed' } },
          { ruleId: 'R1', level: 'error', suppressions: [{ kind: 'inSource', justification: 'test fixture' }], message: { text: 'suppressed' } },
          { ruleId: 'R1', level: 'error', suppressions: [{ kind: 'external', status: 'rejected' }], message: { text: 'a rejected suppression does not apply' } },
        ],
      }],
    });
    const report = scanOf(readReport(sarif));
    assert.deepEqual(report.findings.map((finding) => [finding.severity, finding.status]), [['HIGH', 'fail'], ['HIGH', 'pass'], ['HIGH', 'suppressed'], ['HIGH', 'fail']]);
    const verdict = evaluateGate(report, { blockOn: 'HIGH' });
    assert.equal(verdict.counts.HIGH, 2);
    assert.deepEqual(verdict.decisions.map((decision) => decision.status), ['counted', 'passed', 'suppressed', 'counted']);
  });
});

describe('Trivy JSON', () => {
  it('--include-non-failures: passed checks are not findings that count', () => {
    const misconfiguration = (id: string, status: string) => ({ ID: id, Severity: 'HIGH', Status: status, Title: id });
    const report = scanOf(readReport(json({ SchemaVersion: 2, ArtifactName: '.', Results: [{ Target: 'Dockerfile', Misconfigurations: [misconfiguration('DS002', 'FAIL'), misconfiguration('DS001', 'PASS'), misconfiguration('DS005', 'PASS'), misconfiguration('DS009', 'EXCEPTION')] }] })));
    const verdict = evaluateGate(report, { blockOn: 'HIGH' });
    assert.deepEqual([verdict.counts.HIGH, verdict.reasons], [1, ['1 HIGH at or above HIGH']]);
    assert.deepEqual(verdict.decisions.map((decision) => decision.status), ['counted', 'passed', 'passed', 'suppressed']);
  });

  it('CVSS entries that are null, and numeric or padded severities, read without a crash', () => {
    const report = scanOf(readReport(json({ SchemaVersion: 2, Results: [{ Target: 'x', Vulnerabilities: [
      { VulnerabilityID: 'CVE-1', Severity: ' HIGH', CVSS: { nvd: null } },
      { VulnerabilityID: 'CVE-2', Severity: '9.8' },
      { VulnerabilityID: 'CVE-3', CVSS: { nvd: { V3Score: 7.5 }, ghsa: { V2Score: 'x' } } },
      null, 'garbage',
    ] }, null] })));
    assert.deepEqual(report.findings.map((finding) => [finding.id, finding.severity, finding.cvss]), [['CVE-1', 'HIGH', undefined], ['CVE-2', 'CRITICAL', undefined], ['CVE-3', 'HIGH', 7.5]]);
  });

  it('a license finding is of kind license, and a denied license fails the gate', () => {
    const report = scanOf(readReport(json({ SchemaVersion: 2, Results: [{ Target: 'Node.js', Licenses: [{ Severity: 'HIGH', Category: 'restricted', PkgName: 'gpl-lib', Name: 'GPL-3.0' }, { Severity: 'LOW', PkgName: 'mit-lib', Name: 'MIT' }] }] })));
    assert.deepEqual(report.findings.map((finding) => finding.kind), ['license', 'license']);
    assert.deepEqual(evaluateGate(report, { deniedLicenses: ['GPL-3.0-only'] }).reasons, ['denied license(s): GPL-3.0']);
  });
});

describe('CycloneDX scans', () => {
  const trivyCycloneDx = {
    bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { component: { 'bom-ref': 'img', type: 'container', name: 'registry.example.com/app:1', purl: `pkg:oci/app@sha256:${'a'.repeat(64)}?repository_url=index.docker.io/library/app` } },
    components: [{ 'bom-ref': 'pkg:deb/debian/libssl3@3.0.9-1', type: 'library', name: 'libssl3', version: '3.0.9-1', purl: 'pkg:deb/debian/libssl3@3.0.9-1' }],
    vulnerabilities: [
      { id: 'CVE-2023-5363', ratings: [{ score: 7.5 }], recommendation: 'Upgrade libssl3 to version 3.0.11-1~deb12u2', affects: [{ ref: 'pkg:deb/debian/libssl3@3.0.9-1' }] },
      { id: 'CVE-2023-0000', ratings: [], affects: [{ ref: 'pkg:deb/debian/libssl3@3.0.9-1' }], analysis: { state: 'not_affected', justification: 'code_not_reachable' } },
    ],
  };

  it('components and vulnerabilities: an SBOM that is a scan report too; recommendation is the fix, a score the severity', () => {
    const result = readReport(json(trivyCycloneDx));
    assert.equal(sbomOf(result).packages.length, 1);
    const report = scanOf(result);
    assert.deepEqual(report.findings.map((finding) => [finding.id, finding.severity, finding.fixedVersion, finding.status]), [
      ['CVE-2023-5363', 'HIGH', '3.0.11-1~deb12u2', 'fail'],
      ['CVE-2023-0000', 'UNKNOWN', undefined, 'suppressed'],
    ]);
    assert.deepEqual(report.images, [{ digest: `sha256:${'a'.repeat(64)}`, repository: 'index.docker.io/library/app' }]);
  });

  it('300,000 ratings and 10,000-deep nested components read without a stack overflow', () => {
    const ratings = Array.from({ length: 300_000 }, (_, index) => ({ score: (index % 100) / 10 }));
    // Written as text: JSON.stringify itself cannot nest this deep.
    const depth = 10_000;
    const opening = Array.from({ length: depth }, (_, index) => `{"name":"c${index}","version":"1","purl":"pkg:npm/c${index}@1","components":[`).join('');
    const nested = `${opening}{"name":"leaf","version":"1","purl":"pkg:npm/leaf@1"}${']}'.repeat(depth)}`;
    const result = readReport(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[${nested}],"vulnerabilities":${json([{ id: 'CVE-1', ratings, affects: [{ ref: 'pkg:npm/leaf@1' }] }])}}`);
    assert.equal(sbomOf(result).packages.length, 10_001);
    assert.deepEqual(scanOf(result).findings.map((finding) => [finding.severity, finding.cvss]), [['CRITICAL', 9.9]]);
  });
});

describe('gates fail closed', () => {
  const finding = (severity: ScanFinding['severity']): ScanFinding => ({ kind: 'vulnerability', status: 'fail', id: `CVE-${severity}`, severity, urls: [] });

  it('findings without a severity block a blockOn or maxHigh gate unless it says unknownSeverity: ignore', () => {
    const report = { findings: [finding('UNKNOWN'), finding('UNKNOWN'), finding('LOW')] };
    const blocked = evaluateGate(report, { blockOn: 'HIGH' });
    assert.deepEqual([blocked.pass, blocked.withoutSeverity, blocked.reasons], [false, 2, ['2 finding(s) without a severity (unknownSeverity: block; set it to ignore to let them pass)']]);
    assert.equal(evaluateGate(report, { blockOn: 'HIGH', unknownSeverity: 'ignore' }).pass, true);
    assert.deepEqual(evaluateGate(report, { maxHigh: 0 }).reasons, ['2 finding(s) without a severity (unknownSeverity: block; set it to ignore to let them pass)'], 'an unrated finding may be HIGH');
    assert.equal(evaluateGate(report, { maxHigh: 0, unknownSeverity: 'ignore' }).pass, true);
    assert.equal(evaluateGate(report, { deniedLicenses: ['GPL-3.0-only'] }).pass, true, 'a license-only gate does not judge severities');
  });

  it('allow-list expiry: the last day included, an invalid date counts its finding and says why', () => {
    const report = { findings: [finding('CRITICAL')] };
    const gate = (expires: string) => evaluateGate(report, { blockOn: 'CRITICAL', allow: [{ id: 'CVE-CRITICAL', reason: 'not reachable', expires }] }, { today: new Date('2026-12-31T23:00:00Z') });
    assert.equal(gate('2026-12-31').pass, true);
    assert.deepEqual(gate('2026-12-30').reasons, ['the exception for CVE-CRITICAL expired on 2026-12-30', '1 CRITICAL at or above CRITICAL']);
    assert.deepEqual(gate('2027-02-30').reasons, ['the exception for CVE-CRITICAL has an invalid expiry: "2027-02-30" is not a day of the calendar', '1 CRITICAL at or above CRITICAL']);
    assert.deepEqual(gate('').reasons[0], 'the exception for CVE-CRITICAL has an invalid expiry: "" is not a date (write YYYY-MM-DD)');
    assert.deepEqual(gate('2026-12-31').decisions, [{ status: 'allowed', why: 'CVE-CRITICAL: not reachable (until 2026-12-31)' }]);
  });
});

describe('severities', () => {
  it('are trimmed, numbers and numeric strings banded by CVSS v3, and unknown stays unknown', () => {
    const table: [unknown, string][] = [[' HIGH', 'HIGH'], ['moderate', 'MEDIUM'], ['Negligible', 'LOW'], ['9.8', 'CRITICAL'], [7, 'HIGH'], [6.9, 'MEDIUM'], [0.1, 'LOW'], [0, 'LOW'], [11, 'UNKNOWN'], ['', 'UNKNOWN'], [null, 'UNKNOWN'], ['whatever', 'UNKNOWN']];
    assert.deepEqual(table.map(([value]) => normaliseSeverity(value)), table.map(([, expected]) => expected));
  });
});

describe('licenses', () => {
  it('reads expressions leniently and names as SPDX ids, checking each choice', () => {
    const deny = denySet(['GPL-3.0', 'GPL-2.0-only']);
    const table: [string, boolean][] = [
      ['GPL-2.0-only AND GPL-unspecified', true], ['MIT OR GPL-3.0-only', false], ['GPL-3.0-only OR GPL-2.0-only', true], ['GPL-3.0', true],
      ['GPLv3', true], ['Apache License 2.0', false], ['(MIT AND (GPL-2.0+', false], ['(GPL-2.0 AND (MIT', true], ['GPL-2.0 WITH Classpath-exception-2.0', true], ['mit', false],
    ];
    assert.deepEqual(table.map(([expression]) => isDeniedLicense(expression, deny)), table.map(([, denied]) => denied));
    assert.deepEqual(licenseIds('MIT AND GPL-unspecified'), ['MIT', 'LicenseRef-GPL-unspecified']);
    assert.deepEqual(licenseIds('GPL-2.0+ OR lgpl-2.1'), ['GPL-2.0-or-later', 'LGPL-2.1-only']);
  });

  it('a CycloneDX license name matches the same deny-list as the SPDX id', () => {
    const cyclonedx = sbomOf(readReport(json({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ name: 'a', version: '1', purl: 'pkg:npm/a@1', licenses: [{ license: { name: 'GPL-3.0' } }] }, { name: 'b', version: '1', licenses: [null, { expression: 'MIT' }] }] })));
    assert.deepEqual(summariseLicenses(cyclonedx, ['GPL-3.0-only']).denied.map(({ pkg }) => pkg.name), ['a']);
  });
});

describe('SBOM identity and diff', () => {
  const cyclonedx = (components: unknown[], subject?: unknown, dependencies: unknown[] = []) => sbomOf(readReport(json({ bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { component: subject }, components, dependencies })));

  it('SPDX: the DESCRIBES root is the subject and grouping nodes are not packages; files are not dependencies; DEPENDENCY_OF is read', () => {
    const sbom = sbomOf(readReport(json(spdxDocument)));
    assert.equal(sbom.subject, 'app:1');
    assert.deepEqual(sbom.packages.map((pkg) => pkg.name), ['debian', 'zlib1g', 'lodash']);
    assert.deepEqual([...sbom.dependencies], [['SPDXRef-Image', ['SPDXRef-OS', 'SPDXRef-App']], ['SPDXRef-OS', ['SPDXRef-zlib', 'SPDXRef-zlib']], ['SPDXRef-App', ['SPDXRef-lodash']]]);
  });

  it('the CycloneDX and the SPDX of one scan differ in nothing (epochs in the version or the purl, subject apart)', () => {
    const fromCycloneDx = cyclonedx([
      { type: 'operating-system', name: 'debian', version: '12.1', 'bom-ref': 'os' },
      { type: 'application', name: 'package-lock.json', 'bom-ref': 'app' },
      { type: 'library', name: 'zlib1g', version: '1.2.13.dfsg-1', purl: 'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&epoch=1&distro=debian-12.1' },
      { type: 'library', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', 'bom-ref': 'pkg:npm/lodash@4.17.15?file_path=app%2Fpackage.json' },
    ], { type: 'container', name: 'app:1' }, [{ ref: 'app', dependsOn: ['pkg:npm/lodash@4.17.15?file_path=app%2Fpackage.json'] }]);
    assert.deepEqual(diffSboms(fromCycloneDx, sbomOf(readReport(json(spdxDocument)))), { added: [], removed: [], changed: [] });
  });

  it('duplicates are kept: removing one of two installed versions is reported, a version bump is one change', () => {
    const lodash = (version: string) => ({ type: 'library', name: 'lodash', version, purl: `pkg:npm/lodash@${version}` });
    const before = cyclonedx([lodash('4.17.15'), lodash('4.17.21')]);
    assert.deepEqual(diffSboms(before, cyclonedx([lodash('4.17.21')])).removed.map((pkg) => pkg.version), ['4.17.15']);
    const bumped = diffSboms(before, cyclonedx([lodash('4.17.21'), lodash('4.17.20')]));
    assert.deepEqual([bumped.added, bumped.removed, bumped.changed.map(({ before: old, after }) => `${old.version}->${after.version}`)], [[], [], ['4.17.15->4.17.20']]);
  });

  it('versions compare the way dpkg orders them; a zero epoch is no epoch', () => {
    const table: [string, string, number][] = [['1:1.2.13', '1.2.14', 1], ['1.0~rc1', '1.0', -1], ['1.2.13.dfsg-1', '1.2.13.dfsg-1+deb12u1', -1], ['2.36-9', '2.36-10', -1], ['0:1.0', '1.0', 0], ['1.0a', '1.0+', -1]];
    assert.deepEqual(table.map(([a, b]) => compareDebianVersions(a, b)), table.map(([, , expected]) => expected));
    assert.equal(packageIdentity({ name: 'x', purl: 'pkg:deb/debian/x@1.0?epoch=0' }), packageIdentity({ name: 'x', purl: 'pkg:deb/debian/x@1.0' }));
  });
});

describe('readers never throw', () => {
  it('refuses SPDX 3 by its version string and skips a UTF-8 BOM', () => {
    const spdx3 = readReport(json({ spdxVersion: 'SPDX-3.0', packages: [] }));
    assert.equal(spdx3.kind, 'error');
    assert.match((spdx3 as { message: string }).message, /SPDX-3\.0.*not SPDX 2\.x/);
    assert.equal(readReport(`\ufeff${json({ SchemaVersion: 2, Results: [] })}`).kind, 'scan');
  });

  it('null in any array of any format reads as absent', () => {
    const documents = [
      { SchemaVersion: 2, Results: [null, { Vulnerabilities: [null], Misconfigurations: null, Secrets: [null] }] },
      { matches: [null, { vulnerability: null, artifact: { locations: [null] } }], source: null },
      { version: '2.1.0', runs: [null, { tool: null, results: [null, { locations: [null], suppressions: [null] }] }] },
      { bomFormat: 'CycloneDX', components: [null, { licenses: [null], components: [null] }], dependencies: [null, { ref: 'x', dependsOn: [null] }], vulnerabilities: [null, { ratings: [null], affects: [null], advisories: [null] }] },
      { spdxVersion: 'SPDX-2.3', packages: [null, { externalRefs: [null] }], relationships: [null], documentDescribes: [null] },
    ];
    for (const document of documents) assert.notEqual(readReport(json(document)).kind, 'error', json(document));
  });

  it('truncated, null-filled and deeply nested variants of every sample never throw', () => {
    const samples = [
      json({ SchemaVersion: 2, ArtifactName: 'a', Results: [{ Target: 't', Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'p', Severity: 'HIGH', CVSS: { nvd: { V3Score: 7 } } }] }] }),
      trivySarif([{ ruleId: 'CVE-1', kind: 'vulnerability', severity: 'HIGH', score: '8.0', message: 'Package: p\nFixed Version: 2' }]),
      json({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ name: 'p', version: '1', purl: 'pkg:npm/p@1', licenses: [{ license: { id: 'MIT' } }] }], vulnerabilities: [{ id: 'CVE-1', ratings: [{ severity: 'high' }], affects: [{ ref: 'pkg:npm/p@1' }] }] }),
      json(spdxDocument),
      json({ matches: [{ vulnerability: { id: 'CVE-1', severity: 'High', fix: { versions: ['2'], state: 'fixed' } }, artifact: { name: 'p', version: '1' } }], source: { target: 'x' } }),
    ];
    const variants = samples.flatMap((sample) => [
      ...Array.from({ length: 20 }, (_, index) => sample.slice(0, Math.floor((sample.length * index) / 20))),
      sample.replace(/"[^"]*"/g, 'null'),
      sample.replace(/\{/g, '[').replace(/\}/g, ']'),
      sample.replace(/:\s*"[^"]*"/g, ': 1e999'),
      sample.replace(/\[/g, '[null,'),
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `{"SchemaVersion": 2, "Results": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
    ]);
    for (const variant of variants) assert.doesNotThrow(() => readReport(variant), variant.slice(0, 120));
  });
});

describe('exports', () => {
  it('SARIF and CSV keep kinds and statuses: passed and suppressed checks read back as such, UNKNOWN stays UNKNOWN', () => {
    const findings: ScanFinding[] = [
      { kind: 'secret', status: 'fail', id: 'aws-access-key-id', severity: 'CRITICAL', urls: [] },
      { kind: 'misconfiguration', status: 'pass', id: 'DS001', severity: 'HIGH', urls: [] },
      { kind: 'vulnerability', status: 'suppressed', id: 'CVE-1', severity: 'UNKNOWN', fixedVersion: '1.2', statusReason: 'VEX not_affected', urls: [] },
    ];
    const back = scanOf(readReport(toSarif({ format: 'trivy', tool: 'Trivy', findings })));
    assert.deepEqual(back.findings.map((finding) => [finding.kind, finding.status, finding.severity, finding.fixedVersion]), [['secret', 'fail', 'CRITICAL', undefined], ['misconfiguration', 'pass', 'HIGH', undefined], ['vulnerability', 'suppressed', 'UNKNOWN', '1.2']]);
    assert.deepEqual(toCsv(findings).split('\r\n').slice(1, 4).map((line) => line.split(',').slice(0, 4).join(',')), ['aws-access-key-id,CRITICAL,secret,fail', 'DS001,HIGH,misconfiguration,pass', 'CVE-1,UNKNOWN,vulnerability,suppressed']);
  });
});
