import { compileUserGlob } from '../patterns/userPatterns';
import type { Attachment } from '../registry/inspect';
import { evaluateGate } from '../reports/gate';
import type { ScanGate } from '../reports/gate';
import { readReport } from '../reports/readReport';

/** What a promotion target demands, from `.steward.yaml` `promotion.targets[]`. */
export interface PromotionTargetRule {
  /** Glob on `host/repository` of the target (`registry.example.com/prod/**`). */
  readonly match: string;
  /** Tags that never move once they exist (`v*`). */
  readonly immutableTags?: readonly string[];
  readonly gates?: PromotionGates;
}

export interface PromotionGates {
  /** A scan report (given, attached to the image, or from trivy when `trivy` is set) must pass this gate. */
  readonly scan?: ScanGate & { readonly trivy?: boolean };
  readonly sbom?: boolean;
  readonly signature?: boolean;
  /** Labels the image config must carry. */
  readonly labels?: readonly string[];
}

export interface GateResult {
  readonly gate: 'scan' | 'sbom' | 'signature' | 'labels';
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

export interface GateEvidence {
  readonly attachments: readonly Attachment[];
  readonly labels: Readonly<Record<string, string>>;
  /** Reads an attachment's content (a scan report). */
  readonly read: (attachment: Attachment) => Promise<Buffer>;
  /** A scan report given for this promotion (`--scan-report`), which wins over attached ones. */
  readonly scanReport?: { readonly text: string; readonly label: string };
  /** Runs a scanner on the image (the gate's `trivy: true`, when no report is given or attached). */
  readonly runScanner?: () => Promise<{ readonly text: string; readonly label: string }>;
  readonly today?: Date;
}

/** Evaluates each configured gate against the source image's evidence, with a precise reason. */
export async function evaluateGates(gates: PromotionGates | undefined, evidence: GateEvidence): Promise<GateResult[]> {
  const results: GateResult[] = [];
  if (!gates) return results;
  if (gates.sbom) {
    const sboms = evidence.attachments.filter((attachment) => attachment.kind === 'sbom');
    results.push({ gate: 'sbom', pass: sboms.length > 0, detail: sboms.length > 0 ? `SBOM attached (${sboms[0]!.artifactType ?? sboms[0]!.mediaType})` : 'no SBOM is attached to the image (Generate SBOM, then attach it)' });
  }
  if (gates.signature) {
    const signatures = evidence.attachments.filter((attachment) => attachment.kind === 'signature');
    results.push({ gate: 'signature', pass: signatures.length > 0, detail: signatures.length > 0 ? `signed (${signatures[0]!.via === 'cosign-tag' ? `cosign tag ${signatures[0]!.tag}` : signatures[0]!.artifactType ?? 'referrer'})` : 'no signature is attached to the image (cosign sign, notation sign)' });
  }
  if (gates.labels && gates.labels.length > 0) {
    const missing = gates.labels.filter((key) => !evidence.labels[key]);
    results.push({ gate: 'labels', pass: missing.length === 0, detail: missing.length === 0 ? `labels present: ${gates.labels.join(', ')}` : `the image config lacks ${missing.join(', ')}` });
  }
  if (gates.scan) results.push(await scanGate(gates.scan, evidence));
  return results;
}

async function scanGate(gate: ScanGate & { readonly trivy?: boolean }, evidence: GateEvidence): Promise<GateResult> {
  let report = evidence.scanReport;
  if (!report) {
    for (const attachment of evidence.attachments.filter((candidate) => candidate.kind === 'scan-report')) {
      report = { text: (await evidence.read(attachment)).toString('utf8'), label: `the scan report attached as ${attachment.digest.slice(0, 19)}…` };
      break;
    }
  }
  if (!report && gate.trivy) {
    if (!evidence.runScanner) return { gate: 'scan', pass: false, detail: 'the gate asks for a trivy scan, and trivy is not available here' };
    report = await evidence.runScanner();
  }
  if (!report) return { gate: 'scan', pass: false, detail: 'no scan report: attach one to the image (Scan image) or give one (--scan-report)' };
  const result = readReport(report.text);
  if (result.kind !== 'scan') return { gate: 'scan', pass: false, detail: `${report.label} is not a scan report${result.kind === 'error' ? `: ${result.message}` : ''}` };
  const verdict = evaluateGate(result.report.findings, gate, evidence.today);
  const counted = Object.entries(verdict.counts).filter(([, count]) => count > 0).map(([severity, count]) => `${count} ${severity}`).join(', ') || 'no findings';
  return { gate: 'scan', pass: verdict.pass, detail: verdict.pass ? `${report.label}: ${counted}` : `${report.label}: ${verdict.reasons.join('; ')}` };
}
