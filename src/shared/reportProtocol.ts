/**
 * The one message protocol between the report panels (webview/) and the extension. The extension
 * sends data models, never HTML; the webview sends requests the extension validates with
 * `parseWebviewMessage` before acting on them.
 */
import type { GateVerdict, SbomDiff, SbomPackage, ScanFinding, ScanReport } from './reportModel';

/** Where a panel's content came from, kept in the webview state so the panel reopens after a reload. */
export interface ReportSource {
  /** Absolute paths of the report, or of the two SBOMs of a diff (before, after). */
  readonly paths: readonly string[];
  /** Shown in the panel's title and header: a file name, or `repo:tag` for a registry attachment. */
  readonly labels: readonly string[];
  /** The image the report belongs to, when known (`host/repo@sha256:…`). */
  readonly subject?: string;
}

export interface ScanView {
  readonly kind: 'scan';
  readonly source: ReportSource;
  readonly report: ScanReport;
  readonly verdict: GateVerdict;
  /** The gate in words (`block on CRITICAL, at most 5 HIGH`), or undefined when none is configured. */
  readonly gate?: string;
}

export interface LicenseRow {
  readonly license: string;
  readonly packages: number;
  readonly denied: boolean;
}

export interface SbomView {
  readonly kind: 'sbom';
  readonly source: ReportSource;
  readonly format: string;
  readonly tool?: string;
  readonly created?: string;
  readonly subject?: string;
  readonly packages: readonly SbomPackage[];
  /** [package id, ids it depends on], where the SBOM says: entries, not an object, so an id such as `constructor` is just an id. */
  readonly dependencies: readonly (readonly [string, readonly string[]])[];
  readonly licenses: readonly LicenseRow[];
  readonly unlicensed: number;
  /** Ids of packages with a denied license. */
  readonly deniedPackages: readonly string[];
  readonly vulnerabilities: readonly ScanFinding[];
  /** Where the vulnerabilities came from: the SBOM itself, or a scan report of the same image. */
  readonly vulnerabilitySource?: string;
}

export interface DiffView {
  readonly kind: 'diff';
  readonly source: ReportSource;
  readonly diff: SbomDiff;
  /** Vulnerabilities only after (gained) or only before (lost), when both sides carry them. */
  readonly vulnerabilities?: { readonly gained: readonly ScanFinding[]; readonly lost: readonly ScanFinding[] };
}

export type ReportView = ScanView | SbomView | DiffView;

export type ExportFormat = 'csv' | 'json' | 'sarif';

export type HostMessage =
  | { readonly type: 'show'; readonly view: ReportView }
  | { readonly type: 'error'; readonly message: string };

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'openLink'; readonly url: string }
  | { readonly type: 'export'; readonly format: ExportFormat }
  /** "No gate configured": open where gates are written (`.steward.yaml` gates, else the setting). */
  | { readonly type: 'configureGate' };

const EXPORT_FORMATS: readonly string[] = ['csv', 'json', 'sarif'];

/** The webview is untrusted input: anything that is not exactly one of the messages is dropped. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'configureGate':
      return { type: 'configureGate' };
    case 'openLink':
      return typeof message.url === 'string' && isWebLink(message.url) ? { type: 'openLink', url: message.url } : undefined;
    case 'export':
      return typeof message.format === 'string' && EXPORT_FORMATS.includes(message.format) ? { type: 'export', format: message.format as ExportFormat } : undefined;
    default:
      return undefined;
  }
}

/** Only http and https links leave a report (no `javascript:`, `file:`, `command:`). */
export function isWebLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** What the webview keeps with `setState`: the source to reload from and the view's filters. */
export interface PanelState {
  readonly source: ReportSource;
  readonly kind: ReportView['kind'];
  readonly ui?: Readonly<Record<string, string | boolean>>;
}
