import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OFF_THREAD_BYTES, readLargeReport } from '../../../src/core/reports/readLargeReport';
import { REPO_ROOT } from '../../helpers';

const WORKER = join(REPO_ROOT, 'dist', 'reportWorker.js');

function trivyReport(vulnerabilities: number): string {
  const entries = Array.from({ length: vulnerabilities }, (_, index) => ({
    VulnerabilityID: `CVE-2024-${index}`, PkgName: `pkg-${index % 500}`, InstalledVersion: '1.0.0', FixedVersion: index % 3 === 0 ? '' : '1.0.1',
    Severity: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'][index % 4], Title: 'A long enough title to make the report realistic', Description: 'x'.repeat(400),
  }));
  return JSON.stringify({ SchemaVersion: 2, ArtifactName: 'big:1', Results: [{ Target: 'big', Vulnerabilities: entries }] });
}

describe('large reports', () => {
  it('a report over the threshold (tens of MB) is parsed in a worker, with the same result', async () => {
    const text = trivyReport(25_000);
    assert.ok(text.length > OFF_THREAD_BYTES * 2, `${text.length} bytes`);
    const result = await readLargeReport(text, WORKER);
    assert.equal(result.offThread, true);
    assert.equal(result.kind, 'scan');
    assert.equal(result.kind === 'scan' ? result.report.findings.length : 0, 25_000);
  });
  it('a small report is parsed in place', async () => {
    const result = await readLargeReport(trivyReport(3), WORKER);
    assert.equal(result.offThread, false);
  });
  it('a cancelled parse rejects and stops the worker', async () => {
    const controller = new AbortController();
    const parsing = readLargeReport(trivyReport(25_000), WORKER, controller.signal);
    controller.abort(new Error('user cancelled'));
    await assert.rejects(parsing, /user cancelled/);
  });
});
