// Debian's docker-registry (distribution 2.8) on a free loopback port, in one of four auth modes,
// plus a token server written for the tests. Every process started here is stopped by `stop()`.
import { execFileSync, spawn } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../scripts/vscodeHost';

export type RegistryMode = 'plain' | 'basic' | 'tls' | 'token';

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly url: string;
  readonly mode: RegistryMode;
  readonly username: string;
  readonly password: string;
  /** PEM of the CA that signed the TLS certificate (tls mode). */
  readonly caFile?: string;
  /** A folder with `ca.crt`, for skopeo's --dest-cert-dir (tls mode). */
  readonly certDir?: string;
  stop(): Promise<void>;
}

export const USERNAME = 'steward-user';
export const PASSWORD = 'pa55-Secret-never-logged';
/** The identity (refresh) token the token server accepts. */
export const REFRESH_TOKEN = 'refresh-Token-never-logged';

export function selfSignedCertificate(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { cert, key };
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** A token server as Docker Hub, GHCR and Harbor run one: RS256 JWTs carrying the granted scopes. */
async function startTokenServer(dir: string, service: string, issuer: string): Promise<{ realm: string; certFile: string; server: Server; requests: string[] }> {
  const { cert, key } = selfSignedCertificate(dir, 'token-signer');
  const der = readFileSync(cert, 'utf8').replace(/-----[^-]+-----|\s/g, '');
  const privateKey = createPrivateKey(readFileSync(key));
  const requests: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => answer(request, response, body));
  });
  // GET with Basic credentials, or the OAuth2 refresh-token POST Docker uses for identity tokens.
  const answer = (request: IncomingMessage, response: ServerResponse, body: string) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(url.search);
    const form = new URLSearchParams(body);
    const expected = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
    const byRefreshToken = request.method === 'POST' && form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === REFRESH_TOKEN;
    if (request.headers.authorization !== expected && !byRefreshToken) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"credentials required"}');
      return;
    }
    const scopes = request.method === 'POST' ? (form.get('scope') ?? '').split(' ').filter(Boolean) : url.searchParams.getAll('scope');
    const access = scopes.map((scope) => {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop()!.split(',');
      return { type, name: rest.join(':'), actions };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [der] }));
    const claims = base64url(JSON.stringify({ iss: issuer, sub: USERNAME, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }));
    const signature = base64url(sign('sha256', Buffer.from(`${header}.${claims}`), privateKey));
    const token = `${header}.${claims}.${signature}`;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  };
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { realm: `http://127.0.0.1:${port}/token`, certFile: cert, server, requests };
}

/** Waits until the registry accepts connections on its port. */
async function waitUntilUp(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not start on port ${port}`);
}

export async function startRegistry(mode: RegistryMode, workDir: string): Promise<RunningRegistry> {
  mkdirSync(workDir, { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const lines = [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${join(workDir, 'data')}}, delete: {enabled: true}}`,
  ];
  let caFile: string | undefined;
  let certDir: string | undefined;
  let tokenServer: Awaited<ReturnType<typeof startTokenServer>> | undefined;
  if (mode === 'tls') {
    const { cert, key } = selfSignedCertificate(workDir, 'registry');
    caFile = cert;
    certDir = join(workDir, 'certs.d');
    mkdirSync(certDir, { recursive: true });
    writeFileSync(join(certDir, 'ca.crt'), readFileSync(cert));
    lines.push(`http: {addr: "${host}", secret: test-secret, tls: {certificate: ${cert}, key: ${key}}}`);
  } else {
    lines.push(`http: {addr: "${host}", secret: test-secret}`);
  }
  if (mode === 'basic') {
    const htpasswd = join(workDir, 'htpasswd');
    writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', USERNAME, PASSWORD], { encoding: 'utf8' }));
    lines.push(`auth: {htpasswd: {realm: test-realm, path: ${htpasswd}}}`);
  }
  if (mode === 'token') {
    tokenServer = await startTokenServer(workDir, 'test-registry', 'test-issuer');
    lines.push(`auth: {token: {realm: "${tokenServer.realm}", service: test-registry, issuer: test-issuer, rootcertbundle: ${tokenServer.certFile}}}`);
  }
  const config = join(workDir, 'config.yml');
  writeFileSync(config, lines.join('\n') + '\n');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const url = `${mode === 'tls' ? 'https' : 'http'}://${host}`;
  try {
    await waitUntilUp(port);
  } catch (error) {
    child.kill('SIGKILL');
    tokenServer?.server.close();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    host, url, mode, username: USERNAME, password: PASSWORD,
    ...(caFile ? { caFile } : {}), ...(certDir ? { certDir } : {}),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await new Promise((resolve) => (tokenServer ? tokenServer.server.close(resolve) : resolve(undefined)));
    },
  };
}
