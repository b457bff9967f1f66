/**
 * The plain data of scan reports and SBOMs: what core's readers produce and what the report panels
 * render. Plain JSON-able shapes only (no Map, no class), so they cross the webview boundary as is.
 */
export type ScanSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

export const SEVERITIES: readonly ScanSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

export type FindingKind = 'vulnerability' | 'misconfiguration' | 'secret' | 'license';

/** What the report itself says of a check: it failed (a finding), passed, or its tool suppressed it. */
export type FindingStatus = 'fail' | 'pass' | 'suppressed';

export interface ScanFinding {
  readonly kind: FindingKind;
  readonly status: FindingStatus;
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
  /** Why the report's tool passed or suppressed it (SARIF suppression, CycloneDX analysis, Trivy status). */
  readonly statusReason?: string;
}

export interface ScanReport {
  readonly format: 'trivy' | 'grype' | 'sarif' | 'cyclonedx';
  readonly tool: string;
  /** The image or folder that was scanned. */
  readonly artifact?: string;
  /** The image digests the report says it is about (Trivy `RepoDigests`, a CycloneDX `pkg:oci` subject). */
  readonly images?: readonly ScannedImage[];
  readonly findings: readonly ScanFinding[];
}

export interface ScannedImage {
  /** `host/repository`, when the report names it. */
  readonly repository?: string;
  readonly digest: string;
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

/**
 * What a gate made of one finding: it counts against the gate, or the gate set it aside because it
 * has no fix (ignoreUnfixed), an exception allows it, a VEX statement says the image is not affected,
 * or the report itself passed or suppressed it.
 */
export type GateStatus = 'counted' | 'unfixed' | 'allowed' | 'not-affected' | 'passed' | 'suppressed';

export interface FindingDecision {
  readonly status: GateStatus;
  /** The exception (`allowed: <id>: <reason>`), the VEX statement, or the report's reason. */
  readonly why?: string;
}

export interface GateVerdict {
  readonly pass: boolean;
  readonly reasons: readonly string[];
  /** Per severity, the findings that count against the gate (never passed or set-aside ones). */
  readonly counts: Readonly<Record<ScanSeverity, number>>;
  /** One decision per finding of the report, in the report's order. */
  readonly decisions: readonly FindingDecision[];
  /** Counted findings whose report gives no severity. */
  readonly withoutSeverity: number;
  /** VEX statements that matched no finding, each with why. */
  readonly unmatchedStatements: readonly string[];
}

export interface SbomDiff {
  readonly added: readonly SbomPackage[];
  readonly removed: readonly SbomPackage[];
  readonly changed: readonly { readonly before: SbomPackage; readonly after: SbomPackage }[];
}
