import { lstat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { CONFIG_FILE_NAMES, loadConfig } from '../core/lint/config';
import type { LintConfig, LoadedConfig } from '../core/lint/config';
import type { ConfigError } from '../core/lint/config';
import { lintText } from '../core/lint/engine';
import { compareFindings } from '../core/lint/finding';
import type { Finding } from '../core/lint/finding';
import { readLintableFile } from '../core/lint/inputLimits';
import { fileInvalid } from '../core/lint/rules/fileInvalid';
import { imageTagDrift } from '../core/lint/rules/imageTagDrift';
import type { DigestResolver } from '../core/registry/tagDrift';
import type { RegistryFlags } from './registryFlags';
import { inert } from './terminalText';
import { findConfigRoot, lintableFiles, readRootFor, toPosix } from '../core/workspace/walk';
import { neighbourFilesOnDisk } from '../core/workspace/neighbours';
import type { NeighbourFiles } from '../core/workspace/neighbours';
import { fileKindOf } from '../core/workspace/fileKinds';
import { mapLimited } from '../core/concurrency';
import { mayNameImages } from '../core/manifests/imageFreeText';
import { filesInside } from '../core/workspace/safeFiles';
import type { FilesInside } from '../core/workspace/safeFiles';

export interface FileResult {
  /** Absolute path. */
  readonly file: string;
  readonly findings: readonly Finding[];
}

export interface CheckOutcome {
  readonly results: readonly FileResult[];
  /** Paths given that do not exist: a usage error, not a finding. */
  readonly missingPaths: readonly string[];
  readonly configError?: ConfigError;
  readonly configFile?: string;
}

const FILES_IN_FLIGHT = 16;

const START_OF_FILE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function fileProblem(message: string): Finding {
  return { rule: fileInvalid.id, severity: 'error', message, range: START_OF_FILE };
}

async function lintFile(file: string, files: FilesInside, root: string, config: LintConfig, neighbours: NeighbourFiles, driftResolver?: DigestResolver): Promise<Finding[]> {
  let text: string;
  try {
    text = await readLintableFile(files, file);
  } catch (error) {
    return [fileProblem(`The file cannot be read: ${(error as Error).message}`)];
  }
  const path = toPosix(relative(root, file));
  const kind = fileKindOf(path);
  // What the files beside it say only changes what is said about its images.
  const context = kind === undefined || (kind === 'yaml' && !mayNameImages(text)) ? {} : await neighbours.contextFor(path, kind);
  const findings = kind ? lintText(path, text, config, kind, context) : [];
  if (!driftResolver) return findings;
  const { tagDriftFindings } = await import('../core/registry/tagDrift');
  const drift = await tagDriftFindings(path, text, config, driftResolver, (reference, error) => process.stderr.write(`steward: image-tag-drift could not check ${reference}: ${inert(error.message)}\n`), context);
  return [...findings, ...drift].sort(compareFindings);
}

export interface SelectedFile {
  readonly file: string;
  /** Symlinks are followed only inside this folder: the repository holding the path given, else that path. */
  readonly readRoot: string;
}

/** The files `paths` name (folders walked, explicit files always), with the config that applies. */
export async function* selectedFiles(paths: readonly string[], cwd: string, loaded: { root: string; config: LintConfig }, missingPaths: string[]): AsyncGenerator<SelectedFile | { file: string; error: Error }> {
  const isExcluded = (absolutePath: string) => loaded.config.isExcluded(toPosix(relative(loaded.root, absolutePath)));
  const seen = new Set<string>();
  for (const path of paths.length > 0 ? paths : ['.']) {
    const absolute = resolve(cwd, path);
    if (!(await lstat(absolute).then(() => true, () => false))) {
      missingPaths.push(path);
      continue;
    }
    const readRoot = await readRootFor(absolute);
    try {
      for await (const file of lintableFiles(absolute, { isExcluded })) {
        if (seen.has(file)) continue;
        seen.add(file);
        yield { file, readRoot };
      }
    } catch (error) {
      yield { file: absolute, error: error as Error };
    }
  }
}

/** The config for commands run in `cwd`: `--config-root`, else the nearest .steward.yaml up to the repository root. */
export async function configFor(cwd: string, configRoot?: string): Promise<LoadedConfig & { root: string }> {
  const root = configRoot ? resolve(cwd, configRoot) : await findConfigRoot(cwd, CONFIG_FILE_NAMES);
  return { root, ...(await loadConfig(root)) };
}

/**
 * Lints `paths` (folders are walked; files named explicitly are linted even when ignored). The
 * config is the nearest .steward.yaml from the current folder up to the repository root; its
 * globs are relative to its folder.
 */
export async function check(paths: readonly string[], cwd: string, configRoot?: string, registryFlags: RegistryFlags = {}): Promise<CheckOutcome> {
  const loaded = await configFor(cwd, configRoot);
  let results: FileResult[] = [];
  const missingPaths: string[] = [];
  // image-tag-drift asks registries: only when a config turns it on. The registry client is a
  // bundle of its own beside `check`'s (scripts/build.mjs), so a check without it never compiles it.
  const access = loaded.config.severities.get(imageTagDrift.id) === 'off' ? undefined : (require('./registryAccess') as typeof import('./registryAccess')).registryAccess(registryFlags);
  const driftResolver: DigestResolver | undefined = access && (async (registry, repository, tag) => (await access.open(registry).resolve(repository, tag)).digest);
  const neighbours = neighbourFilesOnDisk(loaded.root);
  try {
    const selected: (SelectedFile | { file: string; error: Error })[] = [];
    for await (const file of selectedFiles(paths, cwd, loaded, missingPaths)) selected.push(file);
    const readers = new Map<string, FilesInside>();
    const readerFor = (readRoot: string) => readers.get(readRoot) ?? readers.set(readRoot, filesInside(readRoot)).get(readRoot)!;
    // Several files in flight: a file costs five file-system round trips (realpath, open, stat,
    // read, close), which would otherwise leave the thread idle between parses. Results keep the walk's order.
    results = await mapLimited(selected, FILES_IN_FLIGHT, async (file) => ('error' in file
      ? { file: file.file, findings: [fileProblem(`Cannot be read: ${file.error.message}`)] }
      : { file: file.file, findings: await lintFile(file.file, readerFor(file.readRoot), loaded.root, loaded.config, neighbours, driftResolver) }));
  } finally {
    await access?.close();
  }
  return { results, missingPaths, ...(loaded.error ? { configError: loaded.error } : {}), ...(loaded.file ? { configFile: loaded.file } : {}) };
}
