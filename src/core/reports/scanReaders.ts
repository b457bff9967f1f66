import { normaliseSeverity } from './model';
import type { ScanFinding, ScanReport } from '../../shared/reportModel';

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

function maxScore(scores: number[]): number | undefined {
  const valid = scores.filter((score) => Number.isFinite(score));
  return valid.length > 0 ? Math.max(...valid) : undefined;
}

/** Trivy JSON, SchemaVersion 2: vulnerabilities, misconfigurations and secrets; null arrays are normal. */
export function readTrivy(document: Json): ScanReport {
  const findings: ScanFinding[] = [];
  for (const result of list(document.Results)) {
    const target = text(result.Target);
    for (const vulnerability of list(result.Vulnerabilities)) {
      const cvss = Object.values((vulnerability.CVSS ?? {}) as Record<string, { V3Score?: number; V2Score?: number }>).flatMap((entry) => [entry.V3Score ?? NaN, entry.V2Score ?? NaN]);
      const pkg = (vulnerability.PkgIdentifier ?? {}) as Json;
      findings.push({
        kind: 'vulnerability', id: String(vulnerability.VulnerabilityID ?? 'unknown'), severity: normaliseSeverity(vulnerability.Severity),
        ...optional({ packageName: text(vulnerability.PkgName), installedVersion: text(vulnerability.InstalledVersion), fixedVersion: text(vulnerability.FixedVersion), purl: text(pkg.PURL), target, title: text(vulnerability.Title), description: text(vulnerability.Description), cvss: maxScore(cvss) }),
        urls: [text(vulnerability.PrimaryURL), ...list(vulnerability.References).map(String)].filter((url): url is string => url !== undefined),
      });
    }
    for (const misconfiguration of list(result.Misconfigurations)) {
      findings.push({
        kind: 'misconfiguration', id: String(misconfiguration.ID ?? misconfiguration.AVDID ?? 'unknown'), severity: normaliseSeverity(misconfiguration.Severity),
        ...optional({ target, title: text(misconfiguration.Title), description: text(misconfiguration.Message) ?? text(misconfiguration.Description) }),
        urls: [text(misconfiguration.PrimaryURL)].filter((url): url is string => url !== undefined),
      });
    }
    for (const secret of list(result.Secrets)) {
      findings.push({ kind: 'secret', id: String(secret.RuleID ?? 'secret'), severity: normaliseSeverity(secret.Severity), ...optional({ target, title: text(secret.Title) }), urls: [] });
    }
  }
  return { format: 'trivy', tool: 'Trivy', ...optional({ artifact: text(document.ArtifactName) }), findings };
}

/** Grype JSON: `matches[]` of vulnerability × artifact. */
export function readGrype(document: Json): ScanReport {
  const findings = list(document.matches).map((match): ScanFinding => {
    const vulnerability = (match.vulnerability ?? {}) as Json;
    const artifact = (match.artifact ?? {}) as Json;
    const fix = (vulnerability.fix ?? {}) as Json;
    const locations = list(artifact.locations).map((location) => text(location.path)).filter(Boolean);
    return {
      kind: 'vulnerability', id: String(vulnerability.id ?? 'unknown'), severity: normaliseSeverity(vulnerability.severity),
      ...optional({
        packageName: text(artifact.name), installedVersion: text(artifact.version), purl: text(artifact.purl),
        fixedVersion: list(fix.versions).map(String).join(', ') || undefined, target: locations[0],
        description: text(vulnerability.description), cvss: maxScore(list(vulnerability.cvss).map((entry) => Number(((entry.metrics ?? {}) as Json).baseScore))),
      }),
      urls: list(vulnerability.urls).map(String),
    };
  });
  const source = (document.source ?? {}) as Json;
  const target = (source.target ?? {}) as Json;
  return { format: 'grype', tool: 'Grype', ...optional({ artifact: text(target.userInput) ?? text(source.target) }), findings };
}

/** SARIF 2.1.0: results with their rule, level and `security-severity`. */
export function readSarif(document: Json): ScanReport {
  const findings: ScanFinding[] = [];
  let tool = 'SARIF';
  for (const run of list(document.runs)) {
    const driver = (((run.tool ?? {}) as Json).driver ?? {}) as Json;
    tool = text(driver.name) ?? tool;
    const rules = new Map(list(driver.rules).map((rule) => [String(rule.id), rule]));
    for (const result of list(run.results)) {
      const rule = rules.get(String(result.ruleId)) ?? {};
      const properties = (rule.properties ?? {}) as Json;
      const score = Number(properties['security-severity']);
      const location = ((list(result.locations)[0]?.physicalLocation ?? {}) as Json).artifactLocation as Json | undefined;
      findings.push({
        kind: 'vulnerability', id: String(result.ruleId ?? 'unknown'),
        severity: Number.isFinite(score) ? normaliseSeverity(score) : normaliseSeverity(result.level ?? ((rule.defaultConfiguration ?? {}) as Json).level),
        ...optional({ title: text(((rule.shortDescription ?? {}) as Json).text), description: text(((result.message ?? {}) as Json).text), target: text(location?.uri), cvss: Number.isFinite(score) ? score : undefined }),
        urls: [text(rule.helpUri)].filter((url): url is string => url !== undefined),
      });
    }
  }
  return { format: 'sarif', tool, findings };
}

/** Leaves out undefined values so optional properties stay absent. */
export function optional<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  // A plain loop: this runs once per package of SBOMs with tens of thousands of them.
  const present: Record<string, unknown> = {};
  for (const key in values) if (values[key] !== undefined) present[key] = values[key];
  return present as { [K in keyof T]?: Exclude<T[K], undefined> };
}
