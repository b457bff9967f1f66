import type { ScanFinding, ScanReport, ScanSeverity, SbomPackage } from '../../shared/reportModel';
import { finiteNumber, text } from './json';

/** Core's SBOM keeps dependencies in a Map for lookups; the panels receive them as a plain record. */
export interface Sbom {
  readonly format: 'cyclonedx' | 'spdx';
  readonly specVersion: string;
  readonly tool?: string;
  readonly created?: string;
  /** What the SBOM describes (SPDX DESCRIBES root, CycloneDX `metadata.component`), never one of its packages. */
  readonly subject?: string;
  /** The subject's purl (a CycloneDX `pkg:oci/…@sha256:…` names the image digest). */
  readonly subjectPurl?: string;
  readonly packages: readonly SbomPackage[];
  /** Package id → ids it depends on (or contains), where the SBOM says. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** CycloneDX can carry vulnerabilities of its components. */
  readonly vulnerabilities: readonly ScanFinding[];
  /** The document has a `vulnerabilities` list (a scanner wrote it): it is a scan report too, even when the list is empty. */
  readonly scanned: boolean;
}

export type ReadResult =
  | { readonly kind: 'scan'; readonly report: ScanReport }
  | { readonly kind: 'sbom'; readonly sbom: Sbom }
  | { readonly kind: 'error'; readonly message: string };

/** CVSS v3 qualitative bands: 9.0–10 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, 0 none (read as LOW). */
export function cvssSeverity(score: number): ScanSeverity {
  if (!(score >= 0 && score <= 10)) return 'UNKNOWN';
  return score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
}

/**
 * Maps every scanner's words (Negligible, moderate, ` HIGH`) and scores (9.8, `"9.8"`) onto one
 * scale; what says nothing stays UNKNOWN so that a gate can refuse it.
 */
export function normaliseSeverity(value: unknown): ScanSeverity {
  const score = finiteNumber(value);
  if (score !== undefined) return cvssSeverity(score);
  const word = text(value)?.toUpperCase();
  if (word === 'CRITICAL') return 'CRITICAL';
  if (word === 'HIGH' || word === 'IMPORTANT') return 'HIGH';
  if (word === 'MEDIUM' || word === 'MODERATE') return 'MEDIUM';
  if (word === 'LOW' || word === 'NEGLIGIBLE' || word === 'INFO' || word === 'NONE' || word === 'MINOR') return 'LOW';
  return 'UNKNOWN';
}

// An SBOM's tens of thousands of purls share a handful of types, mostly in runs: the last one is checked
// before a match (which allocates) is run.
let lastPurlPrefix = 'pkg:npm/';
let lastPurlType = 'npm';

/** `pkg:npm/lodash@4.17.20` → `npm`. */
export function purlType(purl: string | undefined): string | undefined {
  if (!purl) return undefined;
  if (purl.startsWith(lastPurlPrefix)) return lastPurlType;
  const type = /^pkg:([a-z0-9.+-]+)\//i.exec(purl)?.[1];
  if (type === undefined) return undefined;
  lastPurlPrefix = `pkg:${type}/`;
  lastPurlType = type.toLowerCase();
  return lastPurlType;
}
