import { sleep } from '../concurrency';
import { redact } from '../log';
import { isRepositoryPath, isTag } from '../reference/parse';
import { Authenticator, isLoopback, parseChallenge } from './auth';
import type { CredentialProvider } from './auth';
import { digestProblem, isDigest, quoted, referrersTag, sha256Digest, verifyDigest } from './digest';
import { describeErrorBody, RegistryError } from './errors';
import { InvalidManifest, parseManifestJson } from './manifestJson';
import type { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse, StreamResponse, Transport } from './transport';
import { MANIFEST_ACCEPT, MEDIA_TYPES } from './types';
import type { Descriptor, FetchedManifest, RegistryBackend, TagCursor, TagPage } from './types';

/** The API host for a registry name: Docker Hub's images are served from registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/** `host:port` or `[v6]:port`: a host naming its port. */
function hasPort(host: string): boolean {
  return /^(?:\[[^\]]*\]|[^:\[\]]+):\d+$/.test(host);
}

/** Parses `Link: <url>; rel="next"` (absolute or relative to the request URL). */
export function nextLink(header: string | undefined, requestUrl: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /rel\s*=\s*"?next"?/i.test(match[2]!)) {
      try {
        return new URL(match[1]!, requestUrl).toString();
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Bounds on one listing (tags or catalog), so a registry that pages forever cannot hold us. */
export interface ListingLimits {
  /** Pages read at most; real registries need a handful (1,000 entries a page). */
  readonly maxPages?: number;
  /** Time one whole listing may take. */
  readonly deadlineMs?: number;
}

export const DEFAULT_LISTING_LIMITS: Required<ListingLimits> = { maxPages: 10_000, deadlineMs: 15 * 60_000 };

/** Pauses before each read-back of a delete answered 202: registries that delete asynchronously get a moment. */
const DELETE_READ_BACK_PAUSES_MS = [0, 100, 1000];

/**
 * Checks the parts of a registry URL path before it is built — the repository by the reference
 * grammar, the reference as a tag (tag grammar) or a sha256/sha512 digest; nothing else reaches a
 * path — and returns where the operation points (`host/repo:tag`, `host/repo@digest`) for messages.
 */
function checkedWhere(operation: string, registry: string, repository: string, reference?: string): string {
  const where = reference === undefined ? `${registry}/${repository}` : `${registry}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  if (!isRepositoryPath(repository)) throw new RegistryError(operation, where, `${quoted(repository)} is not a valid repository name`);
  if (reference !== undefined && (reference.includes(':') ? !isDigest(reference) : !isTag(reference))) {
    throw new RegistryError(operation, where, `${quoted(reference)} is neither a tag nor a sha256/sha512 digest`);
  }
  return where;
}

interface Call {
  readonly operation: string;
  readonly reference: string;
  /** Token scope, e.g. `repository:team/app:pull`. */
  readonly scope: string;
  /** A path on the registry (`/v2/…`), or an absolute URL the registry sent (Link, Location). */
  readonly request: Omit<HttpRequest, 'url'> & { readonly path: string };
  /** Statuses that are answers, not failures (404 for "no referrers API"). */
  readonly accept?: readonly number[];
}

/**
 * A registry over the OCI distribution API. The scheme is HTTPS; loopback registries (like
 * `docker` does for localhost) and hosts configured `insecure` may fall back to plain HTTP. A
 * loopback host with a port asks plain HTTP first: one port speaks one protocol, so a registry's
 * plain answer settles it in one loopback round trip without loading TLS.
 */
export class HttpRegistry implements RegistryBackend {
  readonly name: string;
  private readonly host: string;
  private readonly auth: Authenticator;
  private readonly listingLimits: Required<ListingLimits>;
  private scheme: Promise<'https' | 'http'> | undefined;
  /** Whether the referrers API answered; learnt on first use (this registry version has none). */
  private referrersApi: boolean | undefined;

  /** False once the registry answered that it has no referrers API (attachments then live in fallback tags only). */
  get referrersApiAvailable(): boolean | undefined {
    return this.referrersApi;
  }

  constructor(registry: string, private readonly transport: Transport, credentials: CredentialProvider, listingLimits: ListingLimits = {}) {
    this.name = registry;
    this.host = apiHost(registry);
    this.auth = new Authenticator(transport, credentials);
    this.listingLimits = { ...DEFAULT_LISTING_LIMITS, ...listingLimits };
  }

  private async baseUrl(): Promise<string> {
    this.scheme ??= this.detectScheme();
    return `${await this.scheme}://${this.host}`;
  }

  private async detectScheme(): Promise<'https' | 'http'> {
    const loopback = isLoopback(this.host);
    if (!loopback && this.transport.hostOptions(this.host).insecure !== true) return 'https';
    // A registry answers `GET /v2/` with 200, or 401 asking for credentials; a TLS port answers
    // plain HTTP with a 400 or a closed connection, and then TLS is asked as before. Without a
    // port, http and https are two ports (80, 443), possibly two servers: HTTPS first, as docker.
    if (loopback && hasPort(this.host)) {
      const plain = await this.transport.request({ method: 'GET', url: `http://${this.host}/v2/`, maxRetries: 0 }).catch(() => undefined);
      if (plain?.status === 200 || plain?.status === 401) return 'http';
    }
    try {
      await this.transport.request({ method: 'GET', url: `https://${this.host}/v2/` });
      return 'https';
    } catch {
      return 'http';
    }
  }

  /** A URL the registry sent (Link, Location, a redirect): parsed, and refused when it would leave TLS. */
  private checkedUrl(operation: string, where: string, url: string, base: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url, base);
    } catch {
      throw new RegistryError(operation, where, `the registry sent an unusable URL ${quoted(url)}`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new RegistryError(operation, where, `the registry sent a ${quoted(parsed.protocol)} URL`);
    if (parsed.protocol === 'http:' && new URL(base).protocol === 'https:') {
      throw new RegistryError(operation, where, `refusing to follow ${quoted(redact(parsed.origin))}: it downgrades HTTPS to plain HTTP`);
    }
    return parsed;
  }

  /**
   * Sends a request with the authorization this host and scope need: the one that worked before,
   * else the answer to the 401's challenge. Credentials and tokens go to the registry's own
   * origin only: a URL the registry names elsewhere gets none. `discard` frees a refused response's body.
   */
  private async authorized<R extends { readonly status: number; readonly headers: Readonly<Record<string, string | undefined>> }>(call: Call, transfer: (request: HttpRequest) => Promise<R>, discard: (response: R) => void): Promise<R> {
    const base = await this.baseUrl();
    const secure = base.startsWith('https:');
    const url = call.request.path.startsWith('/') ? new URL(base + call.request.path) : this.checkedUrl(call.operation, call.reference, call.request.path, base);
    const ownOrigin = url.origin === new URL(base).origin;
    const send = (authorization: string | undefined) => transfer({ ...call.request, url: url.toString(), headers: { ...call.request.headers, ...(authorization ? { authorization } : {}) } });
    try {
      let response = await send(ownOrigin ? await this.auth.preemptive(this.host, call.scope, secure) : undefined);
      if (response.status === 401 && ownOrigin) {
        discard(response);
        this.auth.forget(this.host, call.scope);
        const challenge = parseChallenge(response.headers['www-authenticate']);
        const authorization = challenge ? await this.auth.answer(this.host, call.scope, challenge, secure) : undefined;
        if (authorization) response = await send(authorization);
      }
      return response;
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw new RegistryError(call.operation, call.reference, redact((error as Error).message));
    }
  }

  private failure(call: Call, status: number, body: string): RegistryError {
    const { code, message } = describeErrorBody(status, body);
    const hint = status === 401 ? ' (sign in to this registry)' : status === 403 ? ' (the credentials lack access)' : '';
    return new RegistryError(call.operation, call.reference, redact(message) + hint, status, code);
  }

  private async call(call: Call): Promise<HttpResponse> {
    const response = await this.authorized(call, (request) => this.transport.request(request), () => undefined);
    if (response.status >= 400 && !call.accept?.includes(response.status)) throw this.failure(call, response.status, response.body.toString('utf8'));
    return response;
  }

  /** Like `call`, but the response body is handed over as a stream (blob downloads of any size). */
  private async streamCall(call: Call): Promise<StreamResponse> {
    const response = await this.authorized(call, (request) => this.transport.stream(request), (refused) => refused.body.resume());
    if (response.status >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) if (chunks.length < 64) chunks.push(chunk as Buffer);
      throw this.failure(call, response.status, Buffer.concat(chunks).toString('utf8'));
    }
    return response;
  }

  /** The digest a response header names, checked; undefined when the header is absent. */
  private headerDigest(operation: string, where: string, response: { headers: Readonly<Record<string, string | undefined>> }): string | undefined {
    const value = response.headers['docker-content-digest'];
    if (value === undefined) return undefined;
    const problem = digestProblem(value, 'the Docker-Content-Digest header');
    if (problem) throw new RegistryError(operation, where, problem);
    return value;
  }

  /** The valid, distinct entries of one listing page and its `Link: rel="next"`. */
  private listedPage(operation: string, reference: string, response: HttpResponse, read: (body: unknown) => unknown, valid: (entry: unknown) => entry is string): { items: string[]; next?: string } {
    let listed: unknown;
    try {
      listed = read(JSON.parse(response.body.toString('utf8') || '{}'));
    } catch (error) {
      throw new RegistryError(operation, reference, `the registry sent a page that is not JSON (${(error as Error).message})`);
    }
    if (listed !== undefined && listed !== null && !Array.isArray(listed)) throw new RegistryError(operation, reference, 'the registry sent a page whose list is not a list');
    const items = [...new Set(((listed ?? []) as unknown[]).filter(valid))];
    const next = nextLink(response.headers.link, response.url);
    return { items, ...(next !== undefined ? { next } : {}) };
  }

  /** A next page is followed on the registry's own origin only. */
  private checkNextOrigin(operation: string, reference: string, next: string | undefined, response: HttpResponse): void {
    if (next !== undefined && new URL(next).origin !== new URL(response.url).origin) {
      throw new RegistryError(operation, reference, `the registry's next page is on another origin (${quoted(redact(new URL(next).origin))}): refused`);
    }
  }

  /**
   * Pages through a list endpoint by `Link` headers on the registry's own origin, never following
   * a link or page seen before, within the listing's page limit and deadline. Entries that are
   * not valid names by `valid` are left out (they could not be addressed anyway).
   */
  private async *pages(operation: string, reference: string, scope: string, firstPath: string, read: (body: unknown) => unknown, valid: (entry: unknown) => entry is string, signal?: AbortSignal): AsyncGenerator<string[]> {
    const { maxPages, deadlineMs } = this.listingLimits;
    const deadline = AbortSignal.timeout(deadlineMs);
    const listingSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const seenUrls = new Set<string>();
    const seenItems = new Set<string>();
    let pageCount = 0;
    const tooLong = () => new RegistryError(operation, reference, `the listing took longer than ${Math.round(deadlineMs / 1000)} s (${pageCount} pages): stopped`);
    for (let path: string | undefined = firstPath; path; ) {
      signal?.throwIfAborted();
      if (deadline.aborted) throw tooLong();
      if (pageCount >= maxPages) throw new RegistryError(operation, reference, `the registry sent more than ${maxPages} pages: stopped`);
      pageCount += 1;
      let response: HttpResponse;
      try {
        response = await this.call({ operation, reference, scope, request: { method: 'GET', path, signal: listingSignal } });
      } catch (error) {
        if (deadline.aborted && !signal?.aborted) throw tooLong();
        throw error;
      }
      seenUrls.add(response.url);
      const { items, next } = this.listedPage(operation, reference, response, read, valid);
      const fresh = items.filter((item) => !seenItems.has(item));
      for (const item of fresh) seenItems.add(item);
      if (fresh.length > 0) yield fresh;
      this.checkNextOrigin(operation, reference, next, response);
      // A repeated page, an empty page or a link back to a page already read ends the listing.
      path = next && fresh.length > 0 && !seenUrls.has(next) ? next : undefined;
    }
  }

  /**
   * Checks that the credentials open the registry, as `docker login` does: `GET /v2/` answering
   * its challenge (a token without a scope for Bearer). Rejects with a RegistryError when refused.
   */
  async checkSignIn(signal?: AbortSignal): Promise<void> {
    await this.call({ operation: 'sign in to', reference: this.name, scope: '', request: { method: 'GET', path: '/v2/', ...(signal ? { signal } : {}) } });
  }

  listRepositories(options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncIterable<string[]> {
    const pageSize = options.pageSize ?? 1000;
    return this.pages('list repositories of', this.name, 'registry:catalog:*', `/v2/_catalog?n=${pageSize}`, (body) => (body as { repositories?: unknown }).repositories, isRepositoryPath, options.signal);
  }

  listTags(repository: string, options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncIterable<string[]> {
    const pageSize = options.pageSize ?? 1000;
    const where = checkedWhere('list tags of', this.name, repository);
    return this.pages('list tags of', where, `repository:${repository}:pull`, `/v2/${repository}/tags/list?n=${pageSize}`, (body) => (body as { tags?: unknown }).tags, isTag, options.signal);
  }

  /**
   * One page of tags: `?n=pageSize`, or the cursor a previous page returned. The next page is the
   * registry's Link; without one, a full page continues with `last` (the distribution spec's other
   * way). A registry that ignores `n` sends everything at once: more than asked, so no next page.
   */
  async tagPage(repository: string, options: { pageSize: number; next?: TagCursor; signal?: AbortSignal }): Promise<TagPage> {
    const where = checkedWhere('list tags of', this.name, repository);
    const first = `/v2/${repository}/tags/list?n=${options.pageSize}`;
    const path = options.next ?? first;
    if (!path.startsWith(`/v2/${repository}/tags/list?`) && !/^https?:\/\//.test(path)) throw new RegistryError('list tags of', where, `${quoted(path)} is not a tag listing of this repository`);
    const response = await this.call({ operation: 'list tags of', reference: where, scope: `repository:${repository}:pull`, request: { method: 'GET', path, ...(options.signal ? { signal: options.signal } : {}) } });
    const { items, next } = this.listedPage('list tags of', where, response, (body) => (body as { tags?: unknown }).tags, isTag);
    this.checkNextOrigin('list tags of', where, next, response);
    const last = items.at(-1);
    const continued = next ?? (items.length === options.pageSize && last !== undefined ? `${first}&last=${encodeURIComponent(last)}` : undefined);
    return { tags: items, ...(continued !== undefined && continued !== response.url && continued !== path ? { next: continued } : {}) };
  }

  async resolve(repository: string, reference: string, signal?: AbortSignal): Promise<Descriptor> {
    const where = checkedWhere('resolve', this.name, repository, reference);
    const response = await this.call({
      operation: 'resolve', reference: where, scope: `repository:${repository}:pull`,
      request: { method: 'HEAD', path: `/v2/${repository}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT }, ...(signal ? { signal } : {}) },
    });
    const digest = this.headerDigest('resolve', where, response);
    if (digest && reference.includes(':') && digest !== reference) throw new RegistryError('resolve', where, `the registry answered for another digest (${digest})`);
    const mediaType = response.headers['content-type']?.split(';')[0]?.trim() ?? '';
    const size = Number(response.headers['content-length'] ?? 0);
    if (digest && mediaType) return { digest, mediaType, size: Number.isSafeInteger(size) && size >= 0 ? size : 0 };
    // Registries that omit the digest on HEAD: fetch and hash.
    return (await this.getManifest(repository, reference, signal)).descriptor;
  }

  async getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const where = checkedWhere('fetch manifest', this.name, repository, reference);
    const response = await this.call({
      operation: 'fetch manifest', reference: where, scope: `repository:${repository}:pull`,
      request: { method: 'GET', path: `/v2/${repository}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT }, maxBodyBytes: 4 * 1024 * 1024, ...(signal ? { signal } : {}) },
    });
    const digest = reference.includes(':') ? reference : this.headerDigest('fetch manifest', where, response) ?? sha256Digest(response.body);
    try {
      verifyDigest(response.body, digest, `the manifest of ${where}`);
      const json = parseManifestJson(response.body);
      const mediaType = json.mediaType ?? response.headers['content-type']?.split(';')[0]?.trim() ?? MEDIA_TYPES.ociManifest;
      return { descriptor: { mediaType, digest, size: response.body.length, ...(json.artifactType ? { artifactType: json.artifactType } : {}) }, bytes: response.body, json };
    } catch (error) {
      throw new RegistryError('fetch manifest', where, error instanceof InvalidManifest ? `the manifest's ${error.message}` : (error as Error).message);
    }
  }

  /** The storage URL a blob GET redirects to (many registries do; undici does not follow): never HTTPS → HTTP. */
  private redirectTarget(where: string, response: { status: number; url: string; headers: Readonly<Record<string, string | undefined>> }): string | undefined {
    const location = response.status >= 300 && response.status < 400 ? response.headers.location : undefined;
    return location === undefined ? undefined : this.checkedUrl('fetch blob', where, location, response.url).toString();
  }

  async getBlob(repository: string, digest: string, signal?: AbortSignal): Promise<Buffer> {
    const where = checkedWhere('fetch blob', this.name, repository, digest);
    const response = await this.call({
      operation: 'fetch blob', reference: where, scope: `repository:${repository}:pull`,
      request: { method: 'GET', path: `/v2/${repository}/blobs/${digest}`, ...(signal ? { signal } : {}) },
    });
    // Storage URLs are presigned: they get no credentials.
    const storage = this.redirectTarget(where, response);
    const body = storage ? (await this.transport.request({ method: 'GET', url: storage, ...(signal ? { signal } : {}) })).body : response.body;
    try {
      verifyDigest(body, digest, `the blob ${where}`);
    } catch (error) {
      throw new RegistryError('fetch blob', where, (error as Error).message);
    }
    return body;
  }

  /** Descriptors of a referrers answer (the API's index or the fallback tag index), each checked. */
  private referrerDescriptors(where: string, body: Buffer): Descriptor[] {
    try {
      return [...(parseManifestJson(body).manifests ?? [])];
    } catch (error) {
      throw new RegistryError('list referrers of', where, `the referrers index's ${(error as Error).message}`);
    }
  }

  async referrers(repository: string, digest: string, signal?: AbortSignal): Promise<Descriptor[]> {
    const where = checkedWhere('list referrers of', this.name, repository, digest);
    if (this.referrersApi !== false) {
      const response = await this.call({
        operation: 'list referrers of', reference: where, scope: `repository:${repository}:pull`, accept: [404],
        request: { method: 'GET', path: `/v2/${repository}/referrers/${digest}`, headers: { accept: MEDIA_TYPES.ociIndex }, ...(signal ? { signal } : {}) },
      });
      const isIndexResponse = response.status === 200 && (response.headers['content-type'] ?? '').includes(MEDIA_TYPES.ociIndex);
      this.referrersApi = isIndexResponse;
      if (isIndexResponse) return this.referrerDescriptors(where, response.body);
    }
    // The fallback tag index (distribution spec): an index of referrers under `sha256-<hex>`.
    const tag = referrersTag(digest);
    const response = await this.call({
      operation: 'list referrers of', reference: where, scope: `repository:${repository}:pull`, accept: [404],
      request: { method: 'GET', path: `/v2/${repository}/manifests/${tag}`, headers: { accept: MANIFEST_ACCEPT }, ...(signal ? { signal } : {}) },
    });
    if (response.status === 404) return [];
    return this.referrerDescriptors(where, response.body);
  }

  async hasBlob(repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    const where = checkedWhere('check blob', this.name, repository, digest);
    const response = await this.call({
      operation: 'check blob', reference: where, scope: `repository:${repository}:pull,push`, accept: [404],
      request: { method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, ...(signal ? { signal } : {}) },
    });
    return response.status === 200;
  }

  /** A blob as a stream with its size, following the redirect to storage that many registries send. */
  async openBlob(repository: string, digest: string, signal?: AbortSignal): Promise<{ size: number; stream: Readable }> {
    const where = checkedWhere('fetch blob', this.name, repository, digest);
    let response = await this.streamCall({ operation: 'fetch blob', reference: where, scope: `repository:${repository}:pull`, request: { method: 'GET', path: `/v2/${repository}/blobs/${digest}`, ...(signal ? { signal } : {}) } });
    let storage: string | undefined;
    try {
      storage = this.redirectTarget(where, response);
    } catch (error) {
      response.body.resume();
      throw error;
    }
    if (storage) {
      response.body.resume();
      response = await this.transport.stream({ method: 'GET', url: storage, ...(signal ? { signal } : {}) });
      if (response.status !== 200) {
        response.body.resume();
        throw new RegistryError('fetch blob', where, `storage answered ${response.status}`, response.status);
      }
    }
    const size = Number(response.headers['content-length'] ?? -1);
    return { size: Number.isSafeInteger(size) ? size : -1, stream: response.body };
  }

  /**
   * Mounts a blob from another repository of this registry (no bytes move). False when the
   * registry started a normal upload instead (the blob is not in `from`, or mounts are off).
   */
  async mountBlob(repository: string, digest: string, from: string, signal?: AbortSignal): Promise<boolean> {
    const where = `${checkedWhere('mount blob', this.name, repository, digest)} from ${from}`;
    checkedWhere('mount blob', this.name, from);
    const response = await this.call({
      operation: 'mount blob', reference: where, scope: `repository:${repository}:pull,push repository:${from}:pull`,
      request: { method: 'POST', path: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, retryable: true, ...(signal ? { signal } : {}) },
    });
    if (response.status === 201) return true;
    const location = response.headers.location;
    // Abandon the upload session the registry opened instead.
    if (location) await this.abandonUpload(new URL(location, response.url), signal).catch(() => undefined);
    return false;
  }

  /** Opens an upload session: the URL that takes the bytes (finishUpload) or is abandoned (abandonUpload). */
  async startUpload(repository: string, digest: string, signal?: AbortSignal): Promise<URL> {
    const where = checkedWhere('start upload of', this.name, repository, digest);
    const started = await this.call({ operation: 'start upload of', reference: where, scope: `repository:${repository}:pull,push`, request: { method: 'POST', path: `/v2/${repository}/blobs/uploads/`, retryable: true, ...(signal ? { signal } : {}) } });
    const location = started.headers.location;
    if (!location) throw new RegistryError('start upload of', where, 'the registry sent no upload location');
    return this.checkedUrl('start upload of', where, location, started.url);
  }

  /** Cancels an upload session (best effort: the registry expires forgotten sessions anyway). */
  async abandonUpload(session: URL, signal?: AbortSignal): Promise<void> {
    await this.call({ operation: 'cancel upload', reference: this.name, scope: '', accept: [400, 401, 403, 404, 405], request: { method: 'DELETE', path: session.toString(), ...(signal ? { signal } : {}) } }).catch(() => undefined);
  }

  /**
   * Sends a blob's bytes (or a stream) to an upload session in one PUT. The registry checks the
   * digest and refuses the upload when the bytes do not match: nothing partial is ever committed.
   */
  async finishUpload(repository: string, digest: string, size: number, session: URL, body: Readable | Buffer, signal?: AbortSignal): Promise<void> {
    const where = checkedWhere('upload', this.name, repository, digest);
    const url = new URL(session);
    url.searchParams.set('digest', digest);
    await this.call({
      operation: 'upload', reference: where, scope: `repository:${repository}:pull,push`,
      request: { method: 'PUT', path: url.toString(), body, headers: { 'content-type': 'application/octet-stream', ...(size >= 0 ? { 'content-length': String(size) } : {}) }, ...(signal ? { signal } : {}) },
    });
  }

  /** Uploads a blob (bytes, or a stream) in one PUT (monolithic upload) to a new session. */
  async uploadBlob(repository: string, digest: string, size: number, body: Readable | Buffer, signal?: AbortSignal): Promise<void> {
    await this.finishUpload(repository, digest, size, await this.startUpload(repository, digest, signal), body, signal);
  }

  /** Uploads a small blob in one request (monolithic upload), unless the repository has it already. */
  async pushBlob(repository: string, bytes: Buffer, signal?: AbortSignal): Promise<{ digest: string; size: number }> {
    const digest = sha256Digest(bytes);
    if (!(await this.hasBlob(repository, digest, signal))) await this.uploadBlob(repository, digest, bytes.length, bytes, signal);
    return { digest, size: bytes.length };
  }

  /**
   * Puts a manifest under a tag or its digest; `subjectAccepted` tells whether the registry indexed
   * its `subject` (OCI-Subject header). The digest is ours (computed from the bytes), never the registry's word.
   */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string, signal?: AbortSignal): Promise<{ digest: string; subjectAccepted: boolean }> {
    const where = checkedWhere('push manifest', this.name, repository, reference);
    let digest = sha256Digest(bytes);
    if (reference.includes(':')) {
      try {
        verifyDigest(bytes, reference, 'the manifest');
      } catch (error) {
        throw new RegistryError('push manifest', where, (error as Error).message);
      }
      digest = reference;
    }
    const response = await this.call({
      operation: 'push manifest', reference: where, scope: `repository:${repository}:pull,push`,
      request: { method: 'PUT', path: `/v2/${repository}/manifests/${reference}`, body: bytes, headers: { 'content-type': mediaType }, ...(signal ? { signal } : {}) },
    });
    const answered = this.headerDigest('push manifest', where, response);
    if (answered !== undefined && answered !== digest) throw new RegistryError('push manifest', where, `the registry stored ${answered}, not ${digest}`);
    return { digest, subjectAccepted: response.headers['oci-subject'] !== undefined };
  }

  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    const where = checkedWhere('delete', this.name, repository, digest);
    if (!isDigest(digest)) throw new RegistryError('delete', where, 'deletes go by digest');
    const response = await this.call({
      operation: 'delete', reference: where, scope: `repository:${repository}:delete`,
      request: { method: 'DELETE', path: `/v2/${repository}/manifests/${digest}`, ...(signal ? { signal } : {}) },
    });
    // 202 Accepted promises a delete, it does not report one: done only once the manifest is no longer served.
    if (response.status === 202) await this.readBackDeleted(repository, digest, where, signal);
  }

  private async readBackDeleted(repository: string, digest: string, where: string, signal?: AbortSignal): Promise<void> {
    for (const pause of DELETE_READ_BACK_PAUSES_MS) {
      await sleep(pause, signal);
      try {
        await this.resolve(repository, digest, signal);
      } catch (error) {
        if (error instanceof RegistryError && error.status === 404) return;
        throw error;
      }
    }
    throw new RegistryError('delete', where, 'the registry answered 202 Accepted but still serves the manifest');
  }
}
