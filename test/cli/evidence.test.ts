// steward gate and steward sbom, as CI runs them: exit codes, JSON shapes, annotations.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stewardIn } from '../integration/stewardCli';

const root = mkdtempSync(join(tmpdir(), 'steward-evidence-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, '.git'));
const steward = stewardIn(root);
const write = (name: string, content: unknown) => {
  writeFileSync(join(root, name), typeof content === 'string' ? content : JSON.stringify(content));
  return name;
};

const vulnerability = (id: string, pkg: string, version: string, severity: string, fixed?: string) => ({ VulnerabilityID: id, PkgName: pkg, InstalledVersion: version, Severity: severity, PkgIdentifier: { PURL: `pkg:npm/${pkg}@${version}` }, ...(fixed ? { FixedVersion: fixed } : {}) });
const trivyReport = write('trivy.json', {
  SchemaVersion: 2, ArtifactName: 'app',
  Results: [
    { Target: 'package-lock.json', Vulnerabilities: [vulnerability('CVE-2021-44906', 'minimist', '1.2.5', 'CRITICAL', '1.2.6'), vulnerability('CVE-2020-8203', 'lodash', '4.17.15', 'HIGH', '4.17.19'), vulnerability('CVE-2023-0001', 'zlib', '1.0', 'HIGH')] },
    { Target: 'Dockerfile', Misconfigurations: [{ ID: 'DS002', Severity: 'HIGH', Status: 'FAIL' }, { ID: 'DS001', Severity: 'HIGH', Status: 'PASS' }] },
  ],
});
write('.steward.yaml', 'gates:\n  release:\n    blockOn: CRITICAL\n    vex: [vex.json]\n  strict:\n    blockOn: HIGH\n');
write('vex.json', { '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'CVE-2021-44906' }, products: [{ '@id': 'pkg:npm/minimist@1.2.5' }], status: 'not_affected', justification: 'vulnerable_code_not_present' }] });
write('allow.yaml', '- {id: CVE-2020-8203, reason: not reachable, expires: "2099-12-31"}\n');
write('bad-allow.yaml', '- {id: CVE-2020-8203, reason: not reachable, expires: "2027-02-30"}\n');

describe('steward gate', () => {
  it('--json: pass, counts of what counts (no passed checks), reasons and one status per finding; exit 1 on fail', async () => {
    const { code, stdout } = await steward(['gate', trivyReport, '--block-on', 'HIGH', '--ignore-unfixed', '--json'], root);
    assert.equal(code, 1);
    const verdict = JSON.parse(stdout) as { pass: boolean; counts: Record<string, number>; reasons: string[]; findings: { id: string; package: string | null; severity: string; status: string }[] };
    assert.deepEqual([verdict.pass, verdict.counts, verdict.reasons], [false, { CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 0, UNKNOWN: 0 }, ['1 CRITICAL, 2 HIGH at or above HIGH']]);
    assert.deepEqual(verdict.findings.map((finding) => `${finding.id}:${finding.status}`), ['CVE-2021-44906:counted', 'CVE-2020-8203:counted', 'CVE-2023-0001:unfixed', 'DS002:counted', 'DS001:passed']);
  });

  it('a named gate from .steward.yaml with its VEX file passes (exit 0); the flags override its fields', async () => {
    const passing = await steward(['gate', trivyReport, '--gate', 'release'], root);
    assert.deepEqual([passing.code, passing.stdout.split('\n')[0]], [0, 'PASS  trivy.json (Trivy, app)']);
    assert.match(passing.stdout, /not counted: 1 not affected, 1 passed/);
    const stricter = await steward(['gate', trivyReport, '--gate', 'release', '--max-high', '0', '--allow', 'allow.yaml', '--json'], root);
    assert.equal(stricter.code, 1);
    assert.deepEqual((JSON.parse(stricter.stdout) as { reasons: string[] }).reasons, ['2 HIGH, more than the 0 allowed']);
  });

  it('prints GitHub annotations for each reason under GITHUB_ACTIONS', async () => {
    const { code, stdout } = await steward(['gate', trivyReport, '--gate', 'strict'], root, { GITHUB_ACTIONS: 'true' });
    assert.equal(code, 1);
    assert.match(stdout, /^::error title=steward gate::trivy\.json: 1 CRITICAL, 3 HIGH at or above HIGH$/m);
  });

  it('--format sarif keeps the set-aside findings as suppressed, so code scanning does not count them', async () => {
    const { code, stdout } = await steward(['gate', trivyReport, '--block-on', 'HIGH', '--ignore-unfixed', '--format', 'sarif'], root);
    assert.equal(code, 1);
    const results = (JSON.parse(stdout) as { runs: { results: { ruleId: string; kind?: string; suppressions?: { justification: string }[] }[] }[] }).runs[0]!.results;
    assert.deepEqual(results.map((result) => `${result.ruleId}:${result.kind ?? (result.suppressions ? 'suppressed' : 'fail')}`), ['CVE-2021-44906:fail', 'CVE-2020-8203:fail', 'CVE-2023-0001:suppressed', 'DS002:fail', 'DS001:pass']);
  });

  it('exit 2 for what it cannot judge: an SBOM, not JSON, an invalid expiry, an unknown gate, no gate at all', async () => {
    write('sbom.spdx.json', { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', packages: [] });
    write('broken.json', '{"SchemaVersion": 2,');
    const cases: [string[], RegExp][] = [
      [['gate', 'sbom.spdx.json', '--block-on', 'HIGH'], /sbom\.spdx\.json: an SBOM without vulnerability data, not a scan report/],
      [['gate', 'broken.json', '--block-on', 'HIGH'], /broken\.json: not JSON/],
      [['gate', trivyReport, '--allow', 'bad-allow.yaml'], /entry 1 \(CVE-2020-8203\): expires "2027-02-30" is not a day of the calendar/],
      [['gate', trivyReport, '--gate', 'nope'], /--gate nope: no such gate .*\(there are: release, strict\)/],
      [['gate', 'missing.json', '--block-on', 'HIGH'], /missing\.json: ENOENT/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await steward(args, root);
      assert.deepEqual([code, message.test(stderr)], [2, true], `${args.join(' ')}: ${stderr}`);
    }
  });
});

describe('steward sbom', () => {
  const component = (name: string, version: string, license: string) => ({ type: 'library', name, version, purl: `pkg:npm/${name}@${version}`, licenses: [{ license: { id: license } }] });
  const before = write('before.cdx.json', { bomFormat: 'CycloneDX', specVersion: '1.6', components: [component('lodash', '4.17.15', 'MIT'), component('left-pad', '1.3.0', 'WTFPL')], vulnerabilities: [{ id: 'CVE-2020-8203', ratings: [{ severity: 'high' }], affects: [{ ref: 'pkg:npm/lodash@4.17.15' }] }] });
  const afterSbom = write('after.cdx.json', { bomFormat: 'CycloneDX', specVersion: '1.6', components: [component('lodash', '4.17.21', 'MIT'), component('gpl-thing', '2.0.0', 'GPL-3.0')], vulnerabilities: [] });

  it('diff --json: added, removed, changed and the vulnerabilities gained and lost', async () => {
    const { code, stdout } = await steward(['sbom', 'diff', before, afterSbom, '--json'], root);
    assert.equal(code, 0);
    const diff = JSON.parse(stdout) as { added: { name: string }[]; removed: { name: string }[]; changed: { before: { version: string }; after: { version: string } }[]; vulnerabilities: { gained: unknown[]; lost: { id: string }[] } };
    assert.deepEqual([diff.added.map((pkg) => pkg.name), diff.removed.map((pkg) => pkg.name), diff.changed.map((change) => `${change.before.version}->${change.after.version}`)], [['gpl-thing'], ['left-pad'], ['4.17.15->4.17.21']]);
    assert.deepEqual([diff.vulnerabilities.gained, diff.vulnerabilities.lost.map((finding) => finding.id)], [[], ['CVE-2020-8203']]);
  });

  it('licenses --deny exits 1 naming the package; a deprecated id denies the same license', async () => {
    const denied = await steward(['sbom', 'licenses', afterSbom, '--deny', 'GPL-3.0-only'], root);
    assert.equal(denied.code, 1);
    assert.match(denied.stdout, /✗ pkg:npm\/gpl-thing@2\.0\.0: GPL-3\.0/);
    const clean = await steward(['sbom', 'licenses', before, '--deny', 'GPL-3.0', '--json'], root);
    assert.deepEqual([clean.code, (JSON.parse(clean.stdout) as { licenses: Record<string, number> }).licenses], [0, { MIT: 1, WTFPL: 1 }]);
  });

  it('exit 2 on a scan report given as an SBOM', async () => {
    const { code, stderr } = await steward(['sbom', 'licenses', trivyReport], root);
    assert.deepEqual([code, stderr], [2, 'steward: sbom: trivy.json: a scan report, not an SBOM\n']);
  });
});
