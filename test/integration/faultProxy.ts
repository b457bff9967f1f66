// A proxy in front of a real registry, written for the promotion tests: it counts the bytes of
// request bodies and the requests, and, when told, injects faults (500, 429 with Retry-After,
// connection resets, truncated response bodies, slow responses) from a seeded random sequence,
// answers manifest DELETEs itself (refusing some, or accepting all without deleting), or pages tag
// lists by `n` and `last` as distribution 3, ECR and GAR do (Debian's distribution 2.8 sends every
// tag at once): the tags are the real registry's, sorted, sliced after `last`, with or without a
// `Link` to the next page.
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { freePort } from '../../scripts/vscodeHost';
import { seededRandom } from '../helpers';

export type Fault = 'status-500' | 'status-429' | 'reset' | 'truncate' | 'slow';
const FAULTS: readonly Fault[] = ['status-500', 'status-429', 'reset', 'truncate', 'slow'];

export interface FaultProxy {
  readonly host: string;
  /** Request body bytes by `METHOD kind` (kind: blob-upload, manifest, other). */
  readonly bodyBytes: Map<string, number>;
  readonly faultsInjected: Fault[];
  /** Each request meets a fault with this probability, drawn from `seed` (0 turns faults off), of the given kinds (default all). */
  setFaults(rate: number, seed?: number, kinds?: readonly Fault[]): void;
  /** Manifest DELETEs of these digests get 403 DENIED; with `acceptWithoutDeleting`, every one gets 202 and is never forwarded. */
  readonly deletes: { acceptWithoutDeleting: boolean; readonly refused: Set<string> };
  /** Every request's `METHOD path?query`, in order. */
  readonly requests: string[];
  /** Tag lists paged by `n`/`last` (default 100 a page), announcing the next page by `Link` or not at all. */
  tagPaging: 'link' | 'last-only' | undefined;
  reset(): void;
  stop(): Promise<void>;
}

function kindOf(method: string, path: string): string {
  if (/\/blobs\/uploads\//.test(path)) return `${method} blob-upload`;
  if (/\/manifests\//.test(path)) return `${method} manifest`;
  if (/\/blobs\//.test(path)) return `${method} blob`;
  return `${method} other`;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const port = await freePort();
  const bodyBytes = new Map<string, number>();
  const faultsInjected: Fault[] = [];
  let rate = 0;
  let next = seededRandom(1);
  let kinds: readonly Fault[] = FAULTS;
  const deletes = { acceptWithoutDeleting: false, refused: new Set<string>() };
  const requests: string[] = [];
  const paging: { mode: FaultProxy['tagPaging'] } = { mode: undefined };
  const upstreamPort = Number(upstream.split(':')[1]);
  /** Answers a tag list page from the registry's whole list. */
  /** The registry's whole lists, read once per repository until reset (benchmarks page through 100,000 tags). */
  const wholeLists = new Map<string, string[]>();
  const answerTagPage = (incoming: IncomingMessage, response: ServerResponse): boolean => {
    const url = new URL(incoming.url ?? '/', 'http://proxy');
    const repository = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname)?.[1];
    if (!paging.mode || incoming.method !== 'GET' || !repository) return false;
    const size = Number(url.searchParams.get('n') ?? 100);
    const last = url.searchParams.get('last');
    const send = (all: readonly string[]) => {
      const tags = last === null ? all : all.filter((tag) => tag > last);
      const page = tags.slice(0, size);
      const more = tags.length > size && paging.mode === 'link' ? { link: `</v2/${repository}/tags/list?n=${size}&last=${encodeURIComponent(page.at(-1)!)}>; rel="next"` } : {};
      response.writeHead(200, { 'content-type': 'application/json', ...more }).end(JSON.stringify({ name: repository, tags: page }));
    };
    incoming.resume();
    const known = wholeLists.get(repository);
    if (known) {
      send(known);
      return true;
    }
    const whole = httpRequest({ host: '127.0.0.1', port: upstreamPort, method: 'GET', path: url.pathname, headers: incoming.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (answer.statusCode !== 200) {
          response.writeHead(answer.statusCode ?? 502, answer.headers).end(body);
          return;
        }
        const all = ((JSON.parse(body) as { tags?: string[] | null }).tags ?? []).sort();
        wholeLists.set(repository, all);
        send(all);
      });
    });
    whole.on('error', () => response.socket?.destroy());
    whole.end();
    return true;
  };
  const answerDelete = (incoming: IncomingMessage, response: ServerResponse): boolean => {
    const digest = incoming.method === 'DELETE' ? /\/manifests\/(sha256:[0-9a-f]{64})$/.exec(incoming.url ?? '')?.[1] : undefined;
    if (!digest || (!deletes.acceptWithoutDeleting && !deletes.refused.has(digest))) return false;
    incoming.resume();
    if (deletes.acceptWithoutDeleting) response.writeHead(202, { 'content-length': '0' }).end();
    else response.writeHead(403, { 'content-type': 'application/json' }).end('{"errors":[{"code":"DENIED","message":"deletion refused (injected)"}]}');
    return true;
  };
  const handle = (incoming: IncomingMessage, response: ServerResponse) => {
    requests.push(`${incoming.method} ${incoming.url}`);
    if (answerDelete(incoming, response) || answerTagPage(incoming, response)) return;
    const kind = kindOf(incoming.method ?? 'GET', incoming.url ?? '/');
    const fault = rate > 0 && next() < rate ? kinds[Math.floor(next() * kinds.length)]! : undefined;
    if (fault) faultsInjected.push(fault);
    if (fault === 'status-500' || fault === 'status-429') {
      incoming.resume();
      incoming.on('end', () => {
        response.writeHead(fault === 'status-500' ? 500 : 429, { 'content-type': 'application/json', ...(fault === 'status-429' ? { 'retry-after': '0' } : {}) });
        response.end('{"errors":[{"code":"UNKNOWN","message":"injected"}]}');
      });
      return;
    }
    if (fault === 'reset') {
      incoming.socket.destroy();
      return;
    }
    const forward = httpRequest({ host: '127.0.0.1', port: upstreamPort, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      const send = () => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        if (fault === 'truncate' && incoming.method !== 'HEAD' && Number(answer.headers['content-length'] ?? 0) > 1) {
          // Half the body, then the connection drops.
          let sent = 0;
          const half = Math.floor(Number(answer.headers['content-length']) / 2);
          answer.on('data', (chunk: Buffer) => {
            if (sent >= half) return;
            const part = chunk.subarray(0, half - sent);
            sent += part.length;
            response.write(part);
            if (sent >= half) response.socket?.destroy();
          });
          answer.on('end', () => response.socket?.destroy());
          return;
        }
        answer.pipe(response);
      };
      if (fault === 'slow') setTimeout(send, 30);
      else send();
    });
    forward.on('error', () => response.socket?.destroy());
    incoming.on('data', (chunk: Buffer) => bodyBytes.set(kind, (bodyBytes.get(kind) ?? 0) + chunk.length));
    incoming.pipe(forward);
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${port}`,
    bodyBytes,
    faultsInjected,
    deletes,
    requests,
    get tagPaging() {
      return paging.mode;
    },
    set tagPaging(mode) {
      paging.mode = mode;
      wholeLists.clear();
    },
    setFaults(value, seed = 1, only = FAULTS) {
      rate = value;
      next = seededRandom(seed);
      kinds = only;
    },
    reset() {
      bodyBytes.clear();
      requests.length = 0;
      wholeLists.clear();
      faultsInjected.length = 0;
    },
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
