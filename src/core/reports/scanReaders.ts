import { cvssSeverity, normaliseSeverity } from './model';
import { finiteNumber, largest, object, objects, optional, strings, text } from './json';
import type { Json } from './json';
import { isDigest } from '../registry/digest';
import { SEVERITIES } from '../../shared/reportModel';
import type { FindingKind, FindingStatus, ScanFinding, ScanReport, ScannedImage, ScanSeverity } from '../../shared/reportModel';

/** A finding's severity: the report's word, else its CVSS score by the v3 bands, else UNKNOWN. */
function severityOf(word: unknown, cvss: number | undefined): ScanSeverity {
  const severity = normaliseSeverity(word);
  return severity === 'UNKNOWN' && cvss !== undefined ? cvssSeverity(cvss) : severity;
}

const urlsOf = (...candidates: unknown[]): string[] => candidates.flatMap((candidate) => (Array.isArray(candidate) ? strings(candidate) : text(candidate) ?? []));


/** Trivy JSON, SchemaVersion 2: vulnerabilities, misconfigurations, secrets and licenses; null arrays are normal. */
export function readTrivy(document: Json): ScanReport {
  const findings: ScanFinding[] = [];
  for (const result of objects(document.Results)) {
    const target = text(result.Target);
    for (const vulnerability of objects(result.Vulnerabilities)) {
      const cvss = largest(Object.values(object(vulnerability.CVSS)).flatMap((entry) => [finiteNumber(object(entry).V3Score), finiteNumber(object(entry).V2Score)]));
      const fixStatus = text(vulnerability.Status);
      findings.push({
        kind: 'vulnerability', status: fixStatus === 'not_affected' ? 'suppressed' : 'fail',
        id: text(vulnerability.VulnerabilityID) ?? 'unknown', severity: severityOf(vulnerability.Severity, cvss),
        ...optional({
          packageName: text(vulnerability.PkgName), installedVersion: text(vulnerability.InstalledVersion), fixedVersion: text(vulnerability.FixedVersion),
          purl: text(object(vulnerability.PkgIdentifier).PURL), target, title: text(vulnerability.Title), description: text(vulnerability.Description), cvss,
          statusReason: fixStatus && fixStatus !== 'fixed' && fixStatus !== 'affected' ? `trivy status: ${fixStatus}` : undefined,
        }),
        urls: urlsOf(vulnerability.PrimaryURL, vulnerability.References),
      });
    }
    for (const misconfiguration of objects(result.Misconfigurations)) {
      // `--include-non-failures` adds the checks that passed (PASS) and those excepted by policy (EXCEPTION).
      const checkStatus = text(misconfiguration.Status)?.toUpperCase();
      findings.push({
        kind: 'misconfiguration', status: checkStatus === 'PASS' ? 'pass' : checkStatus === 'EXCEPTION' ? 'suppressed' : 'fail',
        id: text(misconfiguration.ID) ?? text(misconfiguration.AVDID) ?? 'unknown', severity: normaliseSeverity(misconfiguration.Severity),
        ...optional({ target, title: text(misconfiguration.Title), description: text(misconfiguration.Message) ?? text(misconfiguration.Description), statusReason: checkStatus === 'EXCEPTION' ? 'trivy status: EXCEPTION' : undefined }),
        urls: urlsOf(misconfiguration.PrimaryURL),
      });
    }
    for (const secret of objects(result.Secrets)) {
      findings.push({ kind: 'secret', status: 'fail', id: text(secret.RuleID) ?? 'secret', severity: normaliseSeverity(secret.Severity), ...optional({ target, title: text(secret.Title) }), urls: [] });
    }
    for (const license of objects(result.Licenses)) {
      findings.push({
        kind: 'license', status: 'fail', id: text(license.Name) ?? 'unknown', severity: normaliseSeverity(license.Severity),
        ...optional({ packageName: text(license.PkgName), target: text(license.FilePath) ?? target, title: text(license.Category) }),
        urls: urlsOf(license.Link),
      });
    }
  }
  return { format: 'trivy', tool: 'Trivy', ...optional({ artifact: text(document.ArtifactName), images: trivyImages(document) }), findings };
}

/** `Metadata.RepoDigests` (`host/repo@sha256:…`): the image digests a Trivy image scan is about. */
function trivyImages(document: Json): ScannedImage[] | undefined {
  const images = strings(object(document.Metadata).RepoDigests).flatMap((reference): ScannedImage[] => {
    const at = reference.lastIndexOf('@');
    const digest = reference.slice(at + 1);
    return at > 0 && isDigest(digest) ? [{ repository: reference.slice(0, at), digest }] : [];
  });
  return images.length > 0 ? images : undefined;
}

/** Grype JSON: `matches[]` of vulnerability × artifact; `fix.versions` only when `fix.state` is fixed. */
export function readGrype(document: Json): ScanReport {
  const findings = objects(document.matches).map((match): ScanFinding => {
    const vulnerability = object(match.vulnerability);
    const artifact = object(match.artifact);
    const fix = object(vulnerability.fix);
    const fixState = text(fix.state);
    const cvss = largest(objects(vulnerability.cvss).map((entry) => finiteNumber(object(entry.metrics).baseScore)));
    return {
      kind: 'vulnerability', status: fixState === 'not-affected' ? 'suppressed' : 'fail',
      id: text(vulnerability.id) ?? 'unknown', severity: severityOf(vulnerability.severity, cvss),
      ...optional({
        packageName: text(artifact.name), installedVersion: text(artifact.version), purl: text(artifact.purl),
        fixedVersion: fixState === undefined || fixState === 'fixed' ? strings(fix.versions).join(', ') || undefined : undefined,
        target: objects(artifact.locations).map((location) => text(location.path)).find(Boolean),
        description: text(vulnerability.description), cvss, statusReason: fixState && fixState !== 'fixed' ? `grype fix state: ${fixState}` : undefined,
      }),
      urls: urlsOf(vulnerability.dataSource, vulnerability.urls),
    };
  });
  const source = object(document.source);
  return { format: 'grype', tool: 'Grype', ...optional({ artifact: text(object(source.target).userInput) ?? text(source.target) }), findings };
}

const KINDS: readonly FindingKind[] = ['vulnerability', 'misconfiguration', 'secret', 'license'];
// Vulnerability ids of the advisory databases scanners cite; other SARIF rules are checks of code or configuration.
const ADVISORY_ID = /^(CVE|GHSA|GO|PYSEC|RUSTSEC|OSV|DLA|DSA|USN|RHSA|ALAS\d*|ALSA|ELSA|SUSE-SU|MAL)-/i;
/** Trivy writes package and fix in the message and the rule's help ("Fixed Version: 0.21.2"), not as properties. */
// Compiled once, and linear: the rest of the line is taken whole and trimmed in code (a lazy match
// before trailing blanks would backtrack quadratically on a hostile line of spaces).
const LABELLED_LINES = {
  package: /^Package:[ \t]*(\S[^\r\n]*)/m,
  installed: /^Installed Version:[ \t]*(\S[^\r\n]*)/m,
  fixed: /^Fixed Version:[ \t]*(\S[^\r\n]*)/m,
} as const;
const labelledLine = (label: keyof typeof LABELLED_LINES, within: string | undefined): string | undefined => within?.match(LABELLED_LINES[label])?.[1]?.trimEnd();

function sarifKind(tags: readonly string[], id: string): FindingKind {
  const tagged = KINDS.find((kind) => tags.some((tag) => tag.toLowerCase() === kind));
  return tagged ?? (ADVISORY_ID.test(id) ? 'vulnerability' : 'misconfiguration');
}

// SARIF `kind`: only fail/open/review are problems; a suppression without a status, or accepted, applies.
function sarifStatus(result: Json): { status: FindingStatus; reason?: string } {
  const kind = text(result.kind) ?? 'fail';
  if (kind === 'pass' || kind === 'notApplicable' || kind === 'informational') return { status: 'pass', reason: `SARIF kind: ${kind}` };
  const suppression = objects(result.suppressions).find((entry) => (text(entry.status) ?? 'accepted') === 'accepted');
  if (suppression) return { status: 'suppressed', reason: `suppressed (${text(suppression.kind) ?? 'external'}${text(suppression.justification) ? `: ${text(suppression.justification)}` : ''})` };
  return { status: 'fail' };
}

const SARIF_LEVEL: Readonly<Record<string, ScanSeverity>> = { error: 'HIGH', warning: 'MEDIUM', note: 'LOW', none: 'LOW' };

/** SARIF 2.1.0: results with their rule (by index or id), kind, level and `security-severity`. */
export function readSarif(document: Json): ScanReport {
  const findings: ScanFinding[] = [];
  let tool = 'SARIF';
  for (const run of objects(document.runs)) {
    const driver = object(object(run.tool).driver);
    tool = text(driver.name) ?? tool;
    const rules = objects(driver.rules);
    const rulesById = new Map(rules.map((rule) => [text(rule.id), rule]));
    for (const result of objects(run.results)) {
      const ruleId = text(result.ruleId) ?? text(object(result.rule).id);
      const index = finiteNumber(result.ruleIndex);
      const rule = (index !== undefined && rules[index] && text(rules[index]!.id) === (ruleId ?? text(rules[index]!.id)) ? rules[index] : rulesById.get(ruleId)) ?? object(undefined);
      const ruleProperties = object(rule.properties);
      const resultProperties = object(result.properties);
      // An empty or non-numeric security-severity says nothing: the level decides then.
      const score = finiteNumber(resultProperties['security-severity']) ?? finiteNumber(ruleProperties['security-severity']);
      const level = text(result.level) ?? text(object(rule.defaultConfiguration).level) ?? 'warning';
      const message = text(object(result.message).text);
      const help = text(object(rule.help).text);
      const id = ruleId ?? 'unknown';
      const { status, reason } = sarifStatus(result);
      const location = object(object(objects(result.locations)[0]?.physicalLocation).artifactLocation);
      const tags = [...strings(resultProperties.tags), ...strings(ruleProperties.tags)];
      // Trivy tags each rule with its own severity word (UNKNOWN too, which its score 0.0 cannot say).
      const taggedSeverity = tags.map((tag) => tag.toUpperCase()).find((tag): tag is ScanSeverity => (SEVERITIES as readonly string[]).includes(tag));
      findings.push({
        kind: sarifKind(tags, id), status, id,
        severity: taggedSeverity ?? (score !== undefined ? cvssSeverity(score) : SARIF_LEVEL[level] ?? 'UNKNOWN'),
        ...optional({
          packageName: labelledLine('package', message), installedVersion: labelledLine('installed', message),
          fixedVersion: text(resultProperties.fixedVersion) ?? labelledLine('fixed', message) ?? labelledLine('fixed', help),
          title: text(object(rule.shortDescription).text), description: message, target: text(location.uri), cvss: score, statusReason: reason,
        }),
        urls: urlsOf(rule.helpUri),
      });
    }
  }
  return { format: 'sarif', tool, findings };
}
