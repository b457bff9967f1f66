/** Edits between two words, a swap of neighbours counting as one (`chekc` is one edit from `check`). */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between the first i letters of a and the first j of b.
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The word of `words` closest to `typed`, when it is close enough to be a slip of the keyboard:
 * at most two edits, and fewer than half its letters (so `lint` suggests nothing rather than `pin`).
 */
export function nearestWord(typed: string, words: readonly string[]): string | undefined {
  let nearest: { word: string; distance: number } | undefined;
  for (const word of words) {
    const distance = editDistance(typed.toLowerCase(), word);
    if (distance <= 2 && distance < typed.length / 2 && (!nearest || distance < nearest.distance)) nearest = { word, distance };
  }
  return nearest?.word;
}
