import { mapLimited } from '../concurrency';
import { attachmentsOf, cosignTagsFor, imagePlatforms, labelsAndCreated } from './inspect';
import { RegistryError } from './errors';
import { DEFAULT_LISTING_LIMITS } from './httpRegistry';
import { referrersTag } from './digest';
import type { Attachment } from './inspect';
import { sortTags } from './tagOrder';
import type { TagSort } from './tagOrder';
import { isIndex, platformString } from './types';
import type { RegistryBackend, TagCursor } from './types';

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
  /** Offered under a repository shown in the registry's order: read every page and sort by version. */
  | { readonly kind: 'sortAll'; readonly id: string; readonly parent: ExplorerNode; readonly read: number; readonly complete: boolean }
  | { readonly kind: 'error'; readonly id: string; readonly parent?: ExplorerNode; readonly message: string; readonly fix: 'sign-in' | 'settings' | 'retry' };

export interface TagDetails {
  readonly digest: string;
  readonly mediaType: string;
  /**
   * Config `created`: the only age the distribution API offers. A multi-arch image's is its
   * `org.opencontainers.image.created` annotation, else its first platform's.
   */
  readonly created?: string;
  /** Config plus layers, compressed, of a single-platform image. */
  readonly size?: number;
  /** Platforms of a multi-arch image. */
  readonly platforms?: number;
  /** Other tags on the same digest: they are one image. */
  readonly sameImage: readonly string[];
}

/** A repository's tag filter, as the view's description names it. */
export interface TagFilter {
  readonly repository: string;
  readonly text: string;
}

type RepositoryNode = Extract<ExplorerNode, { kind: 'repository' }>;
type TagNode = Extract<ExplorerNode, { kind: 'tag' }>;

export const TAG_PAGE = 100;

/**
 * Repositories listed whole with at most this many tags are shown in the chosen order. Larger
 * ones (and ones whose registry pages) show in the registry's order, a page at a time; sorting all
 * of them is an explicit action (`sortAll`).
 */
export const SORTED_LIMIT = 1000;

/** A repository's tags as read so far, and where the registry's listing continues. */
interface TagListing {
  readonly tags: string[];
  readonly seen: Set<string>;
  next?: TagCursor;
  complete: boolean;
  /** Sorted by version over every tag, on request. */
  sortedAll: boolean;
  /** The page being read, shared by whoever asks meanwhile. */
  reading?: Promise<void>;
  pages: number;
}

/** `sha256-<hex>` tags hold referrer indexes and cosign artifacts: shown as attachments, not tags. */
export function isDigestTag(tag: string): boolean {
  return /^sha(256|512)-[0-9a-f]{32,}(\.\w+)?$/.test(tag);
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

/** Digest, size and age of one tag: the manifest and its image's config (two GETs, three for an index). */
export async function tagDetails(backend: RegistryBackend, repository: string, tag: string): Promise<TagDetails> {
  const manifest = await backend.getManifest(repository, tag);
  const { digest, mediaType } = manifest.descriptor;
  if (isIndex(mediaType)) {
    const platforms = imagePlatforms(manifest.json);
    const created = manifest.json.annotations?.['org.opencontainers.image.created']
      ?? (platforms[0] ? (await labelsAndCreated(backend, repository, platforms[0].digest, manifest.json)).created : undefined);
    return { digest, mediaType, sameImage: [], platforms: platforms.length, ...(created ? { created } : {}) };
  }
  const size = (manifest.json.config?.size ?? 0) + (manifest.json.layers ?? []).reduce((total, layer) => total + layer.size, 0);
  const { created } = await labelsAndCreated(backend, repository, undefined, manifest.json);
  return { digest, mediaType, sameImage: [], size, ...(created ? { created } : {}) };
}

/** A cache of promises that forgets failures, so the next ask tries again. */
function remembered<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let cached = cache.get(key);
  if (!cached) {
    cached = load();
    cache.set(key, cached);
    cached.catch(() => cache.delete(key));
  }
  return cached;
}

/** One node per attachment; a BuildKit manifest holds several (SBOM, provenance), told apart by their layer. */
function attachmentNodes(parent: ExplorerNode, attachments: readonly Attachment[]): ExplorerNode[] {
  return attachments.map((attachment) => ({ kind: 'attachment', id: `${parent.id}#${attachment.layerDigest ?? attachment.digest}`, parent, attachment }));
}

/** The tag an attachment or platform node belongs to: what its content is read through. */
export function tagOf(node: ExplorerNode): TagNode | undefined {
  let current: ExplorerNode | undefined = node;
  while (current && current.kind !== 'tag') current = 'parent' in current ? current.parent : undefined;
  return current;
}

/** Loads children on demand, caches what it read until a refresh, and never fetches more than it shows. */
export class ExplorerModel {
  private readonly repositoriesCache = new Map<string, Promise<string[]>>();
  private readonly listings = new Map<string, TagListing>();
  private readonly detailsCache = new Map<string, Promise<TagDetails>>();
  private readonly digestCache = new Map<string, Promise<string>>();
  private readonly shownTags = new Map<string, number>();
  /** Per repository node, the tags it shows without its filter: "same image as" looks at these. */
  private readonly unfilteredShown = new Map<string, readonly string[]>();
  /** Repository nodes whose tags were listed, for choosing one to filter. */
  private readonly listedRepositories = new Map<string, RepositoryNode>();
  /** Per repository node. Kept across refreshes: it is how the user looks, not what the registry holds. */
  private readonly filters = new Map<string, TagFilter>();

  constructor(private readonly options: { sort: () => TagSort; describeError: (error: unknown) => { message: string; fix: 'sign-in' | 'settings' | 'retry' } }) {}

  refresh(): void {
    for (const cache of [this.repositoriesCache, this.listings, this.detailsCache, this.digestCache, this.shownTags, this.unfilteredShown, this.listedRepositories]) cache.clear();
  }

  /** Shows the next page of a repository's tags. */
  showMore(repositoryNode: ExplorerNode): void {
    this.shownTags.set(repositoryNode.id, (this.shownTags.get(repositoryNode.id) ?? TAG_PAGE) + TAG_PAGE);
  }

  /** Shows only the repository's tags containing `text` (case-insensitive); empty text shows all. */
  setFilter(repositoryNode: RepositoryNode, text: string): void {
    if (text) this.filters.set(repositoryNode.id, { repository: repositoryNode.repository, text });
    else this.filters.delete(repositoryNode.id);
  }

  filterOf(repositoryNode: ExplorerNode): TagFilter | undefined {
    return this.filters.get(repositoryNode.id);
  }

  activeFilters(): TagFilter[] {
    return [...this.filters.values()];
  }

  clearFilters(): void {
    this.filters.clear();
  }

  /** Repositories whose tags are listed now (expanded in the tree). */
  listed(): RepositoryNode[] {
    return [...this.listedRepositories.values()];
  }

  private repositories(node: Extract<ExplorerNode, { kind: 'registry' }>): Promise<string[]> {
    if (node.repositories && node.repositories.length > 0) return Promise.resolve([...node.repositories].sort());
    return remembered(this.repositoriesCache, node.id, async () => {
      const names: string[] = [];
      for await (const page of node.backend.listRepositories()) for (const name of page) names.push(name);
      return names.sort();
    });
  }

  private listing(node: RepositoryNode): TagListing {
    let listing = this.listings.get(node.id);
    if (!listing) this.listings.set(node.id, listing = { tags: [], seen: new Set(), complete: false, sortedAll: false, pages: 0 });
    return listing;
  }

  /** Reads pages (one request each) until `count` tags are known or the listing ends. */
  private async readTags(node: RepositoryNode, count: number, onPage?: (read: number) => void, signal?: AbortSignal): Promise<TagListing> {
    const listing = this.listing(node);
    while (!listing.complete && listing.tags.length < count) {
      signal?.throwIfAborted();
      listing.reading ??= this.readPage(node, listing).finally(() => (listing.reading = undefined));
      await listing.reading;
      onPage?.(listing.tags.length);
    }
    return listing;
  }

  private async readPage(node: RepositoryNode, listing: TagListing): Promise<void> {
    // The bound every listing has, so a registry that pages forever cannot hold a "sort all".
    if (listing.pages >= DEFAULT_LISTING_LIMITS.maxPages) throw new RegistryError('list tags of', `${node.backend.name}/${node.repository}`, `the registry sent more than ${DEFAULT_LISTING_LIMITS.maxPages} pages: stopped`);
    listing.pages += 1;
    const page = await node.backend.tagPage(node.repository, { pageSize: TAG_PAGE, ...(listing.next !== undefined ? { next: listing.next } : {}) });
    const fresh = page.tags.filter((tag) => !listing.seen.has(tag));
    for (const tag of fresh) {
      listing.seen.add(tag);
      listing.tags.push(tag);
    }
    // A page with nothing new ends the listing, so a registry that repeats itself cannot hold us.
    if (page.next === undefined || fresh.length === 0) {
      delete listing.next;
      listing.complete = true;
    } else listing.next = page.next;
  }

  /**
   * Reads every remaining page of a repository's tags and orders them by version: the explicit
   * "sort all" of a repository too large to sort on expanding. `onProgress` gets the tags read so far.
   */
  async sortAll(node: RepositoryNode, onProgress: (read: number) => void, signal?: AbortSignal): Promise<number> {
    const listing = await this.readTags(node, Infinity, onProgress, signal);
    listing.sortedAll = true;
    return listing.tags.length;
  }

  /** Whether a repository shows its tags in the registry's order (not all read, or too many to sort unasked). */
  inRegistryOrder(node: ExplorerNode): boolean {
    const listing = this.listings.get(node.id);
    return listing !== undefined && !listing.sortedAll && (!listing.complete || listing.tags.length > SORTED_LIMIT);
  }

  /** The tags a tag node's attachments are looked for among: all of them, else the cosign tags of its digest that exist (one HEAD each). */
  private async attachmentTags(node: TagNode, digest: string): Promise<readonly string[]> {
    const listing = this.listing(node.parent as RepositoryNode);
    if (listing.complete) return listing.tags;
    const candidates = ['sig', 'att', 'sbom'].map((suffix) => `${referrersTag(digest)}.${suffix}`);
    const present = await Promise.all(candidates.map((tag) => node.backend.resolve(node.repository, tag).then(() => tag, (error: unknown) => {
      if (error instanceof RegistryError && error.status === 404) return undefined;
      throw error;
    })));
    return cosignTagsFor(digest, present.filter((tag): tag is string => tag !== undefined)).map(({ tag }) => tag);
  }

  private details(node: RepositoryNode, tag: string): Promise<TagDetails> {
    return remembered(this.detailsCache, `${node.id}:${tag}`, () => tagDetails(node.backend, node.repository, tag));
  }

  /** A tag's digest: from its details when they were read, else one HEAD. */
  private digest(node: RepositoryNode, tag: string): Promise<string> {
    const details = this.detailsCache.get(`${node.id}:${tag}`);
    if (details) return details.then((known) => known.digest);
    return remembered(this.digestCache, `${node.id}:${tag}`, async () => (await node.backend.resolve(node.repository, tag)).digest);
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

  private async tagNodes(node: RepositoryNode): Promise<ExplorerNode[]> {
    this.listedRepositories.set(node.id, node);
    const shown = this.shownTags.get(node.id) ?? TAG_PAGE;
    // No read ahead: the first page is one request; "Load more…" reads the next when asked.
    const listing = await this.readTags(node, shown);
    const names = listing.tags.filter((tag) => !isDigestTag(tag));
    const registryOrder = this.inRegistryOrder(node);
    const sort = listing.sortedAll ? 'version' : this.options.sort();
    // By date needs every tag's config: asked for explicitly, fetched four at a time.
    const dated = !registryOrder && sort === 'date' ? new Map(await mapLimited(names, 4, async (tag) => [tag, await this.details(node, tag).catch(() => undefined)] as const)) : undefined;
    const ordered = registryOrder ? names : sortTags(names, sort, (tag) => dated?.get(tag)?.created);
    this.unfilteredShown.set(node.id, ordered.slice(0, shown));
    const filter = this.filters.get(node.id)?.text.toLowerCase();
    const tags = filter ? ordered.filter((tag) => tag.toLowerCase().includes(filter)) : ordered;
    const nodes: ExplorerNode[] = tags.slice(0, shown).map((tag) => {
      const known = dated?.get(tag);
      return { kind: 'tag', id: `${node.id}:${tag}`, parent: node, tag, repository: node.repository, backend: node.backend, ...(known ? { details: known } : {}) };
    });
    if (tags.length > shown || !listing.complete) nodes.push({ kind: 'loadMore', id: `${node.id}/more-${shown}`, parent: node, shown });
    if (registryOrder) nodes.push({ kind: 'sortAll', id: `${node.id}/sort-all`, parent: node, read: listing.tags.length, complete: listing.complete });
    return nodes;
  }

  private async load(node: ExplorerNode): Promise<ExplorerNode[]> {
    switch (node.kind) {
      case 'registry':
        return this.repositoryNodes(node, node.backend, await this.repositories(node), 0);
      case 'namespace':
        return this.repositoryNodes(node, this.registryOf(node).backend, node.repositories, node.depth);
      case 'repository':
        return this.tagNodes(node);
      case 'tag': {
        const manifest = await node.backend.getManifest(node.repository, node.tag);
        const attachments = await attachmentsOf(node.backend, node.repository, manifest.descriptor.digest, this.attachmentTags(node, manifest.descriptor.digest), undefined, manifest.json);
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

  /**
   * Digest, size and age of visible tags (all of one repository), a few at a time (no fetch
   * storms). "Same image as" names every tag on the digest among those the repository shows
   * without its filter, so a filter hides tags but never changes what is said about the rest.
   */
  async resolveTags(nodes: readonly TagNode[], onResolved: (node: ExplorerNode) => void, concurrency = 4): Promise<void> {
    const repository = nodes[0]?.parent;
    if (repository?.kind !== 'repository') return;
    await mapLimited(nodes.filter((node) => !node.details), concurrency, async (node) => {
      try {
        node.details = await this.details(repository, node.tag);
        onResolved(node);
      } catch {
        // The tag shows without details; expanding it reports the error.
      }
    });
    const candidates = [...new Set([...(this.unfilteredShown.get(repository.id) ?? []), ...nodes.map((node) => node.tag)])];
    const digests = new Map(await mapLimited(candidates, concurrency, async (tag) => [tag, await this.digest(repository, tag).catch(() => undefined)] as const));
    for (const node of nodes) {
      if (!node.details) continue;
      const same = candidates.filter((tag) => tag !== node.tag && digests.get(tag) === node.details!.digest);
      if (same.length > 0) {
        node.details = { ...node.details, sameImage: same };
        onResolved(node);
      }
    }
  }
}
