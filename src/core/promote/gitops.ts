import { isMap, isScalar, parse, parseAllDocuments, visit } from 'yaml';
import type { Pair, Scalar, YAMLMap } from 'yaml';
import { imageOccurrences } from '../lint/engine';
import { child, items } from '../manifests/yamlNodes';
import { documentKind } from '../manifests/scan';
import { fullName, parseReference } from '../reference/parse';

export interface ManifestChange {
  /** 1-based line of the change. */
  readonly line: number;
  readonly from: string;
  readonly to: string;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly from: string;
}

/** `host/repo:tag@digest` → its parts (the promoted reference). */
function splitReference(reference: string): { name: string; tag: string; digest: string } {
  const parsed = parseReference(reference);
  if (!parsed.ok || !parsed.reference.tag || !parsed.reference.digest) throw new Error(`${reference} is not a repo:tag@digest reference`);
  return { name: `${parsed.reference.domain}/${parsed.reference.path}`, tag: parsed.reference.tag, digest: parsed.reference.digest };
}

function nameOf(text: string): string | undefined {
  const parsed = parseReference(text);
  return parsed.ok ? fullName(parsed.reference) : undefined;
}

/** A scalar's new source text in its old style; a plain scalar that would read as a number or boolean is quoted. */
function scalarSource(node: Scalar, value: string): string {
  if (node.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (node.type === 'QUOTE_DOUBLE' || typeof parse(value) !== 'string') return JSON.stringify(value);
  return value;
}

function newScalarSource(value: string): string {
  return typeof parse(value) === 'string' && !/[#{}[\],&*!|>'"%@`]/.test(value[0] ?? '') ? value : JSON.stringify(value);
}

/** Edits that give `map` these keys: existing scalars are replaced in place, missing keys added after the last pair. */
function setKeys(map: YAMLMap, text: string, values: readonly (readonly [key: string, value: string])[]): Edit[] {
  const edits: Edit[] = [];
  const missing: [string, string][] = [];
  for (const [key, value] of values) {
    const pair = map.items.find((candidate) => isScalar(candidate.key) && candidate.key.value === key) as Pair<Scalar, unknown> | undefined;
    const node = pair?.value;
    if (isScalar(node) && node.range) {
      if (String(node.value) !== value) edits.push({ start: node.range[0], end: node.range[1], text: scalarSource(node, value), from: text.slice(node.range[0], node.range[1]) });
    } else missing.push([key, value]);
  }
  const last = map.items.at(-1);
  const lastEnd = (last?.value as Scalar | undefined)?.range?.[1] ?? (last?.key as Scalar | undefined)?.range?.[1];
  const firstKey = map.items[0]?.key as Scalar | undefined;
  if (missing.length > 0 && lastEnd !== undefined && firstKey?.range) {
    if (map.flow) {
      edits.push({ start: lastEnd, end: lastEnd, text: missing.map(([key, value]) => `, ${key}: ${newScalarSource(value)}`).join(''), from: '' });
    } else {
      const lineStart = text.lastIndexOf('\n', firstKey.range[0] - 1) + 1;
      const indent = ' '.repeat(firstKey.range[0] - lineStart);
      // After the last pair's line, so a comment at its end stays with it.
      const lineEnd = text.indexOf('\n', lastEnd);
      const at = lineEnd === -1 ? text.length : lineEnd;
      edits.push({ start: at, end: at, text: missing.map(([key, value]) => `\n${indent}${key}: ${newScalarSource(value)}`).join(''), from: '' });
    }
  }
  return edits;
}

/** Kustomize `images[]` entries for the image: newName, newTag and digest set (comments and layout kept). */
function kustomizeEdits(root: unknown, text: string, match: ReadonlySet<string>, promoted: ReturnType<typeof splitReference>): Edit[] {
  return items(child(root, 'images')).flatMap((entry) => {
    if (!isMap(entry)) return [];
    const name = String((child(entry, 'name') as Scalar | undefined)?.value ?? '');
    const current = String((child(entry, 'newName') as Scalar | undefined)?.value ?? name);
    if (!match.has(nameOf(current) ?? '')) return [];
    const keys: [string, string][] = nameOf(name) === promoted.name && !child(entry, 'newName') ? [] : [['newName', promoted.name]];
    return setKeys(entry, text, [...keys, ['newTag', promoted.tag], ['digest', promoted.digest]]);
  });
}

/** Helm `image:` maps (`registry`, `repository`, `tag`, `digest`) for the image, at any depth. */
function helmEdits(root: unknown, text: string, match: ReadonlySet<string>, promoted: ReturnType<typeof splitReference>): Edit[] {
  const edits: Edit[] = [];
  visit(root as never, {
    Map(_key, map) {
      const repository = (child(map, 'repository') as Scalar | undefined)?.value;
      if (typeof repository !== 'string') return;
      const registry = (child(map, 'registry') as Scalar | undefined)?.value;
      if (!match.has(nameOf(typeof registry === 'string' && registry ? `${registry}/${repository}` : repository) ?? '')) return;
      const [host, ...path] = promoted.name.split('/');
      const names: [string, string][] = typeof registry === 'string' ? [['registry', host!], ['repository', path.join('/')]] : [['repository', promoted.name]];
      // A `digest` key where the chart has one; otherwise tag@digest, which `repo:{{ tag }}` renders as a pinned reference.
      const pin: [string, string][] = child(map, 'digest') !== undefined ? [['tag', promoted.tag], ['digest', promoted.digest]] : [['tag', `${promoted.tag}@${promoted.digest}`]];
      edits.push(...setKeys(map, text, [...names, ...pin]));
    },
  });
  return edits;
}

/**
 * Points every use of the promoted image in one file (a literal reference in a Dockerfile,
 * Kubernetes or Compose file; Kustomize `images[]`; Helm image maps) at `newReference`
 * (`host/repo:tag@digest`). `match` holds the full names (`host/repo`) that count as the image:
 * the source and the target repository. Everything else in the text stays byte for byte.
 */
export function pointManifestsAt(path: string, text: string, match: readonly string[], newReference: string): { text: string; changes: ManifestChange[] } {
  const promoted = splitReference(newReference);
  const names = new Set(match.map((name) => nameOf(name) ?? name));
  const lineStarts: number[] = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) lineStarts.push(index + 1);
  const edits: Edit[] = [];
  for (const occurrence of imageOccurrences(path, text)) {
    const { range, written } = occurrence;
    if (!occurrence.parsed.ok || written !== occurrence.text || range.start.line !== range.end.line) continue;
    const start = lineStarts[range.start.line]! + range.start.character;
    if (text.slice(start, start + written.length) !== written || !names.has(fullName(occurrence.parsed.reference))) continue;
    if (written !== newReference) edits.push({ start, end: start + written.length, text: newReference, from: written });
  }
  if (/\.ya?ml$/i.test(path)) {
    for (const document of parseAllDocuments(text)) {
      if (Array.isArray(document) || document.errors.length > 0) continue;
      const kind = documentKind(path, document.contents);
      const documentEdits = kind === 'kustomize' ? kustomizeEdits(document.contents, text, names, promoted) : kind === 'helm-values' ? helmEdits(document.contents, text, names, promoted) : [];
      // A loop, not push(...spread): a document may hold more images than a call takes arguments.
      for (const edit of documentEdits) edits.push(edit);
    }
  }
  // Map edits and literal edits can touch the same scalar (a Helm `image: repo:tag` string): keep the first.
  const unique = edits.sort((a, b) => b.start - a.start).filter((edit, index, all) => index === 0 || edit.end <= all[index - 1]!.start || edit.start >= all[index - 1]!.end);
  let result = text;
  for (const edit of unique) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  const changes = unique.reverse().map((edit) => ({ line: text.slice(0, edit.start).split('\n').length, from: edit.from, to: edit.text.trim() }));
  return { text: result, changes };
}
