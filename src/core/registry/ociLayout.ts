import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { basename, join } from 'node:path';
import { isTag, parseReference } from '../reference/parse';
import { readFileInside, realPathInside, writeFileAtomically } from '../workspace/safeFiles';
import { digestProblem, verifyDigest } from './digest';
import { RegistryError } from './errors';
import { InvalidManifest, parseIndexEntries, parseManifestJson } from './manifestJson';
import { isIndex, MEDIA_TYPES } from './types';
import type { Descriptor, FetchedManifest, RegistryBackend, TagPage } from './types';

const REF_NAME = 'org.opencontainers.image.ref.name';
/** Manifests and index.json are small; blobs read into memory (configs, attachments) too. */
const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

interface LayoutIndex {
  /** Entries that passed the checks. */
  readonly entries: readonly Descriptor[];
  /** Entries left out, with why, by the ref.name they carry (when they carry one). */
  readonly problems: readonly { readonly refName?: string; readonly message: string }[];
  /** index.json as written, for rewrites that must keep what they do not change. */
  readonly raw: Record<string, unknown>;
}

/**
 * An OCI image layout folder served like a registry: the embedded default that needs no server.
 * `ref.name` annotations are tags (`1.2.3`) or whole references (`ghcr.io/acme/app:1.2.3`); a bare
 * tag belongs to a repository named after the folder. A layout can come from a tarball: paths are
 * built only from checked digests, reads never follow a symlink out of the folder, and one bad
 * index.json entry costs only that entry.
 */
export class OciLayoutRegistry implements RegistryBackend {
  readonly name: string;

  constructor(private readonly dir: string) {
    this.name = dir;
  }

  private async index(): Promise<LayoutIndex> {
    try {
      const { entries, problems, json } = parseIndexEntries(await readFileInside(this.dir, join(this.dir, 'index.json'), MAX_DOCUMENT_BYTES));
      const rawEntries = Array.isArray(json.manifests) ? (json.manifests as unknown[]) : [];
      return {
        entries,
        problems: problems.map(({ index, message }) => {
          const refName = (rawEntries[index] as { annotations?: Record<string, unknown> } | null | undefined)?.annotations?.[REF_NAME];
          return { message: `index.json ${message}`, ...(typeof refName === 'string' ? { refName } : {}) };
        }),
        raw: json,
      };
    } catch (error) {
      // A file, or a folder without index.json, is simply not a layout: say that, not ENOTDIR.
      const code = (error as NodeJS.ErrnoException).code;
      throw new RegistryError('read OCI layout', this.dir, code === 'ENOTDIR' || code === 'ENOENT' ? 'not an OCI image layout folder (no index.json in it)' : (error as Error).message);
    }
  }

  /** Repository and tag of an index entry, from its ref.name annotation. */
  private entryName(entry: Descriptor): { repository: string; tag: string } | undefined {
    const refName = entry.annotations?.[REF_NAME];
    if (!refName) return undefined;
    if (isTag(refName)) return { repository: basename(this.dir), tag: refName };
    const parsed = parseReference(refName);
    if (!parsed.ok || !parsed.reference.tag) return undefined;
    const { domain, path, tag, domainImplied } = parsed.reference;
    return { repository: domainImplied ? path.replace(/^library\//, '') : `${domain}/${path}`, tag };
  }

  async *listRepositories(): AsyncIterable<string[]> {
    const names = (await this.index()).entries.map((entry) => this.entryName(entry)?.repository).filter((name): name is string => name !== undefined);
    yield [...new Set(names.length > 0 ? names : [basename(this.dir)])].sort();
  }

  async *listTags(repository: string): AsyncIterable<string[]> {
    yield (await this.tagPage(repository)).tags as string[];
  }

  /** A layout's index is read whole: one page. */
  async tagPage(repository: string): Promise<TagPage> {
    return { tags: (await this.index()).entries.map((entry) => this.entryName(entry)).filter((name) => name?.repository === repository).map((name) => name!.tag) };
  }

  private async entry(repository: string, reference: string): Promise<Descriptor> {
    const where = `${this.dir}${reference.includes(':') ? '@' : ':'}${reference}`;
    if (reference.includes(':')) {
      const problem = digestProblem(reference, 'the reference');
      if (problem) throw new RegistryError('resolve', where, problem);
    }
    const { entries, problems } = await this.index();
    const found = reference.includes(':')
      ? entries.find((entry) => entry.digest === reference)
      : entries.find((entry) => { const name = this.entryName(entry); return name?.repository === repository && name.tag === reference; });
    if (found) return found;
    if (reference.includes(':')) {
      // Children of indexes are not listed in index.json but are valid by digest.
      const bytes = await this.getBlob(repository, reference);
      const json = this.manifestJson(bytes, where);
      return { mediaType: json.mediaType ?? MEDIA_TYPES.ociManifest, digest: reference, size: bytes.length };
    }
    const bad = problems.find((problem) => problem.refName !== undefined && (problem.refName === reference || problem.refName.endsWith(`:${reference}`)));
    // No such tag is a 404, as a registry would answer: callers tell "absent" from "broken" by it.
    throw bad ? new RegistryError('resolve', where, `its entry is unusable: ${bad.message}`) : new RegistryError('resolve', where, `no image tagged ${reference} for ${repository} in this OCI layout`, 404);
  }

  private manifestJson(bytes: Buffer, where: string) {
    try {
      return parseManifestJson(bytes);
    } catch (error) {
      throw new RegistryError('fetch manifest', where, error instanceof InvalidManifest ? `the manifest's ${error.message}` : (error as Error).message);
    }
  }

  resolve(repository: string, reference: string): Promise<Descriptor> {
    return this.entry(repository, reference);
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const descriptor = await this.entry(repository, reference);
    const bytes = await this.getBlob(repository, descriptor.digest);
    return { descriptor: { ...descriptor, size: bytes.length }, bytes, json: this.manifestJson(bytes, `${this.dir}@${descriptor.digest}`) };
  }

  /** `blobs/<algorithm>/<hex>`, built only from a checked digest. */
  private blobPath(digest: string): string {
    const problem = digestProblem(digest, 'the digest');
    if (problem) throw new RegistryError('fetch blob', `${this.dir}@${digest}`, problem);
    const [algorithm, hex] = digest.split(':') as [string, string];
    return join(this.dir, 'blobs', algorithm, hex);
  }

  private blobFailure(digest: string, error: unknown): RegistryError {
    if (error instanceof RegistryError) return error;
    return new RegistryError('fetch blob', `${this.dir}@${digest}`, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not in this OCI layout' : (error as Error).message);
  }

  /** A blob as a file stream (promotion copies it verified, without reading it into memory). */
  async openBlob(_repository: string, digest: string): Promise<{ size: number; stream: Readable }> {
    try {
      const real = await realPathInside(this.dir, this.blobPath(digest));
      const handle = await open(real, 'r');
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        throw new Error('is not a regular file');
      }
      return { size: info.size, stream: handle.createReadStream() };
    } catch (error) {
      throw this.blobFailure(digest, error);
    }
  }

  async getBlob(_repository: string, digest: string): Promise<Buffer> {
    try {
      const bytes = await readFileInside(this.dir, this.blobPath(digest), MAX_DOCUMENT_BYTES);
      verifyDigest(bytes, digest, `the blob ${digest}`);
      return bytes;
    } catch (error) {
      throw this.blobFailure(digest, error);
    }
  }

  /** Manifests listed in index.json whose `subject` is `digest` (one unreadable entry is skipped, not fatal). */
  async referrers(repository: string, digest: string): Promise<Descriptor[]> {
    const referrers: Descriptor[] = [];
    for (const entry of (await this.index()).entries) {
      if (isIndex(entry.mediaType)) continue;
      let json;
      try {
        json = parseManifestJson(await this.getBlob(repository, entry.digest));
      } catch {
        continue;
      }
      if (json.subject?.digest === digest) {
        const artifactType = json.artifactType ?? json.config?.mediaType;
        referrers.push({ mediaType: entry.mediaType, digest: entry.digest, size: entry.size, ...(artifactType ? { artifactType } : {}) });
      }
    }
    return referrers;
  }

  /**
   * Removes every index.json entry of the digest (its tags); blobs stay until a garbage
   * collection. Every other entry and key is kept as written; the new index.json replaces the
   * old one in one rename.
   */
  async deleteManifest(_repository: string, digest: string): Promise<void> {
    const where = `${this.dir}@${digest}`;
    const problem = digestProblem(digest, 'the digest');
    if (problem) throw new RegistryError('delete', where, problem);
    const { raw } = await this.index();
    const manifests = Array.isArray(raw.manifests) ? (raw.manifests as unknown[]) : [];
    const kept = manifests.filter((entry) => (entry as { digest?: unknown } | null)?.digest !== digest);
    if (kept.length === manifests.length) throw new RegistryError('delete', where, 'not in this OCI layout');
    try {
      await writeFileAtomically(this.dir, join(this.dir, 'index.json'), JSON.stringify({ ...raw, manifests: kept }, null, 2));
    } catch (error) {
      throw new RegistryError('delete', where, (error as Error).message);
    }
  }
}
