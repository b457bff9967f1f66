import { isMap, isSeq } from 'yaml';
import type { LineCounter } from 'yaml';
import type { Range } from '../lint/finding';
import { child, entries, items, scalarRange, scalarText, stringScalar } from './yamlNodes';

export type ManifestKind = 'kubernetes' | 'kustomize' | 'compose' | 'helm-values' | 'github-actions' | 'gitlab-ci';

/** An image reference as a manifest states it, before parsing. */
export interface ManifestImage {
  /** The reference, after Compose interpolation when `written` is set. */
  readonly text: string;
  /** As the file writes it, when that differs from `text`. */
  readonly written?: string;
  /** Where the interpolated values came from: `.env line 3`, `the file's defaults`. */
  readonly resolvedFrom?: string;
  readonly range: Range;
  readonly origin: string;
  /** The range covers only the `tag` scalar of a Helm image map, not the whole reference. */
  readonly rangeIsTag?: boolean;
}

export interface ExtractContext {
  readonly source: string;
  readonly lineCounter: LineCounter;
}

type Extractor = (root: unknown, context: ExtractContext) => ManifestImage[];

function scalarImage(node: unknown, origin: string, context: ExtractContext, prefix = ''): ManifestImage[] {
  const text = scalarText(node, context.source);
  if (text === undefined || !text.startsWith(prefix)) return [];
  const reference = text.slice(prefix.length);
  const range = scalarRange(node, context.lineCounter, prefix.length, reference.length);
  return range ? [{ text: reference, range, origin }] : [];
}

/** Lists of containers: pod specs, Tekton `steps`/`sidecars`, Argo `containerSet.containers`. */
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers', 'steps', 'sidecars']);

/** One container as a map: Argo Workflows `container`/`script`, Knative v1alpha1 `revisionTemplate.spec.container`, CRDs. */
const SINGLE_CONTAINERS = new Set(['container', 'script']);

const singular = (key: string) => (key === 'containers' ? 'container' : key.replace(/ies$/, 'y').replace(/s$/, ''));

/** Any pod spec or container at any depth: workloads, CronJob templates, `kind: List` items, CRDs such as Argo Rollouts, Workflows and Tekton Tasks. */
const kubernetes: Extractor = (root, context) => {
  const found: ManifestImage[] = [];
  const objectName = (node: unknown): string => `${stringScalar(child(node, 'kind')) ?? 'object'} ${stringScalar(child(child(node, 'metadata'), 'name')) ?? ''}`.trim();
  const containerImage = (container: unknown, origin: string) => {
    const image = child(container, 'image');
    // Istio's injector replaces `image: auto` with its proxy image: a placeholder, not a pull.
    if (stringScalar(image) !== 'auto') found.push(...scalarImage(image, origin, context));
  };
  // `nearestName` is the closest enclosing `name:`, so an Argo template's container is named after its step.
  const visit = (node: unknown, owner: string, nearestName?: string): void => {
    if (isSeq(node)) {
      for (const item of node.items) visit(item, owner, nearestName);
      return;
    }
    if (!isMap(node)) return;
    const here = child(node, 'kind') !== undefined && child(node, 'apiVersion') !== undefined ? objectName(node) : owner;
    const name = stringScalar(child(node, 'name')) ?? nearestName;
    for (const [key, value] of entries(node)) {
      if (CONTAINER_LISTS.has(key) && isSeq(value)) {
        for (const container of value.items) {
          const containerName = stringScalar(child(container, 'name'));
          containerImage(container, `${here}, ${singular(key)} ${containerName ?? '?'}`);
          visit(container, here, containerName ?? name);
        }
      } else if (SINGLE_CONTAINERS.has(key) && isMap(value)) {
        const containerName = stringScalar(child(value, 'name')) ?? name;
        containerImage(value, `${here}, ${key}${containerName ? ` ${containerName}` : ''}`);
      } else {
        visit(value, here, name);
      }
    }
  };
  visit(root, objectName(root));
  return found;
};

/** `images[]`: newName/newTag/digest override the resources' images; only a tag or digest decides mutability. */
const kustomize: Extractor = (root, context) => items(child(root, 'images')).flatMap((entry) => {
  const name = scalarText(child(entry, 'newName'), context.source) ?? scalarText(child(entry, 'name'), context.source);
  const tagNode = child(entry, 'newTag');
  const tag = scalarText(tagNode, context.source);
  const digest = scalarText(child(entry, 'digest'), context.source);
  if (name === undefined || (tag === undefined && digest === undefined)) return [];
  const anchor = tag !== undefined ? tagNode : child(entry, 'newName') ?? child(entry, 'name');
  const range = scalarRange(anchor, context.lineCounter);
  const text = name + (tag !== undefined ? `:${tag}` : '') + (digest !== undefined ? `@${digest}` : '');
  return range ? [{ text, range, origin: `Kustomize image ${scalarText(child(entry, 'name'), context.source) ?? name}` }] : [];
});

const compose: Extractor = (root, context) => entries(child(root, 'services'))
  .flatMap(([service, definition]) => scalarImage(child(definition, 'image'), `Compose service ${service}`, context));

/**
 * `image:` at any depth, as a string or a registry/repository/tag/digest map; an empty tag means
 * the chart's appVersion. A string image takes its map's `tag`/`imageTag` and, without a `/`,
 * `hub` or `registry` — else the nearest `global.hub`/`global.tag`, as Istio's charts compose them.
 */
const helmValues: Extractor = (root, context) => {
  const found: ManifestImage[] = [];
  // The nearest `global:` above: Istio's charts nest their defaults (`_internal_defaults_do_not_set.global`).
  const visit = (node: unknown, path: string, inherited: unknown): void => {
    const globals = child(node, 'global') ?? inherited;
    if (isSeq(node)) node.items.forEach((item, index) => visit(item, `${path}[${index}]`, globals));
    for (const [key, value] of entries(node)) {
      const here = path ? `${path}.${key}` : key;
      if (key !== 'image') {
        visit(value, here, globals);
      } else if (isMap(value)) {
        found.push(...helmImageMap(value, here, context));
      } else {
        found.push(...helmImageString(node, value, globals, here, context));
      }
    }
  };
  visit(root, '', undefined);
  return found;
};

function helmImageString(map: unknown, imageNode: unknown, globals: unknown, path: string, context: ExtractContext): ManifestImage[] {
  const image = scalarText(imageNode, context.source);
  if (!image) return [];
  const origin = `Helm value ${path}`;
  const ownTagNode = child(map, 'tag') ?? child(map, 'imageTag');
  // A reference with its own tag or digest is complete; only a bare name takes a hub and a tag.
  const complete = /[:@][^/]*$/.test(image);
  const bare = !image.includes('/') && !complete;
  // Istio's `hub`, or the `registry` beside a bare name (Traefik's `registry: docker.io/library`).
  const hub = scalarText(child(map, 'hub'), context.source) ?? (bare ? scalarText(child(map, 'registry') ?? child(globals, 'hub'), context.source) : undefined);
  const tagNode = ownTagNode ?? (bare && hub ? child(globals, 'tag') : undefined);
  const tag = scalarText(tagNode, context.source);
  const named = hub && bare ? `${hub}/${image}` : image;
  if (tagNode === undefined || tag === undefined || complete) {
    if (named === image) return scalarImage(imageNode, origin, context);
    const range = scalarRange(imageNode, context.lineCounter);
    return range ? [{ text: named, range, origin }] : [];
  }
  if (tag === '') return [];
  const range = scalarRange(ownTagNode ?? imageNode, context.lineCounter);
  return range ? [{ text: `${named}:${tag}`, range, origin, ...(ownTagNode ? { rangeIsTag: true } : {}) }] : [];
}

function helmImageMap(map: unknown, path: string, context: ExtractContext): ManifestImage[] {
  const repositoryNode = child(map, 'repository') ?? child(map, 'name');
  const repository = scalarText(repositoryNode, context.source);
  if (!repository) return [];
  const registry = scalarText(child(map, 'registry'), context.source);
  const tagNode = child(map, 'tag');
  const tag = scalarText(tagNode, context.source);
  const digest = scalarText(child(map, 'digest'), context.source);
  if (!tag && !digest) return [];
  const text = (registry ? `${registry}/` : '') + repository + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '');
  const range = scalarRange(tag ? tagNode : repositoryNode, context.lineCounter);
  return range ? [{ text, range, origin: `Helm value ${path}`, ...(tag ? { rangeIsTag: true } : {}) }] : [];
}

/** `image` as a string or `{name: …}` (GitLab) / `{image: …}` (GitHub container). */
function imageOrMap(node: unknown, mapKey: string, origin: string, context: ExtractContext): ManifestImage[] {
  return isMap(node) ? scalarImage(child(node, mapKey), origin, context) : scalarImage(node, origin, context);
}

const githubActions: Extractor = (root, context) => entries(child(root, 'jobs')).flatMap(([job, definition]) => [
  ...imageOrMap(child(definition, 'container'), 'image', `job ${job} container`, context),
  ...entries(child(definition, 'services')).flatMap(([service, spec]) => imageOrMap(spec, 'image', `job ${job} service ${service}`, context)),
  ...items(child(definition, 'steps')).flatMap((step, index) =>
    scalarImage(child(step, 'uses'), `job ${job} step ${stringScalar(child(step, 'name')) ?? index + 1}`, context, 'docker://')),
]);

const GITLAB_RESERVED = new Set(['stages', 'variables', 'include', 'workflow', 'cache', 'before_script', 'after_script']);

const gitlabCi: Extractor = (root, context) => entries(root)
  .filter(([key, value]) => !GITLAB_RESERVED.has(key) && (key === 'image' || key === 'services' || isMap(value)))
  .flatMap(([key, value]) => {
    if (key === 'image') return imageOrMap(value, 'name', 'default image', context);
    if (key === 'services') return items(value).flatMap((service) => imageOrMap(service, 'name', 'default service', context));
    const where = key === 'default' ? 'default' : `job ${key}`;
    return [
      ...imageOrMap(child(value, 'image'), 'name', `${where} image`, context),
      ...items(child(value, 'services')).flatMap((service) => imageOrMap(service, 'name', `${where} service`, context)),
    ];
  });

export const EXTRACTORS: Readonly<Record<ManifestKind, Extractor>> = {
  kubernetes,
  kustomize,
  compose,
  'helm-values': helmValues,
  'github-actions': githubActions,
  'gitlab-ci': gitlabCi,
};
