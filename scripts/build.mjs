// Bundles the extension and the CLI with esbuild; `--tests` also transpiles test/ and bench/ for
// node's test runner. Type checking is `tsc --noEmit`, run separately by `npm run build`.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const SUITE_DIR = join('test', 'e2e', 'suite');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, logLevel: 'warning' };

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  // Large scan reports and SBOMs are parsed in this worker, off the extension host's thread.
  build({ ...common, entryPoints: ['src/core/reports/reportWorker.ts'], outfile: 'dist/reportWorker.js' }),
  // The report panels run in the webview (a browser), built on their own.
  build({ ...common, platform: 'browser', format: 'iife', target: 'chrome114', entryPoints: ['webview/reportPanel.ts'], outfile: 'dist/webview/reportPanel.js' }),
]);

if (process.argv.includes('--tests')) {
  rmSync('out', { recursive: true, force: true });
  // Each test file and benchmark bundled on its own; npm packages stay external, as in production.
  await build({
    ...common, entryPoints: [...tsFiles('test'), ...tsFiles('bench'), ...tsFiles('scripts')].filter((file) => !file.startsWith(SUITE_DIR)),
    outdir: 'out', outbase: '.', packages: 'external', sourcemap: 'inline',
  });
  // The extension-host suite runs inside VS Code (mocha, `vscode`), not under node --test.
  await build({ ...common, entryPoints: tsFiles(SUITE_DIR), outdir: 'out/vscode-suite', packages: 'external', sourcemap: 'inline' });
}
