// Reading JSON we did not write (scan reports, SBOMs, VEX): every accessor tolerates null, a wrong
// type or a missing key, so a hostile or truncated file is read as "absent", never as a crash.

export type Json = Readonly<Record<string, unknown>>;

const EMPTY: Json = Object.freeze({});
const NONE: readonly Json[] = Object.freeze([]);

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is an object, else an empty one. */
export function object(value: unknown): Json {
  return isObject(value) ? value : EMPTY;
}

/** The objects of an array (nulls, strings and numbers in it skipped); not an array reads as empty. */
export function objects(value: unknown): readonly Json[] {
  if (!Array.isArray(value)) return NONE;
  // Most arrays are clean: return them as they are, copy only when something must be left out.
  for (let index = 0; index < value.length; index++) {
    if (!isObject(value[index])) return value.filter(isObject);
  }
  return value as Json[];
}

/** The non-empty strings of an array. */
export function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const found: string[] = [];
  for (const entry of value) if (typeof entry === 'string' && entry.length > 0) found.push(entry);
  return found;
}

/** A non-empty string, trimmed; anything else is absent. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
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
