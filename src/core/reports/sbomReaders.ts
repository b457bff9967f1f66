import { SEVERITIES } from '../../shared/reportModel';
import type { FindingStatus, ScanFinding, ScanSeverity, SbomPackage } from '../../shared/reportModel';
import { finiteNumber, object, objects, optional, strings, text } from './json';
import type { Json } from './json';
import { cvssSeverity, normaliseSeverity, purlType } from './model';
import type { Sbom } from './model';

const cyclonedxLicense = (entry: Json): string | undefined => text(object(entry.license).id) ?? text(object(entry.license).name) ?? text(entry.expression);
const isText = (value: string | undefined): value is string => value !== undefined;

function cyclonedxLicenses(component: Json): string[] {
  // Sized by map (a pushed-to empty array reserves 16 slots), filtered only when an entry says nothing.
  const licenses = objects(component.licenses).map(cyclonedxLicense);
  return licenses.every(isText) ? licenses : licenses.filter(isText);
}

/** One package, optional fields left out when absent; built directly (no spread): SBOMs have tens of thousands. */
function sbomPackage(id: string, name: string, licenses: string[], version: string | undefined, purl: string | undefined, type: string | undefined, supplier: string | undefined): SbomPackage {
  // The common case in one allocation with every field in the object; the rest adds what is present.
  if (version !== undefined && purl !== undefined && type !== undefined && supplier !== undefined) return { id, name, licenses, version, purl, type, supplier };
  const pkg: { -readonly [K in keyof SbomPackage]: SbomPackage[K] } = { id, name, licenses };
  if (version !== undefined) pkg.version = version;
  if (purl !== undefined) pkg.purl = purl;
  if (type !== undefined) pkg.type = type;
  if (supplier !== undefined) pkg.supplier = supplier;
  return pkg;
}

/**
 * A node that only groups others (trivy's `package-lock.json` application, the `node-pkg` of an SPDX
 * image SBOM): no version, no purl, and it holds packages (nested ones, or by edges). Tools disagree on
 * whether and how they write these, so neither side counts them as packages.
 */
const isGrouping = (pkg: SbomPackage, edges: ReadonlyMap<string, readonly string[]>, nested = 0): boolean =>
  pkg.version === undefined && pkg.purl === undefined && (nested > 0 || (edges.get(pkg.id)?.length ?? 0) > 0);

/** Keeps dependency edges between the document's packages, its subject and grouping nodes (no files, no unknown ids), and no empty lists. */
function keepEdgesBetween(edges: Map<string, readonly string[]>, kept: ReadonlySet<string>): Map<string, readonly string[]> {
  // In place and without a callback per edge: SBOMs have tens of thousands of edges, nearly all kept as they are.
  edges.forEach((targets, from) => {
    const within = !kept.has(from) ? [] : allIn(targets, kept) ? targets : targets.filter((target) => kept.has(target));
    if (within.length === 0) edges.delete(from);
    else if (within !== targets) edges.set(from, within);
  });
  return edges;
}

function allIn(values: readonly string[], set: ReadonlySet<string>): boolean {
  for (let index = 0; index < values.length; index++) if (!set.has(values[index]!)) return false;
  return true;
}

function addEdge(edges: Map<string, string[]>, from: string, to: string): void {
  const targets = edges.get(from);
  if (targets) targets.push(to);
  else edges.set(from, [to]);
}

const CYCLONEDX_SEVERITY: Readonly<Record<string, ScanSeverity>> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'LOW', none: 'LOW' };

/** The worst rating: its `severity` word, or its `score` by the CVSS bands when it has no word. */
function worstRating(ratings: readonly Json[]): { severity: ScanSeverity; score?: number } {
  let worst = SEVERITIES.indexOf('UNKNOWN');
  let score: number | undefined;
  for (const rating of ratings) {
    const ratingScore = finiteNumber(rating.score);
    const word = text(rating.severity)?.toLowerCase();
    const severity = (word ? CYCLONEDX_SEVERITY[word] : undefined) ?? (ratingScore !== undefined ? cvssSeverity(ratingScore) : normaliseSeverity(rating.severity));
    worst = Math.min(worst, SEVERITIES.indexOf(severity));
    if (ratingScore !== undefined && (score === undefined || ratingScore > score)) score = ratingScore;
  }
  return { severity: SEVERITIES[worst]!, ...(score !== undefined ? { score } : {}) };
}

/** CycloneDX VEX analysis states that take a vulnerability off the image. */
const NOT_EXPLOITABLE = new Set(['not_affected', 'false_positive', 'resolved', 'resolved_with_pedigree']);

/** "Upgrade libssl3 to version 3.0.11-1~deb12u1" (trivy's recommendation) → `3.0.11-1~deb12u1`. */
const RECOMMENDED_VERSION = /\bto version[s]?\s+(\S+?)[.,;]?(?:\s|$)/i;

/**
 * Trivy writes one clause per affected package ("Upgrade curl to version A; Upgrade libcurl4 to version
 * B"): each package gets the version of the clause that names it, else the first clause's.
 */
function recommendedVersion(recommendation: string | undefined, packageName: string | undefined): string | undefined {
  const clauses = recommendation?.split(';') ?? [];
  const own = packageName === undefined ? undefined : clauses.find((clause) => ` ${clause} `.includes(` ${packageName} `));
  return (own ?? clauses[0])?.match(RECOMMENDED_VERSION)?.[1];
}

function cyclonedxVulnerabilities(document: Json, byRef: ReadonlyMap<string, SbomPackage>): ScanFinding[] {
  const findings: ScanFinding[] = [];
  for (const vulnerability of objects(document.vulnerabilities)) {
    const { severity, score } = worstRating(objects(vulnerability.ratings));
    const analysis = object(vulnerability.analysis);
    const state = text(analysis.state);
    const status: FindingStatus = state && NOT_EXPLOITABLE.has(state) ? 'suppressed' : 'fail';
    const recommendation = text(vulnerability.recommendation);
    const common = optional({
      description: text(vulnerability.description) ?? text(vulnerability.detail),
      cvss: score,
      statusReason: status === 'suppressed' ? `CycloneDX analysis: ${state}${text(analysis.justification) ? ` (${text(analysis.justification)})` : ''}` : undefined,
    });
    const urls = objects(vulnerability.advisories).map((advisory) => text(advisory.url)).filter((url): url is string => url !== undefined);
    const id = text(vulnerability.id) ?? 'unknown';
    const affected = objects(vulnerability.affects).map((entry) => byRef.get(text(entry.ref) ?? ''));
    for (const pkg of affected.length > 0 ? affected : [undefined]) {
      findings.push({
        kind: 'vulnerability', status, id, severity,
        ...optional({ packageName: pkg?.name, installedVersion: pkg?.version, purl: pkg?.purl, fixedVersion: recommendedVersion(recommendation, pkg?.name) }), ...common, urls,
      });
    }
  }
  return findings;
}

/** CycloneDX JSON 1.4–1.7: nested components (walked without recursion), dependencies, embedded vulnerabilities. */
export function readCycloneDx(document: Json): Sbom {
  const metadata = object(document.metadata);
  const subjectComponent = object(metadata.component);
  const rawEdges = new Map<string, readonly string[]>();
  for (const entry of objects(document.dependencies)) {
    const ref = text(entry.ref);
    if (ref !== undefined) rawEdges.set(ref, strings(entry.dependsOn));
  }
  const packages: SbomPackage[] = [];
  const elements = new Set<string>();
  const scanned = Array.isArray(document.vulnerabilities);
  // Grouping nodes are no packages, but vulnerabilities and edges may name them.
  const byRef = new Map<string, SbomPackage>();
  const pending: (readonly Json[])[] = [objects(document.components)];
  while (pending.length > 0) {
    for (const component of pending.pop()!) {
      const purl = text(component.purl);
      const group = text(component.group);
      const name = text(component.name) ?? '?';
      const nested = objects(component.components);
      const pkg = sbomPackage(
        text(component['bom-ref']) ?? purl ?? `${name}@${text(component.version) ?? ''}`,
        group ? `${group}/${name}` : name,
        cyclonedxLicenses(component),
        text(component.version), purl, purlType(purl) ?? text(component.type), text(object(component.supplier).name) ?? text(component.publisher),
      );
      if (!isGrouping(pkg, rawEdges, nested.length)) packages.push(pkg);
      elements.add(pkg.id);
      if (scanned) byRef.set(pkg.id, pkg);
      if (nested.length > 0) pending.push(nested);
    }
  }
  const subjectRef = text(subjectComponent['bom-ref']);
  if (subjectRef) elements.add(subjectRef);
  const tools = metadata.tools;
  // tools is an array (1.4) or {components: [...]} (1.5+).
  const toolList = Array.isArray(tools) ? objects(tools) : objects(object(tools).components);
  return {
    format: 'cyclonedx',
    specVersion: text(document.specVersion) ?? '?',
    packages,
    dependencies: keepEdgesBetween(rawEdges, elements),
    vulnerabilities: scanned ? cyclonedxVulnerabilities(document, byRef) : [],
    scanned,
    ...optional({
      tool: toolList.map((tool) => [text(tool.name), text(tool.version)].filter(Boolean).join(' ')).filter(Boolean).join(', ') || undefined,
      created: text(metadata.timestamp),
      subject: [text(subjectComponent.name), text(subjectComponent.version)].filter(Boolean).join(':') || undefined,
      subjectPurl: text(subjectComponent.purl),
    }),
  };
}

const NO_LICENSE = new Set(['NOASSERTION', 'NONE']);

/** SPDX 2.2/2.3 JSON: packages with purls and licenses; DEPENDS_ON, DEPENDENCY_OF and package CONTAINS package. */
export function readSpdx(document: Json): Sbom {
  const documentId = text(document.SPDXID) ?? 'SPDXRef-DOCUMENT';
  const all = objects(document.packages).map((pkg): SbomPackage => {
    const purl = text(objects(pkg.externalRefs).find((ref) => ref.referenceType === 'purl')?.referenceLocator);
    const licenses = [text(pkg.licenseConcluded), text(pkg.licenseDeclared)].filter((value): value is string => value !== undefined && !NO_LICENSE.has(value));
    const supplier = text(pkg.supplier);
    return sbomPackage(text(pkg.SPDXID) ?? '?', text(pkg.name) ?? '?', licenses[1] === licenses[0] ? licenses.slice(0, 1) : licenses,
      text(pkg.versionInfo), purl, purlType(purl) ?? text(pkg.primaryPackagePurpose)?.toLowerCase(), supplier === 'NOASSERTION' ? undefined : supplier?.replace(/^(Organization|Person):\s*/, ''));
  });
  const packageIds = new Set(all.map((pkg) => pkg.id));
  const roots = new Set(strings(document.documentDescribes));
  const edges = new Map<string, string[]>();
  for (const relationship of objects(document.relationships)) {
    const from = text(relationship.spdxElementId);
    const to = text(relationship.relatedSpdxElement);
    if (from === undefined || to === undefined) continue;
    const type = text(relationship.relationshipType);
    if (type === 'DESCRIBES' && from === documentId) roots.add(to);
    else if (type === 'DESCRIBED_BY' && to === documentId) roots.add(from);
    else if (type === 'DEPENDS_ON' || (type === 'CONTAINS' && packageIds.has(to))) addEdge(edges, from, to);
    else if (type === 'DEPENDENCY_OF') addEdge(edges, to, from);
  }
  const subject = all.find((pkg) => roots.has(pkg.id));
  const packages = all.filter((pkg) => !roots.has(pkg.id) && !isGrouping(pkg, edges));
  const creation = object(document.creationInfo);
  return {
    format: 'spdx',
    specVersion: (text(document.spdxVersion) ?? '?').replace(/^SPDX-/, ''),
    packages,
    dependencies: keepEdgesBetween(edges, packageIds),
    vulnerabilities: [],
    scanned: false,
    ...optional({
      tool: strings(creation.creators).filter((creator) => creator.startsWith('Tool:')).map((creator) => creator.slice(5).trim()).join(', ') || undefined,
      created: text(creation.created),
      subject: text(document.name) ?? (subject ? [subject.name, subject.version].filter(Boolean).join(':') : undefined),
      subjectPurl: subject?.purl,
    }),
  };
}
