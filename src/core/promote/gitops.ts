import semver from 'semver';
import { isMap, isScalar, parse, parseAllDocuments, parseDocument, visit } from 'yaml';
import type { Pair, Scalar, YAMLMap } from 'yaml';
import { imageOccurrences } from '../lint/engine';
import { child, items, scalarText } from '../manifests/yamlNodes';
import { keyPathOf, valueAt } from '../manifests/helmLayers';
import { documentKind } from '../manifests/scan';
import { parseReference } from '../reference/parse';
import type { ImageReference } from '../reference/parse';
import { normalizeRegistryHost } from '../reference/registryHost';

/** What a promotion asks the manifests to deploy. */
export interface PromotedImage {
  /** `host/repo:tag@digest` in the target repository. */
  readonly reference: string;
  /** The reference that was promoted (`host/repo:tag` or `host/repo@digest`). */
  readonly source: string;
}

/**
 * Why moving a reference needs the user's explicit yes: the promoted tag is older than (or not
 * known to be newer than) what it deploys now, or the reference is the promoted source and moves
 * to another repository.
 */
export type Concern = 'older' | 'not-known-newer' | 'other-repository';

/** One reference pointed at the promoted image: a single replacement of the original text. */
export interface ReferenceUpdate {
  /** 1-based line of the reference. */
  readonly line: number;
  /** Offsets in the original text that `text` replaces. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** The reference as it reads now, and after the update. */
  readonly from: string;
  readonly to: string;
  readonly concern?: { readonly kind: Concern; readonly reason: string };
}

/** A reference to the target or source repository that no flag or confirmation can move. */
export interface SkippedReference {
  readonly line: number;
  readonly from: string;
  readonly reason: string;
}

export interface ReferencePlan {
  readonly updates: readonly ReferenceUpdate[];
  readonly skipped: readonly SkippedReference[];
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface Repository {
  /** Host after normalisation (`127.0.0.1:5000` and `localhost:5000` are one registry). */
  readonly host: string;
  readonly path: string;
}

interface Promotion {
  /** `host/repo` as the promoted reference spells it: what a moved reference is renamed to. */
  readonly targetName: string;
  readonly target: Repository;
  readonly tag: string;
  readonly digest: string;
  /** Undefined for a source no manifest can name (an OCI layout). */
  readonly source?: Repository & { readonly name: string; readonly tag?: string; readonly digest?: string };
}

type Decision = { readonly move: 'in-place' | 'to-target'; readonly concern?: ReferenceUpdate['concern'] } | { readonly skip: string };

function parsed(text: string): ImageReference | undefined {
  const result = parseReference(text);
  return result.ok ? result.reference : undefined;
}

function repositoryOf(reference: ImageReference): Repository {
  return { host: normalizeRegistryHost(reference.domain), path: reference.path };
}

function sameRepository(reference: ImageReference, repository: Repository | undefined): boolean {
  return repository !== undefined && normalizeRegistryHost(reference.domain) === repository.host && reference.path === repository.path;
}

/** The tag a reference pulls: an untagged name means `latest`, a bare digest none. */
function tagOf(reference: { readonly tag?: string; readonly digest?: string }): string | undefined {
  return reference.tag ?? (reference.digest ? undefined : 'latest');
}

function promotionOf(promoted: PromotedImage): Promotion {
  const target = parsed(promoted.reference);
  if (!target?.tag || !target.digest) throw new Error(`${promoted.reference} is not a repo:tag@digest reference`);
  const source = parsed(promoted.source);
  return {
    targetName: `${target.domain}/${target.path}`, target: repositoryOf(target), tag: target.tag, digest: target.digest,
    ...(source ? { source: { ...repositoryOf(source), name: `${source.domain}/${source.path}`, ...(tagOf(source) ? { tag: tagOf(source)! } : {}), ...(source.digest ? { digest: source.digest } : {}) } } : {}),
  };
}

/** Versions are compared only where both tags are SemVer; anything else is not known to be newer. */
function versionConcern(current: string | undefined, promoted: string): ReferenceUpdate['concern'] | undefined {
  const was = current === undefined ? null : semver.valid(current, { loose: true });
  const now = semver.valid(promoted, { loose: true });
  if (was && now) return semver.lt(now, was) ? { kind: 'older', reason: `${promoted} is older than ${current}` } : undefined;
  return { kind: 'not-known-newer', reason: `${promoted} is not known to be newer than ${current ?? 'the digest it pins'} (only SemVer tags compare)` };
}

/**
 * What happens to a reference: references to the target repository move to the promoted tag
 * (with a concern when that is not known to be newer); the promoted source image itself may move
 * to the target repository (a concern: another repository); other images of the source
 * repository stay. Undefined for references to neither repository.
 */
function decide(current: ImageReference, promotion: Promotion): Decision | undefined {
  if (sameRepository(current, promotion.target)) {
    if (current.digest === promotion.digest || tagOf(current) === promotion.tag) return { move: 'in-place' };
    const concern = versionConcern(tagOf(current), promotion.tag);
    return concern ? { move: 'in-place', concern } : { move: 'in-place' };
  }
  const { source } = promotion;
  if (!source || !sameRepository(current, source)) return undefined;
  const isPromotedImage = current.digest ? current.digest === promotion.digest : tagOf(current) === source.tag;
  if (!isPromotedImage) return { skip: `another image of ${source.name} than the promoted one` };
  return { move: 'to-target', concern: { kind: 'other-repository', reason: `the promoted source itself: it moves from ${source.name} to ${promotion.targetName}` } };
}

/** `host:5000/app:1.2@sha256:…` → `host:5000/app`, as written. */
function nameAsWritten(written: string): string {
  const withoutDigest = written.split('@')[0]!;
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
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
      if (scalarText(node, text) !== value) edits.push({ start: node.range[0], end: node.range[1], text: scalarSource(node, value) });
    } else missing.push([key, value]);
  }
  const last = map.items.at(-1);
  const lastEnd = (last?.value as Scalar | undefined)?.range?.[1] ?? (last?.key as Scalar | undefined)?.range?.[1];
  const firstKey = map.items[0]?.key as Scalar | undefined;
  if (missing.length > 0 && lastEnd !== undefined && firstKey?.range) {
    if (map.flow) {
      edits.push({ start: lastEnd, end: lastEnd, text: missing.map(([key, value]) => `, ${key}: ${newScalarSource(value)}`).join('') });
    } else {
      const lineStart = text.lastIndexOf('\n', firstKey.range[0] - 1) + 1;
      const indent = ' '.repeat(firstKey.range[0] - lineStart);
      // After the last pair's line, so a comment at its end stays with it.
      const lineEnd = text.indexOf('\n', lastEnd);
      const at = lineEnd === -1 ? text.length : lineEnd;
      edits.push({ start: at, end: at, text: missing.map(([key, value]) => `\n${indent}${key}: ${newScalarSource(value)}`).join('') });
    }
  }
  return edits;
}

/** A Kustomize `images[]` entry or a Helm image map: its reference and how to repoint it. */
interface MapReference {
  readonly current: ImageReference;
  readonly from: string;
  /** Where it is reported: its tag's scalar, else its name's (as the linter does). */
  readonly offset: number;
  /** Edits that make it deploy `tag@digest`, renamed to `name` when given. */
  readonly pointAt: (tag: string, digest: string, name?: string) => Edit[];
}

function scalarValue(node: unknown, text: string): string | undefined {
  const value = scalarText(node, text);
  return value === '' ? undefined : value;
}

function mapReference(from: string, anchor: unknown, pointAt: MapReference['pointAt']): MapReference[] {
  const current = parsed(from);
  return current ? [{ current, from, offset: (anchor as Scalar | undefined)?.range?.[0] ?? 0, pointAt }] : [];
}

/** Kustomize `images[]`: newName (else name), newTag and digest. */
function kustomizeReferences(root: unknown, text: string): MapReference[] {
  return items(child(root, 'images')).flatMap((entry) => {
    if (!isMap(entry)) return [];
    const name = scalarValue(child(entry, 'newName'), text) ?? scalarValue(child(entry, 'name'), text);
    if (!name) return [];
    const tag = scalarValue(child(entry, 'newTag'), text);
    const digest = scalarValue(child(entry, 'digest'), text);
    const anchor = child(entry, 'newTag') ?? child(entry, 'newName') ?? child(entry, 'name');
    return mapReference(name + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : ''), anchor, (newTag, newDigest, newName) =>
      setKeys(entry, text, [...(newName ? [['newName', newName] as const] : []), ['newTag', newTag], ['digest', newDigest]]));
  });
}

/**
 * Helm image maps (`registry`, `repository`, `tag`, `digest`) at any depth. Over `base` (the
 * chart's values.yaml an override is layered over), a map takes the keys it does not set from the
 * base's map at the same key path, as Helm merges them; the edits stay in this file.
 */
function helmReferences(root: unknown, text: string, base?: { readonly root: unknown; readonly text: string }): MapReference[] {
  const found: MapReference[] = [];
  visit(root as never, {
    Map(_key, map, ancestors) {
      const keys = base ? keyPathOf(ancestors) : undefined;
      const under = keys ? valueAt(base!.root, keys) : undefined;
      // A key this file sets wins, even set to null (which deletes the base's).
      const has = (key: string) => child(map, key) !== undefined || child(under, key) !== undefined;
      const value = (key: string) => (child(map, key) !== undefined ? scalarValue(child(map, key), text) : base && scalarValue(child(under, key), base.text));
      const repository = value('repository');
      if (!repository) return;
      // A layered map that sets none of the image's keys leaves the base deciding it.
      if (!['repository', 'registry', 'tag', 'digest'].some((key) => child(map, key) !== undefined)) return;
      const registry = value('registry');
      const tag = value('tag');
      const digest = value('digest');
      const anchor = child(map, 'tag') ?? child(map, 'repository') ?? child(map, 'digest') ?? child(map, 'registry');
      for (const reference of mapReference((registry ? `${registry}/` : '') + repository + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : ''), anchor, (newTag, newDigest, newName) => {
        const [host, ...path] = (newName ?? '').split('/');
        const names: (readonly [string, string])[] = !newName ? [] : has('registry') ? [['registry', host!], ['repository', path.join('/')]] : [['repository', newName]];
        // A `digest` key where the chart has one; otherwise tag@digest, which `repo:{{ tag }}` renders as a pinned reference.
        const pin: (readonly [string, string])[] = has('digest') ? [['tag', newTag], ['digest', newDigest]] : [['tag', `${newTag}@${newDigest}`]];
        return setKeys(map, text, [...names, ...pin]);
      })) found.push(reference);
    },
  });
  return found;
}

/** 1-based line of an offset. */
function lineAt(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lineStarts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}

/** Several key edits of one map as one replacement: one reference, one edit. */
function mergeEdits(text: string, edits: readonly Edit[]): Edit {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const start = sorted[0]!.start;
  const end = Math.max(...sorted.map((edit) => edit.end));
  let replaced = '';
  let at = start;
  for (const edit of sorted) {
    replaced += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return { start, end, text: replaced + text.slice(at, end) };
}

/**
 * The references of one file (a literal reference in a Dockerfile, Kubernetes, Compose or CI
 * file; Kustomize `images[]`; Helm image maps) a promotion may point at `promoted.reference`,
 * each as one replacement, and the related ones it must leave. Only references to the target
 * repository, and the promoted source image itself, are updates; see `Concern` for those that need
 * an explicit yes. Everything outside the replacements stays byte for byte. `helmBase`: the text
 * of the chart's values.yaml a Helm override (`values-<env>.yaml`) is layered over.
 */
export function planReferenceUpdates(path: string, text: string, promoted: PromotedImage, helmBase?: string): ReferencePlan {
  const promotion = promotionOf(promoted);
  const lineStarts: number[] = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) lineStarts.push(index + 1);
  const pinned = `${promotion.tag}@${promotion.digest}`;
  const updates: ReferenceUpdate[] = [];
  const skipped: SkippedReference[] = [];
  const consider = (current: ImageReference, from: string, line: number, edit: (decision: { move: 'in-place' | 'to-target' }) => { edit: Edit; to: string } | undefined) => {
    const decision = decide(current, promotion);
    if (!decision) return;
    if ('skip' in decision) {
      skipped.push({ line, from, reason: decision.skip });
      return;
    }
    const result = edit(decision);
    if (result) updates.push({ line, ...result.edit, from, to: result.to, ...(decision.concern ? { concern: decision.concern } : {}) });
  };

  for (const occurrence of imageOccurrences(path, text)) {
    const { range, written } = occurrence;
    if (!occurrence.parsed.ok) continue;
    const line = range.start.line + 1;
    if (written !== occurrence.text) {
      if (decide(occurrence.parsed.reference, promotion)) skipped.push({ line, from: written, reason: `written with variables (${occurrence.text}): change it where the value is set` });
      continue;
    }
    const start = lineStarts[range.start.line]! + range.start.character;
    // Kustomize and Helm maps compose their reference from several keys: they come below.
    if (range.start.line !== range.end.line || text.slice(start, start + written.length) !== written) continue;
    consider(occurrence.parsed.reference, written, line, ({ move }) => {
      const to = `${move === 'to-target' ? promotion.targetName : nameAsWritten(written)}:${pinned}`;
      return to === written ? undefined : { edit: { start, end: start + written.length, text: to }, to };
    });
  }
  if (/\.ya?ml$/i.test(path)) {
    const baseRoot = helmBase === undefined ? undefined : parseDocument(helmBase, { prettyErrors: false, uniqueKeys: false });
    const base = baseRoot && baseRoot.errors.length === 0 ? { root: baseRoot.contents, text: helmBase! } : undefined;
    for (const document of parseAllDocuments(text)) {
      if (Array.isArray(document) || document.errors.length > 0) continue;
      const kind = documentKind(path, document.contents);
      const references = kind === 'kustomize' ? kustomizeReferences(document.contents, text) : kind === 'helm-values' ? helmReferences(document.contents, text, base) : [];
      for (const reference of references) {
        consider(reference.current, reference.from, lineAt(lineStarts, reference.offset), ({ move }) => {
          const keyEdits = reference.pointAt(promotion.tag, promotion.digest, move === 'to-target' ? promotion.targetName : undefined);
          if (keyEdits.length === 0) return undefined;
          return { edit: mergeEdits(text, keyEdits), to: `${move === 'to-target' ? promotion.targetName : nameAsWritten(reference.from)}:${pinned}` };
        });
      }
    }
  }
  // A literal and a map can claim the same scalar: keep the first of overlapping updates.
  const kept: ReferenceUpdate[] = [];
  for (const update of updates.sort((a, b) => a.start - b.start)) if (kept.length === 0 || update.start >= kept.at(-1)!.end) kept.push(update);
  return { updates: kept, skipped: skipped.sort((a, b) => a.line - b.line) };
}

/** The text with these updates (from one plan of it) applied. */
export function applyReferenceUpdates(text: string, updates: readonly ReferenceUpdate[]): string {
  let result = text;
  for (const update of [...updates].sort((a, b) => b.start - a.start)) result = result.slice(0, update.start) + update.text + result.slice(update.end);
  return result;
}
