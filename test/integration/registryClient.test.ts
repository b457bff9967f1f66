import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '../../src/core/log';
import { dockerConfigCredentials } from '../../src/core/registry/credentials';
import { HttpRegistry, nextLink } from '../../src/core/registry/httpRegistry';
import { inspectImage } from '../../src/core/registry/inspect';
import { Transport } from '../../src/core/registry/transport';
import { freePort } from '../../scripts/vscodeHost';
import { attachSbom, copyWithinRegistry, pushCosignSignature, skopeoPush, writeOciLayout } from './fixtures';
import { PASSWORD, REFRESH_TOKEN, startRegistry, USERNAME } from './registryServer';
import type { RegistryMode, RunningRegistry } from './registryServer';

const root = mkdtempSync(join(tmpdir(), 'steward-registry-'));
after(() => rmSync(root, { recursive: true, force: true }));

const LABELS = { 'org.opencontainers.image.source': 'https://github.com/acme/app', 'org.opencontainers.image.version': '1.2.3' };
const layoutDir = join(root, 'layout');
const { digests } = writeOciLayout(layoutDir, [
  { tag: '1.2.3', labels: LABELS },
  { tag: 'multi', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }], labels: LABELS },
]);

/** Every connection undici opens (`http://host:port`, `https://host:port`), in order. */
const connections: string[] = [];
subscribe('undici:client:beforeConnect', (message) => {
  const { protocol, host } = (message as { connectParams: { protocol: string; host: string } }).connectParams;
  connections.push(`${protocol}//${host}`);
});

/** A log that keeps every line, to prove no secret reaches it. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string) => void lines.push(message);
  return { lines, debug: push, info: push, warn: push, error: push };
}

async function skopeoDigest(registry: RunningRegistry, reference: string): Promise<string> {
  const args = ['inspect', '--raw', `docker://${registry.host}/${reference}`];
  if (registry.certDir) args.push('--cert-dir', registry.certDir);
  else args.push('--tls-verify=false');
  if (registry.mode !== 'plain') args.push('--creds', `${registry.username}:${registry.password}`);
  const { stdout: raw } = await promisify(execFile)('skopeo', args, { encoding: 'buffer' });
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** A docker config using a credential helper script on PATH: the way ECR, GAR and ACR are reached. */
function credentialHelperConfig(host: string): { configFile: string; pathDir: string } {
  const dir = mkdtempSync(join(root, 'helper-'));
  const helper = join(dir, 'docker-credential-steward-test');
  writeFileSync(helper, `#!/bin/sh\nread host\nif [ "$host" = "${host}" ]; then echo '{"ServerURL":"'$host'","Username":"${USERNAME}","Secret":"${PASSWORD}"}'; else echo "credentials not found in native keychain"; exit 1; fi\n`);
  chmodSync(helper, 0o755);
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ credHelpers: { [host]: 'steward-test' } }));
  return { configFile, pathDir: dir };
}

for (const mode of ['plain', 'basic', 'tls', 'token'] as RegistryMode[]) {
  describe(`registry client against docker-registry (${mode})`, () => {
    let registry: RunningRegistry;
    let client: HttpRegistry;
    const logger = recordingLogger();
    let originalPath = '';

    before(async () => {
      registry = await startRegistry(mode, join(root, mode));
      await skopeoPush(registry, layoutDir, '1.2.3', 'team/app');
      await skopeoPush(registry, layoutDir, 'multi', 'team/app');
      await skopeoPush(registry, layoutDir, '1.2.3', 'team/app', 'stable');
      const helper = credentialHelperConfig(registry.host);
      originalPath = process.env.PATH ?? '';
      process.env.PATH = `${helper.pathDir}:${originalPath}`;
      const transport = new Transport({ logger, hostOptions: () => (registry.caFile ? { caFile: registry.caFile } : {}) });
      client = new HttpRegistry(registry.host, transport, dockerConfigCredentials(helper.configFile));
    });
    after(async () => {
      process.env.PATH = originalPath;
      await registry.stop();
    });

    it(mode === 'tls' ? 'asks the loopback port in plain HTTP once, then speaks TLS to it' : 'speaks plain HTTP to a plain loopback registry without trying TLS', async () => {
      const fresh = new HttpRegistry(registry.host, new Transport({ hostOptions: () => (registry.caFile ? { caFile: registry.caFile } : {}) }), dockerConfigCredentials(join(root, 'none.json')));
      const before = connections.length;
      await assert.rejects(fresh.resolve('team/app', 'nope'), /team\/app:nope/);
      const opened = connections.slice(before).filter((origin) => origin.endsWith(`//${registry.host}`));
      if (mode === 'tls') assert.deepEqual([...new Set(opened)], [`http://${registry.host}`, `https://${registry.host}`]);
      else assert.deepEqual([...new Set(opened)], [`http://${registry.host}`]);
    });

    it('lists repositories and tags', async () => {
      const repositories: string[] = [];
      for await (const page of client.listRepositories()) repositories.push(...page);
      assert.deepEqual(repositories, ['team/app']);
      const tags: string[] = [];
      for await (const page of client.listTags('team/app')) tags.push(...page);
      assert.deepEqual(tags.sort(), ['1.2.3', 'multi', 'stable']);
    });

    it('resolves digests with HEAD exactly as skopeo sees them (single image and multi-arch index)', async () => {
      const single = await client.resolve('team/app', '1.2.3');
      assert.equal(single.digest, await skopeoDigest(registry, 'team/app:1.2.3'));
      assert.equal(single.digest, digests['1.2.3']);
      const index = await client.resolve('team/app', 'multi');
      assert.equal(index.digest, await skopeoDigest(registry, 'team/app:multi'));
      assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    });

    it('inspects platforms and labels', async () => {
      const details = await inspectImage(client, 'team/app', 'multi');
      assert.deepEqual(details.platforms.map((platform) => platform.platform), ['linux/amd64', 'linux/arm64']);
      assert.deepEqual(details.labels, LABELS);
      assert.equal(details.created, '2024-05-01T12:00:00Z');
    });

    it('names the reference and the operation when something is missing', async () => {
      await assert.rejects(client.resolve('team/app', 'nope'), (error: Error) => /^resolve 127\.0\.0\.1:\d+\/team\/app:nope: 404 not found$/.test(error.message));
      await assert.rejects(client.getBlob('team/app', `sha256:${'0'.repeat(64)}`), (error: Error) => /^fetch blob 127\.0\.0\.1:\d+\/team\/app@sha256:0+: 404 BLOB_UNKNOWN/.test(error.message));
    });

    it('never writes the password, the token or the Authorization header into its log', () => {
      const text = logger.lines.join('\n');
      assert.ok(logger.lines.length > 0);
      assert.ok(!text.includes(PASSWORD), 'password in log');
      assert.ok(!text.includes(Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')), 'basic credentials in log');
      assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{20,}/, 'a JWT in log');
    });
  });
}

describe('authentication failures', () => {
  it('says the registry wants a sign-in, naming the reference, when no credentials are known', async () => {
    const registry = await startRegistry('basic', join(root, 'noauth'));
    try {
      const client = new HttpRegistry(registry.host, new Transport(), { get: async () => undefined });
      await assert.rejects(client.resolve('team/app', 'latest'), (error: Error) => /^resolve 127\.0\.0\.1:\d+\/team\/app:latest: 401 unauthorized \(sign in to this registry\)$/.test(error.message));
    } finally {
      await registry.stop();
    }
  });

  it('exchanges an identity token (OAuth2 refresh token) for a registry token', async () => {
    const registry = await startRegistry('token', join(root, 'identity'));
    try {
      await skopeoPush(registry, layoutDir, '1.2.3', 'team/app');
      const client = new HttpRegistry(registry.host, new Transport(), { get: async () => ({ identityToken: REFRESH_TOKEN }) });
      const tags: string[] = [];
      for await (const page of client.listTags('team/app')) tags.push(...page);
      assert.deepEqual(tags, ['1.2.3']);
      const refused = new HttpRegistry(registry.host, new Transport(), { get: async () => ({ identityToken: 'revoked' }) });
      await assert.rejects(refused.resolve('team/app', '1.2.3'), (error: Error) => /^resolve .*: the token service .* answered 401 \(credentials refused\)$/.test(error.message) && !error.message.includes('revoked'));
    } finally {
      await registry.stop();
    }
  });

  it('refuses to send credentials over plain HTTP to a host that is not loopback', async () => {
    const { Authenticator } = await import('../../src/core/registry/auth');
    const authenticator = new Authenticator(new Transport(), { get: async () => ({ username: 'u', password: 'p' }) });
    await assert.rejects(authenticator.answer('registry.example.com', 'repository:x:pull', { scheme: 'basic', params: {} }, false), /refusing to send credentials/);
  });
});

describe('attachments', () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry('plain', join(root, 'attachments'));
    await skopeoPush(registry, layoutDir, '1.2.3', 'team/app');
  });
  after(() => registry.stop());

  it('finds an SBOM through the fallback tag index and a legacy cosign signature', async () => {
    const client = new HttpRegistry(registry.host, new Transport(), { get: async () => undefined });
    const subject = await client.resolve('team/app', '1.2.3');
    const sbom = await attachSbom(registry, 'team/app', subject, JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'app' }));
    const signature = await pushCosignSignature(registry, 'team/app', subject.digest);
    const details = await inspectImage(client, 'team/app', '1.2.3');
    assert.deepEqual(details.attachments.map((attachment) => [attachment.kind, attachment.via, attachment.digest]).sort(), [
      ['sbom', 'referrers', sbom.digest],
      ['signature', 'cosign-tag', signature.digest],
    ].sort());
  });
});

describe('paging and retries through a misbehaving proxy', () => {
  let registry: RunningRegistry;
  let proxyUrl = '';
  let proxy: ReturnType<typeof createServer>;
  const seen = { catalog: 0, throttled: 0 };

  before(async () => {
    registry = await startRegistry('plain', join(root, 'paging'));
    // 260 repositories: the catalog pages at 100 with Link headers.
    const blobs = join(root, 'small');
    writeOciLayout(blobs, [{ tag: 'v1.0.0' }]);
    for (let index = 0; index < 260; index += 1) {
      const repo = `r${String(index).padStart(3, '0')}`;
      if (index === 0) await skopeoPush(registry, blobs, 'v1.0.0', repo);
      else await copyWithinRegistry(registry, 'r000', 'v1.0.0', repo);
    }
    const port = await freePort();
    proxyUrl = `127.0.0.1:${port}`;
    proxy = createServer((request: IncomingMessage, response: ServerResponse) => {
      void (async () => {
        const url = new URL(request.url ?? '/', registry.url);
        if (url.pathname === '/v2/_catalog') {
          seen.catalog += 1;
          // Every second catalog request is throttled with Retry-After (twice in all).
          if (seen.catalog % 2 === 0 && seen.throttled < 2) {
            seen.throttled += 1;
            response.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
            return;
          }
        }
        const upstream = await fetch(url, { method: request.method ?? 'GET', headers: { accept: String(request.headers.accept ?? '*/*') } });
        const headers: Record<string, string> = {};
        upstream.headers.forEach((value, name) => {
          headers[name] = value;
        });
        // Like Gitea: a Link header on the last page too, pointing back at the first page.
        if (url.pathname === '/v2/_catalog' && !headers.link) headers.link = '</v2/_catalog?n=100>; rel="next"';
        delete headers['content-length'];
        delete headers['content-encoding'];
        response.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
      })();
    });
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await registry.stop();
  });

  it('reads all 260 repositories across pages, waits out 429s, and stops at a Link on the last page', async () => {
    const client = new HttpRegistry(proxyUrl, new Transport({ backoffMs: 50 }), { get: async () => undefined });
    const repositories: string[] = [];
    for await (const page of client.listRepositories({ pageSize: 100 })) repositories.push(...page);
    assert.equal(repositories.length, 260);
    assert.equal(new Set(repositories).size, 260);
    assert.equal(seen.throttled, 2);
    assert.equal(seen.catalog, 5, 'three pages, two retries, and no request for the page the last Link points back to');
  });

  it('parses Link headers, absolute and relative', () => {
    assert.equal(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', 'http://h:5000/v2/_catalog?n=2'), 'http://h:5000/v2/_catalog?last=b&n=2');
    assert.equal(nextLink('<https://other/v2/x/tags/list?last=a>; rel=next', 'http://h/v2/x/tags/list'), 'https://other/v2/x/tags/list?last=a');
    assert.equal(nextLink('<http://h/a>; rel="prev"', 'http://h/'), undefined);
  });
});
