import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Sbom } from '../../../src/core/reports/model';
import type { SbomPackage } from '../../../src/shared/reportModel';
import { diffSboms, summariseLicenses } from '../../../src/core/reports/sbomAnalysis';

const pkg = (name: string, version: string, licenses: string[] = []): SbomPackage => ({ id: name, name, version, type: 'npm', purl: `pkg:npm/${name}@${version}`, licenses });
const sbom = (packages: SbomPackage[]): Sbom => ({ format: 'cyclonedx', specVersion: '1.6', packages, dependencies: new Map(), vulnerabilities: [], scanned: false });

describe('SBOM diff', () => {
  it('finds added, removed and changed packages by purl without version', () => {
    const diff = diffSboms(sbom([pkg('lodash', '4.17.19'), pkg('minimist', '1.2.5')]), sbom([pkg('lodash', '4.17.21'), pkg('axios', '1.6.0')]));
    assert.deepEqual(diff.added.map((item) => item.name), ['axios']);
    assert.deepEqual(diff.removed.map((item) => item.name), ['minimist']);
    assert.deepEqual(diff.changed.map((item) => `${item.before.version}->${item.after.version}`), ['4.17.19->4.17.21']);
  });
});

describe('license summary', () => {
  it('counts licenses, lists unlicensed packages and applies a deny-list through expressions', () => {
    const summary = summariseLicenses(sbom([pkg('a', '1', ['MIT']), pkg('b', '1', ['MIT OR GPL-3.0-only']), pkg('c', '1', ['GPL-3.0-only']), pkg('d', '1', ['Apache-2.0 AND GPL-3.0-only']), pkg('e', '1')]), ['GPL-3.0-only']);
    assert.equal(summary.counts.get('MIT'), 1);
    assert.deepEqual(summary.unlicensed.map((item) => item.name), ['e']);
    assert.deepEqual(summary.denied.map((entry) => entry.pkg.name), ['c', 'd'], 'an OR with an allowed choice is not denied');
  });
});
