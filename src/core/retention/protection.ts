import { relative } from 'node:path';
import { imageOccurrences } from '../lint/engine';
import { readLintableFile } from '../lint/inputLimits';
import { filesInside } from '../workspace/safeFiles';
import type { Range } from '../lint/finding';
import { scanYaml } from '../manifests/scan';
import { neighbourFilesOnDisk } from '../workspace/neighbours';
import type { LintContext } from '../workspace/neighbours';
import { parseReference } from '../reference/parse';
import { normalizeRegistryHost } from '../reference/registryHost';
import { fileKindOf } from '../workspace/fileKinds';
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

/** A workspace file whose references are unknown: whatever it uses is not protected. */
export interface UnreadableFile {
  readonly path: string;
  readonly reason: string;
}

/** What the workspace says about the images it uses. */
export interface WorkspaceScan {
  readonly references: readonly WorkspaceReference[];
  readonly unreadable: readonly UnreadableFile[];
}

/** What keeps artifacts whatever the policy says. */
export interface Protection extends WorkspaceScan {
  /** Immutable tag patterns of a repository (`.steward.yaml` promotion.targets[].immutableTags). */
  readonly immutableTags: (registry: string, repository: string) => readonly string[];
}

export const NO_PROTECTION: Protection = { references: [], unreadable: [], immutableTags: () => [] };

/** The references to one repository (`localhost:5000/app` in a manifest is the registry read as `127.0.0.1:5000`). */
export function referencesToRepository(references: readonly WorkspaceReference[], registry: string, repository: string): WorkspaceReference[] {
  const host = normalizeRegistryHost(registry);
  return references.filter((reference) => reference.repository === repository && normalizeRegistryHost(reference.registry) === host);
}

/** Whether a reference (to the artifact's repository) pulls it: by its digest, or by one of its tags. */
export function pullsArtifact(reference: WorkspaceReference, artifact: { readonly digest: string; readonly tags: readonly string[] }): boolean {
  return reference.digest === artifact.digest || (!reference.digest && reference.tag !== undefined && artifact.tags.includes(reference.tag));
}

function referenceAt(path: string, image: { readonly text: string; readonly range: Range }): WorkspaceReference[] {
  const parsed = parseReference(image.text);
  if (!parsed.ok) return [];
  const { domain, path: repository, tag, digest } = parsed.reference;
  return [{ registry: domain, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), where: `${path}:${image.range.start.line + 1}` }];
}

/**
 * Image references in one file's text, with the lint engine's extraction (Dockerfiles, manifests,
 * Compose, Helm values…), each YAML document on its own; `problem` when some YAML does not parse.
 */
export function referencesIn(path: string, text: string, context: LintContext = {}): { references: WorkspaceReference[]; problem?: string } {
  if (fileKindOf(path) !== 'yaml') return { references: imageOccurrences(path, text, undefined, context).flatMap((occurrence) => referenceAt(path, occurrence)) };
  const scan = scanYaml(path, text, context);
  const references = scan.images.flatMap((image) => referenceAt(path, image));
  const problem = scan.problems[0];
  return problem ? { references, problem: `${problem.message} (line ${problem.range.start.line + 1})` } : { references };
}

/**
 * Every image reference in the Dockerfiles and YAML under `roots` (git-ignored and excluded paths
 * skipped), and the files that could not be read or parsed: their references are unknown.
 */
export async function scanWorkspace(roots: readonly string[], isExcluded: (absolutePath: string) => boolean = () => false, signal?: AbortSignal): Promise<WorkspaceScan> {
  const references: WorkspaceReference[] = [];
  const unreadable: UnreadableFile[] = [];
  for (const root of roots) {
    const neighbours = neighbourFilesOnDisk(root);
    const files = filesInside(root);
    for await (const file of lintableFiles(root, { isExcluded, ...(signal ? { signal } : {}) })) {
      const path = toPosix(relative(root, file)) || file;
      let text: string;
      try {
        text = await readLintableFile(files, file);
      } catch (error) {
        unreadable.push({ path, reason: `cannot be read: ${(error as Error).message}` });
        continue;
      }
      const kind = fileKindOf(path);
      const found = referencesIn(path, text, kind ? await neighbours.contextFor(path, kind) : {});
      for (const reference of found.references) references.push(reference);
      if (found.problem) unreadable.push({ path, reason: found.problem });
    }
  }
  return { references, unreadable };
}
