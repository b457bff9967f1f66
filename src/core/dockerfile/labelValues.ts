import parseSpdxExpression from 'spdx-expression-parse';
import { compileUserRegex } from '../patterns/userPatterns';
import { parseReference } from '../reference/parse';

export const OCI_PREFIX = 'org.opencontainers.image.';

/** Formats a label value can be required to have. */
export type LabelValueType = 'text' | 'url' | 'date-time' | 'spdx-expression' | 'git-revision' | 'semver' | 'digest' | 'reference';

export const LABEL_VALUE_TYPES: readonly LabelValueType[] = ['text', 'url', 'date-time', 'spdx-expression', 'git-revision', 'semver', 'digest', 'reference'];

export interface RequiredLabel {
  readonly key: string;
  readonly type: LabelValueType;
  /** A regular expression the whole value must match, for team-specific formats. */
  readonly pattern?: string;
}

/** The formats the OCI image spec gives its keys (annotations.md). */
export const OCI_KEY_TYPES: ReadonlyMap<string, LabelValueType> = new Map([
  [`${OCI_PREFIX}created`, 'date-time'],
  [`${OCI_PREFIX}source`, 'url'],
  [`${OCI_PREFIX}url`, 'url'],
  [`${OCI_PREFIX}documentation`, 'url'],
  [`${OCI_PREFIX}licenses`, 'spdx-expression'],
  [`${OCI_PREFIX}revision`, 'git-revision'],
  [`${OCI_PREFIX}base.digest`, 'digest'],
  [`${OCI_PREFIX}base.name`, 'reference'],
]);

export const DEFAULT_REQUIRED_LABELS: readonly RequiredLabel[] = ['source', 'revision', 'created', 'version', 'title', 'description']
  .map((name) => ({ key: OCI_PREFIX + name, type: OCI_KEY_TYPES.get(OCI_PREFIX + name) ?? 'text' }));

/** label-schema.org keys and the OCI keys that replace them. */
export const LABEL_SCHEMA_TO_OCI: ReadonlyMap<string, string | undefined> = new Map([
  ['org.label-schema.build-date', `${OCI_PREFIX}created`],
  ['org.label-schema.url', `${OCI_PREFIX}url`],
  ['org.label-schema.vcs-url', `${OCI_PREFIX}source`],
  ['org.label-schema.version', `${OCI_PREFIX}version`],
  ['org.label-schema.vcs-ref', `${OCI_PREFIX}revision`],
  ['org.label-schema.vendor', `${OCI_PREFIX}vendor`],
  ['org.label-schema.name', `${OCI_PREFIX}title`],
  ['org.label-schema.description', `${OCI_PREFIX}description`],
  ['org.label-schema.usage', `${OCI_PREFIX}documentation`],
  ['org.label-schema.schema-version', undefined],
]);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;
// semver.org's recommended expression, with the `v` prefix tags commonly carry.
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function dateTimeProblem(value: string): string | undefined {
  const match = RFC3339.exec(value);
  if (!match) return 'is not an RFC 3339 date-time (e.g. 2024-05-01T12:00:00Z)';
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = match[9] === undefined || (Number(match[9]) < 24 && Number(match[10]) < 60);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60 || !offsetOk) {
    return 'is not a real date and time';
  }
  return undefined;
}

function urlProblem(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol && url.host ? undefined : 'is not an absolute URL with a host';
  } catch {
    return 'is not an absolute URL (e.g. https://github.com/org/repo)';
  }
}

function spdxProblem(value: string): string | undefined {
  try {
    parseSpdxExpression(value);
    return undefined;
  } catch (error) {
    return `is not an SPDX license expression (${(error as Error).message})`;
  }
}

/**
 * Longer values of a formatted type are reported as too long, not checked: the SPDX parser
 * recurses and slows with length (a 1 MB licenses value overflows the stack); no real value comes
 * near this. Custom patterns run on RE2 in linear time, so they see the whole value.
 */
export const MAX_CHECKED_VALUE_LENGTH = 4096;

/** Returns why `value` does not have `type`'s format, or undefined when it does. */
export function labelValueProblem(value: string, type: LabelValueType, pattern?: string): string | undefined {
  if (pattern !== undefined && !compileUserRegex(pattern).testWhole(value)) return `does not match the pattern ${pattern}`;
  if (type !== 'text' && value.length > MAX_CHECKED_VALUE_LENGTH) return `is too long to check (${value.length} characters, over ${MAX_CHECKED_VALUE_LENGTH})`;
  switch (type) {
    case 'text':
      return undefined;
    case 'url':
      return urlProblem(value);
    case 'date-time':
      return dateTimeProblem(value);
    case 'spdx-expression':
      return spdxProblem(value);
    case 'git-revision':
      // 7–40 hex for SHA-1 repositories; 64 for SHA-256 ones (git's object-format=sha256).
      return /^(?:[0-9a-fA-F]{7,40}|[0-9a-fA-F]{64})$/.test(value) ? undefined : 'is not a git commit id (7 to 40 hex characters)';
    case 'semver':
      return SEMVER.test(value) ? undefined : 'is not a semantic version (e.g. 1.4.2 or v1.4.2)';
    case 'digest':
      return /^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/.test(value) ? undefined : 'is not a content digest (sha256:<64 hex>)';
    case 'reference': {
      const parsed = parseReference(value);
      return parsed.ok ? undefined : `is not an image reference (${parsed.error})`;
    }
  }
}
