/** Zero-based line and UTF-16 column, as editors count them. */
export interface Position {
  readonly line: number;
  readonly character: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

/** Another place that explains a finding (the global ARG a stage cannot see, say). */
export interface RelatedLocation {
  readonly range: Range;
  readonly message: string;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  readonly related?: readonly RelatedLocation[];
}

/** What a rule reports before configuration decides its severity. */
export interface RuleHit {
  readonly range: Range;
  readonly message: string;
  readonly related?: readonly RelatedLocation[];
  /** Overrides the rule's configured severity for this hit (major.minor tags are info by default). */
  readonly severity?: SeveritySetting;
}

export function compareFindings(a: Finding, b: Finding): number {
  // Plain comparison: rule ids are ASCII, and localeCompare is slow on files with many findings.
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}
