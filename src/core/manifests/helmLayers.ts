import { isMap, isPair, isScalar, isSeq, LineCounter, Pair, parseDocument, visit, YAMLMap } from 'yaml';
import type { Node } from 'yaml';
import { hasUnresolvedSyntax } from '../reference/variables';
import { EXTRACTORS } from './extractors';
import { child } from './yamlNodes';

/**
 * The chart's shared values file a Helm override (`values-<env>.yaml`) is layered over, as
 * `helm -f values.yaml -f values-prod.yaml` layers it: `values.yaml` (or `.yml`) in the same folder,
 * when `exists` says it is there.
 */
export function helmBaseValuesOf(path: string, exists: (path: string) => boolean): string | undefined {
  const slash = path.lastIndexOf('/');
  const [dir, name] = [path.slice(0, slash + 1), path.slice(slash + 1)];
  if (!/^values-[^/]+\.ya?ml$/i.test(name)) return undefined;
  return [`${dir}values.yaml`, `${dir}values.yml`].find(exists);
}

/** Helm's merge of a later values file over an earlier one: maps merged key by key, anything else replaced, `null` deleting a key. */
function mergeValues(base: unknown, override: unknown): unknown {
  if (override === undefined || override === null) return base;
  if (!isMap(base) || !isMap(override)) return override;
  const own = new Map<unknown, Pair>();
  for (const pair of override.items) if (isScalar(pair.key)) own.set(pair.key.value, pair as Pair);
  const merged = new YAMLMap();
  for (const pair of base.items) {
    const later = isScalar(pair.key) ? own.get(pair.key.value) : undefined;
    if (!later) merged.items.push(pair);
    else if (isScalar(later.value) && later.value.value === null) continue;
    else merged.items.push(isMap(later.value) && isMap(pair.value) ? new Pair(later.key, mergeValues(pair.value, later.value)) : later);
  }
  const inBase = new Set(base.items.map((pair) => (isScalar(pair.key) ? pair.key.value : undefined)));
  for (const pair of override.items) if (!isScalar(pair.key) || !inBase.has(pair.key.value)) merged.items.push(pair);
  return merged;
}

/** The value at a key path of a values root (`['worker', 'image']`), or undefined. */
export function valueAt(root: unknown, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((node, key) => child(node, key), root);
}

/** The key path of a node from the ancestors `visit` gives it; undefined under a list (Helm replaces lists whole). */
export function keyPathOf(ancestors: readonly unknown[]): string[] | undefined {
  if (ancestors.some((node) => isSeq(node))) return undefined;
  return ancestors.filter((node): node is Pair => isPair(node)).map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ''));
}

export interface LayeredImage {
  readonly text: string;
  /** The file of the scalar that decides the tag (the override's, unless only the base sets it) and its 1-based line. */
  readonly file: string;
  readonly line: number;
  readonly origin: string;
}

/**
 * The images of a Helm override merged over the chart's shared values, as Helm renders them: each
 * at the line that decides it (the override's tag where it sets one, else the base's), and the
 * `image` maps that still set a tag or digest without a repository, named with their line.
 * Undefined when either file does not parse.
 */
export function layeredHelmImages(override: { path: string; text: string }, base: { path: string; text: string }): { images: LayeredImage[]; unnamed: { file: string; line: number }[] } | undefined {
  // One source holding both texts, the base's offsets moved past the override's: the extractor
  // reads every scalar of the merged tree from it and reports lines in it.
  const source = `${override.text}\n${base.text}`;
  const shift = override.text.length + 1;
  const overrideDocument = parseDocument(override.text, { prettyErrors: false, uniqueKeys: false });
  const baseDocument = parseDocument(base.text, { prettyErrors: false, uniqueKeys: false });
  if (overrideDocument.errors.length > 0 || baseDocument.errors.length > 0) return undefined;
  visit(baseDocument, (_key, node) => {
    const range = (node as Node).range;
    if (range) (node as Node).range = [range[0] + shift, range[1] + shift, range[2] + shift];
  });
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let index = source.indexOf('\n'); index >= 0; index = source.indexOf('\n', index + 1)) lineCounter.addNewLine(index + 1);
  const overrideLines = override.text.split('\n').length;
  const where = (line0: number) => (line0 < overrideLines ? { file: override.path, line: line0 + 1 } : { file: base.path, line: line0 - overrideLines + 1 });
  const merged = mergeValues(baseDocument.contents, overrideDocument.contents);
  const images = EXTRACTORS['helm-values'](merged, { source, lineCounter })
    .filter((image) => !hasUnresolvedSyntax(image.text))
    .map((image) => ({ text: image.text, ...where(image.range.start.line), origin: `${image.origin} (${override.path} over ${base.path})` }));
  return { images, unnamed: unnamedImages(merged, lineCounter).map((line) => where(line - 1)) };
}

/**
 * 1-based lines of `image` maps that set a tag or digest and no repository: the repository comes
 * from a values file layered under them that is not there.
 */
export function unnamedImages(root: unknown, lineCounter: LineCounter): number[] {
  const lines: number[] = [];
  const look = (node: unknown): void => {
    if (isSeq(node)) node.items.forEach(look);
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (isScalar(pair.key) && pair.key.value === 'image' && isMap(pair.value)) {
        const has = (key: string) => child(pair.value, key) !== undefined;
        if ((has('tag') || has('digest')) && !has('repository') && !has('name')) lines.push(lineCounter.linePos(pair.key.range?.[0] ?? 0).line);
      } else look(pair.value);
    }
  };
  look(root);
  return lines;
}
