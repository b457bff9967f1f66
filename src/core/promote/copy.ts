import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { mapLimited, sleep } from '../concurrency';
import { RegistryError } from '../registry/errors';
import { HttpRegistry } from '../registry/httpRegistry';
import { isIndex } from '../registry/types';
import type { Descriptor, FetchedManifest, RegistryBackend } from '../registry/types';

/** Index in index in …: real images nest two deep (an index of platform manifests); this is far past that. */
export const MAX_INDEX_DEPTH = 8;

/** Layers in flight at once, as skopeo (6 parallel copies by default). */
const BLOB_CONCURRENCY = 6;

export interface CopyProgress {
  readonly step: string;
  /** Bytes sent so far over the whole copy, and the total known so far. */
  readonly bytesSent: number;
}

export interface CopyStats {
  blobsMounted: number;
  blobsCopied: number;
  blobsPresent: number;
  bytesSent: number;
  manifests: number;
}

/** Hashes and counts bytes as they pass; fails at the end when they are not the expected blob. */
class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly expected: Descriptor, private readonly onBytes: (count: number) => void) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const digest = `sha256:${this.hash.digest('hex')}`;
    if (digest !== this.expected.digest || this.bytes !== this.expected.size) {
      callback(new Error(`the source sent ${this.bytes} bytes with digest ${digest}; expected ${this.expected.size} bytes with ${this.expected.digest}`));
    } else callback();
  }
}

export interface CopyOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: CopyProgress) => void;
  /** Whole-blob attempts after a failed streamed transfer (the transport retries everything else). */
  readonly blobAttempts?: number;
  /** First wait before a whole-blob retry, doubled each time (at most 4 s). */
  readonly blobRetryDelayMs?: number;
}

/**
 * Copies manifests and blobs by digest into a target repository: blobs first (already there →
 * skipped; same registry → mounted, no bytes move; otherwise streamed and verified on the way),
 * then child manifests, then the manifest or index itself. Never writes a tag: the caller tags last.
 */
export class ImageCopier {
  readonly stats: CopyStats = { blobsMounted: 0, blobsCopied: 0, blobsPresent: 0, bytesSent: 0, manifests: 0 };
  /** Blobs and manifests copied or on their way, by digest: each is transferred once. */
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly source: { readonly backend: RegistryBackend; readonly repository: string },
    private readonly target: { readonly registry: HttpRegistry; readonly repository: string },
    private readonly options: CopyOptions = {},
  ) {}

  private get sameRegistry(): boolean {
    return this.source.backend instanceof HttpRegistry && this.source.backend.name === this.target.registry.name;
  }

  /**
   * Copies the manifest (and for an index, every child) with all its blobs; returns what was
   * copied. `ancestors` are the indexes above it: a source whose indexes name themselves or nest
   * deeper than any real image is refused instead of copied forever.
   */
  async copyManifest(reference: string, ancestors: readonly string[] = []): Promise<FetchedManifest> {
    const { signal } = this.options;
    const where = `${this.source.backend.name}/${this.source.repository}@${reference}`;
    if (ancestors.includes(reference)) throw new RegistryError('copy', where, `the index names itself (${[...ancestors, reference].map((digest) => digest.slice(0, 19)).join(' → ')})`);
    if (ancestors.length >= MAX_INDEX_DEPTH) throw new RegistryError('copy', where, `indexes nest more than ${MAX_INDEX_DEPTH} deep`);
    const manifest = await this.source.backend.getManifest(this.source.repository, reference, signal);
    const digest = manifest.descriptor.digest;
    await this.once(digest, async () => {
      // Children and blobs go in parallel (as docker and skopeo push layers); the manifest only after all of them.
      if (isIndex(manifest.descriptor.mediaType)) await mapLimited(manifest.json.manifests ?? [], 2, (child) => this.copyManifest(child.digest, [...ancestors, digest]));
      else await mapLimited([manifest.json.config, ...(manifest.json.layers ?? [])].filter((blob): blob is Descriptor => !!blob), BLOB_CONCURRENCY, (blob) => this.copyBlob(blob));
      this.progress(`manifest ${digest.slice(0, 19)}`);
      await this.target.registry.putManifest(this.target.repository, digest, manifest.bytes, manifest.descriptor.mediaType, signal);
      this.stats.manifests += 1;
    });
    return manifest;
  }

  private once(digest: string, work: () => Promise<void>): Promise<unknown> {
    let running = this.inflight.get(digest);
    if (!running) {
      running = work();
      this.inflight.set(digest, running);
      // A failed transfer may be tried again by a later call (a re-run in the same copier).
      running.catch(() => this.inflight.delete(digest));
    }
    return running;
  }

  private progress(step: string): void {
    this.options.onProgress?.({ step, bytesSent: this.stats.bytesSent });
  }

  private copyBlob(blob: Descriptor): Promise<unknown> {
    return this.once(blob.digest, () => this.transferBlob(blob));
  }

  private async transferBlob(blob: Descriptor): Promise<void> {
    const { signal } = this.options;
    const { registry, repository } = this.target;
    // Within one registry a mount answers 201 whether or not the target has the blob: no HEAD first.
    if (this.sameRegistry && await registry.mountBlob(repository, blob.digest, this.source.repository, signal)) {
      this.stats.blobsMounted += 1;
      this.progress(`mounted ${blob.digest.slice(0, 19)}`);
      return;
    }
    // The HEAD and a new upload session at once: copying into a fresh repository saves a round trip
    // per blob; a blob that is there already costs an abandoned session.
    const session = registry.startUpload(repository, blob.digest, signal);
    session.catch(() => undefined);
    let present: boolean;
    try {
      present = await registry.hasBlob(repository, blob.digest, signal);
    } catch (error) {
      void session.then((opened) => registry.abandonUpload(opened), () => undefined);
      throw error;
    }
    if (present) {
      this.stats.blobsPresent += 1;
      await session.then((opened) => registry.abandonUpload(opened, signal), () => undefined);
      return;
    }
    await this.streamBlob(blob, session);
    this.stats.blobsCopied += 1;
  }

  /**
   * Streams one blob, verified on the way, into `firstSession` (a new session for each later
   * attempt); a failed transfer starts over (the registry committed nothing).
   */
  private async streamBlob(blob: Descriptor, firstSession: Promise<URL>): Promise<void> {
    const { signal } = this.options;
    const attempts = this.options.blobAttempts ?? 5;
    for (let attempt = 1; ; attempt += 1) {
      let sent = 0;
      try {
        const body = (await this.source.backend.openBlob(this.source.repository, blob.digest, signal)).stream;
        const verifying = new VerifyingStream(blob, (count) => {
          sent += count;
          this.stats.bytesSent += count;
        });
        body.on('error', (error) => verifying.destroy(error));
        this.progress(`copying ${blob.digest.slice(0, 19)} (${blob.size} bytes)`);
        const { registry, repository } = this.target;
        const session = attempt === 1 ? await firstSession : await registry.startUpload(repository, blob.digest, signal);
        await registry.finishUpload(repository, blob.digest, blob.size, session, body.pipe(verifying), signal);
        return;
      } catch (error) {
        this.stats.bytesSent -= sent;
        if (attempt >= attempts || signal?.aborted) throw error;
        await sleep(Math.min(4000, (this.options.blobRetryDelayMs ?? 200) * 2 ** (attempt - 1)), signal);
      }
    }
  }
}
