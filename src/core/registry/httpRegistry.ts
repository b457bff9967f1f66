import { redact } from '../log';
import { Authenticator, isLoopback, parseChallenge } from './auth';
import type { CredentialProvider } from './auth';
import { referrersTag, sha256Digest, verifyDigest } from './digest';
import { describeErrorBody, RegistryError } from './errors';
import type { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse, StreamResponse, Transport } from './transport';
import { MANIFEST_ACCEPT, MEDIA_TYPES } from './types';
import type { Descriptor, FetchedManifest, ManifestJson, RegistryBackend } from './types';

/** The API host for a registry name: Docker Hub's images are served from registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/** Parses `Link: <url>; rel="next"` (absolute or relative to the request URL). */
export function nextLink(header: string | undefined, requestUrl: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /rel\s*=\s*"?next"?/i.test(match[2]!)) return new URL(match[1]!, requestUrl).toString();
  }
  return undefined;
}

interface Call {
  readonly operation: string;
  readonly reference: string;
  /** Token scope, e.g. `repository:team/app:pull`. */
  readonly scope: string;
  readonly request: Omit<HttpRequest, 'url'> & { readonly path: string };
  /** Statuses that are answers, not failures (404 for "no referrers API"). */
  readonly accept?: readonly number[];
}

/**
 * A registry over the OCI distribution API. The scheme is HTTPS; loopback registries (like
 * `docker` does for localhost) and hosts configured `insecure` may fall back to plain HTTP.
 */
export class HttpRegistry implements RegistryBackend {
  readonly name: string;
  private readonly host: string;
  private readonly auth: Authenticator;
  private scheme: Promise<'https' | 'http'> | undefined;
  /** Whether the referrers API answered; learnt on first use (this registry version has none). */
  private referrersApi: boolean | undefined;

  /** False once the registry answered that it has no referrers API (attachments then live in fallback tags only). */
  get referrersApiAvailable(): boolean | undefined {
    return this.referrersApi;
  }

  constructor(registry: string, private readonly transport: Transport, credentials: CredentialProvider) {
    this.name = registry;
    this.host = apiHost(registry);
    this.auth = new Authenticator(transport, credentials);
  }

  private async baseUrl(): Promise<string> {
    this.scheme ??= this.detectScheme();
    return `${await this.scheme}://${this.host}`;
  }

  private async detectScheme(): Promise<'https' | 'http'> {
    const mayUseHttp = isLoopback(this.host) || this.transport.hostOptions(this.host).insecure === true;
    if (!mayUseHttp) return 'https';
    try {
      await this.transport.request({ method: 'GET', url: `https://${this.host}/v2/` });
      return 'https';
    } catch {
      return 'http';
    }
  }

  /**
   * Sends a request with the authorization this host and scope need: the one that worked before,
   * else the answer to the 401's challenge. `discard` frees a refused response's body.
   */
  private async authorized<R extends { readonly status: number; readonly headers: Readonly<Record<string, string | undefined>> }>(call: Call, transfer: (request: HttpRequest) => Promise<R>, discard: (response: R) => void): Promise<R> {
    const base = await this.baseUrl();
    const secure = base.startsWith('https:');
    const url = call.request.path.startsWith('http') ? call.request.path : base + call.request.path;
    const send = (authorization: string | undefined) => transfer({ ...call.request, url, headers: { ...call.request.headers, ...(authorization ? { authorization } : {}) } });
    try {
      let response = await send(await this.auth.preemptive(this.host, call.scope, secure));
      if (response.status === 401) {
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

  /** Pages through a list endpoint by `Link` headers, never following a link or page seen before. */
  private async *pages<T>(operation: string, reference: string, scope: string, firstPath: string, read: (body: unknown) => T[], signal?: AbortSignal): AsyncGenerator<T[]> {
    const seenUrls = new Set<string>();
    const seenItems = new Set<string>();
    for (let path: string | undefined = firstPath; path; ) {
      signal?.throwIfAborted();
      const response = await this.call({ operation, reference, scope, request: { method: 'GET', path, ...(signal ? { signal } : {}) } });
      seenUrls.add(response.url);
      const items = read(JSON.parse(response.body.toString('utf8') || '{}'));
      const fresh = items.filter((item) => !seenItems.has(JSON.stringify(item)));
      fresh.forEach((item) => seenItems.add(JSON.stringify(item)));
      if (fresh.length > 0) yield fresh;
      const next = nextLink(response.headers.link, response.url);
      // A repeated page, an empty page or a link back to a page already read ends the listing.
      path = next && fresh.length > 0 && !seenUrls.has(next) ? next : undefined;
    }
  }

  listRepositories(options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncIterable<string[]> {
    const pageSize = options.pageSize ?? 1000;
    return this.pages('list repositories of', this.name, 'registry:catalog:*', `/v2/_catalog?n=${pageSize}`, (body) => (body as { repositories?: string[] | null }).repositories ?? [], options.signal);
  }

  listTags(repository: string, options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncIterable<string[]> {
    const pageSize = options.pageSize ?? 1000;
    return this.pages('list tags of', `${this.name}/${repository}`, `repository:${repository}:pull`, `/v2/${repository}/tags/list?n=${pageSize}`, (body) => (body as { tags?: string[] | null }).tags ?? [], options.signal);
  }

  async resolve(repository: string, reference: string, signal?: AbortSignal): Promise<Descriptor> {
    const where = `${this.name}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const response = await this.call({
      operation: 'resolve', reference: where, scope: `repository:${repository}:pull`,
      request: { method: 'HEAD', path: `/v2/${repository}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT }, ...(signal ? { signal } : {}) },
    });
    const digest = response.headers['docker-content-digest'];
    const mediaType = response.headers['content-type']?.split(';')[0]?.trim() ?? '';
    if (digest && mediaType) return { digest, mediaType, size: Number(response.headers['content-length'] ?? 0) };
    // Registries that omit the digest on HEAD: fetch and hash.
    return (await this.getManifest(repository, reference, signal)).descriptor;
  }

  async getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const where = `${this.name}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const response = await this.call({
      operation: 'fetch manifest', reference: where, scope: `repository:${repository}:pull`,
      request: { method: 'GET', path: `/v2/${repository}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT }, maxBodyBytes: 4 * 1024 * 1024, ...(signal ? { signal } : {}) },
    });
    const digest = reference.includes(':') ? reference : response.headers['docker-content-digest'] ?? sha256Digest(response.body);
    try {
      verifyDigest(response.body, digest, `the manifest of ${where}`);
      const json = JSON.parse(response.body.toString('utf8')) as ManifestJson;
      const mediaType = json.mediaType ?? response.headers['content-type']?.split(';')[0]?.trim() ?? MEDIA_TYPES.ociManifest;
      return { descriptor: { mediaType, digest, size: response.body.length, ...(json.artifactType ? { artifactType: json.artifactType } : {}) }, bytes: response.body, json };
    } catch (error) {
      throw new RegistryError('fetch manifest', where, (error as Error).message);
    }
  }

  async getBlob(repository: string, digest: string, signal?: AbortSignal): Promise<Buffer> {
    const where = `${this.name}/${repository}@${digest}`;
    const response = await this.call({
      operation: 'fetch blob', reference: where, scope: `repository:${repository}:pull`,
      request: { method: 'GET', path: `/v2/${repository}/blobs/${digest}`, ...(signal ? { signal } : {}) },
    });
    // Blob GETs redirect to storage on many registries; undici does not follow, so follow once here.
    const location = response.status >= 300 && response.status < 400 ? response.headers.location : undefined;
    const body = location ? (await this.transport.request({ method: 'GET', url: new URL(location, response.url).toString(), ...(signal ? { signal } : {}) })).body : response.body;
    try {
      verifyDigest(body, digest, `the blob ${where}`);
    } catch (error) {
      throw new RegistryError('fetch blob', where, (error as Error).message);
    }
    return body;
  }

  async referrers(repository: string, digest: string, signal?: AbortSignal): Promise<Descriptor[]> {
    const where = `${this.name}/${repository}@${digest}`;
    if (this.referrersApi !== false) {
      const response = await this.call({
        operation: 'list referrers of', reference: where, scope: `repository:${repository}:pull`, accept: [404],
        request: { method: 'GET', path: `/v2/${repository}/referrers/${digest}`, headers: { accept: MEDIA_TYPES.ociIndex }, ...(signal ? { signal } : {}) },
      });
      const isIndexResponse = response.status === 200 && (response.headers['content-type'] ?? '').includes(MEDIA_TYPES.ociIndex);
      this.referrersApi = isIndexResponse;
      if (isIndexResponse) return [...((JSON.parse(response.body.toString('utf8')) as ManifestJson).manifests ?? [])];
    }
    // The fallback tag index (distribution spec): an index of referrers under `sha256-<hex>`.
    const tag = referrersTag(digest);
    const response = await this.call({
      operation: 'list referrers of', reference: where, scope: `repository:${repository}:pull`, accept: [404],
      request: { method: 'GET', path: `/v2/${repository}/manifests/${tag}`, headers: { accept: MANIFEST_ACCEPT }, ...(signal ? { signal } : {}) },
    });
    if (response.status === 404) return [];
    return [...((JSON.parse(response.body.toString('utf8')) as ManifestJson).manifests ?? [])];
  }

  async hasBlob(repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    const response = await this.call({
      operation: 'check blob', reference: `${this.name}/${repository}@${digest}`, scope: `repository:${repository}:pull,push`, accept: [404],
      request: { method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, ...(signal ? { signal } : {}) },
    });
    return response.status === 200;
  }

  /** A blob as a stream with its size, following the redirect to storage that many registries send. */
  async openBlob(repository: string, digest: string, signal?: AbortSignal): Promise<{ size: number; stream: Readable }> {
    const where = `${this.name}/${repository}@${digest}`;
    let response = await this.streamCall({ operation: 'fetch blob', reference: where, scope: `repository:${repository}:pull`, request: { method: 'GET', path: `/v2/${repository}/blobs/${digest}`, ...(signal ? { signal } : {}) } });
    const location = response.status >= 300 && response.status < 400 ? response.headers.location : undefined;
    if (location) {
      response.body.resume();
      response = await this.transport.stream({ method: 'GET', url: new URL(location, response.url).toString(), ...(signal ? { signal } : {}) });
      if (response.status !== 200) {
        response.body.resume();
        throw new RegistryError('fetch blob', where, `storage answered ${response.status}`, response.status);
      }
    }
    return { size: Number(response.headers['content-length'] ?? -1), stream: response.body };
  }

  /**
   * Mounts a blob from another repository of this registry (no bytes move). False when the
   * registry started a normal upload instead (the blob is not in `from`, or mounts are off).
   */
  async mountBlob(repository: string, digest: string, from: string, signal?: AbortSignal): Promise<boolean> {
    const response = await this.call({
      operation: 'mount blob', reference: `${this.name}/${repository}@${digest} from ${from}`, scope: `repository:${repository}:pull,push repository:${from}:pull`,
      request: { method: 'POST', path: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, retryable: true, ...(signal ? { signal } : {}) },
    });
    if (response.status === 201) return true;
    const location = response.headers.location;
    // Abandon the upload session the registry opened instead.
    if (location) await this.abandonUpload(new URL(location, response.url), signal);
    return false;
  }

  /** Opens an upload session: the URL that takes the bytes (finishUpload) or is abandoned (abandonUpload). */
  async startUpload(repository: string, digest: string, signal?: AbortSignal): Promise<URL> {
    const where = `${this.name}/${repository}@${digest}`;
    const started = await this.call({ operation: 'start upload of', reference: where, scope: `repository:${repository}:pull,push`, request: { method: 'POST', path: `/v2/${repository}/blobs/uploads/`, retryable: true, ...(signal ? { signal } : {}) } });
    const location = started.headers.location;
    if (!location) throw new RegistryError('start upload of', where, 'the registry sent no upload location');
    return new URL(location, started.url);
  }

  /** Cancels an upload session (best effort: the registry expires forgotten sessions anyway). */
  async abandonUpload(session: URL, signal?: AbortSignal): Promise<void> {
    await this.transport.request({ method: 'DELETE', url: session.toString(), ...(signal ? { signal } : {}) }).catch(() => undefined);
  }

  /**
   * Sends a blob's bytes (or a stream) to an upload session in one PUT. The registry checks the
   * digest and refuses the upload when the bytes do not match: nothing partial is ever committed.
   */
  async finishUpload(repository: string, digest: string, size: number, session: URL, body: Readable | Buffer, signal?: AbortSignal): Promise<void> {
    const url = new URL(session);
    url.searchParams.set('digest', digest);
    await this.call({
      operation: 'upload', reference: `${this.name}/${repository}@${digest}`, scope: `repository:${repository}:pull,push`,
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

  /** Puts a manifest; `subjectAccepted` tells whether the registry indexed its `subject` (OCI-Subject header). */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string, signal?: AbortSignal): Promise<{ digest: string; subjectAccepted: boolean }> {
    const where = `${this.name}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const response = await this.call({
      operation: 'push manifest', reference: where, scope: `repository:${repository}:pull,push`,
      request: { method: 'PUT', path: `/v2/${repository}/manifests/${reference}`, body: bytes, headers: { 'content-type': mediaType }, ...(signal ? { signal } : {}) },
    });
    return { digest: response.headers['docker-content-digest'] ?? sha256Digest(bytes), subjectAccepted: response.headers['oci-subject'] !== undefined };
  }

  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    await this.call({
      operation: 'delete', reference: `${this.name}/${repository}@${digest}`, scope: `repository:${repository}:delete`,
      request: { method: 'DELETE', path: `/v2/${repository}/manifests/${digest}`, ...(signal ? { signal } : {}) },
    });
  }
}
