import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { toCsv, toSarif } from '../../../src/core/reports/export';
import { evaluateGate } from '../../../src/core/reports/gate';
import type { ScanFinding } from '../../../src/shared/reportModel';
import { readReport } from '../../../src/core/reports/readReport';

const finding = (id: string, severity: ScanFinding['severity'], fixedVersion?: string): ScanFinding => ({ kind: 'vulnerability', status: 'fail', id, severity, packageName: 'pkg', installedVersion: '1.0', urls: [], ...(fixedVersion ? { fixedVersion } : {}) });
const findings = [finding('CVE-1', 'CRITICAL', '1.1'), finding('CVE-2', 'HIGH'), finding('CVE-3', 'HIGH', '2.0'), finding('CVE-4', 'LOW')];

describe('scan gate', () => {
  it('blocks on any CRITICAL and names the counts', () => {
    const verdict = evaluateGate({ findings }, { blockOn: 'CRITICAL' });
    assert.equal(verdict.pass, false);
    assert.deepEqual(verdict.reasons, ['1 CRITICAL at or above CRITICAL']);
  });
  it('caps HIGH findings, and ignores unfixed ones when asked', () => {
    assert.deepEqual(evaluateGate({ findings }, { maxHigh: 1 }).reasons, ['2 HIGH, more than the 1 allowed']);
    const ignoring = evaluateGate({ findings }, { maxHigh: 1, ignoreUnfixed: true });
    assert.equal(ignoring.pass, true);
    assert.deepEqual(findings.filter((_, index) => ignoring.decisions[index]!.status === 'unfixed').map((entry) => entry.id), ['CVE-2', 'CVE-4']);
  });
  it('honours an allow-list until its expiry date, and says when an exception expired', () => {
    const today = new Date('2026-06-01T00:00:00Z');
    assert.equal(evaluateGate({ findings }, { blockOn: 'CRITICAL', allow: [{ id: 'CVE-1', reason: 'not reachable', expires: '2026-12-31' }] }, { today }).pass, true);
    const expired = evaluateGate({ findings }, { blockOn: 'CRITICAL', allow: [{ id: 'CVE-1', reason: 'not reachable', expires: '2026-01-31' }] }, { today });
    assert.deepEqual(expired.reasons, ['the exception for CVE-1 expired on 2026-01-31', '1 CRITICAL at or above CRITICAL']);
  });
});

describe('exports', () => {
  it('CSV quotes what needs quoting and neutralises spreadsheet formulas', () => {
    const csv = toCsv([{ ...finding('CVE-5', 'MEDIUM'), title: 'a "quoted", title', packageName: '=HYPERLINK("x")' }]);
    assert.equal(csv.split('\r\n')[1], `CVE-5,MEDIUM,vulnerability,fail,"'=HYPERLINK(""x"")",1.0,,,"a ""quoted"", title",,`);
  });
  it('SARIF round-trips through our own reader with the same ids and severities', () => {
    const sarif = toSarif({ format: 'trivy', tool: 'Trivy', artifact: 'app:1', findings });
    const back = readReport(sarif);
    assert.equal(back.kind, 'scan');
    if (back.kind !== 'scan') return;
    assert.deepEqual(back.report.findings.map((item) => [item.id, item.severity]), findings.map((item) => [item.id, item.severity]));
  });
});
