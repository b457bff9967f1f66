import { createReadStream } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { basename, join } from 'node:path';
import { parseReference } from '../reference/parse';
import { verifyDigest } from './digest';
import { RegistryError } from './errors';
import { isIndex, MEDIA_TYPES } from './types';
import type { Descriptor, FetchedManifest, ManifestJson, RegistryBackend } from './types';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface IndexJson {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

/**
 * An OCI image layout folder served like a registry: the embedded default that needs no server.
 * `ref.name` annotations are tags (`1.2.3`) or whole references (`ghcr.io/acme/app:1.2.3`); a bare
 * tag belongs to a repository named after the folder.
 */
export class OciLayoutRegistry implements RegistryBackend {
  readonly name: string;

  constructor(private readonly dir: string) {
    this.name = dir;
  }

  private async index(): Promise<IndexJson> {
    try {
      const index = JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')) as IndexJson;
      return { ...index, manifests: index.manifests ?? [] };
    } catch (error) {
      throw new RegistryError('read OCI layout', this.dir, (error as Error).message);
    }
  }

  /** Repository and tag of an index entry, from its ref.name annotation. */
  private entryName(entry: Descriptor): { repository: string; tag: string } | undefined {
    const refName = entry.annotations?.[REF_NAME];
    if (!refName) return undefined;
    if (/^[\w][\w.-]{0,127}$/.test(refName)) return { repository: basename(this.dir), tag: refName };
    const parsed = parseReference(refName);
    if (!parsed.ok || !parsed.reference.tag) return undefined;
    const { domain, path, tag, domainImplied } = parsed.reference;
    return { repository: domainImplied ? path.replace(/^library\//, '') : `${domain}/${path}`, tag };
  }

  async *listRepositories(): AsyncIterable<string[]> {
    const names = (await this.index()).manifests.map((entry) => this.entryName(entry)?.repository).filter((name): name is string => name !== undefined);
    yield [...new Set(names.length > 0 ? names : [basename(this.dir)])].sort();
  }

  async *listTags(repository: string): AsyncIterable<string[]> {
    yield (await this.index()).manifests.map((entry) => this.entryName(entry)).filter((name) => name?.repository === repository).map((name) => name!.tag);
  }

  private async entry(repository: string, reference: string): Promise<Descriptor> {
    const entries = (await this.index()).manifests;
    const found = reference.includes(':')
      ? entries.find((entry) => entry.digest === reference)
      : entries.find((entry) => { const name = this.entryName(entry); return name?.repository === repository && name.tag === reference; });
    if (found) return found;
    if (reference.includes(':')) {
      // Children of indexes are not listed in index.json but are valid by digest.
      const bytes = await this.getBlob(repository, reference);
      const json = JSON.parse(bytes.toString('utf8')) as ManifestJson;
      return { mediaType: json.mediaType ?? MEDIA_TYPES.ociManifest, digest: reference, size: bytes.length };
    }
    throw new RegistryError('resolve', `${this.dir}:${reference}`, `no image tagged ${reference} for ${repository} in this OCI layout`);
  }

  resolve(repository: string, reference: string): Promise<Descriptor> {
    return this.entry(repository, reference);
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const descriptor = await this.entry(repository, reference);
    const bytes = await this.getBlob(repository, descriptor.digest);
    return { descriptor: { ...descriptor, size: bytes.length }, bytes, json: JSON.parse(bytes.toString('utf8')) as ManifestJson };
  }

  private blobPath(digest: string): string {
    const [algorithm, hex] = digest.split(':');
    if (!algorithm || !hex || /[^a-f0-9]/.test(hex)) throw new RegistryError('fetch blob', `${this.dir}@${digest}`, 'not a digest');
    return join(this.dir, 'blobs', algorithm, hex);
  }

  /** A blob as a file stream (promotion copies it verified, without reading it into memory). */
  async openBlob(_repository: string, digest: string): Promise<{ size: number; stream: Readable }> {
    const path = this.blobPath(digest);
    try {
      return { size: (await stat(path)).size, stream: createReadStream(path) };
    } catch (error) {
      throw new RegistryError('fetch blob', `${this.dir}@${digest}`, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not in this OCI layout' : (error as Error).message);
    }
  }

  async getBlob(_repository: string, digest: string): Promise<Buffer> {
    const path = this.blobPath(digest);
    try {
      const bytes = await readFile(path);
      verifyDigest(bytes, digest, `the blob ${digest}`);
      return bytes;
    } catch (error) {
      throw new RegistryError('fetch blob', `${this.dir}@${digest}`, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not in this OCI layout' : (error as Error).message);
    }
  }

  /** Manifests listed in index.json whose `subject` is `digest`. */
  async referrers(repository: string, digest: string): Promise<Descriptor[]> {
    const referrers: Descriptor[] = [];
    for (const entry of (await this.index()).manifests) {
      if (isIndex(entry.mediaType)) continue;
      const json = JSON.parse((await this.getBlob(repository, entry.digest)).toString('utf8')) as ManifestJson;
      if (json.subject?.digest === digest) {
        referrers.push({ mediaType: entry.mediaType, digest: entry.digest, size: entry.size, ...(json.artifactType ?? json.config?.mediaType ? { artifactType: json.artifactType ?? json.config!.mediaType } : {}) });
      }
    }
    return referrers;
  }

  /** Removes every index.json entry of the digest (its tags); blobs stay until a garbage collection. */
  async deleteManifest(_repository: string, digest: string): Promise<void> {
    const index = await this.index();
    const kept = index.manifests.filter((entry) => entry.digest !== digest);
    if (kept.length === index.manifests.length) throw new RegistryError('delete', `${this.dir}@${digest}`, 'not in this OCI layout');
    const path = join(this.dir, 'index.json');
    await writeFile(`${path}.tmp`, JSON.stringify({ ...index, manifests: kept }, null, 2));
    await rename(`${path}.tmp`, path);
  }
}
