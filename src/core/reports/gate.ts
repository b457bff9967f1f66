import { SEVERITIES } from '../../shared/reportModel';
import type { GateVerdict, ScanFinding, ScanSeverity } from '../../shared/reportModel';

export interface AllowEntry {
  readonly id: string;
  readonly reason: string;
  /** ISO date after which the exception no longer applies. */
  readonly expires?: string;
}

/** A scan gate as teams write them: block at a severity, cap a count, ignore unfixed, allow-list with expiry. */
export interface ScanGate {
  /** Any finding at or above this severity fails the gate. */
  readonly blockOn?: ScanSeverity;
  /** Fail when there are more than this many HIGH findings. */
  readonly maxHigh?: number;
  /** Findings without a fixed version do not count. */
  readonly ignoreUnfixed?: boolean;
  readonly allow?: readonly AllowEntry[];
}

export function severityCounts(findings: readonly ScanFinding[]): Record<ScanSeverity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<ScanSeverity, number>;
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

export function evaluateGate(findings: readonly ScanFinding[], gate: ScanGate, today: Date = new Date()): GateVerdict {
  const excluded: { finding: ScanFinding; why: string }[] = [];
  const reasons: string[] = [];
  const counted = findings.filter((finding) => {
    const allowed = gate.allow?.find((entry) => entry.id === finding.id);
    if (allowed) {
      if (!allowed.expires || Date.parse(allowed.expires) >= today.getTime()) {
        excluded.push({ finding, why: `allowed: ${allowed.reason}${allowed.expires ? ` (until ${allowed.expires})` : ''}` });
        return false;
      }
      reasons.push(`the exception for ${finding.id} expired on ${allowed.expires}`);
    }
    if (gate.ignoreUnfixed && finding.kind === 'vulnerability' && !finding.fixedVersion) {
      excluded.push({ finding, why: 'no fix available (unfixed findings are ignored)' });
      return false;
    }
    return true;
  });
  const counts = severityCounts(counted);
  if (gate.blockOn) {
    const blocking = SEVERITIES.slice(0, SEVERITIES.indexOf(gate.blockOn) + 1).filter((severity) => severity !== 'UNKNOWN' || gate.blockOn === 'UNKNOWN');
    const found = blocking.filter((severity) => counts[severity] > 0);
    if (found.length > 0) reasons.push(`${found.map((severity) => `${counts[severity]} ${severity}`).join(', ')} at or above ${gate.blockOn}`);
  }
  if (gate.maxHigh !== undefined && counts.HIGH > gate.maxHigh) reasons.push(`${counts.HIGH} HIGH, more than the ${gate.maxHigh} allowed`);
  return { pass: reasons.length === 0, reasons: [...new Set(reasons)], counts, excluded };
}
