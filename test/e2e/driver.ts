// Drives a real VS Code (code-server) from Node: packages the extension as a .vsix, installs it,
// starts the host, and opens the workbench in Debian's Chromium through playwright-core.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { CHROMIUM, ensureCodeServer, remoteUri, startHost, workbenchUrl } from '../../scripts/vscodeHost';
import type { Host } from '../../scripts/vscodeHost';
import { REPO_ROOT } from '../helpers';

export const EXTENSION_ID = 'artifact-steward.artifact-steward';

/**
 * How long any one thing in the workbench may take to appear. Waits end as soon as it does; the
 * limit is generous so that a busy machine slows the suite down instead of failing it.
 */
export const UI_LIMIT_MS = 180_000;

/** A scratch folder for one run, outside any git repository (fixes read the git remote). */
export function scratch(name: string): string {
  return mkdtempSync(join(tmpdir(), `steward-${name}-`));
}

/** A copy of examples/ the tests may edit (quick-fixes write to it). */
export function copyOfExamples(into: string): string {
  const workspace = join(into, 'workspace');
  cpSync(join(REPO_ROOT, 'examples'), workspace, { recursive: true });
  return workspace;
}

/**
 * Packages the built extension with vsce (the allow-list .vscodeignore decides what is in it) and
 * installs the .vsix with the host's own CLI: the suites run what users would install.
 */
export function installPackagedExtension(workDir: string): string {
  const vsix = join(workDir, 'artifact-steward.vsix');
  const vsce = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--skip-license', '-o', vsix], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (vsce.status !== 0) throw new Error(`vsce package failed:\n${vsce.stdout}${vsce.stderr}`);
  const installed = join(workDir, 'installed');
  const codeServer = ensureCodeServer();
  const install = spawnSync(process.execPath, [join(codeServer, 'out', 'node', 'entry.js'), '--install-extension', vsix, '--extensions-dir', installed, '--user-data-dir', join(workDir, 'install-user-data')], {
    encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: join(workDir, 'install-xdg'), XDG_DATA_HOME: join(workDir, 'install-xdg') },
  });
  if (install.status !== 0) throw new Error(`installing the .vsix failed:\n${install.stdout}${install.stderr}`);
  const folder = readdirSync(installed).find((name) => name.startsWith(`${EXTENSION_ID}-`));
  if (!folder) throw new Error(`the .vsix did not install into ${installed}: ${readdirSync(installed).join(', ')}`);
  return join(installed, folder);
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run npm test as root on Debian, or apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright gives every launch a fresh profile; the network flags keep Chromium off the closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface SuiteResult {
  readonly exitCode: number;
  readonly output: string;
}

/**
 * Runs the mocha suite in out/vscode-suite inside the real extension host (the same `run()` module
 * `@vscode/test-electron` loads) and returns its exit code and output.
 */
export async function runExtensionHostSuite(extensionFolder: string, workspace: string, workDir: string, timeoutMs = 300_000): Promise<SuiteResult> {
  const host = await startHost({ workDir: join(workDir, 'host') });
  const browser = await launchChromium();
  const output: string[] = [];
  try {
    const page = await browser.newPage();
    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    // Console output (the extension host's included) reaches the page as `%c LEVEL`, a style, then printf-style arguments.
    const formatting: Promise<void>[] = [];
    page.on('console', (message) => {
      formatting.push(Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => String(arg)))).then((values) => {
        const styled = typeof values[0] === 'string' && values[0].startsWith('%c');
        output.push(format(...(styled ? values.slice(2) : values)).trimEnd());
      }));
    });
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', remoteUri(host, extensionFolder)],
      ['extensionTestsPath', remoteUri(host, join(REPO_ROOT, 'out', 'vscode-suite', 'index.js'))],
      ['skipWelcome', 'true'],
    ];
    await page.goto(workbenchUrl(host, workspace, payload));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(-1), timeoutMs);
    });
    const exitCode = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (exitCode === -1) output.push(`The extension-host suite did not finish within ${timeoutMs / 1000} s.`);
    await Promise.all(formatting);
    return { exitCode, output: output.join('\n') };
  } finally {
    await browser.close();
    await host.stop();
  }
}

/** Opens the workbench on a folder with the packaged extension installed, for UI checks. */
export async function openWorkbench(extensionFolder: string, workspace: string, workDir: string, settings: Record<string, unknown> = {}): Promise<{ page: Page; host: Host; close(): Promise<void> }> {
  const host = await startHost({ workDir: join(workDir, 'host'), settings, extensions: [{ id: extensionFolder.split('/').pop()!, folder: extensionFolder }] });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(UI_LIMIT_MS);
  await page.goto(workbenchUrl(host, workspace));
  return {
    page,
    host,
    close: async () => {
      await browser.close();
      await host.stop();
    },
  };
}

/**
 * Runs an entry of `target`'s context menu. The item is chosen from the keyboard once the menu has
 * focused it: a click that lands while the menu is still opening is dropped by the workbench, and the
 * menu then waits for ever.
 */
export async function runContextMenuItem(page: Page, target: Locator, label: string): Promise<void> {
  await target.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-item', { has: page.locator('.action-label', { hasText: label }) }).first();
  await item.hover();
  await page.locator('.monaco-menu .action-item.focused', { hasText: label }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-menu').waitFor({ state: 'detached' });
}

/** Resolves once `file` holds `text`: read now and again on every change the file system reports in its folder. */
export function fileContaining(file: string, text: string, limitMs = UI_LIMIT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const read = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    // The folder is watched, not the file: an editor may save by replacing it.
    const watcher = watch(dirname(file), (_event, name) => {
      if (name === basename(file) && read().includes(text)) finish();
    });
    const timer = setTimeout(() => finish(new Error(`${file} did not come to hold within ${limitMs / 1000} s:\n${text}\nit holds:\n${read()}`)), limitMs);
    function finish(error?: Error): void {
      watcher.close();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    }
    if (read().includes(text)) finish();
  });
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
