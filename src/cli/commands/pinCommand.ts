import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { mapLimited } from '../../core/concurrency';
import { candidateName, pinCandidates, pinnedText, replaceRanges } from '../../core/registry/pin';
import type { PinCandidate } from '../../core/registry/pin';
import { MAX_FILE_BYTES } from '../../core/lint/inputLimits';
import { decodeText, encodeText, readFileInside, writeFileAtomically } from '../../core/workspace/safeFiles';
import type { DecodedText } from '../../core/workspace/safeFiles';
import { fileKindOf } from '../../core/workspace/fileKinds';
import { neighbourFilesOnDisk } from '../../core/workspace/neighbours';
import { findRepositoryRoot, toPosix } from '../../core/workspace/walk';
import { configFor, selectedFiles } from '../check';
import { lineDiff } from '../diff';
import { registryAccess } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { inert } from '../terminalText';
import { print } from '../usage';

interface FilePlan {
  readonly file: string;
  readonly decoded: DecodedText;
  readonly candidates: PinCandidate[];
}

export async function pinCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, ...REGISTRY_OPTIONS } });
  const cwd = process.cwd();
  const loaded = await configFor(cwd);
  // Writes stay inside the repository (or the current folder outside one): no symlink leads out.
  const workspaceRoot = (await findRepositoryRoot(cwd)) ?? cwd;
  const missingPaths: string[] = [];
  const plans: FilePlan[] = [];
  const skipped: { file: string; line: number; column: number; reference: string; reason: string }[] = [];
  const failed: { file: string; line: number; column: number; reference: string; error: string }[] = [];
  const neighbours = neighbourFilesOnDisk(loaded.root);
  for await (const selected of selectedFiles(positionals, cwd, loaded, missingPaths)) {
    if ('error' in selected) continue;
    // The linter's reader: regular files inside the repository, never a FIFO, a device or a symlink out.
    const bytes = await readFileInside(selected.readRoot, selected.file, MAX_FILE_BYTES).catch((error: Error) => {
      failed.push({ file: toPosix(relative(cwd, selected.file)), line: 1, column: 1, reference: '', error: `not read: ${error.message}` });
      return undefined;
    });
    if (bytes === undefined) continue;
    const decoded = decodeText(bytes);
    const path = toPosix(relative(loaded.root, selected.file));
    const kind = fileKindOf(path);
    const { candidates, skipped: left } = pinCandidates(path, decoded.text, { context: kind ? await neighbours.contextFor(path, kind) : {} });
    for (const skip of left) skipped.push({ file: toPosix(relative(cwd, selected.file)), line: skip.range.start.line + 1, column: skip.range.start.character + 1, reference: skip.written, reason: skip.reason });
    if (candidates.length > 0) plans.push({ file: selected.file, decoded, candidates });
  }
  for (const missing of missingPaths) process.stderr.write(`steward: no such file or folder: ${missing}\n`);
  if (missingPaths.length > 0) return 2;

  // Each distinct image is resolved once (HEAD), eight at a time.
  const names = [...new Set(plans.flatMap((plan) => plan.candidates.map(candidateName)))];
  const access = registryAccess(values);
  const resolved = new Map<string, { digest?: string; error?: string }>();
  try {
    await mapLimited(names, 8, async (name) => {
      const candidate = plans.flatMap((plan) => plan.candidates).find((item) => candidateName(item) === name)!;
      try {
        resolved.set(name, { digest: (await access.open(candidate.registry).resolve(candidate.repository, candidate.tag)).digest });
      } catch (error) {
        resolved.set(name, { error: (error as Error).message });
      }
    });
  } finally {
    await access.close();
  }

  const pinned: { file: string; line: number; column: number; from: string; to: string }[] = [];
  const diffs: string[] = [];
  for (const plan of plans) {
    const path = toPosix(relative(cwd, plan.file));
    const inFile: { line: number; column: number; from: string; to: string; range: PinCandidate['range'] }[] = [];
    for (const candidate of plan.candidates) {
      const result = resolved.get(candidateName(candidate))!;
      const where = { line: candidate.range.start.line + 1, column: candidate.range.start.character + 1 };
      if (result.digest) inFile.push({ ...where, from: candidate.written, to: pinnedText(candidate, result.digest), range: candidate.range });
      else failed.push({ file: path, ...where, reference: candidate.written, error: result.error! });
    }
    if (inFile.length === 0) continue;
    const after = replaceRanges(plan.decoded.text, inFile.map(({ range, to }) => ({ range, newText: to })));
    let writeError: string | undefined;
    if (values['dry-run']) diffs.push(lineDiff(path, plan.decoded.text, after));
    else writeError = await writeFileAtomically(workspaceRoot, plan.file, encodeText(plan.decoded, after)).then(() => undefined, (error: Error) => error.message);
    for (const { line, column, from, to } of inFile) {
      if (writeError) failed.push({ file: path, line, column, reference: from, error: `not written: ${writeError}` });
      else pinned.push({ file: path, line, column, from, to });
    }
  }

  if (values.json) {
    await print(`${JSON.stringify({ dryRun: values['dry-run'] === true, pinned, failed, skipped }, null, 2)}\n`);
  } else {
    if (values['dry-run']) await print(diffs.join(''));
    for (const item of skipped) process.stderr.write(`${item.file}:${item.line}:${item.column}: left ${inert(item.reference)} as it is: ${inert(item.reason)}\n`);
    for (const item of failed) process.stderr.write(`steward: ${item.file}:${item.line}:${item.column}: ${inert(item.error)}\n`);
    process.stderr.write(`${values['dry-run'] ? 'Would pin' : 'Pinned'} ${pinned.length} reference${pinned.length === 1 ? '' : 's'}; ${failed.length} failed; ${skipped.length} left as they are.\n`);
  }
  return failed.length > 0 ? 1 : 0;
}
