// Builds repository inventories from compact tables for the retention semantics tests.
import { createHash } from 'node:crypto';
import type { Artifact, ArtifactRole, RepositoryInventory } from '../../../src/core/retention/model';

export const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

export interface Row {
  /** A name for the artifact; its digest is derived from it. */
  readonly name: string;
  readonly tags?: readonly string[];
  /** Age in days; absent means unknown. */
  readonly days?: number;
  readonly role?: ArtifactRole;
  readonly children?: readonly string[];
  readonly subject?: string;
  /** Layer names (their digests are derived, 1000 bytes each). */
  readonly layers?: readonly string[];
}

export function digestOf(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

export function inventory(rows: readonly Row[], repository = 'team/app', registry = 'registry.test'): RepositoryInventory {
  const artifacts = rows.map((row): Artifact => ({
    digest: digestOf(row.name),
    mediaType: row.children ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json',
    role: row.role ?? (row.children ? 'index' : row.subject ? 'attachment' : 'image'),
    tags: [...(row.tags ?? [])].sort(),
    ...(row.days !== undefined ? { created: NOW - row.days * DAY } : {}),
    ageSource: row.days !== undefined ? 'config created' : 'unknown',
    blobs: [{ digest: digestOf(row.name), size: 500 }, ...(row.layers ?? []).map((layer) => ({ digest: digestOf(`layer:${layer}`), size: 1000 }))],
    children: (row.children ?? []).map(digestOf),
    ...(row.subject ? { subject: digestOf(row.subject) } : {}),
  }));
  return { registry, repository, artifacts };
}

/** name → keep/delete, for comparing with a table of expectations. */
export function actions(rows: readonly Row[], verdicts: ReadonlyMap<string, { action: string }>): Record<string, string> {
  return Object.fromEntries(rows.map((row) => [row.name, verdicts.get(digestOf(row.name))?.action ?? 'missing']));
}
