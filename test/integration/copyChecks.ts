// What a copy must leave behind, checked with skopeo (the independent peer) and our client.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import type { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { isIndex } from '../../src/core/registry/types';

const execFileAsync = promisify(execFile);

export async function skopeoDigest(host: string, reference: string): Promise<string> {
  const { stdout } = await execFileAsync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/${reference}`], { encoding: 'buffer' });
  return `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
}

export async function skopeoTags(host: string, repository: string): Promise<string[]> {
  const { stdout } = await execFileAsync('skopeo', ['list-tags', '--tls-verify=false', `docker://${host}/${repository}`]);
  return (JSON.parse(stdout) as { Tags: string[] }).Tags.sort();
}

/** Every tag of the repository resolves to a manifest whose children and blobs are all present. */
export async function assertComplete(client: HttpRegistry, repository: string, reference: string): Promise<void> {
  const manifest = await client.getManifest(repository, reference);
  if (isIndex(manifest.descriptor.mediaType)) {
    for (const child of manifest.json.manifests ?? []) await assertComplete(client, repository, child.digest);
    return;
  }
  for (const blob of [manifest.json.config, ...(manifest.json.layers ?? [])]) {
    if (blob) assert.ok(await client.hasBlob(repository, blob.digest), `${repository}@${reference} misses blob ${blob.digest}`);
  }
}
