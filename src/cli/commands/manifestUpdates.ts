import { relative } from 'node:path';
import { applyReferenceUpdates, planReferenceUpdates } from '../../core/promote/gitops';
import type { Concern, PromotedImage, ReferenceUpdate } from '../../core/promote/gitops';
import { MAX_FILE_BYTES } from '../../core/lint/inputLimits';
import { decodeText, encodeText, readFileInside, writeFileAtomically, writeProblem } from '../../core/workspace/safeFiles';
import type { DecodedText } from '../../core/workspace/safeFiles';
import { findRepositoryRoot, readRootFor, toPosix } from '../../core/workspace/walk';
import { configFor, selectedFiles } from '../check';
import { lineDiff } from '../diff';

interface FileUpdate {
  /** Absolute path. */
  readonly path: string;
  readonly before: DecodedText;
  readonly after: string;
}

/** What the user allowed beyond the references that move to a newer version of the target repository. */
export interface ManifestUpdateFlags {
  /** `--allow-downgrade`: also references the promoted tag is older than, or not known to be newer than. */
  readonly allowDowngrade: boolean;
  /** `--update-source-references`: also the promoted source image's own references, moved to the target repository. */
  readonly updateSourceReferences: boolean;
}

/** The flag that would allow an update of this concern. */
const FLAG_FOR: Readonly<Record<Concern, { flag: string; allowed: (flags: ManifestUpdateFlags) => boolean }>> = {
  older: { flag: '--allow-downgrade', allowed: (flags) => flags.allowDowngrade },
  'not-known-newer': { flag: '--allow-downgrade', allowed: (flags) => flags.allowDowngrade },
  'other-repository': { flag: '--update-source-references', allowed: (flags) => flags.updateSourceReferences },
};

function isAllowed(update: ReferenceUpdate, flags: ManifestUpdateFlags): boolean {
  return !update.concern || FLAG_FOR[update.concern.kind].allowed(flags);
}

export interface ManifestUpdates {
  /** One entry per reference updated. */
  readonly changes: { file: string; line: number; from: string; to: string }[];
  /** References to the target or source repository left as they are, with why. */
  readonly skipped: { file: string; line: number; from: string; reason: string }[];
  /** A unified diff of the changed lines (what `--dry-run` prints). */
  readonly diff: string;
  readonly files: readonly FileUpdate[];
  /** The folder writes must stay in: the repository (or the current folder outside one). */
  readonly root: string;
}

/**
 * GitOps: what pointing the manifests under `paths` at the promoted image changes, without
 * writing: references to the target repository that move to a version known to be newer, and
 * what `flags` allow beyond that. Every file that would change is checked to be writable (inside the repository, no
 * symlink out, not read-only) so a promotion never starts with edits it cannot finish.
 * `helmBases`: the values.yaml (absolute path) a Helm override is read over, by the override's path.
 */
export async function planManifestUpdates(paths: readonly string[], cwd: string, promoted: PromotedImage, flags: ManifestUpdateFlags, helmBases: ReadonlyMap<string, string> = new Map()): Promise<ManifestUpdates> {
  const loaded = await configFor(cwd);
  const root = (await findRepositoryRoot(cwd)) ?? cwd;
  const missing: string[] = [];
  const changes: ManifestUpdates['changes'] = [];
  const skipped: ManifestUpdates['skipped'] = [];
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
    const basePath = helmBases.get(selected.file);
    let base: string | undefined;
    try {
      base = basePath === undefined ? undefined : decodeText(await readFileInside(await readRootFor(basePath), basePath, MAX_FILE_BYTES)).text;
    } catch (error) {
      problems.push(`${toPosix(relative(cwd, basePath!))}: ${(error as Error).message}`);
      continue;
    }
    const plan = planReferenceUpdates(toPosix(relative(loaded.root, selected.file)), before.text, promoted, base);
    const allowed = plan.updates.filter((update) => isAllowed(update, flags));
    const notAllowed = plan.updates.filter((update) => !isAllowed(update, flags)).map((update) => ({ line: update.line, from: update.from, reason: `${update.concern!.reason} (${FLAG_FOR[update.concern!.kind].flag} moves it)` }));
    for (const reference of [...plan.skipped, ...notAllowed].sort((a, b) => a.line - b.line)) skipped.push({ file, ...reference });
    if (allowed.length === 0) continue;
    const after = applyReferenceUpdates(before.text, allowed);
    const problem = await writeProblem(root, selected.file);
    if (problem) problems.push(`${file}: ${problem}`);
    for (const update of allowed) changes.push({ file, line: update.line, from: update.from, to: update.to });
    diffs.push(lineDiff(file, before.text, after));
    files.push({ path: selected.file, before, after });
  }
  if (missing.length > 0) problems.unshift(`no such file or folder: ${missing.join(', ')}`);
  if (problems.length > 0) throw new Error(`--update-manifests cannot update every file, so nothing was promoted:\n  ${problems.join('\n  ')}`);
  return { changes, skipped, diff: diffs.join(''), files, root };
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
