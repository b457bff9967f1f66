import { SEVERITIES } from '../../shared/reportModel';
import type { ScanFinding, SbomPackage } from '../../shared/reportModel';
import { normaliseSeverity, purlType } from './model';
import type { Sbom } from './model';
import { optional } from './scanReaders';

type Json = Record<string, unknown>;
/** One shared empty list: most components have no nested components, and this runs for each. */
const NONE: readonly Json[] = Object.freeze([]);
const list = (value: unknown): readonly Json[] => (Array.isArray(value) ? (value as Json[]) : NONE);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

function cyclonedxLicenses(component: Json): string[] {
  const licenses: string[] = [];
  for (const entry of list(component.licenses)) {
    const license = entry.license as Json | undefined;
    const value = text(license?.id) ?? text(license?.name) ?? text(entry.expression);
    if (value !== undefined) licenses.push(value);
  }
  return licenses;
}

/** One package, optional fields left out when absent; built directly (no spread): SBOMs have tens of thousands. */
function sbomPackage(id: string, name: string, licenses: string[], version: string | undefined, purl: string | undefined, type: string | undefined, supplier: string | undefined): SbomPackage {
  const pkg: { -readonly [K in keyof SbomPackage]: SbomPackage[K] } = { id, name, licenses };
  if (version !== undefined) pkg.version = version;
  if (purl !== undefined) pkg.purl = purl;
  if (type !== undefined) pkg.type = type;
  if (supplier !== undefined) pkg.supplier = supplier;
  return pkg;
}

/** CycloneDX JSON 1.4–1.7: nested components, dependencies, embedded vulnerabilities. */
export function readCycloneDx(document: Json): Sbom {
  const packages: SbomPackage[] = [];
  const visit = (components: readonly Json[]) => {
    for (const component of components) {
      const purl = text(component.purl);
      const supplier = (component.supplier ?? {}) as Json;
      packages.push(sbomPackage(
        text(component['bom-ref']) ?? purl ?? `${String(component.name)}@${String(component.version ?? '')}`,
        text(component.group) ? `${String(component.group)}/${String(component.name ?? '?')}` : String(component.name ?? '?'),
        cyclonedxLicenses(component),
        text(component.version), purl, purlType(purl) ?? text(component.type), text(supplier.name) ?? text(component.publisher),
      ));
      visit(list(component.components));
    }
  };
  visit(list(document.components));
  const metadata = (document.metadata ?? {}) as Json;
  const tools = metadata.tools;
  // tools is an array (1.4) or {components: [...]} (1.5+).
  const toolList = Array.isArray(tools) ? (tools as Json[]) : list(((tools ?? {}) as Json).components);
  const subject = (metadata.component ?? {}) as Json;
  const dependencies = new Map<string, string[]>();
  for (const entry of list(document.dependencies)) {
    const dependsOn = list(entry.dependsOn) as unknown[];
    // The parsed array is kept when it already holds strings (the normal case): no copy per entry.
    dependencies.set(String(entry.ref), dependsOn.every((ref) => typeof ref === 'string') ? dependsOn as string[] : dependsOn.map(String));
  }
  const vulnerabilityList = list(document.vulnerabilities);
  const byRef = new Map(vulnerabilityList.length > 0 ? packages.map((pkg) => [pkg.id, pkg]) : []);
  const vulnerabilities = vulnerabilityList.flatMap((vulnerability): ScanFinding[] => {
    const ratings = list(vulnerability.ratings);
    const scores = ratings.map((rating) => Number(rating.score)).filter(Number.isFinite);
    // The worst rating wins.
    const severity = ratings.map((rating) => normaliseSeverity(rating.severity)).sort((a, b) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b))[0] ?? 'UNKNOWN';
    const affected = list(vulnerability.affects).map((entry) => byRef.get(String(entry.ref)));
    const advisories = list(vulnerability.advisories).map((advisory) => text(advisory.url)).filter((url): url is string => url !== undefined);
    return (affected.length > 0 ? affected : [undefined]).map((pkg) => ({
      kind: 'vulnerability', id: String(vulnerability.id ?? 'unknown'), severity,
      ...optional({ packageName: pkg?.name, installedVersion: pkg?.version, purl: pkg?.purl, description: text(vulnerability.description), cvss: scores.length > 0 ? Math.max(...scores) : undefined }),
      urls: advisories,
    }));
  });
  return {
    format: 'cyclonedx',
    specVersion: String(document.specVersion ?? '?'),
    packages,
    dependencies,
    vulnerabilities,
    ...optional({ tool: toolList.map((tool) => [text(tool.name), text(tool.version)].filter(Boolean).join(' ')).filter(Boolean).join(', ') || undefined, created: text(metadata.timestamp), subject: [text(subject.name), text(subject.version)].filter(Boolean).join(':') || undefined }),
  };
}

/** SPDX 2.2/2.3 JSON: packages with purls and licenses, DEPENDS_ON / CONTAINS relationships. */
export function readSpdx(document: Json): Sbom {
  const packages = list(document.packages).map((pkg): SbomPackage => {
    const purl = text(list(pkg.externalRefs).find((ref) => ref.referenceType === 'purl')?.referenceLocator);
    const licenses = [text(pkg.licenseConcluded), text(pkg.licenseDeclared)].filter((value): value is string => value !== undefined && value !== 'NOASSERTION' && value !== 'NONE');
    const supplier = text(pkg.supplier);
    return sbomPackage(String(pkg.SPDXID), String(pkg.name ?? '?'), licenses[1] === licenses[0] ? licenses.slice(0, 1) : licenses,
      text(pkg.versionInfo), purl, purlType(purl) ?? text(pkg.primaryPackagePurpose)?.toLowerCase(), supplier === 'NOASSERTION' ? undefined : supplier?.replace(/^(Organization|Person):\s*/, ''));
  });
  const dependencies = new Map<string, string[]>();
  for (const relationship of list(document.relationships)) {
    const type = String(relationship.relationshipType);
    if (type !== 'DEPENDS_ON' && type !== 'CONTAINS') continue;
    const from = String(relationship.spdxElementId);
    const targets = dependencies.get(from);
    if (targets) targets.push(String(relationship.relatedSpdxElement));
    else dependencies.set(from, [String(relationship.relatedSpdxElement)]);
  }
  const creation = (document.creationInfo ?? {}) as Json;
  const described = list(document.relationships).find((relationship) => relationship.relationshipType === 'DESCRIBES');
  return {
    format: 'spdx',
    specVersion: String(document.spdxVersion ?? '?').replace(/^SPDX-/, ''),
    packages,
    dependencies,
    vulnerabilities: [],
    ...optional({ tool: list(creation.creators).map(String).filter((creator) => creator.startsWith('Tool:')).map((creator) => creator.slice(5).trim()).join(', ') || undefined, created: text(creation.created), subject: text(document.name) ?? (described ? String(described.relatedSpdxElement) : undefined) }),
  };
}
