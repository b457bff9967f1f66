import { readInventory } from '../retention/inventory';
import { shortDigest } from '../retention/plan';
import { pullsArtifact, referencesToRepository } from '../retention/protection';
import type { WorkspaceReference } from '../retention/protection';
import type { RegistryBackend } from './types';

/** What a DELETE of one digest takes with it, found before asking. */
export interface DeleteImpact {
  readonly digest: string;
  /** Every tag on the digest: a delete by digest removes them all. */
  readonly tags: readonly string[];
  /** Multi-arch indexes of the repository that list the digest as a platform: they break. */
  readonly indexes: readonly { readonly digest: string; readonly tags: readonly string[] }[];
  /** `path:line` of each workspace reference that pulls the digest, or an index that holds it. */
  readonly deployedBy: readonly string[];
}

/**
 * Reads the repository as retention does (every tag's manifest, index platforms) and finds what
 * deleting `digest` breaks: its tags, the indexes that hold it, and the workspace references
 * (from `scanWorkspace`) that pull it directly or through one of those indexes.
 */
export async function deleteImpact(backend: RegistryBackend, repository: string, digest: string, workspaceReferences: readonly WorkspaceReference[], signal?: AbortSignal): Promise<DeleteImpact> {
  const inventory = await readInventory(backend, repository, signal ? { signal } : {});
  const own = inventory.artifacts.find((artifact) => artifact.digest === digest);
  const indexes = inventory.artifacts.filter((artifact) => artifact.role === 'index' && artifact.children.includes(digest));
  const pulled = [{ digest, tags: own?.tags ?? [] }, ...indexes];
  const deployedBy = referencesToRepository(workspaceReferences, backend.name, repository)
    .filter((reference) => pulled.some((artifact) => pullsArtifact(reference, artifact)))
    .map((reference) => reference.where);
  return { digest, tags: own?.tags ?? [], indexes: indexes.map((index) => ({ digest: index.digest, tags: index.tags })), deployedBy: [...new Set(deployedBy)] };
}

/** The impact in words, one fact per line, for a confirmation; `limit` entries per list at most. */
export function describeDeleteImpact(impact: DeleteImpact, limit = Number.POSITIVE_INFINITY): string {
  const list = (items: readonly string[]) => items.slice(0, limit).join(', ') + (items.length > limit ? ` and ${items.length - limit} more` : '');
  const lines = [impact.tags.length > 0 ? `Tags that go with it: ${list(impact.tags)}.` : 'No tag points at it.'];
  if (impact.indexes.length > 0) {
    const indexes = impact.indexes.map((index) => `${shortDigest(index.digest)}… (${index.tags.length > 0 ? index.tags.join(', ') : 'untagged'})`);
    lines.push(`It is a platform of ${impact.indexes.length} multi-arch image(s), which break: ${list(indexes)}.`);
  }
  if (impact.deployedBy.length > 0) lines.push(`The workspace deploys it: ${list(impact.deployedBy)}.`);
  return lines.join('\n');
}
