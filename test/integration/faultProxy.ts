// A proxy in front of a real registry, written for the promotion tests: it counts requests and the bytes of
// request bodies and, when told, injects faults (500, 429 with Retry-After, connection resets,
// truncated response bodies, slow responses) from a seeded random sequence, or answers manifest
// DELETEs itself (refusing some, or accepting all without deleting).
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
  /** Requests by `METHOD kind` (kind: blob-upload, manifest, blob, other). */
  readonly requests: Map<string, number>;
  readonly faultsInjected: Fault[];
  /** Each request meets a fault with this probability, drawn from `seed` (0 turns faults off), of the given kinds (default all). */
  setFaults(rate: number, seed?: number, kinds?: readonly Fault[]): void;
  /** Manifest DELETEs of these digests get 403 DENIED; with `acceptWithoutDeleting`, every one gets 202 and is never forwarded. */
  readonly deletes: { acceptWithoutDeleting: boolean; readonly refused: Set<string> };
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
  const requests = new Map<string, number>();
  const faultsInjected: Fault[] = [];
  let rate = 0;
  let next = seededRandom(1);
  let kinds: readonly Fault[] = FAULTS;
  const deletes = { acceptWithoutDeleting: false, refused: new Set<string>() };
  const answerDelete = (incoming: IncomingMessage, response: ServerResponse): boolean => {
    const digest = incoming.method === 'DELETE' ? /\/manifests\/(sha256:[0-9a-f]{64})$/.exec(incoming.url ?? '')?.[1] : undefined;
    if (!digest || (!deletes.acceptWithoutDeleting && !deletes.refused.has(digest))) return false;
    incoming.resume();
    if (deletes.acceptWithoutDeleting) response.writeHead(202, { 'content-length': '0' }).end();
    else response.writeHead(403, { 'content-type': 'application/json' }).end('{"errors":[{"code":"DENIED","message":"deletion refused (injected)"}]}');
    return true;
  };
  const handle = (incoming: IncomingMessage, response: ServerResponse) => {
    if (answerDelete(incoming, response)) return;
    const kind = kindOf(incoming.method ?? 'GET', incoming.url ?? '/');
    requests.set(kind, (requests.get(kind) ?? 0) + 1);
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
    const forward = httpRequest({ host: '127.0.0.1', port: Number(upstream.split(':')[1]), method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
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
    requests,
    faultsInjected,
    deletes,
    setFaults(value, seed = 1, only = FAULTS) {
      rate = value;
      next = seededRandom(seed);
      kinds = only;
    },
    reset() {
      bodyBytes.clear();
      requests.clear();
      faultsInjected.length = 0;
    },
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
