// Reading JSON we did not write (scan reports, SBOMs, VEX): every accessor tolerates null, a wrong
// type or a missing key, so a hostile or truncated file is read as "absent", never as a crash.

export type Json = Readonly<Record<string, unknown>>;

const EMPTY: Json = Object.freeze({});
const NONE: readonly never[] = Object.freeze([]);

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is an object, else an empty one. */
export function object(value: unknown): Json {
  return isObject(value) ? value : EMPTY;
}

/** The entries of an array that `keep` accepts; not an array reads as empty. */
function entriesWhere<T>(value: unknown, keep: (entry: unknown) => entry is T): readonly T[] {
  if (!Array.isArray(value)) return NONE;
  // Most arrays are clean: return them as they are (nothing copied), copy only when something must be left out.
  for (let index = 0; index < value.length; index++) {
    if (!keep(value[index])) return value.filter(keep);
  }
  return value as T[];
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The objects of an array (nulls, strings and numbers in it skipped). */
export function objects(value: unknown): readonly Json[] {
  return entriesWhere(value, isObject);
}

/** The non-empty strings of an array. */
export function strings(value: unknown): readonly string[] {
  return entriesWhere(value, isNonEmptyString);
}

/** Every character `trim` removes is one of these (tab to CR, space, no-break space, or U+1680 and above). */
const mayBeSpace = (code: number): boolean => code <= 0x20 || code === 0xa0 || code >= 0x1680;

/** A non-empty string, trimmed; anything else is absent. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  // Readers call this for every field of every package, and nearly no value has anything to trim.
  if (!mayBeSpace(value.charCodeAt(0)) && !mayBeSpace(value.charCodeAt(value.length - 1))) return value;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** A finite number, also from a numeric string (`"9.8"`). */
export function finiteNumber(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : undefined;
}

/** The largest of the numbers, without spreading them into arguments (a report can hold 300,000). */
export function largest(numbers: Iterable<number | undefined>): number | undefined {
  let best: number | undefined;
  for (const number of numbers) if (number !== undefined && (best === undefined || number > best)) best = number;
  return best;
}

/** Leaves out undefined values so optional properties stay absent. */
export function optional<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  // A plain loop: this runs once per package of SBOMs with tens of thousands of them.
  const present: Record<string, unknown> = {};
  for (const key in values) if (values[key] !== undefined) present[key] = values[key];
  return present as { [K in keyof T]?: Exclude<T[K], undefined> };
}
