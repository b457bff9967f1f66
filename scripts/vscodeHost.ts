// A real VS Code (the server and web workbench inside the npm package code-server), installed from
// the npm registry and Debian packages only, cached per machine, started on a free loopback port.
// Used by `npm start` and by the end-to-end suites. See ../shared/notes/real-vscode-host.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** code-server 4.100.x bundles VS Code 1.100 (our `engines.vscode` floor) and runs on Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';

export const CACHE_ROOT = process.env.STEWARD_VSCODE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'artifact-steward');

interface SystemTool {
  readonly what: string;
  readonly present: () => boolean;
  readonly debianPackage: string;
}

const commandExists = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

export const CHROMIUM = '/usr/bin/chromium';

const SYSTEM_TOOLS: readonly SystemTool[] = [
  { what: 'Chromium (UI tests)', present: () => existsSync(CHROMIUM), debianPackage: 'chromium' },
  { what: 'Kerberos headers (code-server native addon)', present: () => existsSync('/usr/include/krb5.h') || existsSync('/usr/include/krb5/krb5.h'), debianPackage: 'libkrb5-dev' },
  { what: 'ripgrep (VS Code search; its npm package would download it)', present: () => existsSync('/usr/bin/rg'), debianPackage: 'ripgrep' },
  { what: 'make and g++ (node-gyp)', present: () => commandExists('make') && commandExists('g++'), debianPackage: 'build-essential' },
  { what: 'python3 (node-gyp)', present: () => commandExists('python3'), debianPackage: 'python3' },
  { what: 'docker-registry (the real registry the integration tests run)', present: () => commandExists('docker-registry'), debianPackage: 'docker-registry' },
  { what: 'skopeo (the peer client that pushes fixtures and cross-checks digests)', present: () => commandExists('skopeo'), debianPackage: 'skopeo' },
  { what: 'htpasswd (basic-auth registry)', present: () => commandExists('htpasswd'), debianPackage: 'apache2-utils' },
  { what: 'openssl (TLS and token-signing certificates)', present: () => commandExists('openssl'), debianPackage: 'openssl' },
];

/** Installs missing Debian packages when running as root on Debian; otherwise says exactly what to run. */
export function ensureSystemTools(log: (line: string) => void = console.error): void {
  const missing = SYSTEM_TOOLS.filter((tool) => !tool.present());
  if (missing.length === 0) return;
  const packages = missing.map((tool) => tool.debianPackage);
  const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !commandExists('apt-get')) {
    throw new Error(`Missing test tools: ${missing.map((tool) => tool.what).join(', ')}.\nInstall them with:\n  sudo sh -c '${command}'`);
  }
  log(`Installing test tools: ${packages.join(' ')}`);
  execFileSync('sh', ['-c', command], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const stillMissing = SYSTEM_TOOLS.filter((tool) => !tool.present());
  if (stillMissing.length > 0) throw new Error(`Still missing after apt-get: ${stillMissing.map((tool) => tool.what).join(', ')}`);
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): void {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status}):\n${(result.stdout + result.stderr).slice(-4000)}`);
}

/**
 * Installs code-server without its postinstall (which downloads ripgrep and node-gyp from GitHub)
 * and performs the same steps offline: native addons rebuilt from source, Debian's rg in place of
 * the download. Returns the folder holding `out/node/entry.js`.
 */
export function ensureCodeServer(log: (line: string) => void = console.error): string {
  const home = join(CACHE_ROOT, `code-server-${CODE_SERVER_VERSION}`);
  const packageDir = join(home, 'node_modules', 'code-server');
  const ready = join(home, '.ready');
  if (existsSync(ready)) return packageDir;
  log(`Installing code-server ${CODE_SERVER_VERSION} (VS Code ${CODE_SERVER_VERSION.replace(/^4\./, '1.')}) into ${home}; this takes a few minutes once per machine.`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'package.json'), JSON.stringify({ name: 'steward-vscode-host', private: true }));
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  run('npm', ['install', ...quiet, '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], home);
  run('npm', ['rebuild', ...quiet, 'argon2'], home);
  const vscodeDir = join(packageDir, 'lib', 'vscode');
  run('npm', ['install', ...quiet, '--omit=dev', '--ignore-scripts'], vscodeDir);
  const ripgrepBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(ripgrepBin, { recursive: true });
  symlinkSync('/usr/bin/rg', join(ripgrepBin, 'rg'));
  // node-pty's postinstall fetches node-gyp through npx: from the npm registry, so let it.
  run('npm', ['rebuild', ...quiet], vscodeDir, { npm_config_yes: 'true' });
  symlinkSync('node_modules', join(vscodeDir, 'node_modules.asar'));
  symlinkSync('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  symlinkSync('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  run('npm', ['install', ...quiet, '--omit=dev'], join(vscodeDir, 'extensions'));
  writeFileSync(ready, new Date().toISOString());
  return packageDir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** User settings that keep the workbench quiet and focusable in tests. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.commandCenter': false,
  'git.enabled': false,
  'files.autoSave': 'off',
};

export interface Host {
  readonly url: string;
  readonly port: number;
  readonly workDir: string;
  stop(): Promise<void>;
}

export interface HostOptions {
  /** Folder for the host's user data, extensions, XDG dirs and log. */
  readonly workDir: string;
  /** Extra user settings. */
  readonly settings?: Record<string, unknown>;
  /** Extensions to make available by folder (linked into the extensions dir). */
  readonly extensions?: readonly { id: string; folder: string }[];
  readonly port?: number;
}

async function waitForHealth(url: string, child: ChildProcess, logFile: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${logFile}`);
    const healthy = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not answer within ${timeoutMs / 1000} s; see ${logFile}`);
}

/** Starts code-server in its own process group on a free loopback port; `stop()` ends the group. */
export async function startHost(options: HostOptions): Promise<Host> {
  const packageDir = ensureCodeServer();
  const { workDir } = options;
  const dirs = { userData: join(workDir, 'user-data'), extensions: join(workDir, 'extensions'), xdg: join(workDir, 'xdg'), tmp: join(workDir, 'tmp') };
  Object.values(dirs).forEach((dir) => mkdirSync(dir, { recursive: true }));
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
  for (const extension of options.extensions ?? []) {
    const link = join(dirs.extensions, extension.id);
    rmSync(link, { recursive: true, force: true });
    symlinkSync(extension.folder, link);
  }
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(workDir, 'code-server.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [
    join(packageDir, 'out', 'node', 'entry.js'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions,
  ], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, XDG_CONFIG_HOME: dirs.xdg, XDG_DATA_HOME: dirs.xdg, XDG_CACHE_HOME: dirs.xdg, TMPDIR: dirs.tmp, PASSWORD: undefined, STEWARD_VSCODE_CACHE: CACHE_ROOT },
  });
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 8000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await waitForHealth(url, child, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, workDir, stop };
}

/** The workbench URL for a folder, with an optional test payload (extensionDevelopmentPath, extensionTestsPath, …). */
export function workbenchUrl(host: Host, folder: string, payload?: [string, string][]): string {
  const query = new URLSearchParams({ folder });
  if (payload) query.set('payload', JSON.stringify(payload));
  return `${host.url}/?${query.toString()}`;
}

/** `vscode-remote://` form of a server-side path, as the workbench expects in test payloads. */
export function remoteUri(host: Host, path: string): string {
  return `vscode-remote://127.0.0.1:${host.port}${path}`;
}
