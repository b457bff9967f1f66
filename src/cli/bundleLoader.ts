import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

// A CLI run spends more time compiling its bundle than running it: V8 parses every byte of it
// (≈ 40% of `steward check Dockerfile`). Node ≥ 22.1 keeps V8's code cache between runs
// (module.enableCompileCache, in main.ts); on older Node the bundles are loaded here the same
// way: compiled with the cache a previous run left, and the cache written at exit when there was
// none or V8 refused it. Off with NODE_DISABLE_COMPILE_CACHE=1, as Node's own.

interface Unsaved {
  readonly script: Script;
  readonly cacheFile: string;
}

interface LoaderState {
  readonly exportsByFile: Map<string, unknown>;
  readonly unsaved: Unsaved[];
  cacheDir?: string | false;
}

// One state per process: this module is in dist/cli.js, which loads the bundles, and in the
// bundles that write the caches early (cli/registryAccess.ts).
const STATE_KEY = Symbol.for('artifact-steward.bundleLoader');
const state: LoaderState = ((globalThis as { [STATE_KEY]?: LoaderState })[STATE_KEY] ??= { exportsByFile: new Map(), unsaved: [] });

/** 32-bit FNV-1a of a path: caches of two installs of steward are two files, not one rewritten by turns. */
function pathHash(path: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < path.length; index += 1) hash = Math.imul(hash ^ path.charCodeAt(index), 0x01000193) >>> 0;
  return hash.toString(16);
}

/**
 * The folder of this user's code caches, or false where none may be used. V8 runs a cache's
 * bytecode as it finds it, so a folder in a shared temp dir is used only when it is this user's
 * own and nobody else may write to it (another user could create it first, or link it elsewhere).
 */
function privateCacheDir(): string | false {
  const builtIn = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
  // Node's own cache, or stack traces through the source maps (which only Node's loader reads).
  if (builtIn || process.env.NODE_DISABLE_COMPILE_CACHE || process.sourceMapsEnabled) return false;
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `artifact-steward-code-cache-${uid ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const folder = lstatSync(dir);
    if (!folder.isDirectory() || (uid !== undefined && (folder.uid !== uid || (folder.mode & 0o077) !== 0))) return false;
    return dir;
  } catch {
    return false;
  }
}

/** What a bundle's `require` does: its sibling bundles through this loader, everything else through Node's. */
function requireFor(file: string): NodeJS.Require {
  const nodeRequire = nodeModule.createRequire(file);
  const bundleRequire = (id: string) => (id.startsWith('./') && id.endsWith('.js') ? loadBundle(join(dirname(file), id)) : nodeRequire(id));
  return Object.assign(bundleRequire, { resolve: nodeRequire.resolve, cache: nodeRequire.cache, main: nodeRequire.main, extensions: nodeRequire.extensions });
}

/** The exports of one of the CLI's CommonJS bundles (dist/cli/*.js), loaded once. */
export function loadBundle(file: string): unknown {
  const { exportsByFile, unsaved } = state;
  if (exportsByFile.has(file)) return exportsByFile.get(file);
  state.cacheDir ??= privateCacheDir();
  if (state.cacheDir === false) return nodeModule.createRequire(file)(file);
  // A rebuilt bundle is a new file (size, time, inode); V8 itself refuses a cache of another V8 or other flags.
  const { size, mtimeMs, ino } = statSync(file);
  const cacheFile = join(state.cacheDir, `${basename(file)}-${pathHash(file)}-${process.version}-${process.arch}-${size}-${mtimeMs}-${ino}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (!cachedData || script.cachedDataRejected) unsaved.push({ script, cacheFile });
  const module = { exports: {} as unknown };
  exportsByFile.set(file, module.exports);
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, requireFor(file), module, file, dirname(file));
  exportsByFile.set(file, module.exports);
  return module.exports;
}

/**
 * Writes the code caches this run lacked, with every function compiled so far (the next run
 * compiles none of them again), in place of those of earlier builds. Called at exit, or earlier by
 * a command about to change V8's flags. A cache that cannot be written only means the next run
 * compiles again.
 */
export function saveCodeCaches(): void {
  for (const { script, cacheFile } of state.unsaved.splice(0)) {
    try {
      const dir = dirname(cacheFile);
      const name = basename(cacheFile);
      const sameBundle = name.slice(0, name.indexOf('-', name.indexOf('.js-') + '.js-'.length) + 1);
      for (const old of readdirSync(dir)) if (old.startsWith(sameBundle)) unlinkSync(join(dir, old));
      // Written aside and renamed: a run starting meanwhile reads the old cache or the whole new one.
      const partial = `${cacheFile}.${process.pid}`;
      writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
      renameSync(partial, cacheFile);
    } catch {
      // The next run compiles the bundle again.
    }
  }
}
