// The extension-host suite entry: the `run()` module VS Code loads from extensionTestsPath, exactly
// what @vscode/test-electron runs (npm run test:electron), and what our code-server host runs offline.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.suite.js')).sort()) mocha.addFile(join(__dirname, file));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host tests failed`)) : resolve()));
  });
}
