/**
 * A unified diff for in-place rewrites: one hunk per changed line when no line was added, else one
 * hunk between the common prefix and suffix (the edits here are small and local).
 */
export function lineDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const old = before.split('\n');
  const next = after.split('\n');
  const header = `--- a/${path}\n+++ b/${path}\n`;
  if (old.length === next.length) {
    return header + old.flatMap((line, index) => (line === next[index] ? [] : [`@@ -${index + 1} +${index + 1} @@\n-${line}\n+${next[index]}\n`])).join('');
  }
  let prefix = 0;
  while (prefix < old.length && prefix < next.length && old[prefix] === next[prefix]) prefix += 1;
  let suffix = 0;
  while (suffix < old.length - prefix && suffix < next.length - prefix && old[old.length - 1 - suffix] === next[next.length - 1 - suffix]) suffix += 1;
  const removed = old.slice(prefix, old.length - suffix);
  const added = next.slice(prefix, next.length - suffix);
  return `${header}@@ -${prefix + 1},${removed.length} +${prefix + 1},${added.length} @@\n${[...removed.map((line) => `-${line}`), ...added.map((line) => `+${line}`)].join('\n')}\n`;
}
