import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers';
import { skopeoPush } from '../integration/fixtures';
import { startRegistry } from '../integration/registryServer';
import type { RunningRegistry } from '../integration/registryServer';
import { cleanup, copyOfExamples, installPackagedExtension, openWorkbench, scratch } from './driver';

/** Screenshots for the README are refreshed with STEWARD_UPDATE_SCREENSHOTS=1; failures always leave one. */
const UPDATE_SCREENSHOTS = process.env.STEWARD_UPDATE_SCREENSHOTS === '1';
const FAILURES = join(REPO_ROOT, 'test-results');

async function screenshot(page: Page, name: string): Promise<void> {
  if (!UPDATE_SCREENSHOTS) return;
  await page.screenshot({ path: join(REPO_ROOT, 'docs', 'images', `${name}.png`) });
}

/** The webview frame (nested iframes inside the workbench) whose page matches `selector`. */
async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Quick Open with the keyboard focus taken back from any webview first (a click on the title bar). */
async function quickOpen(page: Page, file: string): Promise<void> {
  await page.locator('.part.titlebar').click();
  await page.keyboard.press('Control+P');
  await page.keyboard.type(file);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Cell texts of the rows a panel's table has in the DOM, in row order. */
async function panelRows(frame: Frame, scope: string): Promise<string[][]> {
  return frame.$$eval(`${scope} .table-row:not([hidden])`, (rows) => rows
    .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
    .map((row) => [...row.querySelectorAll('.cell')].map((cell) => cell.textContent ?? '')));
}

describe('UI in a real VS Code workbench (Chromium)', () => {
  let workDir = '';
  let workspace = '';
  let session: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  let failed = false;

  let registry: RunningRegistry | undefined;

  before(async () => {
    workDir = scratch('ui');
    workspace = copyOfExamples(workDir);
    // A real registry holding the multi-arch image of examples/oci-layout, configured in the settings.
    registry = await startRegistry('plain', join(workDir, 'registry'));
    await skopeoPush(registry, join(workspace, 'oci-layout'), '1.4.2', 'acme/app');
    // A pull-request build from 2024: the retention rules of examples/.steward.yaml expire it.
    await skopeoPush(registry, join(workspace, 'oci-layout'), '1.4.1', 'acme/app', 'pr-1');
    writeFileSync(join(workspace, 'pin.Dockerfile'), `FROM ${registry.host}/acme/app:1.4.2\n`);
    session = await openWorkbench(installPackagedExtension(workDir), workspace, workDir, { 'artifactSteward.registries': [{ host: registry.host }] });
    await session.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    if (failed && session) {
      mkdirSync(FAILURES, { recursive: true });
      await session.page.screenshot({ path: join(FAILURES, 'ui-failure.png') }).catch(() => undefined);
      console.error(`UI check failed: screenshot in ${join(FAILURES, 'ui-failure.png')}, host files in ${workDir}`);
    }
    await session?.close();
    await registry?.stop();
    if (!failed) cleanup(workDir);
  });

  async function step<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      failed = true;
      throw error;
    }
  }

  it('opens the Dockerfile from examples/ and shows its findings in the Problems panel', () => step(async () => {
    const { page } = session!;
    await page.keyboard.press('Control+P');
    await page.keyboard.type('Dockerfile');
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasNotText: 'good' }).first();
    await row.waitFor();
    await row.click();
    await page.locator('.tab.active', { hasText: 'Dockerfile' }).waitFor();
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.getByText('The final image has no "org.opencontainers.image.source" label.').waitFor({ timeout: 30_000 });
    await problems.getByText(/uses the "latest" tag/).first().waitFor();
    await screenshot(page, 'diagnostics');
  }));

  it('applies "Add missing OCI labels" through the light bulb', () => step(async () => {
    const { page } = session!;
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type('14');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Add missing OCI labels' });
    await fix.waitFor({ timeout: 30_000 });
    await screenshot(page, 'quick-fix');
    // The menu is keyboard-driven (an overlay takes pointer events): move the focus to the fix, then Enter.
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    for (let moves = 0; moves < 10 && (await focused.getAttribute('aria-label')) !== 'Add missing OCI labels'; moves += 1) await page.keyboard.press('ArrowDown');
    assert.equal(await focused.getAttribute('aria-label'), 'Add missing OCI labels');
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: 'org.opencontainers.image.revision=$GIT_SHA' }).waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+S');
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
    const expected = [
      'FROM debian:bookworm-slim',
      'ARG GIT_SHA',
      'LABEL org.opencontainers.image.source="https://" \\',
      '      org.opencontainers.image.revision=$GIT_SHA \\',
      '      org.opencontainers.image.title="workspace"',
      'COPY --from=build /out/app /usr/local/bin/app',
    ].join('\n');
    const deadline = Date.now() + 20_000;
    let text = '';
    while (Date.now() < deadline && !(text = readFileSync(join(workspace, 'Dockerfile'), 'utf8')).includes(expected)) await page.waitForTimeout(200);
    assert.ok(text.includes(expected), `the saved Dockerfile does not hold the inserted labels:\n${text}`);
    await page.locator('.markers-panel').getByText('The final image has no "org.opencontainers.image.source" label.').waitFor({ state: 'detached', timeout: 30_000 });
  }));

  it('shows the OCI layout in the registry explorer, down to the SBOM attached to an image', () => step(async () => {
    const { page } = session!;
    await page.locator('.activitybar .action-item a[aria-label="Artifact Steward"]').click();
    // Tree rows are treeitems with their depth in aria-level; a click toggles a collapsed row.
    const row = (level: number, label: string) => page.locator(`.monaco-list-row[role="treeitem"][aria-level="${level}"]`, { hasText: label }).first();
    for (const [level, label] of [[1, 'oci-layout'], [2, 'oci-layout'], [3, '1.4.2']] as const) {
      await row(level, label).waitFor({ timeout: 30_000 });
      await row(level, label).click();
    }
    await row(4, 'sbom').waitFor({ timeout: 30_000 });
    await row(4, 'linux/arm64').waitFor();
    await screenshot(page, 'registry-explorer');
  }));

  it('opens the SBOM attached to an image from the tree, with its packages in the webview', () => step(async () => {
    const { page } = session!;
    await page.locator('.monaco-list-row[role="treeitem"][aria-level="4"]', { hasText: 'sbom' }).first().click();
    const frame = await webviewFrame(page, '#root[data-rendered="sbom"] h1:has-text("1.4.2 sbom")');
    const rows = await panelRows(frame, '#view-packages');
    assert.ok(rows.length > 0, 'the package table has rows');
    assert.ok(rows.every((cells) => cells.length >= 5), `rows have the package columns: ${JSON.stringify(rows[0])}`);
  }));

  it('opens a CycloneDX file of the workspace in the SBOM viewer and filters it', () => step(async () => {
    const { page } = session!;
    await quickOpen(page, 'api-1.4.2.cdx.json');
    const frame = await webviewFrame(page, '#root[data-rendered="sbom"] h1:has-text("api-1.4.2.cdx.json")');
    assert.deepEqual((await panelRows(frame, '#view-packages')).map((cells) => cells[0]), ['curl', 'express', 'left-pad', 'lodash', 'minimist', 'openssl', 'zlib1g']);
    await frame.locator('#view-packages vscode-text-field input').fill('lodash');
    assert.deepEqual(await panelRows(frame, '#view-packages'), [['lodash', '4.17.20', 'npm', 'MIT', '', '1']]);
    await frame.locator('#view-packages .table-row').first().click();
    await frame.locator('#view-packages .details', { hasText: 'CVE-2021-23337' }).waitFor();
    await screenshot(page, 'sbom-panel');
  }));

  it('opens a Trivy report from the command palette with the gate verdict and findings', () => step(async () => {
    const { page } = session!;
    await quickOpen(page, 'api-1.4.2.trivy.json');
    await page.locator('.tab.active', { hasText: 'api-1.4.2.trivy.json' }).waitFor();
    await page.keyboard.press('Control+Shift+P');
    await page.keyboard.type('Artifact Steward: Open scan report or SBOM');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open scan report or SBOM' }).first().waitFor();
    await page.keyboard.press('Enter');
    const frame = await webviewFrame(page, '#root[data-rendered="scan"]');
    assert.equal((await panelRows(frame, 'body')).length, 7);
    assert.match(await frame.locator('.gate').textContent() ?? '', /No gate configured/);
    await screenshot(page, 'scan-panel');
  }));

  it('lists the local registry in the explorer', () => step(async () => {
    const { page } = session!;
    const row = (level: number, label: string) => page.locator(`.monaco-list-row[role="treeitem"][aria-level="${level}"]`, { hasText: label }).first();
    await row(1, registry!.host).click();
    await row(2, 'acme').click();
    await row(3, 'app').click();
    await row(4, '1.4.2').waitFor({ timeout: 30_000 });
  }));

  it('pins a FROM line to its digest through the light bulb, as skopeo inspect reports it', () => step(async () => {
    const { page } = session!;
    await page.keyboard.press('Control+P');
    await page.keyboard.type('pin.Dockerfile');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'pin.Dockerfile' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'pin.Dockerfile' }).waitFor();
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.press('Control+.');
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    await focused.waitFor({ timeout: 30_000 });
    for (let moves = 0; moves < 10 && (await focused.getAttribute('aria-label')) !== 'Pin to digest (keep the tag)'; moves += 1) await page.keyboard.press('ArrowDown');
    assert.equal(await focused.getAttribute('aria-label'), 'Pin to digest (keep the tag)');
    await screenshot(page, 'pin-to-digest');
    await page.keyboard.press('Enter');
    // A multi-arch image: the quick pick offers the index (all platforms) first.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'All platforms' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active.dirty').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+S');
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
    const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry!.host}/acme/app:1.4.2`]);
    const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    assert.equal(readFileSync(join(workspace, 'pin.Dockerfile'), 'utf8'), `FROM ${registry!.host}/acme/app:1.4.2@${digest}\n`);
  }));

  it('plans retention from the palette: the Retention plan view and the explorer\'s tags show what goes', () => step(async () => {
    const { page } = session!;
    await page.locator('.part.titlebar').click();
    await page.keyboard.press('Control+Shift+P');
    await page.keyboard.type('Plan retention');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Plan retention' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-box input').waitFor();
    await page.keyboard.type(`${registry!.host}/acme/app`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: '.steward.yaml: retention rules' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const planView = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Retention plan' }) });
    await planView.locator('.monaco-list-row', { hasText: `${registry!.host}/acme/app` }).getByText(/^1 of \d+ to delete/).waitFor({ timeout: 60_000 });
    await planView.locator('.monaco-list-row', { hasText: 'pr-1' }).getByText(/every tag expired/).waitFor();
    const explorerTag = (tag: string) => page.locator('.monaco-list-row[role="treeitem"][aria-level="4"]', { hasText: tag }).first();
    await explorerTag('pr-1').getByText(/^retention: delete/).waitFor({ timeout: 30_000 });
    await explorerTag('1.4.2').getByText(/^retention: keep/).waitFor();
    await screenshot(page, 'retention-plan');
  }));

  it('filters a repository\'s tags from its inline action: the repository and the view say so, and Clear tag filter undoes it', () => step(async () => {
    const { page } = session!;
    const registries = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Registries' }) });
    const app = registries.locator('.monaco-list-row[role="treeitem"][aria-level="3"]', { hasText: 'app' }).first();
    const tag = (name: string) => registries.locator('.monaco-list-row[role="treeitem"][aria-level="4"]', { hasText: name }).first();
    // The row's inline actions (shown on hover): a context menu ignores a click that comes too soon after it opens.
    const inlineAction = async (action: string) => {
      await app.hover();
      await app.locator(`.actions .action-label[aria-label="${action}"]`).click();
    };
    await inlineAction('Filter tags');
    await page.locator('.quick-input-box input').waitFor();
    await page.keyboard.type('pr-');
    await page.keyboard.press('Enter');
    await app.getByText('filter: "pr-"').waitFor({ timeout: 30_000 });
    await registries.locator('.pane-header').getByText('filter: acme/app "pr-"').waitFor();
    await tag('1.4.2').waitFor({ state: 'detached' });
    await tag('pr-1').waitFor();
    await screenshot(page, 'tag-filter');
    await inlineAction('Clear tag filter');
    await tag('1.4.2').waitFor({ timeout: 30_000 });
    await registries.locator('.pane-header').getByText('filter: acme/app "pr-"').waitFor({ state: 'detached' });
  }));
});
