import { relative } from 'node:path';
import { pointManifestsAt } from '../../core/promote/gitops';
import { MAX_FILE_BYTES } from '../../core/lint/inputLimits';
import { decodeText, encodeText, readFileInside, writeFileAtomically, writeProblem } from '../../core/workspace/safeFiles';
import type { DecodedText } from '../../core/workspace/safeFiles';
import { findRepositoryRoot, toPosix } from '../../core/workspace/walk';
import { configFor, selectedFiles } from '../check';
import { lineDiff } from '../diff';

interface FileUpdate {
  /** Absolute path. */
  readonly path: string;
  readonly before: DecodedText;
  readonly after: string;
}

export interface ManifestUpdates {
  readonly changes: { file: string; line: number; from: string; to: string }[];
  /** A unified diff of the changed lines (what `--dry-run` prints). */
  readonly diff: string;
  readonly files: readonly FileUpdate[];
  /** The folder writes must stay in: the repository (or the current folder outside one). */
  readonly root: string;
}

/**
 * GitOps: what pointing the manifests under `paths` at the promoted reference changes, without
 * writing. Every file that would change is checked to be writable (inside the repository, no
 * symlink out, not read-only) so a promotion never starts with edits it cannot finish.
 */
export async function planManifestUpdates(paths: readonly string[], cwd: string, match: readonly string[], newReference: string): Promise<ManifestUpdates> {
  const loaded = await configFor(cwd);
  const root = (await findRepositoryRoot(cwd)) ?? cwd;
  const missing: string[] = [];
  const changes: ManifestUpdates['changes'] = [];
  const diffs: string[] = [];
  const files: FileUpdate[] = [];
  const problems: string[] = [];
  for await (const selected of selectedFiles(paths, cwd, loaded, missing)) {
    if ('error' in selected) {
      problems.push(`${selected.file}: ${selected.error.message}`);
      continue;
    }
    let before: DecodedText;
    try {
      before = decodeText(await readFileInside(selected.readRoot, selected.file, MAX_FILE_BYTES));
    } catch (error) {
      problems.push(`${toPosix(relative(cwd, selected.file))}: ${(error as Error).message}`);
      continue;
    }
    const file = toPosix(relative(cwd, selected.file));
    const result = pointManifestsAt(toPosix(relative(loaded.root, selected.file)), before.text, match, newReference);
    if (result.changes.length === 0) continue;
    const problem = await writeProblem(root, selected.file);
    if (problem) problems.push(`${file}: ${problem}`);
    for (const change of result.changes) changes.push({ file, ...change });
    diffs.push(lineDiff(file, before.text, result.text));
    files.push({ path: selected.file, before, after: result.text });
  }
  if (missing.length > 0) problems.unshift(`no such file or folder: ${missing.join(', ')}`);
  if (problems.length > 0) throw new Error(`--update-manifests cannot update every file, so nothing was promoted:\n  ${problems.join('\n  ')}`);
  return { changes, diff: diffs.join(''), files, root };
}

/** Writes planned updates, each file replaced whole in one rename; says which were written when one fails. */
export async function writeManifestUpdates(updates: ManifestUpdates, cwd: string): Promise<void> {
  const written: string[] = [];
  for (const [index, file] of updates.files.entries()) {
    try {
      await writeFileAtomically(updates.root, file.path, encodeText(file.before, file.after));
      written.push(toPosix(relative(cwd, file.path)));
    } catch (error) {
      const notWritten = updates.files.slice(index).map((rest) => toPosix(relative(cwd, rest.path)));
      throw new Error(`--update-manifests stopped at ${notWritten[0]}: ${(error as Error).message}\n  written: ${written.join(', ') || 'none'}\n  not written: ${notWritten.join(', ')}`);
    }
  }
}
