import type { ScanFinding, ScanReport, ScanSeverity, SbomPackage } from '../../shared/reportModel';

/** Core's SBOM keeps dependencies in a Map for lookups; the panels receive them as a plain record. */
export interface Sbom {
  readonly format: 'cyclonedx' | 'spdx';
  readonly specVersion: string;
  readonly tool?: string;
  readonly created?: string;
  readonly subject?: string;
  readonly packages: readonly SbomPackage[];
  /** Package id → ids it depends on (or contains), where the SBOM says. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** CycloneDX can carry vulnerabilities of its components. */
  readonly vulnerabilities: readonly ScanFinding[];
}

export type ReadResult =
  | { readonly kind: 'scan'; readonly report: ScanReport }
  | { readonly kind: 'sbom'; readonly sbom: Sbom }
  | { readonly kind: 'error'; readonly message: string };

/** Maps every scanner's words (Negligible, moderate, error, 9.8) onto one scale. */
export function normaliseSeverity(value: unknown): ScanSeverity {
  if (typeof value === 'number') return value >= 9 ? 'CRITICAL' : value >= 7 ? 'HIGH' : value >= 4 ? 'MEDIUM' : value > 0 ? 'LOW' : 'UNKNOWN';
  const word = String(value ?? '').toUpperCase();
  if (word === 'CRITICAL') return 'CRITICAL';
  if (word === 'HIGH' || word === 'ERROR' || word === 'IMPORTANT') return 'HIGH';
  if (word === 'MEDIUM' || word === 'MODERATE' || word === 'WARNING') return 'MEDIUM';
  if (word === 'LOW' || word === 'NEGLIGIBLE' || word === 'NOTE' || word === 'INFO' || word === 'NONE') return 'LOW';
  return 'UNKNOWN';
}

/** `pkg:npm/lodash@4.17.20` → `npm`. */
export function purlType(purl: string | undefined): string | undefined {
  return purl ? /^pkg:([a-z0-9.+-]+)\//i.exec(purl)?.[1]?.toLowerCase() : undefined;
}
