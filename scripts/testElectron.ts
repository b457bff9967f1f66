// `npm run test:electron`: the same extension-host suite in desktop VS Code downloaded by
// @vscode/test-electron (needs internet; CI here uses the offline code-server host instead).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

const REPO = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const workspace = join(mkdtempSync(join(tmpdir(), 'steward-electron-')), 'workspace');
  cpSync(join(REPO, 'examples'), workspace, { recursive: true });
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: REPO,
    extensionTestsPath: join(REPO, 'out', 'vscode-suite', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error: unknown) => {
  console.error(`test:electron failed: ${(error as Error).message}`);
  process.exit(1);
});
