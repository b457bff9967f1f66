import type { ScanFinding, ScanReport, ScanSeverity } from '../../shared/reportModel';

const CSV_COLUMNS = ['id', 'severity', 'kind', 'status', 'package', 'installed', 'fixed', 'target', 'title', 'cvss', 'url'] as const;

/** RFC 4180: quote fields with commas, quotes or newlines; a leading =, +, -, @ is neutralised for spreadsheets. */
function csvField(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(findings: readonly ScanFinding[]): string {
  const rows = findings.map((finding) => [finding.id, finding.severity, finding.kind, finding.status, finding.packageName, finding.installedVersion, finding.fixedVersion, finding.target, finding.title, finding.cvss, finding.urls[0]].map(csvField).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

const SARIF_LEVEL: Readonly<Record<ScanSeverity, string>> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', UNKNOWN: 'note' };
const SECURITY_SEVERITY: Readonly<Record<Exclude<ScanSeverity, 'UNKNOWN'>, string>> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '2.0' };

/** SARIF 2.1.0 with `security-severity`, as GitHub code scanning reads scanner results; linear in the findings. */
export function toSarif(report: ScanReport): string {
  const firstById = new Map<string, { index: number; finding: ScanFinding }>();
  for (const finding of report.findings) if (!firstById.has(finding.id)) firstById.set(finding.id, { index: firstById.size, finding });
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: report.tool,
          rules: [...firstById].map(([id, { finding }]) => {
            const score = finding.cvss !== undefined ? finding.cvss.toFixed(1) : finding.severity === 'UNKNOWN' ? undefined : SECURITY_SEVERITY[finding.severity];
            return {
              id, shortDescription: { text: finding.title ?? id }, ...(finding.urls[0] ? { helpUri: finding.urls[0] } : {}),
              // The severity word in the tags keeps UNKNOWN unknown when read back (no score can say it).
              properties: { ...(score ? { 'security-severity': score } : {}), tags: ['security', finding.kind, finding.severity] },
            };
          }),
        },
      },
      results: report.findings.map((finding) => ({
        ruleId: finding.id, ruleIndex: firstById.get(finding.id)!.index, level: SARIF_LEVEL[finding.severity],
        // Passed and suppressed checks stay in the export with what SARIF calls them, so a reader does not count them.
        ...(finding.status === 'pass' ? { kind: 'pass' } : {}),
        ...(finding.status === 'suppressed' ? { suppressions: [{ kind: 'external', ...(finding.statusReason ? { justification: finding.statusReason } : {}) }] } : {}),
        message: { text: `${finding.packageName ? `${finding.packageName} ${finding.installedVersion ?? ''}: ` : ''}${finding.title ?? finding.id}${finding.fixedVersion ? `\nFixed Version: ${finding.fixedVersion}` : ''}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: finding.target ?? report.artifact ?? 'image' } } }],
      })),
    }],
  }, null, 2) + '\n';
}
