// One gate definition: `.steward.yaml` gates by name, and the promotion's scan gate on the newest attached report.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { defaultGate, parseConfig } from '../../../src/core/lint/config';
import { evaluateGates } from '../../../src/core/promote/gates';
import { attachmentKind } from '../../../src/core/registry/inspect';
import type { Attachment } from '../../../src/core/registry/inspect';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const PLATFORM = `sha256:${'b'.repeat(64)}`;
const OTHER = `sha256:${'e'.repeat(64)}`;

describe('gates in .steward.yaml', () => {
  it('a promotion target names a gate; the scan panel and steward gate use the one called default', () => {
    const { config, error } = parseConfig([
      'gates:',
      '  default: {blockOn: CRITICAL}',
      '  release: {blockOn: HIGH, ignoreUnfixed: true, unknownSeverity: ignore, maxAgeHours: 24, vex: [vex/app.json], allow: [{id: CVE-1, reason: r, expires: "2027-01-31"}]}',
      'promotion:',
      '  targets:',
      '    - {match: "registry.example.com/prod/**", gates: {scan: release, sbom: true}}',
      '    - {match: "registry.example.com/staging/**", gates: {scan: {blockOn: CRITICAL}}}',
    ].join('\n'), '.steward.yaml');
    assert.equal(error, undefined);
    assert.deepEqual(config.promotionRules[0]!.gates, { scan: config.gates.get('release'), sbom: true });
    assert.deepEqual(config.promotionRules[1]!.gates?.scan, { blockOn: 'CRITICAL' });
    assert.deepEqual(defaultGate(config), { blockOn: 'CRITICAL' });
  });

  it('an unknown gate name and a date that is not a day are config errors with their position', () => {
    const unknown = parseConfig('gates:\n  release: {blockOn: HIGH}\npromotion:\n  targets:\n    - {match: "x/**", gates: {scan: relase}}\n', '.steward.yaml');
    assert.deepEqual(unknown.error, { file: '.steward.yaml', key: 'promotion.targets.0.gates.scan', message: 'names the gate "relase", which is not under gates (release)', position: { line: 4, character: 36 } });
    const badDate = parseConfig('gates:\n  release:\n    allow:\n      - {id: CVE-1, reason: r, expires: "2027-02-30"}\n', '.steward.yaml');
    assert.deepEqual(badDate.error, { file: '.steward.yaml', key: 'gates.release.allow.0.expires', message: '"2027-02-30" is not a day of the calendar', position: { line: 3, character: 40 } });
    assert.equal(parseConfig('gates:\n  g: {allow: [{id: CVE-1, reason: r, expires: ""}]}\n', '.steward.yaml').error?.key, 'gates.g.allow.0.expires');
  });
});

describe('the promotion scan gate', () => {
  const report = (digest: string, severity: string) => JSON.stringify({ SchemaVersion: 2, ArtifactName: 'app', Metadata: { RepoDigests: [`registry.example.com/app@${digest}`] }, Results: [{ Target: 't', Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'p', Severity: severity }] }] });
  const attachment = (digest: string, created?: string): Attachment => ({ kind: 'scan-report', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', via: 'referrers', ...(created ? { created } : {}) });
  const now = new Date('2026-12-02T12:00:00Z');
  const older = attachment(`sha256:${'1'.repeat(64)}`, '2026-11-01T00:00:00Z');
  const newer = attachment(`sha256:${'2'.repeat(64)}`, '2026-12-02T06:00:00Z');
  const undated = attachment(`sha256:${'3'.repeat(64)}`);
  const contents = new Map([[older.digest, report(DIGEST, 'CRITICAL')], [newer.digest, report(PLATFORM, 'LOW')], [undated.digest, report(DIGEST, 'CRITICAL')]]);
  const evidence = (attachments: Attachment[]) => ({ attachments, labels: {}, read: async (which: Attachment) => Buffer.from(contents.get(which.digest)!), digests: [DIGEST, PLATFORM], today: now });

  it('judges the newest attached report (about a platform of the image) and says its age', async () => {
    const [result] = await evaluateGates({ scan: { blockOn: 'CRITICAL' } }, evidence([older, undated, newer]));
    assert.deepEqual(result, { gate: 'scan', pass: true, detail: `the scan report attached as ${newer.digest.slice(0, 19)}… (6 h old, newest of 3): 1 LOW` });
  });

  it('maxAgeHours refuses an older or undated report', async () => {
    const [stale] = await evaluateGates({ scan: { blockOn: 'CRITICAL', maxAgeHours: 1 } }, evidence([older, newer]));
    assert.equal(stale!.pass, false);
    assert.match(stale!.detail, /6 h old, newest of 2\) is older than maxAgeHours 1/);
    const [undatedOnly] = await evaluateGates({ scan: { maxAgeHours: 1000 } }, evidence([undated]));
    assert.match(undatedOnly!.detail, /of unknown age\) is older than maxAgeHours 1000 \(or undated\)/);
  });

  it('refuses a report about another image', async () => {
    contents.set(undated.digest, report(OTHER, 'LOW'));
    const [result] = await evaluateGates({ scan: { blockOn: 'CRITICAL' } }, evidence([undated]));
    assert.deepEqual([result!.pass, result!.detail], [false, `the scan report attached as ${undated.digest.slice(0, 19)}… (of unknown age) is about ${OTHER}, not this image: refused`]);
  });

  it('honours the gate\'s VEX files, and fails when they cannot be read', async () => {
    contents.set(undated.digest, report(DIGEST, 'CRITICAL'));
    const vex = [{ vulnerability: 'CVE-1', aliases: [], products: ['pkg:oci/app@' + encodeURIComponent(DIGEST)], subcomponents: [], status: 'not_affected' as const, source: 'vex.json statement 1' }];
    const gate = { scan: { blockOn: 'CRITICAL' as const, vex: ['vex.json'] } };
    const [honoured] = await evaluateGates(gate, { ...evidence([undated]), loadVex: async () => vex });
    assert.equal(honoured!.pass, true, honoured!.detail);
    const [unreadable] = await evaluateGates(gate, { ...evidence([undated]), loadVex: async () => { throw new Error('VEX file vex.json cannot be read: ENOENT'); } });
    assert.deepEqual([unreadable!.pass, unreadable!.detail], [false, 'VEX file vex.json cannot be read: ENOENT']);
    const [nowhere] = await evaluateGates(gate, evidence([undated]));
    assert.deepEqual([nowhere!.pass, nowhere!.detail], [false, "the gate's VEX files (vex.json) cannot be read here"]);
  });

  it('honours OpenVEX attached to the image, and refuses an attachment that is not VEX', async () => {
    assert.equal(attachmentKind('application/vnd.openvex+json'), 'vex');
    const vexAttachment: Attachment = { kind: 'vex', digest: `sha256:${'4'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.openvex+json', via: 'referrers' };
    contents.set(undated.digest, report(DIGEST, 'CRITICAL'));
    contents.set(vexAttachment.digest, JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'CVE-1' }, products: [{ '@id': `registry.example.com/app@${DIGEST}` }], status: 'not_affected', justification: 'component_not_present' }] }));
    const [honoured] = await evaluateGates({ scan: { blockOn: 'CRITICAL' } }, evidence([undated, vexAttachment]));
    assert.equal(honoured!.pass, true, honoured!.detail);
    contents.set(vexAttachment.digest, '{"not": "vex"}');
    const [refused] = await evaluateGates({ scan: { blockOn: 'CRITICAL' } }, evidence([undated, vexAttachment]));
    assert.deepEqual([refused!.pass, refused!.detail], [false, `the VEX attached as ${vexAttachment.digest.slice(0, 19)}… is neither OpenVEX nor CycloneDX VEX`]);
  });
});
