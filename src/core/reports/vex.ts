import { normalizeRegistryHost } from '../reference/registryHost';
import { isDigest } from '../registry/digest';
import type { ScanFinding, ScannedImage } from '../../shared/reportModel';
import { isObject, object, objects, strings, text } from './json';
import type { Json } from './json';
import { packageName, packageVersion, parsePurl } from './packageIdentity';

// VEX: a supplier's statement that an image or package is (not) affected by a vulnerability.
// OpenVEX (0.0.x and 0.2) and CycloneDX VEX are read into one statement shape; only `not_affected`
// and `fixed` take a finding off the gate, and only when vulnerability and product both match.

export type VexStatus = 'not_affected' | 'fixed' | 'affected' | 'under_investigation';

export interface VexStatement {
  readonly vulnerability: string;
  readonly aliases: readonly string[];
  /** Purls (packages or `pkg:oci` images) or plain ids the statement is about. */
  readonly products: readonly string[];
  /** When given, the statement covers only these packages inside its products. */
  readonly subcomponents: readonly string[];
  readonly status: VexStatus;
  readonly justification?: string;
  /** `file.json statement 2`, for messages. */
  readonly source: string;
}

const OPENVEX_STATUS = new Set<VexStatus>(['not_affected', 'fixed', 'affected', 'under_investigation']);
const CYCLONEDX_STATE: Readonly<Record<string, VexStatus>> = {
  not_affected: 'not_affected', false_positive: 'not_affected', resolved: 'fixed', resolved_with_pedigree: 'fixed',
  exploitable: 'affected', in_triage: 'under_investigation',
};

const productIds = (value: unknown): string[] => (Array.isArray(value) ? value : []).flatMap((product): string[] => {
  if (typeof product === 'string') return [product];
  const entry = object(product);
  return [text(entry['@id']), text(object(entry.identifiers).purl)].filter((id): id is string => id !== undefined);
});

function readOpenVex(document: Json, label: string): VexStatement[] {
  return objects(document.statements).flatMap((statement, index): VexStatement[] => {
    const vulnerability = isObject(statement.vulnerability) ? statement.vulnerability : { name: statement.vulnerability };
    const id = text(vulnerability.name) ?? text(vulnerability['@id']);
    const status = text(statement.status) as VexStatus | undefined;
    if (!id || !status || !OPENVEX_STATUS.has(status)) return [];
    const products = productIds(statement.products);
    return [{
      vulnerability: id, aliases: strings(vulnerability.aliases), products,
      subcomponents: [...productIds(statement.subcomponents), ...objects(statement.products).flatMap((product) => productIds(product.subcomponents))],
      status, source: `${label} statement ${index + 1}`,
      ...(text(statement.justification) ?? text(statement.impact_statement) ? { justification: (text(statement.justification) ?? text(statement.impact_statement))! } : {}),
    }];
  });
}

function readCycloneDxVex(document: Json, label: string): VexStatement[] {
  const purlByRef = new Map<string, string>();
  const pending: (readonly Json[])[] = [objects(document.components)];
  while (pending.length > 0) {
    for (const component of pending.pop()!) {
      const ref = text(component['bom-ref']);
      const purl = text(component.purl);
      if (ref && purl) purlByRef.set(ref, purl);
      pending.push(objects(component.components));
    }
  }
  return objects(document.vulnerabilities).flatMap((vulnerability, index): VexStatement[] => {
    const analysis = object(vulnerability.analysis);
    const status = CYCLONEDX_STATE[text(analysis.state) ?? ''];
    const id = text(vulnerability.id);
    if (!id || !status) return [];
    // A ref is a bom-ref of this document, a purl, or `urn:cdx:<serial>/<version>#<bom-ref>` of another BOM.
    const products = objects(vulnerability.affects).map((entry) => text(entry.ref)).filter((ref): ref is string => ref !== undefined)
      .map((ref) => purlByRef.get(ref) ?? purlByRef.get(ref.replace(/^urn:cdx:[^#]*#/, '')) ?? ref.replace(/^urn:cdx:[^#]*#/, ''));
    const justification = [text(analysis.justification), text(analysis.detail)].filter(Boolean).join(': ');
    return [{
      vulnerability: id, aliases: objects(vulnerability.references).map((reference) => text(reference.id)).filter((alias): alias is string => alias !== undefined),
      products, subcomponents: [], status, source: `${label} vulnerability ${index + 1}`, ...(justification ? { justification } : {}),
    }];
  });
}

/** Reads an OpenVEX or CycloneDX VEX document; `label` names it in messages. */
export function readVex(content: string, label: string): { statements: VexStatement[] } | { error: string } {
  let document: unknown;
  try {
    document = JSON.parse(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
  } catch (error) {
    return { error: `${label} is not JSON: ${(error as Error).message}` };
  }
  if (!isObject(document)) return { error: `${label} is not a JSON object` };
  const context = typeof document['@context'] === 'string' ? document['@context'] : '';
  if (context.includes('openvex') || Array.isArray(document.statements)) return { statements: readOpenVex(document, label) };
  if (document.bomFormat === 'CycloneDX') return { statements: readCycloneDxVex(document, label) };
  return { error: `${label} is neither OpenVEX nor CycloneDX VEX` };
}

/** The image a `pkg:oci/<name>@<digest>?repository_url=<host/path>` purl names. */
export function imageOfPurl(purl: string | undefined): ScannedImage | undefined {
  const parsed = parsePurl(purl);
  if (!parsed || parsed.type !== 'oci' || !isDigest(parsed.version)) return undefined;
  const repository = parsed.qualifiers?.repository_url;
  return { digest: parsed.version!, ...(repository ? { repository } : {}) };
}

/**
 * A statement's package purl covers a finding's purl: same type, namespace and name; the statement's
 * version (epoch-aware) and each of its qualifiers, where given, equal the finding's.
 */
function purlCovers(statementPurl: string, findingPurl: string | undefined): boolean {
  const [statement, finding] = [parsePurl(statementPurl), parsePurl(findingPurl)];
  if (!statement || !finding) return false;
  if (packageName({ purl: statementPurl, name: '' }) !== packageName({ purl: findingPurl, name: '' })) return false;
  if (statement.version && packageVersion({ purl: statementPurl }) !== packageVersion({ purl: findingPurl })) return false;
  const qualifiers = finding.qualifiers ?? {};
  return Object.entries(statement.qualifiers ?? {}).every(([key, value]) => key === 'epoch' || qualifiers[key] === value);
}

/** `index.docker.io/nginx` and `docker.io/library/nginx` alike: the host normalised, Docker Hub's `library/` added. */
function sameRepository(a: string, b: string): boolean {
  const normal = (repository: string) => {
    const slash = repository.indexOf('/');
    const host = normalizeRegistryHost(slash < 0 ? repository : repository.slice(0, slash));
    const path = slash < 0 ? '' : repository.slice(slash + 1);
    return `${host}/${host === 'docker.io' && !path.includes('/') ? `library/${path}` : path}`;
  };
  return normal(a) === normal(b);
}

/** A product naming the scanned image: a `pkg:oci` purl, or `host/repository@sha256:…`; the repository, when both say, must agree. */
function coversImage(product: string, images: readonly ScannedImage[]): boolean {
  const at = product.lastIndexOf('@');
  const image = imageOfPurl(product) ?? (at > 0 && isDigest(product.slice(at + 1)) ? { digest: product.slice(at + 1), repository: product.slice(0, at) } : undefined);
  return image !== undefined && images.some((scanned) => scanned.digest === image.digest && (!image.repository || !scanned.repository || sameRepository(scanned.repository, image.repository)));
}

const namesVulnerability = (statement: VexStatement, id: string): boolean => {
  const wanted = id.toUpperCase();
  return statement.vulnerability.toUpperCase() === wanted || statement.aliases.some((alias) => alias.toUpperCase() === wanted);
};

/** Whether the statement is about this finding: its vulnerability, and its package or the scanned image. */
export function statementCovers(statement: VexStatement, finding: ScanFinding, images: readonly ScannedImage[]): boolean {
  if (!namesVulnerability(statement, finding.id)) return false;
  const onImage = statement.products.some((product) => coversImage(product, images));
  if (statement.subcomponents.length > 0) return onImage && statement.subcomponents.some((component) => purlCovers(component, finding.purl));
  return onImage || statement.products.some((product) => purlCovers(product, finding.purl));
}

export const suppresses = (statement: VexStatement): boolean => statement.status === 'not_affected' || statement.status === 'fixed';

/** Why a suppressing statement took no finding off: no such vulnerability, or other packages / images. */
export function whyUnmatched(statement: VexStatement, findings: readonly ScanFinding[]): string {
  const same = findings.filter((finding) => namesVulnerability(statement, finding.id));
  const named = statement.products.join(', ') || 'no product';
  if (same.length === 0) return `${statement.source} (${statement.vulnerability}, ${statement.status}): no finding has this vulnerability`;
  const found = [...new Set(same.map((finding) => finding.purl ?? finding.packageName ?? '?'))].slice(0, 5).join(', ');
  return `${statement.source} (${statement.vulnerability}, ${statement.status}) names ${named}${statement.subcomponents.length > 0 ? ` (subcomponents ${statement.subcomponents.join(', ')})` : ''}; the findings are for ${found}`;
}
