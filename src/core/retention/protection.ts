import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { imageOccurrences } from '../lint/engine';
import { lintableFiles, toPosix } from '../workspace/walk';

/** An image the workspace deploys or builds from: never deleted by retention. */
export interface WorkspaceReference {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** `path:line` where it is written. */
  readonly where: string;
}

/** What keeps artifacts whatever the policy says. */
export interface Protection {
  readonly references: readonly WorkspaceReference[];
  /** Immutable tag patterns of a repository (`.steward.yaml` promotion.targets[].immutableTags). */
  readonly immutableTags: (registry: string, repository: string) => readonly string[];
}

export const NO_PROTECTION: Protection = { references: [], immutableTags: () => [] };

/** Image references in one file's text, with the lint engine's extraction (Dockerfiles, manifests, Compose, Helm values…). */
export function referencesIn(path: string, text: string): WorkspaceReference[] {
  return imageOccurrences(path, text).flatMap((occurrence) => {
    if (!occurrence.parsed.ok) return [];
    const { domain, path: repository, tag, digest } = occurrence.parsed.reference;
    return [{ registry: domain, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), where: `${path}:${occurrence.range.start.line + 1}` }];
  });
}

/** Every image reference in the Dockerfiles and YAML under `roots` (git-ignored and excluded paths skipped). */
export async function workspaceReferences(roots: readonly string[], isExcluded: (absolutePath: string) => boolean = () => false, signal?: AbortSignal): Promise<WorkspaceReference[]> {
  const found: WorkspaceReference[] = [];
  for (const root of roots) {
    for await (const file of lintableFiles(root, { isExcluded, ...(signal ? { signal } : {}) })) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue;
      }
      found.push(...referencesIn(toPosix(relative(root, file)) || file, text));
    }
  }
  return found;
}
