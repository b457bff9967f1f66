import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readReport } from '../../../src/core/reports/readReport';
import type { ReadResult } from '../../../src/core/reports/model';
import { REPO_ROOT } from '../../helpers';

const FIXTURES = join(REPO_ROOT, '..', 'shared', 'fixtures', 'real-tool-output');
const haveFixtures = existsSync(FIXTURES);
const skipReason = haveFixtures ? false : `../shared/fixtures/real-tool-output is absent (a user's clone has no shared/): the real-tool samples are skipped`;

function scan(result: ReadResult) {
  assert.equal(result.kind, 'scan', result.kind === 'error' ? result.message : '');
  return (result as Extract<ReadResult, { kind: 'scan' }>).report;
}

function sbom(result: ReadResult) {
  assert.equal(result.kind, 'sbom', result.kind === 'error' ? result.message : '');
  return (result as Extract<ReadResult, { kind: 'sbom' }>).sbom;
}

const fixture = (name: string) => readReport(readFileSync(join(FIXTURES, name), 'utf8'));

describe('reading real trivy and cyclonedx-npm output', { skip: skipReason }, () => {
  it('trivy image JSON: 8 vulnerabilities with packages, fixed versions and severities', () => {
    const report = scan(fixture('trivy-image-vuln.json'));
    assert.equal(report.artifact, '127.0.0.1:5010/demo/app:1.0.0');
    assert.equal(report.findings.length, 8);
    const minimist = report.findings.find((finding) => finding.packageName === 'minimist')!;
    assert.deepEqual([minimist.id, minimist.severity, minimist.fixedVersion], ['CVE-2021-44906', 'CRITICAL', '1.2.6']);
    assert.equal(report.findings.find((finding) => finding.packageName === 'zlib1g')!.fixedVersion, undefined, 'unfixed');
  });
  it('trivy fs JSON', () => assert.equal(scan(fixture('trivy-fs-vuln.json')).findings.length, 3));
  it('trivy CycloneDX 1.5 with vulnerabilities cross-linked to components', () => {
    const bom = sbom(fixture('trivy-image-vuln.cdx.json'));
    assert.equal(bom.specVersion, '1.5');
    assert.equal(bom.subject, '127.0.0.1:5010/demo/app:1.0.0');
    assert.equal(bom.vulnerabilities.length, 8);
    assert.ok(bom.vulnerabilities.every((vulnerability) => vulnerability.packageName));
    assert.equal(bom.packages.find((pkg) => pkg.name === 'bash')?.type, 'deb');
  });
  it('trivy SPDX 2.3: packages with purls and licenses, relationships', () => {
    const bom = sbom(fixture('trivy-image.spdx.json'));
    assert.equal(bom.format, 'spdx');
    assert.equal(bom.specVersion, '2.3');
    const axios = bom.packages.find((pkg) => pkg.name === 'axios')!;
    assert.deepEqual([axios.version, axios.type, axios.licenses, axios.supplier], ['0.21.1', 'npm', ['MIT'], undefined]);
    assert.ok(bom.dependencies.size > 0);
  });
  it('cyclonedx-npm 1.6: tools, dependencies', () => {
    const bom = sbom(fixture('cyclonedx-npm.cdx.json'));
    assert.equal(bom.specVersion, '1.6');
    assert.match(bom.tool ?? '', /cyclonedx-npm/);
    assert.ok(bom.dependencies.size > 0);
  });
});

describe('reading formats from content', () => {
  it('Grype JSON, with title-case severities (Negligible) and fix versions', () => {
    const report = scan(readReport(JSON.stringify({
      descriptor: { name: 'grype' }, source: { target: { userInput: 'alpine:3.19.1' } },
      matches: [
        { vulnerability: { id: 'CVE-1', severity: 'High', fix: { versions: ['1.2.3'], state: 'fixed' }, urls: ['https://x.example/1'], cvss: [{ metrics: { baseScore: 7.5 } }] }, artifact: { name: 'openssl', version: '1.0', purl: 'pkg:apk/alpine/openssl@1.0', locations: [{ path: '/lib/apk/db/installed' }] } },
        { vulnerability: { id: 'CVE-2', severity: 'Negligible', fix: { versions: [], state: 'not-fixed' } }, artifact: { name: 'zlib', version: '1.2' } },
      ],
    })));
    assert.equal(report.artifact, 'alpine:3.19.1');
    assert.deepEqual(report.findings.map((finding) => [finding.id, finding.severity, finding.fixedVersion, finding.cvss]), [['CVE-1', 'HIGH', '1.2.3', 7.5], ['CVE-2', 'LOW', undefined, undefined]]);
  });
  it('SARIF 2.1.0, using security-severity when the rule has one', () => {
    const report = scan(readReport(JSON.stringify({
      version: '2.1.0', runs: [{ tool: { driver: { name: 'Trivy', rules: [{ id: 'CVE-9', properties: { 'security-severity': '9.8' }, helpUri: 'https://x.example/9' }] } }, results: [{ ruleId: 'CVE-9', level: 'error', message: { text: 'bad' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'package-lock.json' } } }] }] }],
    })));
    assert.deepEqual([report.tool, report.findings[0]!.severity, report.findings[0]!.target, report.findings[0]!.cvss], ['Trivy', 'CRITICAL', 'package-lock.json', 9.8]);
  });
  it('Trivy with null Results or null Vulnerabilities is an empty report, not an error', () => {
    assert.deepEqual(scan(readReport('{"SchemaVersion":2,"ArtifactName":"x","Results":null}')).findings, []);
    assert.deepEqual(scan(readReport('{"SchemaVersion":2,"ArtifactName":"x","Results":[{"Target":"t","Vulnerabilities":null}]}')).findings, []);
  });
  it('unwraps an in-toto attestation (DSSE) around an SPDX SBOM', () => {
    const statement = { _type: 'https://in-toto.io/Statement/v1', predicateType: 'https://spdx.dev/Document', predicate: { spdxVersion: 'SPDX-2.3', name: 'app', packages: [{ SPDXID: 'SPDXRef-a', name: 'a', versionInfo: '1' }] } };
    const envelope = { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(JSON.stringify(statement)).toString('base64'), signatures: [] };
    assert.deepEqual(sbom(readReport(JSON.stringify(envelope))).packages.map((pkg) => pkg.name), ['a']);
  });
  it('unwraps a plain in-toto statement (as BuildKit stores it) of either version around an SBOM', () => {
    const spdx = { spdxVersion: 'SPDX-2.3', name: 'app', packages: [{ SPDXID: 'SPDXRef-a', name: 'a', versionInfo: '1' }] };
    for (const type of ['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1']) {
      const statement = { _type: type, predicateType: 'https://spdx.dev/Document', subject: [{ name: 'pkg:docker/app', digest: { sha256: 'a'.repeat(64) } }], predicate: spdx };
      assert.deepEqual(sbom(readReport(JSON.stringify(statement))).packages.map((pkg) => pkg.name), ['a'], type);
    }
    const cyclonedx = { _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://cyclonedx.org/bom', subject: [], predicate: { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: 'b', version: '2' }] } };
    assert.deepEqual(sbom(readReport(JSON.stringify(cyclonedx))).packages.map((pkg) => pkg.name), ['b']);
  });
  it('says which statement has no predicate, and leaves a document that only has a _type of its own alone', () => {
    const result = readReport(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', predicateType: 'https://slsa.dev/provenance/v1', subject: [] }));
    assert.deepEqual(result, { kind: 'error', message: 'an in-toto statement (https://slsa.dev/provenance/v1) without a predicate' });
    assert.equal(readReport(JSON.stringify({ _type: 'something-else', spdxVersion: 'SPDX-2.3', name: 'x', packages: [] })).kind, 'sbom');
  });
  it('refuses SPDX 3.0 JSON-LD, unknown JSON and broken JSON with a clear message', () => {
    const refusal = (text: string) => {
      const result = readReport(text);
      assert.equal(result.kind, 'error');
      return (result as Extract<ReadResult, { kind: 'error' }>).message;
    };
    assert.match(refusal(JSON.stringify({ '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': [] })), /SPDX 3\.0 .*not supported/);
    assert.match(refusal('{"hello":"world"}'), /not a format/);
    assert.match(refusal('{"broken": '), /^not JSON/);
  });
});
