import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { readReport, scanReportOf } from '../../../src/core/reports/readReport';

const component = (name: string, version: string) => ({ 'bom-ref': `pkg:deb/debian/${name}@${version}`, type: 'library', name, version, purl: `pkg:deb/debian/${name}@${version}` });

/** A trivy CycloneDX scan: one advisory of a source package, affecting two of its binary packages. */
function trivyCycloneDx(recommendation: string): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX', specVersion: '1.5', components: [component('curl', '7.88.1-10'), component('libcurl4', '7.88.1-9')],
    vulnerabilities: [{ id: 'CVE-2023-38545', ratings: [], recommendation, affects: [{ ref: 'pkg:deb/debian/curl@7.88.1-10' }, { ref: 'pkg:deb/debian/libcurl4@7.88.1-9' }] }],
  });
}

const fixedVersions = (text: string) => scanReportOf(readReport(text))!.findings.map((finding) => `${finding.packageName} → ${finding.fixedVersion ?? 'none'}`);

describe('CycloneDX recommendation as the fixed version', () => {
  it('gives each affected package the version of the clause that names it', () => {
    assert.deepEqual(fixedVersions(trivyCycloneDx('Upgrade curl to version 7.88.1-10+deb12u4; Upgrade libcurl4 to version 7.88.1-9+deb12u4')),
      ['curl → 7.88.1-10+deb12u4', 'libcurl4 → 7.88.1-9+deb12u4']);
  });

  it('falls back to the first clause when no clause names the package', () => {
    assert.deepEqual(fixedVersions(trivyCycloneDx('Upgrade to version 7.88.1-10+deb12u4')), ['curl → 7.88.1-10+deb12u4', 'libcurl4 → 7.88.1-10+deb12u4']);
  });
});
