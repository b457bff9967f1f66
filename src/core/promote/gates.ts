import { compileUserGlob } from '../patterns/userPatterns';
import { describeAttachment } from '../registry/inspect';
import type { Attachment } from '../registry/inspect';
import { evaluateGate } from '../reports/gate';
import type { ScanGate } from '../reports/gate';
import { readReport, scanReportOf } from '../reports/readReport';
import { readVex } from '../reports/vex';
import type { VexStatement } from '../reports/vex';
import { provenanceGate, sbomGate, signatureGate, signatureKeys } from './evidenceGates';
import type { EvidenceAccess, ProvenanceGate, SbomGate, SignatureGate } from './evidenceGates';

/** What a promotion target demands, from `.steward.yaml` `promotion.targets[]`. */
export interface PromotionTargetRule {
  /** Glob on `host/repository` of the target (`registry.example.com/prod/**`). */
  readonly match: string;
  /** Tags that never move once they exist (`v*`). */
  readonly immutableTags?: readonly string[];
  readonly gates?: PromotionGates;
}

export interface PromotionGates {
  /** A scan report (given, the newest attached to the image, or from trivy when `trivy` is set) must pass this gate. */
  readonly scan?: PromotionScanGate;
  /** `true`: an SBOM is attached; `{describesImage: true}`: and its subject is this image. */
  readonly sbom?: boolean | SbomGate;
  /** `true`: a signature is attached ("present, not verified"); `{keys, identities, trustedRoot, threshold}`: verified offline. */
  readonly signature?: boolean | SignatureGate;
  readonly provenance?: ProvenanceGate;
  /** Labels the image config must carry. */
  readonly labels?: readonly string[];
}

export interface PromotionScanGate extends ScanGate {
  readonly trivy?: boolean;
  /** An attached report older than this many hours (or of unknown age) does not count; off when absent. */
  readonly maxAgeHours?: number;
  /** OpenVEX / CycloneDX VEX files, relative to the config file's folder (read through `GateEvidence.loadVex`). */
  readonly vex?: readonly string[];
}

export interface GateResult {
  readonly gate: 'scan' | 'sbom' | 'signature' | 'provenance' | 'labels';
  readonly pass: boolean;
  readonly detail: string;
}

/** The first rule whose glob matches `host/repository`; none means no gates and no immutable tags. */
export function ruleFor(rules: readonly PromotionTargetRule[], hostAndRepository: string): PromotionTargetRule | undefined {
  return rules.find((rule) => compileUserGlob(rule.match)(hostAndRepository));
}

export function isImmutable(rule: PromotionTargetRule | undefined, tag: string): boolean {
  return (rule?.immutableTags ?? []).some((pattern) => compileUserGlob(pattern)(tag));
}

export interface GateEvidence extends EvidenceAccess {
  /** A scan report given for this promotion (`--scan-report`), which wins over attached ones. */
  readonly scanReport?: { readonly text: string; readonly label: string };
  /** Runs a scanner on the image (the gate's `trivy: true`, when no report is given or attached). */
  readonly runScanner?: () => Promise<{ readonly text: string; readonly label: string }>;
  /** Reads the gate's VEX files; without it a gate that names VEX files fails (they cannot be honoured). */
  readonly loadVex?: (paths: readonly string[]) => Promise<VexStatement[]>;
  readonly today?: Date;
}

/** Evaluates each configured gate against the source image's evidence, with a precise reason. */
export async function evaluateGates(gates: PromotionGates | undefined, evidence: GateEvidence): Promise<GateResult[]> {
  const results: GateResult[] = [];
  if (!gates) return results;
  if (gates.sbom) results.push(await sbomGate(gates.sbom, evidence));
  if (gates.signature) results.push(await signatureGate(gates.signature, evidence));
  if (gates.provenance) results.push(await provenanceGate(gates.provenance, signatureKeys(gates.signature), evidence));
  if (gates.labels && gates.labels.length > 0) {
    const missing = gates.labels.filter((key) => !evidence.labels[key]);
    results.push({ gate: 'labels', pass: missing.length === 0, detail: missing.length === 0 ? `labels present: ${gates.labels.join(', ')}` : `the image config lacks ${missing.join(', ')}` });
  }
  if (gates.scan) results.push(await scanGate(gates.scan, evidence));
  return results;
}

function hoursOld(created: string | undefined, now: Date): number | undefined {
  const time = created ? Date.parse(created) : NaN;
  return Number.isFinite(time) ? Math.max(0, (now.getTime() - time) / 3_600_000) : undefined;
}

const describeAge = (hours: number | undefined): string => (hours === undefined ? 'of unknown age' : hours < 48 ? `${Math.round(hours)} h old` : `${Math.round(hours / 24)} days old`);

/** The newest attached scan report (by its `created` annotation; undated ones last), with its age. */
async function newestAttachedReport(evidence: GateEvidence, now: Date): Promise<{ text: string; label: string; hours?: number } | undefined> {
  const reports = evidence.attachments.filter((candidate) => candidate.kind === 'scan-report')
    .map((attachment) => ({ attachment, hours: hoursOld(attachment.created, now) }))
    .sort((a, b) => (a.hours ?? Infinity) - (b.hours ?? Infinity));
  const newest = reports[0];
  if (!newest) return undefined;
  const text = (await evidence.read(newest.attachment)).toString('utf8');
  const others = reports.length > 1 ? `, newest of ${reports.length}` : '';
  return { text, label: `the scan report attached as ${newest.attachment.digest.slice(0, 19)}… (${describeAge(newest.hours)}${others})`, ...(newest.hours !== undefined ? { hours: newest.hours } : {}) };
}

/** VEX documents attached to the image (OpenVEX and other VEX artifact types); one that is not VEX fails the gate. */
async function attachedVex(evidence: GateEvidence): Promise<VexStatement[]> {
  const statements: VexStatement[] = [];
  for (const attachment of evidence.attachments.filter((candidate) => candidate.kind === 'vex')) {
    const read = readVex((await evidence.read(attachment)).toString('utf8'), `the VEX attached as ${attachment.digest.slice(0, 19)}…`);
    if ('error' in read) throw new Error(read.error);
    for (const statement of read.statements) statements.push(statement);
  }
  return statements;
}

async function scanGate(gate: PromotionScanGate, evidence: GateEvidence): Promise<GateResult> {
  const now = evidence.today ?? new Date();
  let report: { text: string; label: string; hours?: number } | undefined = evidence.scanReport;
  let attached = false;
  if (!report) {
    report = await newestAttachedReport(evidence, now);
    attached = report !== undefined;
  }
  if (!report && gate.trivy) {
    if (!evidence.runScanner) return { gate: 'scan', pass: false, detail: 'the gate asks for a trivy scan, and trivy is not available here' };
    report = await evidence.runScanner();
  }
  if (!report) return { gate: 'scan', pass: false, detail: 'no scan report: attach one to the image (Scan image) or give one (--scan-report)' };
  if (attached && gate.maxAgeHours !== undefined && !(report.hours !== undefined && report.hours <= gate.maxAgeHours)) {
    return { gate: 'scan', pass: false, detail: `${report.label} is older than maxAgeHours ${gate.maxAgeHours} (or undated): scan the image again` };
  }
  const result = readReport(report.text);
  const scan = scanReportOf(result);
  if (!scan) return { gate: 'scan', pass: false, detail: `${report.label} is not a scan report${result.kind === 'error' ? `: ${result.message}` : ' (an SBOM without vulnerability data)'}` };
  const digests = new Set(evidence.digests ?? []);
  if (digests.size > 0 && scan.images && scan.images.length > 0 && !scan.images.some((image) => digests.has(image.digest))) {
    return { gate: 'scan', pass: false, detail: `${report.label} is about ${scan.images.map((image) => image.digest).join(', ')}, not this image: refused` };
  }
  const vex: VexStatement[] = [];
  try {
    if (gate.vex && gate.vex.length > 0) {
      if (!evidence.loadVex) return { gate: 'scan', pass: false, detail: `the gate's VEX files (${gate.vex.join(', ')}) cannot be read here` };
      for (const statement of await evidence.loadVex(gate.vex)) vex.push(statement);
    }
    for (const statement of await attachedVex(evidence)) vex.push(statement);
  } catch (error) {
    return { gate: 'scan', pass: false, detail: (error as Error).message };
  }
  const verdict = evaluateGate(scan, gate, { vex, today: now });
  const counted = Object.entries(verdict.counts).filter(([, count]) => count > 0).map(([severity, count]) => `${count} ${severity}`).join(', ') || 'no findings';
  return { gate: 'scan', pass: verdict.pass, detail: verdict.pass ? `${report.label}: ${counted}` : `${report.label}: ${verdict.reasons.join('; ')}` };
}
