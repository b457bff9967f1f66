// `npm start`: opens examples/ with the freshly built extension in a real VS Code — the desktop
// `code` when it is on PATH, otherwise the cached VS Code server, whose local URL is printed.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSystemTools, startHost, workbenchUrl } from './vscodeHost';

const REPO = join(__dirname, '..', '..');
const EXAMPLES = join(REPO, 'examples');

async function main(): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v code'], { stdio: 'ignore' }).status === 0) {
    console.log('Opening examples/ in VS Code with the extension under development…');
    spawn('code', ['--new-window', `--extensionDevelopmentPath=${REPO}`, EXAMPLES], { stdio: 'inherit', detached: true }).unref();
    return;
  }
  ensureSystemTools();
  const port = process.env.STEWARD_PORT ? Number(process.env.STEWARD_PORT) : undefined;
  const { publisher, name, version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, string>;
  // The repository itself is the extension folder, so a rebuild and a window reload pick up changes.
  const extension = { id: `${publisher}.${name}-${version}`, folder: REPO };
  const host = await startHost({ workDir: join(REPO, '.vscode-test', 'start'), extensions: [extension], ...(port ? { port } : {}) });
  console.log(`VS Code with Artifact Steward is running on examples/:\n\n  ${workbenchUrl(host, EXAMPLES)}\n\nOpen that URL in a browser on this machine. Rebuild with \`npm run build\` and reload the window to pick up changes. Ctrl+C stops the server.`);
  const stop = () => void host.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});
