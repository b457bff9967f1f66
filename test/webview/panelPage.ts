// The built report panel in a plain Chromium page: the same HTML and CSP the extension serves, with
// a stand-in for the VS Code webview API that records what the panel posts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/reports/panelHtml';
import type { PanelState, ReportView, WebviewMessage } from '../../src/shared/reportProtocol';
import { REPO_ROOT } from '../helpers';

export interface PanelPage {
  readonly page: Page;
  /** Messages the panel posted, oldest first. */
  posted(): Promise<WebviewMessage[]>;
  state(): Promise<PanelState | undefined>;
  show(view: ReportView): Promise<void>;
}

/** Opens the panel page; `savedState` is what `getState()` returns, as after a reload. */
export async function openPanelPage(browser: Browser, savedState?: PanelState): Promise<PanelPage> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-panel-'));
  const file = join(dir, 'panel.html');
  writeFileSync(file, panelHtml({
    cspSource: 'file:',
    scriptUri: pathToFileURL(join(REPO_ROOT, 'dist', 'webview', 'reportPanel.js')).toString(),
    styleUri: pathToFileURL(join(REPO_ROOT, 'media', 'reportPanel.css')).toString(),
    nonce: randomBytes(16).toString('base64'),
    title: 'test',
  }));
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.addInitScript((saved) => {
    const win = globalThis as unknown as { posted: unknown[]; savedState: unknown; acquireVsCodeApi: () => unknown };
    win.posted = [];
    win.savedState = saved;
    win.acquireVsCodeApi = () => ({
      postMessage: (message: unknown) => win.posted.push(message),
      getState: () => win.savedState,
      setState: (state: unknown) => { win.savedState = state; },
    });
  }, savedState ?? null);
  await page.goto(pathToFileURL(file).toString());
  await page.waitForFunction(() => (globalThis as unknown as { posted: { type: string }[] }).posted.some((message) => message.type === 'ready'));
  if (errors.length > 0) throw new Error(`the panel page logged errors: ${errors.join('; ')}`);
  return {
    page,
    posted: () => page.evaluate(() => (globalThis as unknown as { posted: WebviewMessage[] }).posted),
    state: () => page.evaluate(() => (globalThis as unknown as { savedState: PanelState | undefined }).savedState ?? undefined),
    show: async (view) => {
      await page.evaluate((data) => (globalThis as unknown as { postMessage(message: unknown, origin: string): void }).postMessage({ type: 'show', view: data }, '*'), view as unknown as Record<string, unknown>);
      await page.waitForSelector(`#root[data-rendered="${view.kind}"]`);
    },
  };
}
