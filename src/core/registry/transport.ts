import { readFileSync } from 'node:fs';
import { Transform } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import type { Agent, Dispatcher } from 'undici';
import { sleep } from '../concurrency';
import { redact, silentLogger } from '../log';
import type { Logger } from '../log';
import { newAgent } from './undiciAgent';

/** How to reach one registry host. */
export interface HostOptions {
  /** PEM file of the CA that signed the registry's certificate (self-hosted registries). */
  readonly caFile?: string;
  /** Plain HTTP, or TLS without verification: only when configured explicitly. */
  readonly insecure?: boolean;
}

export interface TransportOptions {
  readonly userAgent?: string;
  /** Per request: headers and each body chunk must arrive within this time. */
  readonly timeoutMs?: number;
  /** A whole buffered answer (manifests, listings, tokens) must arrive within this time, however it trickles. */
  readonly requestDeadlineMs?: number;
  /** Streamed blobs: slower than `bytes` per `windowMs` ends the transfer (as curl's --speed-limit/--speed-time). */
  readonly lowSpeedLimit?: { readonly bytes: number; readonly windowMs: number };
  /** Retries of idempotent requests after 429, 5xx or a network error. */
  readonly maxRetries?: number;
  /** Base of the exponential backoff; `Retry-After` wins when the server sends it. */
  readonly backoffMs?: number;
  /** Longest single wait, so a server asking for an hour does not hang the editor. */
  readonly maxWaitMs?: number;
  readonly logger?: Logger;
  readonly hostOptions?: (host: string) => HostOptions;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
  readonly url: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | Readable;
  readonly signal?: AbortSignal;
  /** Safe to repeat although not idempotent by method (starting a blob upload session). */
  readonly retryable?: boolean;
  /** Refuse bodies larger than this (manifests and configs are small; blobs stream elsewhere). */
  readonly maxBodyBytes?: number;
  /** Retries of this request; the transport's `maxRetries` when absent. */
  readonly maxRetries?: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
const RETRYABLE_NETWORK = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|EAI_AGAIN/;
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_REQUEST_DEADLINE_MS = 120_000;
export const DEFAULT_LOW_SPEED_LIMIT = { bytes: 1024, windowMs: 60_000 };

/** Passes a blob through; fails it when fewer than `bytes` arrive in a `windowMs` window (a trickling server). */
class LowSpeedGuard extends Transform {
  private received = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(bytes: number, windowMs: number, private readonly source: Readable) {
    super();
    this.timer = setInterval(() => {
      if (this.received < bytes) {
        const error = new Error(`timed out: fewer than ${bytes} bytes in ${Math.round(windowMs / 1000)} s`);
        this.destroy(error);
      }
      this.received = 0;
    }, windowMs);
    this.timer.unref();
    source.on('error', (error) => this.destroy(error));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    callback(null, chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearInterval(this.timer);
    // A reader that gives up frees the connection too.
    if (!this.source.readableEnded) this.source.destroy();
    callback(error);
  }

  override _flush(callback: TransformCallback): void {
    clearInterval(this.timer);
    callback();
  }
}

/** Seconds or an HTTP date, as `Retry-After` allows; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface StreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Readable;
  readonly url: string;
}

function isStream(body: HttpRequest['body']): body is Readable {
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body);
}

function lowerCaseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/**
 * HTTP for registries: keep-alive connection pools (one undici Agent per TLS setting), timeouts,
 * retries with backoff honouring `Retry-After` on idempotent requests, a user agent, and a log that
 * never shows a secret.
 */
export class Transport {
  private readonly agents = new Map<string, Agent>();
  readonly logger: Logger;

  constructor(private readonly options: TransportOptions = {}) {
    this.logger = options.logger ?? silentLogger;
  }

  hostOptions(host: string): HostOptions {
    return this.options.hostOptions?.(host) ?? {};
  }

  private agentFor(host: string): Agent {
    const { caFile, insecure } = this.hostOptions(host);
    const key = `${caFile ?? ''}|${insecure ? 'insecure' : ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const timeout = this.options.timeoutMs ?? 30_000;
      agent = newAgent({
        keepAliveTimeout: 10_000,
        connections: 16,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        connect: { timeout, ...(caFile ? { ca: readFileSync(caFile) } : {}), ...(insecure ? { rejectUnauthorized: false } : {}) },
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const maxRetries = request.maxRetries ?? this.options.maxRetries ?? 4;
    // A streamed body cannot be sent twice: its caller retries the whole transfer.
    const idempotent = (IDEMPOTENT.has(request.method) || request.retryable === true) && !isStream(request.body);
    for (let attempt = 0; ; attempt += 1) {
      let response: HttpResponse | undefined;
      try {
        response = await this.once(request);
      } catch (error) {
        const retryable = idempotent && attempt < maxRetries && RETRYABLE_NETWORK.test(`${(error as { code?: string }).code ?? ''} ${(error as Error).message}`) && !request.signal?.aborted;
        if (!retryable) throw error;
        const wait = this.backoff(attempt);
        this.logger.debug(`${request.method} ${redact(request.url)} failed (${(error as Error).message}); retry ${attempt + 1} in ${wait} ms`);
        await sleep(wait, request.signal);
        continue;
      }
      if (!RETRYABLE_STATUS.has(response.status) || !idempotent || attempt >= maxRetries) return response;
      const wait = Math.min(retryAfterMs(response.headers['retry-after']) ?? this.backoff(attempt), this.options.maxWaitMs ?? 30_000);
      this.logger.debug(`${request.method} ${redact(request.url)} → ${response.status}; retry ${attempt + 1} in ${wait} ms`);
      await sleep(wait, request.signal);
    }
  }

  private backoff(attempt: number): number {
    const base = this.options.backoffMs ?? 250;
    return Math.round(base * 2 ** attempt * (0.75 + Math.random() * 0.5));
  }

  /**
   * One request whose response body is handed over unread (blob downloads of any size): no retry,
   * no size cap; the caller consumes or destroys `body`.
   */
  async stream(request: HttpRequest): Promise<StreamResponse> {
    const response = await this.send(request);
    const { bytes, windowMs } = this.options.lowSpeedLimit ?? DEFAULT_LOW_SPEED_LIMIT;
    return { status: response.statusCode, headers: lowerCaseHeaders(response.headers), body: response.body.pipe(new LowSpeedGuard(bytes, windowMs, response.body)), url: request.url };
  }

  private send(request: HttpRequest): Promise<Dispatcher.ResponseData> {
    const url = new URL(request.url);
    return this.agentFor(url.host).request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method as Dispatcher.HttpMethod,
      headers: { 'user-agent': this.options.userAgent ?? 'artifact-steward', ...request.headers },
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  }

  private async once(request: HttpRequest): Promise<HttpResponse> {
    const started = Date.now();
    const deadlineMs = this.options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS;
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    const limit = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.send({ ...request, signal });
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > limit) {
          response.body.destroy();
          throw new Error(`response body over ${limit} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (deadline.aborted && !request.signal?.aborted) throw new Error(`timed out: no complete answer within ${Math.round(deadlineMs / 1000)} s (${size} bytes received)`);
      throw error;
    }
    const headers = lowerCaseHeaders(response.headers);
    this.logger.debug(`${request.method} ${redact(request.url)} → ${response.statusCode} (${Date.now() - started} ms)`);
    return { status: response.statusCode, headers, body: Buffer.concat(chunks), url: request.url };
  }

  /**
   * Ends every connection now. Callers close once their requests are answered, so only idle
   * keep-alive sockets remain: destroying them spares the graceful close's wait for the server
   * (≈ 80 ms per command on loopback, most of a CLI run).
   */
  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.destroy()));
    this.agents.clear();
  }
}
