/**
 * The plain data of scan reports and SBOMs: what core's readers produce and what the report panels
 * render. Plain JSON-able shapes only (no Map, no class), so they cross the webview boundary as is.
 */
export type ScanSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

export const SEVERITIES: readonly ScanSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

export interface ScanFinding {
  readonly kind: 'vulnerability' | 'misconfiguration' | 'secret';
  readonly id: string;
  readonly severity: ScanSeverity;
  readonly packageName?: string;
  readonly installedVersion?: string;
  readonly fixedVersion?: string;
  readonly purl?: string;
  /** What was scanned: an OS layer, a lock file, a Dockerfile. */
  readonly target?: string;
  readonly title?: string;
  readonly description?: string;
  readonly urls: readonly string[];
  /** The highest CVSS base score the report gives, when it gives one. */
  readonly cvss?: number;
}

export interface ScanReport {
  readonly format: 'trivy' | 'grype' | 'sarif' | 'cyclonedx';
  readonly tool: string;
  /** The image or folder that was scanned. */
  readonly artifact?: string;
  readonly findings: readonly ScanFinding[];
}

export interface SbomPackage {
  readonly id: string;
  readonly name: string;
  readonly version?: string;
  /** From the purl (`npm`, `deb`, `golang`, …), or the component type. */
  readonly type?: string;
  readonly purl?: string;
  readonly licenses: readonly string[];
  readonly supplier?: string;
}

export interface GateVerdict {
  readonly pass: boolean;
  readonly reasons: readonly string[];
  readonly counts: Readonly<Record<ScanSeverity, number>>;
  /** Findings the allow-list or ignoreUnfixed took out, with why. */
  readonly excluded: readonly { readonly finding: ScanFinding; readonly why: string }[];
}

export interface SbomDiff {
  readonly added: readonly SbomPackage[];
  readonly removed: readonly SbomPackage[];
  readonly changed: readonly { readonly before: SbomPackage; readonly after: SbomPackage }[];
}
