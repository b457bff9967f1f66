import { isMap, isScalar, isSeq } from 'yaml';
import type { LineCounter, Node, Scalar, YAMLMap } from 'yaml';
import type { Range } from '../lint/finding';

/** Value of `key` in a map node, or undefined. */
export function child(node: unknown, key: string): unknown {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && pair.key.value === key) return pair.value;
  }
  return undefined;
}

export function entries(node: unknown): [string, unknown][] {
  if (!isMap(node)) return [];
  return (node as YAMLMap).items.flatMap((pair) => (isScalar(pair.key) ? [[String(pair.key.value), pair.value] as [string, unknown]] : []));
}

export function items(node: unknown): unknown[] {
  return isSeq(node) ? node.items : [];
}

/**
 * The scalar's text as the file has it. Plain scalars keep their source so that `tag: 1.10`
 * stays "1.10" (YAML would read the float 1.1).
 */
export function scalarText(node: unknown, source: string): string | undefined {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') return undefined;
  const scalar = node as Scalar;
  if (scalar.type === 'PLAIN' && scalar.range) return source.slice(scalar.range[0], scalar.range[1]).trimEnd();
  return String(scalar.value);
}

export function stringScalar(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** The range of a scalar's value, inside its quotes when quoted. */
export function scalarRange(node: unknown, lineCounter: LineCounter, offsetInValue = 0, length?: number): Range | undefined {
  const range = (node as Node | undefined)?.range;
  if (!range) return undefined;
  const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
  const start = range[0] + (quoted ? 1 : 0) + offsetInValue;
  const end = length === undefined ? range[1] - (quoted ? 1 : 0) : start + length;
  return offsetsToRange(start, end, lineCounter);
}

export function offsetsToRange(start: number, end: number, lineCounter: LineCounter): Range {
  const from = lineCounter.linePos(start);
  const to = lineCounter.linePos(end);
  return { start: { line: from.line - 1, character: from.col - 1 }, end: { line: to.line - 1, character: to.col - 1 } };
}
