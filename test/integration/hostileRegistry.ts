// A registry that lies, written for the security tests: a loopback server that forwards to a real
// registry (or, without one, answers 401) and lets each test rewrite any answer — digest headers,
// manifests, Link and Location headers, trickling bodies. It records every request it sees,
// with its Authorization header, so a test can prove which credentials went where.
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { freePort } from '../../scripts/vscodeHost';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
}

/** Answers a request itself (true), or leaves it to the upstream registry (false). */
export type Scenario = (request: IncomingMessage, response: ServerResponse, body: Buffer) => boolean | Promise<boolean>;

export interface HostileRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly url: string;
  readonly seen: SeenRequest[];
  setScenario(scenario: Scenario | undefined): void;
  stop(): Promise<void>;
}

export async function startHostileRegistry(options: { upstream?: string; tls?: { cert: string; key: string } } = {}): Promise<HostileRegistry> {
  const port = await freePort();
  const seen: SeenRequest[] = [];
  let scenario: Scenario | undefined;
  const forward = (incoming: IncomingMessage, response: ServerResponse, body: Buffer) => {
    if (!options.upstream) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"', 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const [hostname, upstreamPort] = options.upstream.split(':');
    const upstream = httpRequest({ host: hostname, port: Number(upstreamPort), method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: options.upstream } }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.socket?.destroy());
    upstream.end(body);
  };
  const handle = (incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      seen.push({ method: incoming.method ?? 'GET', url: incoming.url ?? '/', ...(incoming.headers.authorization ? { authorization: incoming.headers.authorization } : {}) });
      const body = Buffer.concat(chunks);
      void Promise.resolve(scenario?.(incoming, response, body) ?? false).then((handled) => {
        if (!handled) forward(incoming, response, body);
      });
    });
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, handle)
    : createServer(handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${port}`,
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    setScenario(next) {
      scenario = next;
    },
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
