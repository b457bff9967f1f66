// Issue 12: a registry that lies, an OCI layout from a tarball, a workspace a pull request edits.
// Each test asserts the safe outcome; each failed on the code before the fix (see the commit).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { noCredentials } from '../../src/core/registry/auth';
import type { CredentialProvider } from '../../src/core/registry/auth';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { OciLayoutRegistry } from '../../src/core/registry/ociLayout';
import { Transport } from '../../src/core/registry/transport';
import { executePromotion, planPromotion } from '../../src/core/promote/promote';
import { REPO_ROOT } from '../helpers';
import { blob, pushRaw, skopeoPush, writeOciLayout } from './fixtures';
import { startHostileRegistry } from './hostileRegistry';
import type { HostileRegistry } from './hostileRegistry';
import { selfSignedCertificate, startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';
import { stewardIn } from './stewardCli';

const execFileAsync = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'steward-hostile-'));
after(() => rmSync(root, { recursive: true, force: true }));
const steward = stewardIn(root);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** A label that sets the terminal's title, returns the carriage and clears the screen. */
const HOSTILE_TITLE = 'app\u001b]0;owned\u0007\r\u001b[2J\u202eend';

async function skopeoDigest(host: string, reference: string): Promise<string> {
  const { stdout } = await execFileAsync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/${reference}`], { encoding: 'buffer' });
  return `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
}

describe('a registry that lies', () => {
  let registry: RunningRegistry;
  let hostile: HostileRegistry;
  let collector: HostileRegistry;
  let transport: Transport;
  let sourceManifest: Buffer;
  const layoutDir = join(root, 'layout');

  before(async () => {
    transport = new Transport({ backoffMs: 5, maxWaitMs: 50 });
    registry = await startRegistry('plain', join(root, 'registry'));
    writeOciLayout(layoutDir, [{ tag: '1.0', content: 'source' }, { tag: 'victim', content: 'production' }, { tag: 'escapes', content: 'escapes', labels: { 'org.opencontainers.image.title': HOSTILE_TITLE } }]);
    await skopeoPush(registry, layoutDir, '1.0', 'src/app');
    await skopeoPush(registry, layoutDir, 'escapes', 'src/app');
    // prod/app holds the source's blobs (as 0.9) and an immutable 1.0 of its own.
    await skopeoPush(registry, layoutDir, '1.0', 'prod/app', '0.9');
    await skopeoPush(registry, layoutDir, 'victim', 'prod/app', '1.0');
    sourceManifest = (await new HttpRegistry(registry.host, transport, noCredentials).getManifest('src/app', '1.0')).bytes;
    hostile = await startHostileRegistry({ upstream: registry.host });
    collector = await startHostileRegistry();
  });
  after(async () => {
    await transport?.close();
    await Promise.all([hostile?.stop(), collector?.stop(), registry?.stop()]);
  });

  /** Answers every `…/manifests/1.0` with the source image and a digest header of the test's choice. */
  const lyingDigest = (digest: string) => hostile.setScenario((request, response) => {
    if (!/\/manifests\/1\.0$/.test(request.url ?? '')) return false;
    response.writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': digest, 'content-length': String(sourceManifest.length) });
    response.end(request.method === 'HEAD' ? undefined : sourceManifest);
    return true;
  });

  it('steward find on a lying registry: a manifest whose digest lies is a failure naming its reference, labels of the wrong type match nothing, and the rest is still searched', async () => {
    // Configs a careless or hostile builder wrote: Labels null, and labels that are not strings.
    for (const [tag, config] of [['null-labels', { config: { Labels: null } }], ['typed-labels', { config: { Labels: { team: 5, owner: { name: 'x' }, 'org.opencontainers.image.revision': ['a1b2c3d'] } } }]] as const) {
      const configBlob = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', ...config, rootfs: { type: 'layers', diff_ids: [] } }));
      const manifest = blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configBlob.digest, size: configBlob.size }, layers: [] }));
      await pushRaw(registry, 'src/odd', [configBlob], manifest, OCI_MANIFEST, tag);
    }
    lyingDigest(`sha256:${'0'.repeat(64)}`);
    try {
      const run = await steward(['find', `${hostile.host}/src`, '--label', 'team=5', '--json'], root);
      assert.equal(run.code, 1, run.stderr);
      const output = JSON.parse(run.stdout) as { images: unknown[]; imagesRead: number; failures: { reference: string; message: string }[] };
      assert.deepEqual(output.images, [], 'a number is not the label value "5"');
      assert.deepEqual(output.failures.map((failure) => failure.reference), [`${hostile.host}/src/app:1.0`]);
      assert.match(output.failures[0]!.message, /src\/app:1\.0/);
      assert.equal(output.imagesRead, 3, 'src/app:escapes and both src/odd images were still read');
      const revision = await steward(['find', `${hostile.host}/src/odd`, '--revision', 'a1b2c3d', '--json'], root);
      assert.deepEqual([revision.code, (JSON.parse(revision.stdout) as { images: unknown[] }).images], [0, []], revision.stderr);
    } finally {
      hostile.setScenario(undefined);
    }
  });

  it('steward status on a lying registry: the row whose tag resolves to a lying digest is unresolved, and --check fails closed', async () => {
    const workspace = join(root, 'status-workspace');
    mkdirSync(join(workspace, 'deploy', 'prod'), { recursive: true });
    mkdirSync(join(workspace, '.git'), { recursive: true });
    writeFileSync(join(workspace, 'deploy', 'prod', 'app.yaml'), `apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - {name: app, image: "${hostile.host}/src/app:1.0"}\n`);
    lyingDigest(`sha256:${'0'.repeat(64)}`);
    try {
      const run = await steward(['status', '--json'], workspace);
      assert.equal(run.code, 0, run.stderr);
      const output = JSON.parse(run.stdout) as { repositories: { rows: { digest?: string; error?: string }[] }[]; drift: { kind: string }[] };
      const [row] = output.repositories.flatMap((repository) => repository.rows);
      assert.equal(row?.digest, undefined, 'the lying digest is not believed');
      assert.match(row?.error ?? '', /src\/app:1\.0/);
      assert.deepEqual(output.drift.map((item) => item.kind), ['unresolved']);
      assert.equal((await steward(['status', '--check'], workspace)).code, 1);
    } finally {
      hostile.setScenario(undefined);
    }
  });

  it('a digest header with a path in it cannot make promote overwrite another repository\'s tag', async () => {
    const victim = await skopeoDigest(registry.host, 'prod/app:1.0');
    lyingDigest('sha1:x/../../../../../v2/prod/app/manifests/1.0');
    const run = await steward(['promote', `${hostile.host}/src/app:1.0`, `${registry.host}/staging/app:2.0`], root);
    hostile.setScenario(undefined);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /src\/app:1\.0: the Docker-Content-Digest header is not a sha256 or sha512 digest: "sha1:x\/\.\.\//);
    assert.equal(await skopeoDigest(registry.host, 'prod/app:1.0'), victim);
    const tags = await execFileAsync('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry.host}/staging/app`]).then(() => 'exists', () => 'absent');
    assert.equal(tags, 'absent');
  });

  it('pin never writes a header value into a manifest', async () => {
    const workspace = join(root, 'pin-injection');
    mkdirSync(workspace, { recursive: true });
    const file = join(workspace, 'deploy.yaml');
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers: [{name: app, image: ${hostile.host}/src/app:1.0}]\n`;
    writeFileSync(file, text);
    lyingDigest(`sha256:${'a'.repeat(64)}}], securityContext: {privileged: true}, x: [{y: z`);
    const run = await steward(['pin', '.'], workspace);
    hostile.setScenario(undefined);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /Docker-Content-Digest header is not a sha256 or sha512 digest/);
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('a Link to another origin gets no credentials (and the listing says why it stopped)', async () => {
    const credentials: CredentialProvider = { get: async () => ({ username: 'ci', password: 'ci-Secret-never-sent' }) };
    hostile.setScenario((request, response) => {
      if (!request.headers.authorization) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
        return true;
      }
      if (!/tags\/list/.test(request.url ?? '')) return false;
      response.writeHead(200, { 'content-type': 'application/json', link: `<${collector.url}/v2/src/app/tags/list?last=a>; rel="next"` }).end('{"tags":["a"]}');
      return true;
    });
    const client = new HttpRegistry(hostile.host, transport, credentials);
    const pages: string[][] = [];
    await assert.rejects(async () => {
      for await (const page of client.listTags('src/app')) pages.push(page);
    }, /next page is on another origin/);
    hostile.setScenario(undefined);
    assert.deepEqual(pages, [['a']]);
    assert.deepEqual(collector.seen.filter((seen) => seen.authorization), []);
  });

  it('an upload Location on another origin gets no credentials', async () => {
    collector.seen.length = 0;
    const credentials: CredentialProvider = { get: async () => ({ username: 'ci', password: 'ci-Secret-never-sent' }) };
    hostile.setScenario((request, response) => {
      if (!request.headers.authorization) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
        return true;
      }
      if (request.method !== 'POST' || !/blobs\/uploads/.test(request.url ?? '')) return false;
      response.writeHead(202, { location: `${collector.url}/upload/session-1` }).end();
      return true;
    });
    const client = new HttpRegistry(hostile.host, transport, credentials);
    await assert.rejects(client.pushBlob('src/app', Buffer.from('new blob')), /upload/);
    hostile.setScenario(undefined);
    assert.ok(collector.seen.some((seen) => seen.method === 'PUT'), 'the upload went to the Location');
    assert.deepEqual(collector.seen.filter((seen) => seen.authorization), []);
  });

  it('the CI password goes only to STEWARD_REGISTRY_HOSTS, not to a host a pull request names', async () => {
    collector.seen.length = 0;
    const workspace = join(root, 'drift');
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, '.steward.yaml'), 'rules:\n  image-tag-drift: warning\n');
    writeFileSync(join(workspace, 'Dockerfile'), `FROM ${collector.host}/x:1@sha256:${'b'.repeat(64)}\n`);
    const run = await steward(['check', '.'], workspace, { STEWARD_REGISTRY_USERNAME: 'ci', STEWARD_REGISTRY_PASSWORD: 'ci-Secret-never-sent', STEWARD_REGISTRY_HOSTS: registry.host });
    assert.ok(collector.seen.length > 0, run.stderr);
    assert.deepEqual(collector.seen.filter((seen) => seen.authorization), []);
    assert.ok(!(run.stdout + run.stderr).includes('ci-Secret-never-sent'));
  });

  it('a listing that pages forever stops at the page limit', { timeout: 120_000 }, async () => {
    let page = 0;
    hostile.setScenario((request, response) => {
      if (!/tags\/list/.test(request.url ?? '')) return false;
      page += 1;
      response.writeHead(200, { 'content-type': 'application/json', link: `</v2/src/app/tags/list?n=1&last=t${page}>; rel="next"` }).end(JSON.stringify({ tags: [`t${page}`] }));
      return true;
    });
    const client = new HttpRegistry(hostile.host, transport, noCredentials, { maxPages: 20 });
    await assert.rejects(async () => {
      for await (const tags of client.listTags('src/app')) assert.ok(tags.length > 0);
    }, /more than 20 pages/);
    hostile.setScenario(undefined);
    assert.equal(page, 20);
  });

  it('a body that trickles ends with a timeout error', { timeout: 120_000 }, async () => {
    hostile.setScenario((request, response) => {
      if (!/\/manifests\//.test(request.url ?? '')) return false;
      response.writeHead(200, { 'content-type': OCI_MANIFEST });
      const timer = setInterval(() => response.write(' '), 200);
      response.on('close', () => clearInterval(timer));
      return true;
    });
    const trickled = new Transport({ requestDeadlineMs: 2000, maxRetries: 0 });
    try {
      await assert.rejects(new HttpRegistry(hostile.host, trickled, noCredentials).getManifest('src/app', 'slow'), /fetch manifest .*src\/app:slow: timed out: no complete answer within 2 s/);
    } finally {
      hostile.setScenario(undefined);
      await trickled.close();
    }
  });

  it('an endless chain of indexes is refused, and nothing is written to the target', { timeout: 120_000 }, async () => {
    // 40 indexes, each naming the next: valid digests all the way down, far deeper than any image.
    let child = blob(sourceManifest);
    let childType = OCI_MANIFEST;
    const documents = new Map<string, Buffer>([[child.digest, child.bytes]]);
    for (let depth = 0; depth < 40; depth += 1) {
      child = blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: childType, digest: child.digest, size: child.size }] }));
      childType = OCI_INDEX;
      documents.set(child.digest, child.bytes);
    }
    const top = child;
    hostile.setScenario((request, response) => {
      const match = /\/manifests\/(.+)$/.exec(request.url ?? '');
      const reference = match?.[1] === 'deep' ? top.digest : match?.[1];
      const bytes = reference ? documents.get(reference) : undefined;
      if (!bytes || !reference) return false;
      const type = reference === blob(sourceManifest).digest ? OCI_MANIFEST : OCI_INDEX;
      response.writeHead(200, { 'content-type': type, 'docker-content-digest': reference, 'content-length': String(bytes.length) }).end(request.method === 'HEAD' ? undefined : bytes);
      return true;
    });
    const source = { backend: new HttpRegistry(hostile.host, transport, noCredentials), repository: 'src/app', reference: 'deep' };
    const target = { registry: new HttpRegistry(registry.host, transport, noCredentials), repository: 'deep/app', tags: ['1'] };
    try {
      const plan = await planPromotion(hostile.host, source, target);
      await assert.rejects(executePromotion(source, target, plan), /indexes nest more than 8 deep/);
    } finally {
      hostile.setScenario(undefined);
    }
    const tags = await execFileAsync('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry.host}/deep/app`]).then(({ stdout }) => stdout, () => 'absent');
    assert.equal(tags, 'absent');
  });

  it('text output shows control characters from the registry escaped; JSON keeps them exact', async () => {
    const text = await steward(['inspect', `${registry.host}/src/app:escapes`], root);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(!/[\u001b\u0007\r\u202e]/.test(text.stdout), text.stdout);
    assert.match(text.stdout, /org\.opencontainers\.image\.title=app\\u001b\]0;owned\\u0007\\u000d\\u001b\[2J\\u202eend/);
    const json = await steward(['inspect', `${registry.host}/src/app:escapes`, '--json'], root);
    assert.equal((JSON.parse(json.stdout) as { labels: Record<string, string> }).labels['org.opencontainers.image.title'], HOSTILE_TITLE);
  });

  /** A repository with `folder/` in it and a folder beside it, outside the repository. */
  const repositoryAndOutside = (name: string, folder: string) => {
    const workspace = join(root, name);
    const outside = join(root, `${name}-outside`);
    for (const dir of [join(workspace, '.git'), join(workspace, folder), outside]) mkdirSync(dir, { recursive: true });
    return { workspace, outside };
  };

  it('pin keeps every byte it does not change, and never writes through a symlink out of the repository', async () => {
    const { workspace, outside } = repositoryAndOutside('pin-bytes', 'k8s');
    const latin1 = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\nimage: ${registry.host}/src/app:1.0\n`)]);
    writeFileSync(join(workspace, 'k8s', 'values.yaml'), latin1);
    const outsideText = `apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: x\n    image: ${registry.host}/src/app:1.0\n`;
    writeFileSync(join(outside, 'pod.yaml'), outsideText);
    symlinkSync(join(outside, 'pod.yaml'), join(workspace, 'k8s', 'pod.yaml'));
    const digest = await skopeoDigest(registry.host, 'src/app:1.0');
    const run = await steward(['pin', 'k8s'], workspace);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /k8s\/pod\.yaml:1:1: not read: .*leads outside/);
    assert.deepEqual(readFileSync(join(workspace, 'k8s', 'values.yaml')), Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\nimage: ${registry.host}/src/app:1.0@${digest}\n`)]));
    assert.equal(readFileSync(join(outside, 'pod.yaml'), 'utf8'), outsideText);
  });

  it('promote --update-manifests checks every file before promoting', async () => {
    const { workspace, outside } = repositoryAndOutside('gitops', 'deploy');
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: x\n    image: ${registry.host}/gitops/app:1.0\n`;
    writeFileSync(join(outside, 'pod.yaml'), text);
    symlinkSync(join(outside, 'pod.yaml'), join(workspace, 'deploy', 'pod.yaml'));
    const run = await steward(['promote', `${registry.host}/src/app:1.0`, `${registry.host}/gitops/app:1.0`, '--update-manifests', 'deploy'], workspace);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /--update-manifests cannot update every file, so nothing was promoted:\n {2}deploy\/pod\.yaml: .*leads outside/);
    const tags = await execFileAsync('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry.host}/gitops/app`]).then(() => 'exists', () => 'absent');
    assert.equal(tags, 'absent');
    assert.equal(readFileSync(join(outside, 'pod.yaml'), 'utf8'), text);
  });
});

describe('registry answers that are malformed, foreign or slow', () => {
  let registry: RunningRegistry;
  let hostile: HostileRegistry;
  let collector: HostileRegistry;
  let tlsHostile: HostileRegistry;
  let transport: Transport;
  let caFile: string;

  before(async () => {
    transport = new Transport({ backoffMs: 5, maxWaitMs: 50, maxRetries: 0 });
    registry = await startRegistry('plain', join(root, 'answers-registry'));
    hostile = await startHostileRegistry({ upstream: registry.host });
    collector = await startHostileRegistry();
    const certificates = join(root, 'answers-certs');
    mkdirSync(certificates, { recursive: true });
    const tls = selfSignedCertificate(certificates, 'hostile');
    caFile = tls.cert;
    tlsHostile = await startHostileRegistry({ tls });
  });
  after(async () => {
    await transport?.close();
    await Promise.all([hostile?.stop(), collector?.stop(), tlsHostile?.stop(), registry?.stop()]);
  });

  const answerTags = (body: string) => hostile.setScenario((request, response) => {
    if (!/tags\/list/.test(request.url ?? '')) return false;
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return true;
  });

  const listAll = async (client: HttpRegistry) => {
    const tags: string[] = [];
    for await (const page of client.listTags('src/app')) tags.push(...page);
    return tags;
  };

  it('a tag list keeps only valid tags, and a page that is not a list or not JSON is an error', async () => {
    const client = new HttpRegistry(hostile.host, transport, noCredentials);
    try {
      answerTags(JSON.stringify({ tags: ['1.0', '../../v2/x/manifests/y', null, 5, 'a'.repeat(129), '1.0', 'v2'] }));
      assert.deepEqual(await listAll(client), ['1.0', 'v2']);
      answerTags(JSON.stringify({ tags: { length: 1e9 } }));
      await assert.rejects(listAll(client), /list tags of .*src\/app: the registry sent a page whose list is not a list/);
      answerTags('{"tags": [');
      await assert.rejects(listAll(client), /list tags of .*src\/app: the registry sent a page that is not JSON/);
    } finally {
      hostile.setScenario(undefined);
    }
  });

  it('a manifest whose descriptors are hostile is refused, naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ schemaVersion: 2, layers: [null] }, /layers\[0\] is not a descriptor object/],
      [{ schemaVersion: 2, layers: [{ mediaType: 'x', digest: 'sha256:../../etc', size: 1 }] }, /layers\[0\]\.digest is not a sha256 or sha512 digest/],
      [{ schemaVersion: 2, config: { mediaType: 'x', digest: `sha256:${'c'.repeat(64)}`, size: -1 } }, /config\.size is not a size in bytes/],
      [{ schemaVersion: 2, manifests: Array.from({ length: 10_001 }, () => ({ mediaType: 'x', digest: `sha256:${'d'.repeat(64)}`, size: 1 })) }, /manifests has 10001 entries, more than the 10000 allowed/],
      [{ schemaVersion: 2, annotations: { a: { nested: true } } }, /annotations\["a"\] is not a string/],
      [[1, 2], /the document is not a JSON object/],
    ];
    const client = new HttpRegistry(hostile.host, transport, noCredentials);
    try {
      for (const [json, expected] of cases) {
        const bytes = Buffer.from(JSON.stringify(json));
        hostile.setScenario((request, response) => {
          if (!/\/manifests\//.test(request.url ?? '')) return false;
          response.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(bytes.length) }).end(bytes);
          return true;
        });
        await assert.rejects(client.getManifest('src/app', 'hostile'), (error: Error) => /^fetch manifest .*src\/app:hostile: the manifest's /.test(error.message) && expected.test(error.message), JSON.stringify(json).slice(0, 80));
      }
    } finally {
      hostile.setScenario(undefined);
    }
  });

  it('a registry that says it stored another digest, or resolves a digest to another, is not believed', async () => {
    const manifest = blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }));
    const other = `sha256:${'e'.repeat(64)}`;
    hostile.setScenario((request, response) => {
      if (!/\/manifests\//.test(request.url ?? '')) return false;
      response.writeHead(request.method === 'PUT' ? 201 : 200, { 'content-type': OCI_INDEX, 'docker-content-digest': other, 'content-length': '0' }).end();
      return true;
    });
    const client = new HttpRegistry(hostile.host, transport, noCredentials);
    try {
      await assert.rejects(client.putManifest('src/app', 'v1', manifest.bytes, OCI_INDEX), new RegExp(`push manifest .*src/app:v1: the registry stored ${other}, not ${manifest.digest}`));
      await assert.rejects(client.resolve('src/app', manifest.digest), new RegExp(`resolve .*src/app@${manifest.digest}: the registry answered for another digest`));
    } finally {
      hostile.setScenario(undefined);
    }
  });

  it('a blob that trickles below the low-speed limit ends with a timeout error', { timeout: 120_000 }, async () => {
    hostile.setScenario((request, response) => {
      if (!/\/blobs\//.test(request.url ?? '')) return false;
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const timer = setInterval(() => response.write('x'), 100);
      response.on('close', () => clearInterval(timer));
      return true;
    });
    const slow = new Transport({ lowSpeedLimit: { bytes: 1024, windowMs: 1000 }, maxRetries: 0 });
    try {
      const { stream } = await new HttpRegistry(hostile.host, slow, noCredentials).openBlob('src/app', `sha256:${'f'.repeat(64)}`);
      await assert.rejects(async () => {
        for await (const chunk of stream) assert.ok(chunk);
      }, /timed out: fewer than 1024 bytes in 1 s/);
    } finally {
      hostile.setScenario(undefined);
      await slow.close();
    }
  });

  it('a storage redirect from HTTPS to plain HTTP is refused and never followed', async () => {
    collector.seen.length = 0;
    tlsHostile.setScenario((request, response) => {
      if (request.url === '/v2/') response.writeHead(200).end('{}');
      else response.writeHead(307, { location: `${collector.url}/storage/blob` }).end();
      return true;
    });
    const tls = new Transport({ maxRetries: 0, hostOptions: () => ({ caFile }) });
    try {
      const client = new HttpRegistry(tlsHostile.host, tls, noCredentials);
      const digest = `sha256:${'1'.repeat(64)}`;
      await assert.rejects(client.getBlob('src/app', digest), /fetch blob .*src\/app@sha256:1+: refusing to follow "http:\/\/127\.0\.0\.1:\d+": it downgrades HTTPS to plain HTTP/);
      await assert.rejects(client.openBlob('src/app', digest), /downgrades HTTPS to plain HTTP/);
      assert.deepEqual(collector.seen, []);
    } finally {
      await tls.close();
    }
  });
});

describe('the CLI never exits 0 with its command left pending', () => {
  it('a command whose output can never be written fails with a message', async () => {
    // stdout that never reports the write done: the command's promise can never settle.
    const preload = join(root, 'stuck-stdout.js');
    writeFileSync(preload, 'process.stdout.write = () => true;\n');
    const { status, stderr } = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--require', preload, join(REPO_ROOT, 'dist', 'cli.js'), '--version'], (error, _stdout, childStderr) => resolve({ status: error ? (error as { code?: number }).code ?? 1 : 0, stderr: childStderr }));
      child.stdin?.end();
    });
    assert.equal(status, 1);
    assert.match(stderr, /the command stopped before it finished/);
  });
});

describe('an OCI layout from a tarball', () => {
  const layoutRoot = join(root, 'layouts');
  const fresh = (name: string) => {
    const dir = join(layoutRoot, name);
    writeOciLayout(dir, [{ tag: 'good', content: name }]);
    return { dir, index: JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: unknown[] } };
  };

  it('a traversal digest in index.json is refused and costs only its entry', async () => {
    const { dir, index } = fresh('traversal');
    // A manifest outside the layout whose content matches the "hex" the entry names.
    const outside = join(layoutRoot, 'planted');
    const planted = blob('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, planted.digest.slice(7)), planted.bytes);
    index.manifests.unshift({ mediaType: OCI_MANIFEST, digest: `../../planted:${planted.digest.slice(7)}`, size: planted.size, annotations: { 'org.opencontainers.image.ref.name': 'evil' } }, null);
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    const layout = new OciLayoutRegistry(dir);
    const tags: string[] = [];
    for await (const page of layout.listTags('traversal')) tags.push(...page);
    assert.deepEqual(tags, ['good']);
    await assert.rejects(layout.getManifest('traversal', 'evil'), /its entry is unusable: index\.json manifests\[0\]\.digest is not a sha256 or sha512 digest: "\.\.\/\.\.\/planted:/);
    assert.equal((await layout.getManifest('traversal', 'good')).descriptor.mediaType, OCI_MANIFEST);
  });

  it('a blob or an index.json that is a symlink out of the layout is not read', async () => {
    const { dir } = fresh('symlinks');
    const layout = new OciLayoutRegistry(dir);
    const { digest } = await layout.resolve('symlinks', 'good');
    const blobPath = join(dir, 'blobs', 'sha256', digest.slice(7));
    const outsideBlob = join(layoutRoot, 'outside-blob');
    writeFileSync(outsideBlob, readFileSync(blobPath));
    rmSync(blobPath);
    symlinkSync(outsideBlob, blobPath);
    await assert.rejects(layout.getManifest('symlinks', 'good'), /leads outside/);
    const outsideIndex = join(layoutRoot, 'outside-index.json');
    writeFileSync(outsideIndex, readFileSync(join(dir, 'index.json')));
    rmSync(join(dir, 'index.json'));
    symlinkSync(outsideIndex, join(dir, 'index.json'));
    await assert.rejects(async () => {
      for await (const page of layout.listTags('symlinks')) assert.ok(page);
    }, /read OCI layout .*leads outside/);
  });

  it('an index.json that is a named pipe is refused without blocking', { timeout: 60_000 }, async () => {
    const { dir } = fresh('fifo');
    rmSync(join(dir, 'index.json'));
    await execFileAsync('mkfifo', [join(dir, 'index.json')]);
    await assert.rejects(async () => {
      for await (const page of new OciLayoutRegistry(dir).listTags('fifo')) assert.ok(page);
    }, /read OCI layout .*index\.json is not a regular file/);
  });
});
