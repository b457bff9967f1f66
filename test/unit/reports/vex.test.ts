import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { evaluateGate } from '../../../src/core/reports/gate';
import { readVex } from '../../../src/core/reports/vex';
import type { VexStatement } from '../../../src/core/reports/vex';
import type { ScanFinding, ScanReport } from '../../../src/shared/reportModel';

const DIGEST = `sha256:${'c'.repeat(64)}`;

function statements(document: unknown): VexStatement[] {
  const read = readVex(JSON.stringify(document), 'vex.json');
  assert.ok('statements' in read, JSON.stringify(read));
  return read.statements;
}

const finding = (id: string, purl: string): ScanFinding => ({ kind: 'vulnerability', status: 'fail', id, severity: 'CRITICAL', purl, packageName: purl.split('/').pop()!.split('@')[0]!, urls: [] });
const report: ScanReport = {
  format: 'trivy', tool: 'Trivy', images: [{ repository: 'index.docker.io/library/app', digest: DIGEST }],
  findings: [
    finding('CVE-2023-45853', 'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&epoch=1&distro=debian-12.1'),
    finding('CVE-2021-44906', 'pkg:npm/minimist@1.2.5'),
    finding('CVE-2020-8203', 'pkg:npm/lodash@4.17.15'),
  ],
};
const openVex = (statementsList: unknown[]) => ({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex-1', author: 'team', timestamp: '2026-11-01T00:00:00Z', version: 1, statements: statementsList });

describe('VEX', () => {
  it('OpenVEX not_affected on the image (pkg:oci, docker.io spelled differently) with a subcomponent takes that finding off, with the statement', () => {
    const vex = statements(openVex([{
      vulnerability: { name: 'CVE-2023-45853' },
      products: [{ '@id': `pkg:oci/app@${encodeURIComponent(DIGEST)}?repository_url=docker.io/library/app`, subcomponents: [{ '@id': 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1' }] }],
      status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path',
    }]));
    const verdict = evaluateGate(report, { blockOn: 'CRITICAL' }, { vex });
    assert.deepEqual(verdict.decisions.map((decision) => decision.status), ['not-affected', 'counted', 'counted']);
    assert.equal(verdict.decisions[0]!.why, 'not_affected (vex.json statement 1: vulnerable_code_not_in_execute_path)');
    assert.deepEqual(verdict.unmatchedStatements, []);
  });

  it('a package statement matches by purl, qualifiers where the statement gives them, epoch-aware version', () => {
    const vex = statements(openVex([
      { vulnerability: { name: 'CVE-2021-44906' }, products: [{ '@id': 'pkg:npm/minimist@1.2.5' }], status: 'fixed' },
      { vulnerability: { name: 'CVE-2020-8203' }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'affected' },
    ]));
    const verdict = evaluateGate(report, { blockOn: 'CRITICAL' }, { vex });
    assert.deepEqual(verdict.decisions.map((decision) => decision.status), ['counted', 'not-affected', 'counted'], 'affected takes nothing off');
  });

  it('a statement that matches nothing says why', () => {
    const vex = statements(openVex([
      { vulnerability: { name: 'CVE-2020-8203' }, products: [{ '@id': 'pkg:npm/lodash@4.17.21' }], status: 'not_affected', justification: 'component_not_present' },
      { vulnerability: 'CVE-1999-0001', products: ['pkg:npm/lodash@4.17.15'], status: 'not_affected' },
      { vulnerability: { name: 'CVE-2023-45853' }, products: [{ '@id': `pkg:oci/app@${encodeURIComponent(`sha256:${'d'.repeat(64)}`)}` }], status: 'not_affected' },
    ]));
    const verdict = evaluateGate(report, { blockOn: 'CRITICAL' }, { vex });
    assert.equal(verdict.pass, false);
    assert.deepEqual(verdict.unmatchedStatements, [
      'vex.json statement 1 (CVE-2020-8203, not_affected) names pkg:npm/lodash@4.17.21; the findings are for pkg:npm/lodash@4.17.15',
      'vex.json statement 2 (CVE-1999-0001, not_affected): no finding has this vulnerability',
      `vex.json statement 3 (CVE-2023-45853, not_affected) names pkg:oci/app@${encodeURIComponent(`sha256:${'d'.repeat(64)}`)}; the findings are for pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&epoch=1&distro=debian-12.1`,
    ]);
  });

  it('CycloneDX VEX: analysis states, refs to its own components or purls, aliases', () => {
    const vex = statements({
      bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ 'bom-ref': 'zlib', name: 'zlib1g', purl: 'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1' }],
      vulnerabilities: [
        { id: 'GHSA-xxxx', references: [{ id: 'CVE-2023-45853' }], analysis: { state: 'false_positive', detail: 'not compiled in' }, affects: [{ ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#zlib' }] },
        { id: 'CVE-2021-44906', analysis: { state: 'in_triage' }, affects: [{ ref: 'pkg:npm/minimist@1.2.5' }] },
        { id: 'CVE-2020-8203', analysis: { state: 'resolved' }, affects: [{ ref: 'pkg:npm/lodash@4.17.15' }] },
      ],
    });
    assert.deepEqual(vex.map((statement) => [statement.vulnerability, statement.status, statement.products]), [
      ['GHSA-xxxx', 'not_affected', ['pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1']],
      ['CVE-2021-44906', 'under_investigation', ['pkg:npm/minimist@1.2.5']],
      ['CVE-2020-8203', 'fixed', ['pkg:npm/lodash@4.17.15']],
    ]);
    assert.deepEqual(evaluateGate(report, {}, { vex }).decisions.map((decision) => decision.status), ['not-affected', 'counted', 'not-affected']);
  });

  it('hostile VEX documents read without a throw: nulls, wrong types, deep nesting, huge statement lists', () => {
    const variants = [
      { '@context': 'https://openvex.dev/ns/v0.2.0', statements: [null, 1, 'x', { vulnerability: null, products: null, status: 'not_affected' }, { vulnerability: { name: 'CVE-1' }, products: [null, { '@id': null, subcomponents: [null] }], status: 'not_affected' }] },
      { bomFormat: 'CycloneDX', components: [null, { components: null }], vulnerabilities: [null, { id: 'CVE-1', analysis: null, affects: [null, { ref: 7 }] }] },
      { '@context': 'https://openvex.dev/ns/v0.2.0', statements: Array.from({ length: 50_000 }, (_, index) => ({ vulnerability: { name: `CVE-${index}` }, products: [{ '@id': 'pkg:npm/x@1' }], status: 'not_affected' })) },
    ];
    for (const variant of variants) assert.ok('statements' in readVex(JSON.stringify(variant), 'vex.json'));
    // Components nested deeper than JSON.stringify can write: built as text.
    const deep = `{"bomFormat":"CycloneDX","components":[${'{"components":['.repeat(10_000)}{"bom-ref":"x","purl":"pkg:npm/x@1"}${']}'.repeat(10_000)}],"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected"},"affects":[{"ref":"x"}]}]}`;
    assert.deepEqual((readVex(deep, 'deep.json') as { statements: VexStatement[] }).statements.map((statement) => statement.products), [['pkg:npm/x@1']]);
    assert.deepEqual(readVex('[1, 2]', 'list.json'), { error: 'list.json is not a JSON object' });
  });

  it('refuses what is not VEX, naming the file', () => {
    assert.deepEqual(readVex('{"hello": 1}', 'x.json'), { error: 'x.json is neither OpenVEX nor CycloneDX VEX' });
    assert.match((readVex('{', 'x.json') as { error: string }).error, /^x\.json is not JSON/);
  });
});
