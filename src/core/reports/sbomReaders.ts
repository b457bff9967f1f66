import { SEVERITIES } from '../../shared/reportModel';
import type { ScanFinding, SbomPackage } from '../../shared/reportModel';
import { normaliseSeverity, purlType } from './model';
import type { Sbom } from './model';
import { optional } from './scanReaders';

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

function cyclonedxLicenses(component: Json): string[] {
  return list(component.licenses).map((entry) => {
    const license = (entry.license ?? {}) as Json;
    return text(license.id) ?? text(license.name) ?? text(entry.expression);
  }).filter((value): value is string => value !== undefined);
}

/** CycloneDX JSON 1.4–1.7: nested components, dependencies, embedded vulnerabilities. */
export function readCycloneDx(document: Json): Sbom {
  const packages: SbomPackage[] = [];
  const visit = (components: Json[]) => {
    for (const component of components) {
      const purl = text(component.purl);
      const supplier = (component.supplier ?? {}) as Json;
      packages.push({
        id: text(component['bom-ref']) ?? purl ?? `${String(component.name)}@${String(component.version ?? '')}`,
        name: [text(component.group), String(component.name ?? '?')].filter(Boolean).join('/'),
        licenses: cyclonedxLicenses(component),
        ...optional({ version: text(component.version), purl, type: purlType(purl) ?? text(component.type), supplier: text(supplier.name) ?? text(component.publisher) }),
      });
      visit(list(component.components));
    }
  };
  visit(list(document.components));
  const metadata = (document.metadata ?? {}) as Json;
  const tools = metadata.tools;
  // tools is an array (1.4) or {components: [...]} (1.5+).
  const toolList = Array.isArray(tools) ? (tools as Json[]) : list(((tools ?? {}) as Json).components);
  const subject = (metadata.component ?? {}) as Json;
  const dependencies = new Map(list(document.dependencies).map((entry) => [String(entry.ref), list(entry.dependsOn).map(String)]));
  const byRef = new Map(packages.map((pkg) => [pkg.id, pkg]));
  const vulnerabilities = list(document.vulnerabilities).flatMap((vulnerability): ScanFinding[] => {
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
    const purl = list(pkg.externalRefs).find((ref) => ref.referenceType === 'purl')?.referenceLocator;
    const licenses = [text(pkg.licenseConcluded), text(pkg.licenseDeclared)].filter((value): value is string => value !== undefined && value !== 'NOASSERTION' && value !== 'NONE');
    return {
      id: String(pkg.SPDXID), name: String(pkg.name ?? '?'), licenses: [...new Set(licenses)],
      ...optional({ version: text(pkg.versionInfo), purl: text(purl), type: purlType(text(purl)) ?? text(pkg.primaryPackagePurpose)?.toLowerCase(), supplier: text(pkg.supplier) === 'NOASSERTION' ? undefined : text(pkg.supplier)?.replace(/^(Organization|Person):\s*/, '') }),
    };
  });
  const dependencies = new Map<string, string[]>();
  for (const relationship of list(document.relationships)) {
    const type = String(relationship.relationshipType);
    if (type !== 'DEPENDS_ON' && type !== 'CONTAINS') continue;
    const from = String(relationship.spdxElementId);
    dependencies.set(from, [...(dependencies.get(from) ?? []), String(relationship.relatedSpdxElement)]);
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
