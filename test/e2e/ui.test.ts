import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers';
import { cleanup, copyOfExamples, installPackagedExtension, openWorkbench, scratch } from './driver';

/** Screenshots for the README are refreshed with STEWARD_UPDATE_SCREENSHOTS=1; failures always leave one. */
const UPDATE_SCREENSHOTS = process.env.STEWARD_UPDATE_SCREENSHOTS === '1';
const FAILURES = join(REPO_ROOT, 'test-results');

async function screenshot(page: Page, name: string): Promise<void> {
  if (!UPDATE_SCREENSHOTS) return;
  await page.screenshot({ path: join(REPO_ROOT, 'docs', 'images', `${name}.png`) });
}

describe('UI in a real VS Code workbench (Chromium)', () => {
  let workDir = '';
  let workspace = '';
  let session: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  let failed = false;

  before(async () => {
    workDir = scratch('ui');
    workspace = copyOfExamples(workDir);
    session = await openWorkbench(installPackagedExtension(workDir), workspace, workDir);
    await session.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    if (failed && session) {
      mkdirSync(FAILURES, { recursive: true });
      await session.page.screenshot({ path: join(FAILURES, 'ui-failure.png') }).catch(() => undefined);
      console.error(`UI check failed: screenshot in ${join(FAILURES, 'ui-failure.png')}, host files in ${workDir}`);
    }
    await session?.close();
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
});
