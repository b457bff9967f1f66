import type { Readable } from 'node:stream';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** All four, always: without them this registry down-converts or 404s (see real-registry.md). */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.dockerManifestList].join(', ');

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
}

/** A manifest or index as fetched: its exact bytes (the digest covers them) and the parsed JSON. */
export interface FetchedManifest {
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
  readonly json: ManifestJson;
}

export interface ManifestJson {
  readonly schemaVersion?: number;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config?: Descriptor;
  readonly layers?: readonly Descriptor[];
  readonly manifests?: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

export function isIndex(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList;
}

export function platformString(platform: Platform | undefined): string {
  return platform ? [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/') : 'unknown';
}

/** Where a tag listing continues: a path on the registry that answered the previous page. */
export type TagCursor = string;

export interface TagPage {
  readonly tags: readonly string[];
  readonly next?: TagCursor;
}

/** A registry or anything that serves like one (an OCI image layout folder). */
export interface RegistryBackend {
  /** `host[:port]`, or the layout's path; used in messages. */
  readonly name: string;
  listRepositories(options?: { pageSize?: number; signal?: AbortSignal }): AsyncIterable<string[]>;
  listTags(repository: string, options?: { pageSize?: number; signal?: AbortSignal }): AsyncIterable<string[]>;
  /**
   * One page of a repository's tags (one request), for showing a few of very many: `next` is where
   * the following page starts (the registry's Link, else `last` after a full page); none at the end.
   */
  tagPage(repository: string, options: { pageSize: number; next?: TagCursor; signal?: AbortSignal }): Promise<TagPage>;
  /** Digest, media type and size of a tag or digest, as cheaply as the backend allows (HEAD). */
  resolve(repository: string, reference: string, signal?: AbortSignal): Promise<Descriptor>;
  getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest>;
  getBlob(repository: string, digest: string, signal?: AbortSignal): Promise<Buffer>;
  /** A blob as a stream with its size, for copies of any size. */
  openBlob(repository: string, digest: string, signal?: AbortSignal): Promise<{ size: number; stream: Readable }>;
  /** Artifacts whose `subject` is `digest` (OCI referrers API, or the fallback tag index). */
  referrers(repository: string, digest: string, signal?: AbortSignal): Promise<Descriptor[]>;
  /** Deletes by digest: every tag on that digest goes with it. */
  deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void>;
}
