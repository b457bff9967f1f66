import { SEVERITIES } from '../../shared/reportModel';
import type { FindingDecision, GateVerdict, ScanFinding, ScanReport, ScanSeverity } from '../../shared/reportModel';
import { isoDateProblem } from '../isoDate';
import { denySet, isDeniedLicense } from './licenses';
import { statementCovers, suppresses, whyUnmatched } from './vex';
import type { VexStatement } from './vex';

export interface AllowEntry {
  readonly id: string;
  readonly reason: string;
  /** Last day (`YYYY-MM-DD`, UTC) on which the exception applies. */
  readonly expires?: string;
}

/** A scan gate as teams write them: block at a severity, cap a count, ignore unfixed, allow-list with expiry, VEX. */
export interface ScanGate {
  /** Any finding at or above this severity fails the gate. */
  readonly blockOn?: ScanSeverity;
  /** Fail when there are more than this many HIGH findings. */
  readonly maxHigh?: number;
  /** Vulnerabilities without a fixed version do not count (misconfigurations and secrets always do). */
  readonly ignoreUnfixed?: boolean;
  /** Findings whose report gives no severity: they block when there is a `blockOn` (the default), or are ignored. */
  readonly unknownSeverity?: 'block' | 'ignore';
  readonly allow?: readonly AllowEntry[];
  /** License ids no license finding may carry (SPDX expressions: each choice of an OR is checked). */
  readonly deniedLicenses?: readonly string[];
}

export function severityCounts(findings: Iterable<ScanFinding>): Record<ScanSeverity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<ScanSeverity, number>;
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

export interface GateContext {
  readonly vex?: readonly VexStatement[];
  readonly today?: Date;
}

/**
 * The gate's verdict on a report. Each finding gets one decision — passed or suppressed by the report,
 * not affected (VEX), allowed (exception), unfixed, or counted — and only counted ones make counts and
 * reasons. Fails closed: an expired or invalid exception counts its finding, and findings without a
 * severity block a gate that has `blockOn` unless it says `unknownSeverity: ignore`.
 */
export function evaluateGate(report: Pick<ScanReport, 'findings' | 'images'>, gate: ScanGate, context: GateContext = {}): GateVerdict {
  const today = (context.today ?? new Date()).toISOString().slice(0, 10);
  const statements = (context.vex ?? []).filter(suppresses);
  const used = new Set<VexStatement>();
  const allowById = new Map((gate.allow ?? []).map((entry) => [entry.id.toUpperCase(), entry]));
  const reasons = new Set<string>();
  const counted: ScanFinding[] = [];
  const decide = (finding: ScanFinding): FindingDecision => {
    if (finding.status === 'pass') return { status: 'passed', ...(finding.statusReason ? { why: finding.statusReason } : {}) };
    if (finding.status === 'suppressed') return { status: 'suppressed', ...(finding.statusReason ? { why: finding.statusReason } : {}) };
    const statement = statements.find((candidate) => statementCovers(candidate, finding, report.images ?? []));
    if (statement) {
      used.add(statement);
      return { status: 'not-affected', why: `${statement.status} (${statement.source}${statement.justification ? `: ${statement.justification}` : ''})` };
    }
    const allowed = allowById.get(finding.id.toUpperCase());
    if (allowed) {
      const problem = allowed.expires === undefined ? undefined : isoDateProblem(allowed.expires);
      if (problem) reasons.add(`the exception for ${allowed.id} has an invalid expiry: ${problem}`);
      else if (allowed.expires !== undefined && allowed.expires < today) reasons.add(`the exception for ${allowed.id} expired on ${allowed.expires}`);
      else return { status: 'allowed', why: `${allowed.id}: ${allowed.reason}${allowed.expires ? ` (until ${allowed.expires})` : ''}` };
    }
    if (gate.ignoreUnfixed && finding.kind === 'vulnerability' && !finding.fixedVersion) return { status: 'unfixed', why: 'no fixed version (ignoreUnfixed)' };
    counted.push(finding);
    return { status: 'counted' };
  };
  const decisions = report.findings.map(decide);
  const counts = severityCounts(counted);
  if (gate.blockOn) {
    const blocking = SEVERITIES.slice(0, SEVERITIES.indexOf(gate.blockOn) + 1).filter((severity) => severity !== 'UNKNOWN');
    const found = blocking.filter((severity) => counts[severity] > 0);
    if (found.length > 0) reasons.add(`${found.map((severity) => `${counts[severity]} ${severity}`).join(', ')} at or above ${gate.blockOn}`);
  }
  if (gate.maxHigh !== undefined && counts.HIGH > gate.maxHigh) reasons.add(`${counts.HIGH} HIGH, more than the ${gate.maxHigh} allowed`);
  // Any severity threshold fails closed: an unrated finding (trivy's CycloneDX has no ratings) may be HIGH.
  const judgesSeverity = gate.blockOn !== undefined || gate.maxHigh !== undefined;
  if (judgesSeverity && counts.UNKNOWN > 0 && (gate.unknownSeverity ?? 'block') === 'block') reasons.add(`${counts.UNKNOWN} finding(s) without a severity (unknownSeverity: block; set it to ignore to let them pass)`);
  const deny = denySet(gate.deniedLicenses ?? []);
  const deniedLicenses = [...new Set(counted.filter((finding) => finding.kind === 'license' && isDeniedLicense(finding.id, deny)).map((finding) => finding.id))];
  if (deniedLicenses.length > 0) reasons.add(`denied license(s): ${deniedLicenses.join(', ')}`);
  return {
    pass: reasons.size === 0, reasons: [...reasons], counts, decisions, withoutSeverity: counts.UNKNOWN,
    unmatchedStatements: statements.filter((statement) => !used.has(statement)).map((statement) => whyUnmatched(statement, report.findings)),
  };
}
