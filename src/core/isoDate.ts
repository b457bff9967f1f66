// Its own module: the config loader checks dates, and must not load the report readers (license
// lists, purl parser) into every `steward check`.

/** `YYYY-MM-DD` that is a real day (no 2027-02-30), or why not. */
export function isoDateProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a date (write YYYY-MM-DD)';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return `"${value}" is not a date (write YYYY-MM-DD)`;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? undefined : `"${value}" is not a day of the calendar`;
}
