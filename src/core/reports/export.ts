import type { ScanFinding, ScanReport, ScanSeverity } from '../../shared/reportModel';

const CSV_COLUMNS = ['id', 'severity', 'kind', 'package', 'installed', 'fixed', 'target', 'title', 'cvss', 'url'] as const;

/** RFC 4180: quote fields with commas, quotes or newlines; a leading =, +, -, @ is neutralised for spreadsheets. */
function csvField(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(findings: readonly ScanFinding[]): string {
  const rows = findings.map((finding) => [finding.id, finding.severity, finding.kind, finding.packageName, finding.installedVersion, finding.fixedVersion, finding.target, finding.title, finding.cvss, finding.urls[0]].map(csvField).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

const SARIF_LEVEL: Readonly<Record<ScanSeverity, string>> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', UNKNOWN: 'note' };
const SECURITY_SEVERITY: Readonly<Record<ScanSeverity, string>> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '2.0', UNKNOWN: '0.0' };

/** SARIF 2.1.0 with `security-severity`, as GitHub code scanning reads scanner results. */
export function toSarif(report: ScanReport): string {
  const ids = [...new Set(report.findings.map((finding) => finding.id))];
  const first = new Map(ids.map((id) => [id, report.findings.find((finding) => finding.id === id)!]));
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: report.tool,
          rules: ids.map((id) => {
            const finding = first.get(id)!;
            return {
              id, shortDescription: { text: finding.title ?? id }, ...(finding.urls[0] ? { helpUri: finding.urls[0] } : {}),
              properties: { 'security-severity': finding.cvss !== undefined ? finding.cvss.toFixed(1) : SECURITY_SEVERITY[finding.severity], tags: ['security', finding.kind] },
            };
          }),
        },
      },
      results: report.findings.map((finding) => ({
        ruleId: finding.id, ruleIndex: ids.indexOf(finding.id), level: SARIF_LEVEL[finding.severity],
        message: { text: `${finding.packageName ? `${finding.packageName} ${finding.installedVersion ?? ''}: ` : ''}${finding.title ?? finding.id}${finding.fixedVersion ? ` (fixed in ${finding.fixedVersion})` : ''}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: finding.target ?? report.artifact ?? 'image' } } }],
      })),
    }],
  }, null, 2) + '\n';
}
