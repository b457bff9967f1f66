import { isScalar, visit } from 'yaml';
import type { Document, Range as NodeRange } from 'yaml';
import type { Range } from '../lint/finding';
import { expandVariables, hasUnresolvedSyntax } from '../reference/variables';
import type { LintContext } from '../workspace/neighbours';
import { EXTRACTORS } from './extractors';
import { mayNameImages } from './imageFreeText';
import { hasStructuralTemplate, parseYamlLeniently } from './lenientYaml';
import { isCleanPlainYaml } from './plainYaml';
import type { ManifestImage, ManifestKind } from './extractors';
import { child, entries, offsetsToRange, stringScalar } from './yamlNodes';

export interface ManifestScan {
  readonly images: readonly ManifestImage[];
  readonly problems: readonly { readonly range: Range; readonly message: string }[];
}

const COMPOSE_TOP_LEVEL = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include']);

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function isGithubWorkflowPath(path: string): boolean {
  return /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

/**
 * Helm, Jinja and other template syntax. GitHub's `${{ }}` expressions are YAML strings, so
 * workflows are exempt.
 */
export function hasTemplateSyntax(path: string, text: string): boolean {
  if (isGithubWorkflowPath(path)) return false;
  return /(^|[^$])\{\{|\{%/.test(text);
}

function isComposeRoot(root: unknown): boolean {
  const keys = entries(root).map(([key]) => key);
  return keys.includes('services') && keys.every((key) => COMPOSE_TOP_LEVEL.has(key) || key.startsWith('x-'));
}

/** Decides what a YAML document is from its path, content and context; undefined for YAML that holds no images. */
export function documentKind(path: string, root: unknown, context: LintContext = {}): ManifestKind | undefined {
  const name = baseName(path);
  const kind = stringScalar(child(root, 'kind'));
  if (/^kustomization\.ya?ml$/i.test(name) || kind === 'Kustomization') return 'kustomize';
  if (kind !== undefined && stringScalar(child(root, 'apiVersion')) !== undefined) return 'kubernetes';
  if (isGithubWorkflowPath(path)) return 'github-actions';
  if (/(^|\.)gitlab-ci\.ya?ml$/.test(name) || context.gitlabCi) return 'gitlab-ci';
  if (/^(docker-)?compose([.-].*)?\.ya?ml$|\.compose\.ya?ml$/.test(name) || isComposeRoot(root)) return 'compose';
  // values.yaml, values-prod.yaml, loki-values.yaml, ci/default-values.yaml…
  if (/(^|[-._])values([-._].*)?\.ya?ml$/i.test(name)) return 'helm-values';
  return undefined;
}

/** Longest key a duplicate-key message quotes; a hostile key can be megabytes. */
const MAX_QUOTED_KEY = 80;

/** Where a map first repeats a key (equal scalars, or the same node), with a Set per map; `<<` merges may repeat. */
function duplicateKeyAt(document: Document): { start: number; end: number; key: string } | undefined {
  let found: { range: NodeRange; key: string } | undefined;
  visit(document, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (key === '<<') continue;
        if (seen.has(key)) {
          const range = (isScalar(pair.key) ? pair.key.range : undefined) ?? map.range ?? [0, 0, 0];
          found = { range, key: typeof key === 'string' || typeof key === 'number' ? String(key).slice(0, MAX_QUOTED_KEY) : '(a map or list)' };
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found && { start: found.range[0], end: found.range[0] + 1, key: found.key };
}

/**
 * Whether a document is a template until rendered: it does not parse and has template syntax,
 * or the syntax stands where YAML structure goes. Such documents are skipped, not reported.
 * Its text runs to the next document (`end`): what yaml could not fit in the document's root
 * (`{{- end }}` after a list, say) is an error of this document outside its range.
 */
function isTemplateDocument(path: string, document: Document, source: string, end: number): boolean {
  const start = document.range?.[0] ?? 0;
  if (!hasTemplateSyntax(path, source.slice(start, end))) return false;
  return document.errors.length > 0 || hasStructuralTemplate(document, source);
}

/**
 * A Compose image with `${VAR}`, `${VAR:-default}` or `${VAR-default}` resolved the way Compose
 * does, from the `.env` beside the file (`$$` is a literal `$`); unchanged without variables.
 */
function interpolateCompose(image: ManifestImage, environment: LintContext['composeEnvironment']): ManifestImage {
  if (!image.text.includes('$')) return image;
  const lines: number[] = [];
  const text = expandVariables(image.text, (name) => {
    const variable = environment?.get(name);
    if (variable) lines.push(variable.line);
    return variable?.value;
  }, '$');
  if (text === undefined) return image;
  const resolvedFrom = lines.length === 0 ? "the file's defaults" : `.env line${lines.length > 1 ? 's' : ''} ${[...new Set(lines)].join(', ')}`;
  return { ...image, text, written: image.text, resolvedFrom };
}

/**
 * A placeholder that a person or a script fills in before the file is applied: `{username}`,
 * `<image>`, `@PROJECT@` (sed/autoconf), an all-caps tag such as `:CONTAINER_IMAGES_TAG`, or ko's
 * `ko://import/path` and older bare `github.com/…` import paths, which `ko resolve` replaces with
 * the image it builds (github.com serves no registry).
 */
function isPlaceholder(reference: string): boolean {
  return /\{[^{}]*\}|<[^<>]*>|@[A-Z][A-Z0-9_]*@|:[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(reference) || /^(?:ko:\/\/|github\.com\/)/.test(reference);
}

/** The repository part of a reference as written: without `@digest` and without a `:tag` after the last `/`. */
export function repositoryOf(reference: string): string {
  const name = reference.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

/** Finds every image reference in a YAML file (all documents) with its exact range, and why a document could not be read. */
export function scanYaml(path: string, text: string, context: LintContext = {}): ManifestScan {
  // Most YAML of a chart tree (CRDs, templates) names no image and is plain block YAML that its
  // lines alone prove parses cleanly, or a template this scan skips: a parse could only say what is already known.
  if (!mayNameImages(text) && isCleanPlainYaml(text, { templatesSkipped: !isGithubWorkflowPath(path) })) return { images: [], problems: [] };
  return parseAndScanYaml(path, text, context);
}

/** scanYaml with every file parsed: what the look at the lines must always agree with (plainYaml.test.ts). */
export function parseAndScanYaml(path: string, text: string, context: LintContext = {}): ManifestScan {
  const { source, lineCounter, documents } = parseYamlLeniently(text);
  const images: ManifestImage[] = [];
  const problems: { range: Range; message: string }[] = [];
  const report = (start: number, end: number, message: string) => problems.push({ range: offsetsToRange(start, end, lineCounter), message });
  for (const [index, document] of documents.entries()) {
    if (isTemplateDocument(path, document, source, documents[index + 1]?.range?.[0] ?? source.length)) continue;
    const error = document.errors[0];
    if (error) {
      report(error.pos[0], error.pos[1], `YAML syntax error: ${error.message.split('\n')[0]!}`);
      continue;
    }
    // kubectl's client-side decoder keeps the last value, but strict field validation on the
    // server and Compose reject the file; which value wins is clear, so the document is still checked.
    const duplicate = duplicateKeyAt(document);
    if (duplicate) report(duplicate.start, duplicate.end, `duplicate key "${duplicate.key}": Kubernetes (strict field validation) and Compose reject the file, other readers keep the last value`);
    const kind = documentKind(path, document.contents, context);
    if (!kind) continue;
    // A loop, not push(...spread): one document may hold more images than a call takes arguments.
    for (const found of EXTRACTORS[kind](document.contents, { source, lineCounter })) {
      const image = kind === 'compose' ? interpolateCompose(found, context.composeEnvironment) : found;
      // `${TAG}`, `$CI_REGISTRY_IMAGE`, `${{ matrix.image }}`, `{{ .Values.tag }}`: set elsewhere, so nothing to say here.
      if (hasUnresolvedSyntax(image.text) || isPlaceholder(image.text)) continue;
      // Skaffold and Tilt replace these with the image they just built, tagged by digest.
      if (context.devToolImages?.has(repositoryOf(image.text))) continue;
      images.push(image);
    }
  }
  return { images, problems };
}
