/**
 * A look at a YAML file's text that proves, before any parse, that no extractor can find an image
 * reference in it: most YAML of a real tree (chart templates, CRDs, dashboards in ConfigMaps) names
 * no image, and parsing it is nearly all of `steward check`'s time (≈ 20 µs a line).
 *
 * Every reference the extractors read (extractors.ts) sits under a key spelled with one of these
 * words, or is a `uses:` value starting `docker://`: `image`/`images` (Kubernetes, Compose,
 * Kustomize, Helm, GitLab, GitHub container maps), `container` (GitHub `container: node:20`),
 * `services` (GitHub and GitLab services written as strings). Keys compare case-sensitively, and
 * the only YAML spelling of a word without its letters in a row is a double-quoted escape (`\x69`,
 * `\u0069`, `\U…`) or an escaped line break joining two halves: any of those in the text and the
 * file is parsed. Aliases and merge keys repeat text the file also holds.
 *
 * Used where only images matter: `steward check` skips the neighbour-file lookups (bake, .env,
 * skaffold…) of a file this proves image-free, since they only change what is said about its
 * images, and scanYaml skips the parse of one plainYaml.ts also proves clean. Any other file is
 * still parsed: a broken or duplicate-keyed file is a file-invalid finding whatever it holds, and
 * this look cannot tell a template that will not parse from one that parses with a repeated key.
 * Text that is not text (control characters YAML forbids, bytes that
 * are not UTF-8) always counts as possibly naming images. A new image-bearing key in
 * extractors.ts must add its word here; test/unit/manifests/imageFreeText.test.ts runs every
 * fixture both ways.
 */
const IMAGE_WORD = /image|container|services|docker:|\\[xuU\r\n]/;
// Two expressions, not one: a character class among the words makes the scan of a big file ~2× slower.
const NOT_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/;

// `steward check` asks about a file before choosing its context and scanYaml again right after:
// the last answer is kept, since both expressions read the whole text.
let lastText: string | undefined;
let lastAnswer = true;

/** False when `text` provably holds no image reference any YAML extractor reads. */
export function mayNameImages(text: string): boolean {
  if (text !== lastText) {
    lastAnswer = IMAGE_WORD.test(text) || NOT_TEXT.test(text);
    lastText = text;
  }
  return lastAnswer;
}
