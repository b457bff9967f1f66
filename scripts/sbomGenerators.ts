// The SBOM generators whose output the readers are tested on, from the npm registry like trivy:
// pinned, installed once per machine into the tools cache, run with Node.
import { ensureNpmTestTool } from './npmTestTool';
import type { NpmTestTool } from './npmTestTool';

export const CYCLONEDX_NPM: NpmTestTool = {
  what: 'cyclonedx-npm', package: '@cyclonedx/cyclonedx-npm', version: '6.0.1', cacheFolder: 'cyclonedx-npm-6.0.1',
  entry: ['bin', 'cyclonedx-npm-cli.js'], size: '43 MB',
};

/** Without its optional dependencies (plugin binaries and atom, 175 MB more as tarballs): an npm project needs none of them. */
export const CDXGEN: NpmTestTool = {
  what: 'cdxgen', package: '@cyclonedx/cdxgen', version: '12.8.4', cacheFolder: 'cdxgen-12.8.4',
  entry: ['bin', 'cdxgen.js'], size: '55 MB', installFlags: ['--omit=optional'],
};

export function ensureSbomGenerators(log: (line: string) => void = console.error): void {
  for (const tool of [CYCLONEDX_NPM, CDXGEN]) ensureNpmTestTool(tool, log);
}
