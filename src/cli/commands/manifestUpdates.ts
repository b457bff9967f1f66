import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { pointManifestsAt } from '../../core/promote/gitops';
import { toPosix } from '../../core/workspace/walk';
import { configFor, selectedFiles } from '../check';
import { lineDiff } from '../diff';

export interface ManifestUpdates {
  readonly changes: { file: string; line: number; from: string; to: string }[];
  /** A unified diff of the changed lines (what `--dry-run` prints). */
  readonly diff: string;
}

/** GitOps: points the manifests under `paths` at the promoted reference; writes them unless `write` is false. */
export async function updateManifestFiles(paths: readonly string[], cwd: string, match: readonly string[], newReference: string, options: { write: boolean }): Promise<ManifestUpdates> {
  const loaded = await configFor(cwd);
  const missing: string[] = [];
  const changes: ManifestUpdates['changes'] = [];
  const diffs: string[] = [];
  for await (const selected of selectedFiles(paths, cwd, loaded, missing)) {
    if ('error' in selected) continue;
    const text = await readFile(selected.file, 'utf8');
    const file = toPosix(relative(cwd, selected.file));
    const result = pointManifestsAt(toPosix(relative(loaded.root, selected.file)), text, match, newReference);
    if (result.changes.length === 0) continue;
    changes.push(...result.changes.map((change) => ({ file, ...change })));
    diffs.push(lineDiff(file, text, result.text));
    if (options.write) await writeFile(selected.file, result.text);
  }
  if (missing.length > 0) throw new Error(`--update-manifests: no such file or folder: ${missing.join(', ')}`);
  return { changes, diff: diffs.join('') };
}
