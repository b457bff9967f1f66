/** `# steward-ignore rule-a, rule-b -- optional reason` on the line before a finding silences those rules there. */
const SUPPRESSION = /^\s*#\s*steward-ignore\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/;

export const SUPPRESSION_COMMENT = '# steward-ignore';

/** Rule ids suppressed for each line (keyed by the zero-based line the comment applies to). */
export function suppressionsByLine(text: string): Map<number, Set<string>> {
  const suppressions = new Map<number, Set<string>>();
  if (!text.includes('steward-ignore')) return suppressions;
  text.split(/\r?\n/).forEach((line, index) => {
    const match = SUPPRESSION.exec(line);
    if (match) suppressions.set(index + 1, new Set(match[1]!.split(',').map((rule) => rule.trim())));
  });
  return suppressions;
}
