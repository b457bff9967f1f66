/**
 * The one tag order of the explorer and `steward ls`.
 *
 * `version` (the default): version tags first, newest first — `2.0.0`, `2.0.0-rc.10`, `2.0.0-rc.9`,
 * `1.10.0`, `v1.9`, `1` — then every other tag in natural order (`edge`, `latest`, `pr-9`, `pr-17`).
 * A version tag starts with an optional `v` and one to three dot-separated numbers, optionally
 * followed by `-suffix` (a pre-release or a variant such as `-alpine3.19`); missing parts count as 0,
 * a tag without a suffix comes before the same version with one, suffixes compare naturally.
 * `name`: natural order (numbers inside names compare as numbers). `date`: newest `created` first,
 * undated last, ties in version order.
 */
export type TagSort = 'version' | 'name' | 'date';

// Made on first use: building a collator loads ICU data (≈ 5 ms), a cost at import for every CLI command.
let natural: Intl.Collator | undefined;
const VERSION_TAG = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-(.+))?$/;

/** Natural order, with a plain comparison last so that the order is total (`A` and `a` never tie). */
export function compareNatural(a: string, b: string): number {
  natural ??= new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return natural.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function versionOf(tag: string): { readonly parts: readonly number[]; readonly suffix: string } | undefined {
  const match = VERSION_TAG.exec(tag);
  if (!match) return undefined;
  return { parts: [match[1], match[2], match[3]].map((part) => Number(part ?? 0)), suffix: match[4] ?? '' };
}

type Version = ReturnType<typeof versionOf>;

function compareVersions(a: string, va: Version, b: string, vb: Version): number {
  if (!va || !vb) return va ? -1 : vb ? 1 : compareNatural(a, b);
  for (let index = 0; index < 3; index += 1) if (va.parts[index] !== vb.parts[index]) return vb.parts[index]! - va.parts[index]!;
  if (!va.suffix !== !vb.suffix) return va.suffix ? 1 : -1;
  return compareNatural(vb.suffix, va.suffix) || compareNatural(a, b);
}

/** Version tags newest first, then the rest in natural order. */
export function compareByVersion(a: string, b: string): number {
  return compareVersions(a, versionOf(a), b, versionOf(b));
}

/** Tags in `sort` order; `created` gives a tag's date for `date` (undefined: undated). */
export function sortTags(tags: readonly string[], sort: TagSort, created: (tag: string) => string | undefined = () => undefined): string[] {
  if (sort === 'name') return [...tags].sort(compareNatural);
  // Each tag parsed once, not once per comparison: repositories with 100,000 tags are sorted on request.
  const keyed = tags.map((tag) => ({ tag, version: versionOf(tag), time: sort === 'date' ? Date.parse(created(tag) ?? '') : 0 }));
  const byVersion = (a: (typeof keyed)[number], b: (typeof keyed)[number]) => compareVersions(a.tag, a.version, b.tag, b.version);
  const time = (entry: (typeof keyed)[number]) => (Number.isNaN(entry.time) ? -Infinity : entry.time);
  return keyed.sort(sort === 'version' ? byVersion : (a, b) => time(b) - time(a) || byVersion(a, b)).map(({ tag }) => tag);
}
