import semver from 'semver';
import { mapLimited } from '../concurrency';
import { attachmentsOf, imagePlatforms } from './inspect';
import type { Attachment } from './inspect';
import { isIndex, platformString } from './types';
import type { RegistryBackend } from './types';

/**
 * The registry explorer's data, editor-free: plain tagged nodes with a parent link. The extension's
 * TreeDataProvider only maps them to TreeItems; loading, paging and sorting live here.
 */
export type ExplorerNode =
  | { readonly kind: 'registry'; readonly id: string; readonly label: string; readonly source: 'settings' | 'docker-config' | 'oci-layout'; readonly backend: RegistryBackend;
    /** Repositories to show instead of the catalog (Docker Hub, GHCR and others serve none). */
    readonly repositories?: readonly string[] }
  | { readonly kind: 'namespace'; readonly id: string; readonly parent: ExplorerNode; readonly label: string; readonly repositories: readonly string[]; readonly depth: number }
  | { readonly kind: 'repository'; readonly id: string; readonly parent: ExplorerNode; readonly label: string; readonly repository: string; readonly backend: RegistryBackend }
  | { readonly kind: 'tag'; readonly id: string; readonly parent: ExplorerNode; readonly tag: string; readonly repository: string; readonly backend: RegistryBackend; details?: TagDetails }
  | { readonly kind: 'platform'; readonly id: string; readonly parent: ExplorerNode; readonly label: string; readonly digest: string;
    /** BuildKit attestations of this platform (SBOM, provenance), folded under it. */
    readonly attachments: readonly Attachment[] }
  | { readonly kind: 'attachment'; readonly id: string; readonly parent: ExplorerNode; readonly attachment: Attachment }
  | { readonly kind: 'loadMore'; readonly id: string; readonly parent: ExplorerNode; readonly shown: number }
  | { readonly kind: 'error'; readonly id: string; readonly parent?: ExplorerNode; readonly message: string; readonly fix: 'sign-in' | 'settings' | 'retry' };

export type TagSort = 'version' | 'name' | 'date';

export interface TagDetails {
  readonly digest: string;
  readonly mediaType: string;
  /** Config `created` of a single-platform image: the only age the distribution API offers. */
  readonly created?: string;
  /** Config plus layers, compressed, of a single-platform image. */
  readonly size?: number;
  /** Platforms of a multi-arch image. */
  readonly platforms?: number;
  /** Other tags on the same digest: they are one image. */
  readonly sameImage: readonly string[];
}

export const TAG_PAGE = 100;

/** `sha256-<hex>` tags hold referrer indexes and cosign artifacts: shown as attachments, not tags. */
export function isDigestTag(tag: string): boolean {
  return /^sha(256|512)-[0-9a-f]{32,}(\.\w+)?$/.test(tag);
}

/** SemVer-aware: `1.10.0` after `1.9.0`, `v1.2` read as 1.2.0; other tags after versions, by name. Newest first. */
export function sortTags(tags: readonly string[], sort: TagSort): string[] {
  if (sort === 'name') return [...tags].sort((a, b) => a.localeCompare(b));
  const version = (tag: string) => (semver.valid(tag, { loose: true }) ? semver.parse(tag, { loose: true }) : semver.coerce(tag));
  return [...tags].sort((a, b) => {
    const [va, vb] = [version(a), version(b)];
    if (va && vb) return semver.rcompare(va, vb) || a.localeCompare(b);
    if (va) return -1;
    if (vb) return 1;
    return a.localeCompare(b);
  });
}

/** Groups repository paths by their next segment: `team/a`, `team/b`, `c` → namespace `team`, repository `c`. */
export function groupRepositories(repositories: readonly string[], depth: number): { namespaces: Map<string, string[]>; leaves: string[] } {
  const namespaces = new Map<string, string[]>();
  const leaves: string[] = [];
  for (const repository of repositories) {
    const segments = repository.split('/');
    if (segments.length <= depth + 1) leaves.push(repository);
    else {
      const key = segments.slice(0, depth + 1).join('/');
      namespaces.set(key, [...(namespaces.get(key) ?? []), repository]);
    }
  }
  return { namespaces, leaves };
}

/** Digest, size and age of one tag: the manifest, and for a single image its config (two GETs). */
export async function tagDetails(backend: RegistryBackend, repository: string, tag: string): Promise<TagDetails> {
  const manifest = await backend.getManifest(repository, tag);
  const { digest, mediaType } = manifest.descriptor;
  if (isIndex(mediaType)) return { digest, mediaType, sameImage: [], platforms: imagePlatforms(manifest.json).length };
  const config = manifest.json.config;
  const size = (config?.size ?? 0) + (manifest.json.layers ?? []).reduce((total, layer) => total + layer.size, 0);
  let created: string | undefined;
  if (config && /config|container\.image/.test(config.mediaType)) {
    created = (JSON.parse((await backend.getBlob(repository, config.digest)).toString('utf8')) as { created?: string }).created;
  }
  return { digest, mediaType, sameImage: [], size, ...(created ? { created } : {}) };
}

/** One node per attachment; a BuildKit manifest holds several (SBOM, provenance), told apart by their layer. */
function attachmentNodes(parent: ExplorerNode, attachments: readonly Attachment[]): ExplorerNode[] {
  return attachments.map((attachment) => ({ kind: 'attachment', id: `${parent.id}#${attachment.layerDigest ?? attachment.digest}`, parent, attachment }));
}

/** The tag an attachment or platform node belongs to: what its content is read through. */
export function tagOf(node: ExplorerNode): Extract<ExplorerNode, { kind: 'tag' }> | undefined {
  let current: ExplorerNode | undefined = node;
  while (current && current.kind !== 'tag') current = 'parent' in current ? current.parent : undefined;
  return current;
}

/** Loads children on demand, caches lists per node, and never fetches more than it shows. */
export class ExplorerModel {
  private readonly repositoriesCache = new Map<string, Promise<string[]>>();
  private readonly tagsCache = new Map<string, Promise<string[]>>();
  private readonly shownTags = new Map<string, number>();

  constructor(private readonly options: { sort: () => TagSort; filter: () => string; describeError: (error: unknown) => { message: string; fix: 'sign-in' | 'settings' | 'retry' } }) {}

  refresh(): void {
    this.repositoriesCache.clear();
    this.tagsCache.clear();
    this.shownTags.clear();
  }

  /** Shows the next page of a repository's tags. */
  showMore(repositoryNode: ExplorerNode): void {
    this.shownTags.set(repositoryNode.id, (this.shownTags.get(repositoryNode.id) ?? TAG_PAGE) + TAG_PAGE);
  }

  private repositories(node: Extract<ExplorerNode, { kind: 'registry' }>): Promise<string[]> {
    if (node.repositories && node.repositories.length > 0) return Promise.resolve([...node.repositories].sort());
    let cached = this.repositoriesCache.get(node.id);
    if (!cached) {
      cached = (async () => {
        const names: string[] = [];
        for await (const page of node.backend.listRepositories()) for (const name of page) names.push(name);
        return names.sort();
      })();
      this.repositoriesCache.set(node.id, cached);
      cached.catch(() => this.repositoriesCache.delete(node.id));
    }
    return cached;
  }

  private tags(node: Extract<ExplorerNode, { kind: 'repository' }>): Promise<string[]> {
    let cached = this.tagsCache.get(node.id);
    if (!cached) {
      cached = (async () => {
        const tags: string[] = [];
        for await (const page of node.backend.listTags(node.repository)) for (const tag of page) tags.push(tag);
        return tags;
      })();
      this.tagsCache.set(node.id, cached);
      cached.catch(() => this.tagsCache.delete(node.id));
    }
    return cached;
  }

  async children(node: ExplorerNode): Promise<ExplorerNode[]> {
    try {
      return await this.load(node);
    } catch (error) {
      const { message, fix } = this.options.describeError(error);
      return [{ kind: 'error', id: `${node.id}/error`, parent: node, message, fix }];
    }
  }

  private repositoryNodes(parent: ExplorerNode, backend: RegistryBackend, repositories: readonly string[], depth: number): ExplorerNode[] {
    const { namespaces, leaves } = groupRepositories(repositories, depth);
    return [
      ...[...namespaces].map(([path, members]): ExplorerNode => ({ kind: 'namespace', id: `${parent.id}/${path}/`, parent, label: path.split('/').pop()!, repositories: members, depth: depth + 1 })),
      ...leaves.map((repository): ExplorerNode => ({ kind: 'repository', id: `${parent.id}/${repository}`, parent, label: repository.split('/').pop()!, repository, backend })),
    ];
  }

  private registryOf(node: ExplorerNode): Extract<ExplorerNode, { kind: 'registry' }> {
    let current: ExplorerNode | undefined = node;
    while (current && current.kind !== 'registry') current = 'parent' in current ? current.parent : undefined;
    return current as Extract<ExplorerNode, { kind: 'registry' }>;
  }

  private async load(node: ExplorerNode): Promise<ExplorerNode[]> {
    switch (node.kind) {
      case 'registry':
        return this.repositoryNodes(node, node.backend, await this.repositories(node), 0);
      case 'namespace':
        return this.repositoryNodes(node, this.registryOf(node).backend, node.repositories, node.depth);
      case 'repository': {
        const filter = this.options.filter().toLowerCase();
        const sort = this.options.sort();
        const names = (await this.tags(node)).filter((tag) => !isDigestTag(tag) && tag.toLowerCase().includes(filter));
        // By date needs every tag's config: asked for explicitly, fetched four at a time.
        const details = sort === 'date' ? new Map(await mapLimited(names, 4, async (tag) => [tag, await tagDetails(node.backend, node.repository, tag).catch(() => undefined)] as const)) : undefined;
        const tags = details
          ? [...names].sort((a, b) => (details.get(b)?.created ?? '').localeCompare(details.get(a)?.created ?? '') || a.localeCompare(b))
          : sortTags(names, sort);
        const shown = this.shownTags.get(node.id) ?? TAG_PAGE;
        const nodes: ExplorerNode[] = tags.slice(0, shown).map((tag) => {
          const known = details?.get(tag);
          return { kind: 'tag', id: `${node.id}:${tag}`, parent: node, tag, repository: node.repository, backend: node.backend, ...(known ? { details: known } : {}) };
        });
        if (tags.length > shown) nodes.push({ kind: 'loadMore', id: `${node.id}/more-${shown}`, parent: node, shown });
        return nodes;
      }
      case 'tag': {
        const manifest = await node.backend.getManifest(node.repository, node.tag);
        const allTags = await this.tags(node.parent as Extract<ExplorerNode, { kind: 'repository' }>);
        const attachments = await attachmentsOf(node.backend, node.repository, manifest.descriptor.digest, allTags, undefined, manifest.json);
        const platforms = isIndex(manifest.descriptor.mediaType) ? imagePlatforms(manifest.json) : [];
        const folded = new Set<Attachment>();
        const platformNodes = platforms.map((child): ExplorerNode => {
          const label = platformString(child.platform);
          const own = attachments.filter((attachment) => attachment.via === 'buildkit' && attachment.platform === label);
          for (const attachment of own) folded.add(attachment);
          return { kind: 'platform', id: `${node.id}@${child.digest}`, parent: node, label, digest: child.digest, attachments: own };
        });
        return [...platformNodes, ...attachmentNodes(node, attachments.filter((attachment) => !folded.has(attachment)))];
      }
      case 'platform':
        return attachmentNodes(node, node.attachments);
      default:
        return [];
    }
  }

  /** Digest, size and age of visible tags, a few at a time (no fetch storms); tags sharing a digest name each other. */
  async resolveTags(nodes: readonly Extract<ExplorerNode, { kind: 'tag' }>[], onResolved: (node: ExplorerNode) => void, concurrency = 4): Promise<void> {
    await mapLimited(nodes.filter((node) => !node.details), concurrency, async (node) => {
      try {
        node.details = await tagDetails(node.backend, node.repository, node.tag);
        onResolved(node);
      } catch {
        // The tag shows without details; expanding it reports the error.
      }
    });
    const byDigest = new Map<string, string[]>();
    for (const node of nodes) if (node.details) byDigest.set(node.details.digest, [...(byDigest.get(node.details.digest) ?? []), node.tag]);
    for (const node of nodes) {
      const same = node.details ? byDigest.get(node.details.digest)!.filter((tag) => tag !== node.tag) : [];
      if (same.length > 0) {
        node.details = { ...node.details!, sameImage: same };
        onResolved(node);
      }
    }
  }
}
