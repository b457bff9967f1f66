// Bundles the extension and the CLI with esbuild; `--tests` also transpiles test/ and bench/ for
// node's test runner. Type checking is `tsc --noEmit`, run separately by `npm run build`.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';

const production = process.argv.includes('--production');
const SUITE_DIR = join('test', 'e2e', 'suite');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, logLevel: 'warning' };

// The CLI is a process per command: its start-up is its speed. `dist/cli.js` holds only argument
// dispatch, help and the bundle loader; each command is a minified bundle of its own under
// `dist/cli/`, loaded when run, so `check` never compiles the registry client nor `ls` the linter
// (the sourcemaps stay beside them: `node --enable-source-maps dist/cli.js …` prints source positions).
const CLI_COMMANDS = readdirSync(join('src', 'cli', 'commands')).filter((name) => name.endsWith('Command.ts')).map((name) => name.slice(0, -'.ts'.length));
// `check` reaches the registry client (undici: a third of its bundle) only for image-tag-drift.
const registryClientOutside = {
  name: 'registry-client-outside',
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\/registryAccess$/ }, (args) => (args.importer.endsWith(join('src', 'cli', 'check.ts')) ? { path: './registryAccess.js', external: true } : undefined));
  },
};
// undici's HTTP/2 client runs only with `allowH2`, which steward never sets, yet its module loads
// node:http2 (with node:tls under it: ≈ 9 ms of every registry command's start-up). In the CLI it
// gets what undici itself falls back to on a Node built without http2: no constants, no connect.
const noHttp2InUndici = {
  name: 'no-http2-in-undici',
  setup(plugin) {
    plugin.onResolve({ filter: /^node:http2$/ }, (args) => (args.importer.includes(`${sep}undici${sep}`) ? { path: 'node:http2', namespace: 'no-http2' } : undefined));
    plugin.onLoad({ filter: /.*/, namespace: 'no-http2' }, () => ({ contents: 'module.exports = { constants: {} };', loader: 'js' }));
  },
};
// Packages the code requires only on first use (re2js for a workspace's patterns, ajv for a config
// file's validation) are bundles of their own beside the commands': V8 parses every byte of a
// bundle it loads, required later or never, and these two are 40% of `check`'s.
const PACKAGES_LOADED_ON_USE = ['re2js', 'ajv'];
const packagesLoadedOnUse = {
  name: 'packages-loaded-on-use',
  setup(plugin) {
    plugin.onResolve({ filter: new RegExp(`^(${PACKAGES_LOADED_ON_USE.join('|')})$`) }, (args) => ({ path: `./${args.path}.js`, external: true }));
  },
};
const resolvePackage = createRequire(import.meta.url).resolve;
const cli = { ...common, sourcemap: true, minify: true };

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...cli, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({
    ...cli,
    entryPoints: [...CLI_COMMANDS.map((name) => ({ in: join('src', 'cli', 'commands', `${name}.ts`), out: name })), { in: join('src', 'cli', 'registryAccess.ts'), out: 'registryAccess' }, ...PACKAGES_LOADED_ON_USE.map((name) => ({ in: resolvePackage(name), out: name }))],
    outdir: join('dist', 'cli'),
    plugins: [registryClientOutside, noHttp2InUndici, packagesLoadedOnUse],
  }),
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
