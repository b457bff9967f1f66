import { mapLimited } from '../concurrency';
import { readFailure, RegistryError } from '../registry/errors';
import type { ReadFailure } from '../registry/errors';
import { isDigestTag } from '../registry/explorer';
import { allTags, imagePlatforms, labelsAndCreated } from '../registry/inspect';
import { isIndex } from '../registry/types';
import type { FetchedManifest, RegistryBackend } from '../registry/types';
import { sortTags } from '../registry/tagOrder';
import { pullsArtifact, referencesToRepository } from '../retention/protection';
import type { WorkspaceReference } from '../retention/protection';
import { mayHaveAttestations, provenanceOf } from './provenance';
import { matchImage, needsProvenance } from './query';
import type { FindQuery, ImageMetadata } from './query';

/** Requests in flight at once by default: as `steward ls --digests`, polite to any registry. */
export const FIND_CONCURRENCY = 8;

export interface FindProgress {
  readonly phase: 'repositories' | 'tags' | 'images';
  readonly done: number;
  readonly total: number;
}

export interface FoundImage {
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  /** Its tags in the repository (versions newest first). */
  readonly tags: readonly string[];
  /** One entry per criterion: where its value was found (`label org.opencontainers.image.revision`, `provenance BuildKit linux/amd64, unverified`). */
  readonly matchedBy: readonly string[];
  /** The workspace's references that pull this image (by its digest or one of its tags). */
  readonly deployedBy: readonly WorkspaceReference[];
}

export interface FindResult {
  readonly images: readonly FoundImage[];
  readonly repositories: number;
  /** Distinct images read (after tags on one digest were merged). */
  readonly imagesRead: number;
  /** What could not be read: the search is incomplete there, and says so. */
  readonly failures: readonly ReadFailure[];
}

export interface FindOptions {
  /** `team/` or `team/app`: repositories equal to it or under it. */
  readonly repositoryPrefix?: string;
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FindProgress) => void;
  /** The workspace's image references (see retention/protection scanWorkspace), to say which files deploy each result. */
  readonly workspace?: readonly WorkspaceReference[];
}

/** An image to read: a repository and a tag, with the tags known for it. */
interface Candidate {
  readonly repository: string;
  readonly reference: string;
  readonly tags: readonly string[];
}

/** Repositories equal to `prefix` or under it; a registry without a catalog is asked for the prefix as a repository. */
async function repositoriesUnder(backend: RegistryBackend, prefix: string | undefined, signal?: AbortSignal): Promise<string[]> {
  const all: string[] = [];
  try {
    for await (const page of backend.listRepositories(signal ? { signal } : {})) all.push(...page);
  } catch (error) {
    if (prefix && error instanceof RegistryError && (error.status === 404 || error.status === 401 || error.status === 403)) return [prefix.replace(/\/+$/, '')];
    throw error;
  }
  if (!prefix) return all;
  const bare = prefix.replace(/\/+$/, '');
  return all.filter((repository) => repository === bare || repository.startsWith(`${bare}/`));
}

/** Every (repository, tag) under the prefix; attachment tags (`sha256-…`) are not images. */
async function candidatesByListing(backend: RegistryBackend, options: FindOptions, failures: ReadFailure[]): Promise<{ candidates: Candidate[]; repositories: number; tagSets: Map<string, Set<string>> }> {
  const { signal, onProgress } = options;
  const limit = options.concurrency ?? FIND_CONCURRENCY;
  const repositories = await repositoriesUnder(backend, options.repositoryPrefix, signal);
  onProgress?.({ phase: 'repositories', done: repositories.length, total: repositories.length });
  let listed = 0;
  const tagSets = new Map<string, Set<string>>();
  await mapLimited(repositories, limit, async (repository) => {
    try {
      tagSets.set(repository, new Set(await allTags(backend, repository, signal)));
    } catch (error) {
      failures.push(readFailure(`${backend.name}/${repository}`, error));
    }
    onProgress?.({ phase: 'tags', done: ++listed, total: repositories.length });
  });
  const candidates = [...tagSets].flatMap(([repository, tags]) => [...tags].filter((tag) => !isDigestTag(tag)).map((tag): Candidate => ({ repository, reference: tag, tags: [tag] })));
  return { candidates, repositories: repositories.length, tagSets };
}

/** Annotations, labels and config `created` of an image (the first platform's for an index). */
async function metadataOf(backend: RegistryBackend, repository: string, manifest: FetchedManifest, annotationsOnly: boolean, signal?: AbortSignal): Promise<ImageMetadata> {
  if (annotationsOnly) return { annotations: { ...manifest.json.annotations }, labels: {}, provenance: [] };
  const first = isIndex(manifest.descriptor.mediaType) ? imagePlatforms(manifest.json)[0] : undefined;
  const image = first ? await backend.getManifest(repository, first.digest, signal) : manifest;
  const { labels, created } = await labelsAndCreated(backend, repository, undefined, image.json, signal);
  return { annotations: { ...image.json.annotations, ...(first ? manifest.json.annotations : {}) }, labels, ...(created ? { configCreated: created } : {}), provenance: [] };
}

/** The query without the criteria provenance could answer: when this fails, reading provenance cannot help. */
function withoutProvenanceCriteria(query: FindQuery): FindQuery {
  const { revision: _revision, source: _source, ...rest } = query;
  return rest;
}

/**
 * Images of a registry (under a repository prefix) whose labels, annotations or provenance match
 * the query. Reads the catalog, each repository's tags, each tag's manifest, and per distinct
 * image its config, with at most `concurrency` requests at once; provenance only where the
 * other criteria hold and the image may carry attestations.
 */
export async function findImages(backend: RegistryBackend, query: FindQuery, options: FindOptions = {}): Promise<FindResult> {
  const { signal, onProgress } = options;
  const limit = options.concurrency ?? FIND_CONCURRENCY;
  const failures: ReadFailure[] = [];
  const { candidates, repositories, tagSets } = await candidatesByListing(backend, options, failures);

  // Every tag's manifest, then one entry per distinct image of a repository (its tags merged).
  let fetched = 0;
  const images = new Map<string, { repository: string; manifest: FetchedManifest; tags: string[] }>();
  await mapLimited(candidates, limit, async (candidate) => {
    try {
      const manifest = await backend.getManifest(candidate.repository, candidate.reference, signal);
      const key = `${candidate.repository}@${manifest.descriptor.digest}`;
      const known = images.get(key);
      if (known) known.tags.push(...candidate.tags);
      else images.set(key, { repository: candidate.repository, manifest, tags: [...candidate.tags] });
    } catch (error) {
      failures.push(readFailure(`${backend.name}/${candidate.repository}:${candidate.reference}`, error));
    }
    onProgress?.({ phase: 'images', done: ++fetched, total: candidates.length });
  });

  const found = await mapLimited([...images.values()], limit, async ({ repository, manifest, tags }): Promise<FoundImage | undefined> => {
    const { digest, mediaType } = manifest.descriptor;
    try {
      let metadata = await metadataOf(backend, repository, manifest, query.annotationsOnly === true, signal);
      let matchedBy = matchImage(query, metadata);
      const index = isIndex(mediaType) ? manifest.json : undefined;
      const repositoryTags = tagSets.get(repository) ?? new Set<string>();
      if (!matchedBy && needsProvenance(query) && matchImage(withoutProvenanceCriteria(query), metadata) && mayHaveAttestations(backend, digest, repositoryTags, index)) {
        metadata = { ...metadata, provenance: await provenanceOf(backend, repository, digest, repositoryTags, index, signal) };
        matchedBy = matchImage(query, metadata);
      }
      if (!matchedBy) return undefined;
      const artifact = { digest, tags };
      const deployedBy = referencesToRepository(options.workspace ?? [], backend.name, repository).filter((reference) => pullsArtifact(reference, artifact));
      return { registry: backend.name, repository, digest, mediaType, tags: sortTags([...new Set(tags)], 'version'), matchedBy, deployedBy };
    } catch (error) {
      failures.push(readFailure(`${backend.name}/${repository}@${digest}`, error));
      return undefined;
    }
  });
  const results = found.filter((image): image is FoundImage => image !== undefined)
    .sort((a, b) => a.repository.localeCompare(b.repository) || (a.tags[0] ?? '').localeCompare(b.tags[0] ?? '', undefined, { numeric: true }));
  return {
    images: results, repositories, imagesRead: images.size,
    failures: failures.sort((a, b) => a.reference.localeCompare(b.reference)),
  };
}
