import type { ScanReport } from '../../shared/reportModel';
import { isObject, object, optional, strings, text } from './json';
import type { Json } from './json';
import type { ReadResult, Sbom } from './model';
import { readCycloneDx, readSpdx } from './sbomReaders';
import { readGrype, readSarif, readTrivy } from './scanReaders';
import { imageOfPurl } from './vex';

const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';

const IN_TOTO_STATEMENT_TYPE = /^https:\/\/in-toto\.io\/Statement\/v(0\.1|1)$/;

/** The predicate of an in-toto statement (the SBOM or the scan report), or why there is none. */
function predicateOf(statement: unknown): { document: Json } | { error: string } {
  const predicate = object(statement).predicate;
  if (!isObject(predicate)) return { error: `an in-toto statement (${text(object(statement).predicateType) ?? 'no predicate type'}) without a predicate` };
  return { document: predicate };
}

/** In-toto attestations, plain (BuildKit writes them so) or in DSSE envelopes: the predicate is the SBOM or the scan report. */
function unwrapAttestation(document: Json): { document: Json } | { error: string } {
  if (typeof document._type === 'string' && IN_TOTO_STATEMENT_TYPE.test(document._type)) return predicateOf(document);
  if (typeof document.payload !== 'string' || document.payloadType !== IN_TOTO_PAYLOAD) return { document };
  let statement: unknown;
  try {
    statement = JSON.parse(Buffer.from(document.payload, 'base64').toString('utf8'));
  } catch {
    return { error: 'a DSSE envelope whose payload is not base64-encoded in-toto JSON' };
  }
  return predicateOf(statement);
}

const mentionsSpdx = (context: unknown): boolean => (typeof context === 'string' ? [context] : strings(context)).some((entry) => entry.includes('spdx'));

function scanOfSbom(sbom: Sbom): ScanReport {
  const image = imageOfPurl(sbom.subjectPurl);
  return { format: 'cyclonedx', tool: sbom.tool ?? 'CycloneDX', ...optional({ artifact: sbom.subject, images: image ? [image] : undefined }), findings: sbom.vulnerabilities };
}

function readDocument(document: Json): ReadResult {
  if (document.bomFormat === 'CycloneDX') {
    const sbom = readCycloneDx(document);
    // Vulnerabilities without components (a VDR) are a scan report only; with components (or an empty
    // list, as trivy writes into every SBOM) it is an SBOM, which scanReportOf also reads as a scan.
    return sbom.packages.length === 0 && sbom.vulnerabilities.length > 0
      ? { kind: 'scan', report: scanOfSbom(sbom) }
      : { kind: 'sbom', sbom };
  }
  const spdxVersion = text(document.spdxVersion);
  if (spdxVersion !== undefined) {
    return /^SPDX-2\.\d+$/.test(spdxVersion)
      ? { kind: 'sbom', sbom: readSpdx(document) }
      : { kind: 'error', message: `spdxVersion "${spdxVersion.slice(0, 40)}" is not SPDX 2.x JSON, the SPDX that is supported (export SPDX 2.3 JSON, e.g. trivy --format spdx-json)` };
  }
  if (mentionsSpdx(document['@context'])) {
    return { kind: 'error', message: 'this is SPDX 3.0 (JSON-LD), which is not supported yet: export SPDX 2.3 JSON (e.g. trivy --format spdx-json) or CycloneDX' };
  }
  if (document.SchemaVersion !== undefined && ('Results' in document || 'ArtifactName' in document)) return { kind: 'scan', report: readTrivy(document) };
  if (Array.isArray(document.matches) && ('descriptor' in document || 'source' in document)) return { kind: 'scan', report: readGrype(document) };
  if (typeof document.version === 'string' && document.version.startsWith('2.1') && Array.isArray(document.runs)) return { kind: 'scan', report: readSarif(document) };
  return { kind: 'error', message: 'not a format Artifact Steward reads (Trivy, Grype, SARIF 2.1.0, CycloneDX, SPDX 2.x JSON)' };
}

/**
 * Reads a scan report or an SBOM, recognising the format from the content, never the file name:
 * Trivy, Grype, SARIF 2.1.0, CycloneDX 1.4–1.7, SPDX 2.x; SPDX 3.0 JSON-LD is recognised and
 * refused with a clear message; in-toto statements, plain or in DSSE envelopes, are unwrapped; a UTF-8 BOM is skipped.
 * Never throws: whatever the file holds, the answer is a result or `kind: 'error'`.
 */
export function readReport(textContent: string): ReadResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(textContent.charCodeAt(0) === 0xfeff ? textContent.slice(1) : textContent);
  } catch (error) {
    return { kind: 'error', message: `not JSON: ${(error as Error).message}` };
  }
  if (!isObject(parsed)) return { kind: 'error', message: 'not a JSON object' };
  const unwrapped = unwrapAttestation(parsed);
  if ('error' in unwrapped) return { kind: 'error', message: unwrapped.error };
  try {
    return readDocument(unwrapped.document);
  } catch (error) {
    // The readers tolerate every shape we know of; this is the last line for one we don't.
    return { kind: 'error', message: `the report could not be read: ${(error as Error).message}` };
  }
}

/** The scan findings a read result carries: a scan report, or an SBOM a scanner wrote vulnerabilities into. */
export function scanReportOf(result: ReadResult): ScanReport | undefined {
  if (result.kind === 'scan') return result.report;
  return result.kind === 'sbom' && result.sbom.scanned ? scanOfSbom(result.sbom) : undefined;
}
