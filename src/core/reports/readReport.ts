import type { ReadResult } from './model';
import { readCycloneDx, readSpdx } from './sbomReaders';
import { readGrype, readSarif, readTrivy } from './scanReaders';

type Json = Record<string, unknown>;

const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';

/** In-toto attestations in DSSE envelopes: the predicate is the SBOM or the scan report. */
function unwrapAttestation(document: Json): { document: Json; note?: string } | { error: string } {
  if (typeof document.payload !== 'string' || document.payloadType !== IN_TOTO_PAYLOAD) return { document };
  let statement: Json;
  try {
    statement = JSON.parse(Buffer.from(document.payload, 'base64').toString('utf8')) as Json;
  } catch {
    return { error: 'a DSSE envelope whose payload is not base64-encoded in-toto JSON' };
  }
  const predicate = statement.predicate;
  if (!predicate || typeof predicate !== 'object') return { error: `an in-toto statement (${String(statement.predicateType)}) without a predicate` };
  return { document: predicate as Json };
}

/**
 * Reads a scan report or an SBOM, recognising the format from the content, never the file name:
 * Trivy, Grype, SARIF 2.1.0, CycloneDX 1.4–1.7, SPDX 2.2/2.3; SPDX 3.0 JSON-LD is recognised and
 * refused with a clear message; in-toto DSSE envelopes are unwrapped.
 */
export function readReport(textContent: string): ReadResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(textContent);
  } catch (error) {
    return { kind: 'error', message: `not JSON: ${(error as Error).message}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'error', message: 'not a JSON object' };
  const unwrapped = unwrapAttestation(parsed as Json);
  if ('error' in unwrapped) return { kind: 'error', message: unwrapped.error };
  const document = unwrapped.document;
  if (document.bomFormat === 'CycloneDX') {
    const sbom = readCycloneDx(document);
    return sbom.packages.length === 0 && sbom.vulnerabilities.length > 0
      ? { kind: 'scan', report: { format: 'cyclonedx', tool: sbom.tool ?? 'CycloneDX', findings: sbom.vulnerabilities } }
      : { kind: 'sbom', sbom };
  }
  if (typeof document.spdxVersion === 'string') return { kind: 'sbom', sbom: readSpdx(document) };
  if ('@context' in document && JSON.stringify(document['@context']).includes('spdx')) {
    return { kind: 'error', message: 'this is SPDX 3.0 (JSON-LD), which is not supported yet: export SPDX 2.3 JSON (e.g. trivy --format spdx-json) or CycloneDX' };
  }
  if (document.SchemaVersion !== undefined && ('Results' in document || 'ArtifactName' in document)) return { kind: 'scan', report: readTrivy(document) };
  if (Array.isArray(document.matches) && ('descriptor' in document || 'source' in document)) return { kind: 'scan', report: readGrype(document) };
  if (typeof document.version === 'string' && document.version.startsWith('2.1') && Array.isArray(document.runs)) return { kind: 'scan', report: readSarif(document) };
  return { kind: 'error', message: 'not a format Artifact Steward reads (Trivy, Grype, SARIF 2.1.0, CycloneDX, SPDX 2.x JSON)' };
}
