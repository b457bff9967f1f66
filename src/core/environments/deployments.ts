import { LineCounter, parseDocument } from 'yaml';
import { helmBaseValuesOf, layeredHelmImages, unnamedImages } from '../manifests/helmLayers';
import { repositoryOf, scanYaml, isGithubWorkflowPath } from '../manifests/scan';
import { child, items, scalarText } from '../manifests/yamlNodes';
import { parseReference } from '../reference/parse';
import type { ImageReference } from '../reference/parse';
import { normalizeRegistryHost } from '../reference/registryHost';
import type { EnvironmentDefinition } from './environments';

/** One image an environment deploys, where the reference that decides it is written. */
export interface Deployment {
  readonly environment: string;
  /** The reference the cluster pulls: Kustomize `images:` of the overlay and its bases applied. */
  readonly reference: string;
  readonly parsed: ImageReference;
  /** `host/repository` as written in `reference`, and in one spelling per registry (the grouping key). */
  readonly repository: string;
  readonly repositoryKey: string;
  /** The file (relative to the config's folder) and 1-based line of the scalar that sets the tag or digest. */
  readonly file: string;
  readonly line: number;
  /** Where it was found, in words: `Deployment api, container api (Kustomize image … in overlays/prod/kustomization.yaml)`. */
  readonly origin: string;
  /** A Helm override's line: the chart's `values.yaml` it is layered over, which supplies the rest of the image. */
  readonly layeredOver?: string;
}

/** A file that could not be followed (a missing base, a syntax error): named, never fatal. */
export interface DeploymentProblem {
  readonly environment: string;
  readonly file: string;
  readonly message: string;
}

/** An image a resource deploys, as it stands after the kustomizations seen so far. */
interface Placed {
  readonly reference: string;
  readonly file: string;
  readonly line: number;
  readonly origin: string;
  /** `file:line` of the resource's own image, unchanged by transformers: one resource counts once. */
  readonly resource: string;
  readonly layeredOver?: string;
}

function placedFrom(file: string, image: { readonly text: string; readonly range: { readonly start: { readonly line: number } }; readonly origin: string }): Placed {
  const line = image.range.start.line + 1;
  return { reference: image.text, file, line, origin: image.origin, resource: `${file}:${line}` };
}

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

function isKustomization(path: string): boolean {
  return KUSTOMIZATION_NAMES.includes(path.slice(path.lastIndexOf('/') + 1));
}

function isCiFile(path: string): boolean {
  return isGithubWorkflowPath(path) || /(^|\/|\.)gitlab-ci\.ya?ml$/.test(path);
}

/** `a/b` + `../c` → `a/c`; undefined when it climbs out of the workspace. */
function joinPath(dir: string, relative: string): string | undefined {
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** Kustomize's image transformer: the name, tag and digest an `images:` entry gives a matching image. */
function transformed(reference: string, entry: { newName?: string; newTag?: string; digest?: string }): string {
  const name = entry.newName ?? repositoryOf(reference);
  const atDigest = reference.indexOf('@');
  const withoutDigest = atDigest < 0 ? reference : reference.slice(0, atDigest);
  const repository = repositoryOf(reference);
  let tag = withoutDigest.length > repository.length ? withoutDigest.slice(repository.length + 1) : undefined;
  let digest = atDigest < 0 ? undefined : reference.slice(atDigest + 1);
  // As kustomize has it: a new tag or digest replaces both the old tag and the old digest.
  if (entry.newTag !== undefined || entry.digest !== undefined) {
    tag = entry.newTag;
    digest = entry.digest;
  }
  return name + (tag !== undefined ? `:${tag}` : '') + (digest !== undefined ? `@${digest}` : '');
}

interface KustomizeContext {
  readonly files: ReadonlyMap<string, string>;
  readonly problems: { file: string; message: string }[];
  /** Every file a resolution reached, so the environment does not count it twice. */
  readonly reached: Set<string>;
  /** Each kustomization rendered once: a base included along many paths costs one rendering. */
  readonly rendered: Map<string, Placed[]>;
}

/** Deeper than any real overlay chain; a hostile chain stops here instead of exhausting the stack. */
const MAX_KUSTOMIZE_DEPTH = 64;

/** The images a kustomization renders: its resources' (bases resolved first), then its own `images:` applied. */
function renderKustomization(path: string, context: KustomizeContext, stack: readonly string[] = []): Placed[] {
  if (stack.includes(path)) {
    // Named at the file whose resources close the loop.
    context.problems.push({ file: stack.at(-1) ?? path, message: `includes itself through ${[...stack, path].join(' → ')}` });
    return [];
  }
  if (stack.length >= MAX_KUSTOMIZE_DEPTH) {
    context.problems.push({ file: stack.at(-1)!, message: `bases nested more than ${MAX_KUSTOMIZE_DEPTH} deep; ${path} is not read` });
    return [];
  }
  let rendered = context.rendered.get(path);
  if (!rendered) {
    rendered = renderOnce(path, context, stack);
    context.rendered.set(path, rendered);
  }
  return rendered;
}

function renderOnce(path: string, context: KustomizeContext, stack: readonly string[]): Placed[] {
  context.reached.add(path);
  const text = context.files.get(path)!;
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (document.errors.length > 0) {
    context.problems.push({ file: path, message: `YAML syntax error: ${document.errors[0]!.message.split('\n')[0]}` });
    return [];
  }
  const root = document.contents;
  const dir = dirOf(path);
  const placed: Placed[] = [];
  const seen = new Set<string>();
  // Kustomize refuses a resource included twice; it counts once here, and is named.
  const add = (images: readonly Placed[], written: string) => {
    let repeated = false;
    for (const image of images) {
      if (seen.has(image.resource)) repeated = true;
      else {
        seen.add(image.resource);
        placed.push(image);
      }
    }
    if (repeated) context.problems.push({ file: path, message: `${written} includes resources already included (kustomize refuses this); they count once` });
  };
  for (const entry of ['resources', 'bases', 'components'].flatMap((key) => items(child(root, key)))) {
    const written = scalarText(entry, text);
    if (written === undefined) continue;
    // Remote bases (git URLs, https) are not in the workspace: their images are not known here.
    if (/^[a-z][a-z0-9+.-]*:\/\/|^github\.com\/|^git@/i.test(written)) {
      context.problems.push({ file: path, message: `${written} is a remote resource; its images are not read` });
      continue;
    }
    const target = joinPath(dir, written);
    const kustomization = target === undefined ? undefined : KUSTOMIZATION_NAMES.map((name) => (target === '' ? name : `${target}/${name}`)).find((candidate) => context.files.has(candidate));
    if (kustomization) {
      add(renderKustomization(kustomization, context, [...stack, path]), written);
    } else if (target !== undefined && context.files.has(target)) {
      context.reached.add(target);
      add(scanYaml(target, context.files.get(target)!).images.map((image) => placedFrom(target, image)), written);
    } else {
      const isFolder = target !== undefined && [...context.files.keys()].some((file) => file.startsWith(`${target}/`));
      context.problems.push({ file: path, message: isFolder ? `the resource ${written} is a folder without a kustomization.yaml` : `the resource ${written} is not in the workspace` });
    }
  }
  const entries = items(child(root, 'images')).flatMap((entry) => {
    const name = scalarText(child(entry, 'name'), text);
    if (!name) return [];
    const value = (key: string) => scalarText(child(entry, key), text);
    const decisive = child(entry, 'newTag') ?? child(entry, 'digest') ?? child(entry, 'newName') ?? child(entry, 'name');
    const offset = (decisive as { range?: [number, number, number] } | undefined)?.range?.[0] ?? 0;
    const fields = { newName: value('newName'), newTag: value('newTag'), digest: value('digest') };
    return [{ name, line: lineCounter.linePos(offset).line, fields: Object.fromEntries(Object.entries(fields).filter(([, field]) => field !== undefined)) as typeof fields }];
  });
  return placed.map((image) => {
    const entry = entries.find((candidate) => candidate.name === repositoryOf(image.reference));
    if (!entry) return image;
    return { ...image, reference: transformed(image.reference, entry.fields), file: path, line: entry.line, origin: `${image.origin} (Kustomize image ${entry.name} in ${path})` };
  });
}

/** 1-based lines of a values file's `image` maps that set a tag or digest and no repository. */
function unnamedImagesOf(text: string): number[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  return document.errors.length > 0 ? [] : unnamedImages(document.contents, lineCounter);
}

/** A Helm override merged over its chart's `values.yaml`: its images placed where their tag is decided, and what it leaves unnamed. */
function layeredValues(path: string, files: ReadonlyMap<string, string>): { base: string; placed: Placed[]; messages: { file: string; message: string }[] } | undefined {
  const base = helmBaseValuesOf(path, (candidate) => files.has(candidate));
  const layered = base === undefined ? undefined : layeredHelmImages({ path, text: files.get(path)! }, { path: base, text: files.get(base)! });
  if (!layered) return undefined;
  return {
    base: base!,
    placed: layered.images.map(({ text, ...image }) => ({ ...image, reference: text, resource: `${image.file}:${image.line}`, ...(image.file === path ? { layeredOver: base! } : {}) })),
    messages: layered.unnamed.map((at) => ({ file: path, message: `line ${at.line}${at.file === path ? '' : ` of ${at.file}`}: image sets a tag or digest without a repository, and neither ${path} nor ${base} sets one: not counted` })),
  };
}

function deployment(environment: string, { resource: _resource, ...image }: Placed): Deployment | undefined {
  const parsed = parseReference(image.reference);
  if (!parsed.ok) return undefined;
  const { domain, path } = parsed.reference;
  return { environment, ...image, parsed: parsed.reference, repository: `${domain}/${path}`, repositoryKey: `${normalizeRegistryHost(domain)}/${path}` };
}

/**
 * What each environment deploys: its kustomizations rendered (resources and bases, `images:`
 * applied from the innermost base out), and its other Kubernetes manifests, Compose files and Helm
 * values files as the manifest scan reads them. `files` holds the workspace's YAML by path relative
 * to the config's folder; a file of several environments counts for each.
 */
export function environmentDeployments(environments: readonly EnvironmentDefinition[], files: ReadonlyMap<string, string>): { deployments: Deployment[]; problems: DeploymentProblem[] } {
  const deployments: Deployment[] = [];
  const problems: DeploymentProblem[] = [];
  const paths = [...files.keys()].sort();
  for (const environment of environments) {
    const own = paths.filter((path) => environment.contains(path) && !isCiFile(path));
    const rendered = own.filter(isKustomization).map((path) => {
      const context: KustomizeContext = { files, problems: [], reached: new Set(), rendered: new Map() };
      return { path, placed: renderKustomization(path, context), context };
    });
    // Only the outermost kustomizations count: one an overlay includes is rendered through it.
    const included = new Set(rendered.flatMap(({ path, context }) => [...context.reached].filter((file) => file !== path)));
    const outermost = rendered.filter(({ path }) => !included.has(path));
    const covered = new Set(outermost.flatMap(({ context }) => [...context.reached]));
    const placed: Placed[] = outermost.flatMap(({ placed: images }) => images);
    const messages = outermost.flatMap(({ context }) => context.problems);
    const plain = own.filter((candidate) => !isKustomization(candidate) && !covered.has(candidate) && !included.has(candidate));
    const layered = new Map(plain.flatMap((path) => {
      const values = layeredValues(path, files);
      return values ? [[path, values] as const] : [];
    }));
    // A chart's values.yaml the environment owns besides its override counts through the override.
    const bases = new Set([...layered.values()].map((values) => values.base));
    for (const path of plain.filter((candidate) => !bases.has(candidate))) {
      const scan = scanYaml(path, files.get(path)!);
      for (const problem of scan.problems) messages.push({ file: path, message: `line ${problem.range.start.line + 1}: ${problem.message}` });
      const values = layered.get(path);
      if (values) {
        messages.push(...values.messages);
        placed.push(...values.placed);
        continue;
      }
      if (/(^|[-._/])values([-._].*)?\.ya?ml$/i.test(path)) {
        for (const line of unnamedImagesOf(files.get(path)!)) messages.push({ file: path, message: `line ${line}: image sets a tag or digest without a repository, and there is no values.yaml beside it to layer it over (as helm -f values.yaml -f ${path.slice(path.lastIndexOf('/') + 1)} would): not counted; write the repository here too` });
      }
      for (const image of scan.images) placed.push(placedFrom(path, image));
    }
    for (const image of placed) {
      const found = deployment(environment.name, image);
      if (found) deployments.push(found);
    }
    for (const problem of messages) problems.push({ environment: environment.name, ...problem });
  }
  return { deployments, problems };
}
