import { relative } from 'node:path';
import { readLintableFile } from '../lint/inputLimits';
import { filesInside } from '../workspace/safeFiles';
import { lintableFiles, toPosix } from '../workspace/walk';

/**
 * The YAML files under `root` (the config's folder) by relative path: what environments are
 * inferred from and deployments read from. A file that cannot be read is listed in `unreadable`,
 * never fatal. Walks as the linter does (git-ignored and excluded paths skipped).
 */
export async function readWorkspaceYaml(root: string, isExcluded: (relativePath: string) => boolean, signal?: AbortSignal): Promise<{ files: Map<string, string>; unreadable: { file: string; message: string }[] }> {
  const files = new Map<string, string>();
  const unreadable: { file: string; message: string }[] = [];
  const inside = filesInside(root);
  for await (const path of lintableFiles(root, { isExcluded: (candidate) => isExcluded(toPosix(relative(root, candidate))), ...(signal ? { signal } : {}) })) {
    const file = toPosix(relative(root, path));
    if (!/\.ya?ml$|(^|\/)Kustomization$/.test(file)) continue;
    try {
      files.set(file, await readLintableFile(inside, path));
    } catch (error) {
      unreadable.push({ file, message: `not read: ${(error as Error).message}` });
    }
  }
  return { files, unreadable };
}
