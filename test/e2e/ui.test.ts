import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { EXAMPLES_FINDINGS } from '../examplesFindings';
import { REPO_ROOT } from '../helpers';
import { environmentWorkspaceFiles, pushEnvironmentImages, writeEnvironmentWorkspace } from '../integration/environmentsWorkspace';
import { skopeoPush } from '../integration/fixtures';
import { startRegistry } from '../integration/registryServer';
import type { RunningRegistry } from '../integration/registryServer';
import { cleanup, copyOfExamples, fileContaining, installPackagedExtension, openWorkbench, runContextMenuItem, scratch, UI_LIMIT_MS } from './driver';

/** Screenshots for the README are refreshed with STEWARD_UPDATE_SCREENSHOTS=1; failures always leave one. */
const UPDATE_SCREENSHOTS = process.env.STEWARD_UPDATE_SCREENSHOTS === '1';
const FAILURES = join(REPO_ROOT, 'test-results');

async function screenshot(page: Page, name: string): Promise<void> {
  if (!UPDATE_SCREENSHOTS) return;
  await page.screenshot({ path: join(REPO_ROOT, 'docs', 'images', `${name}.png`) });
}

/**
 * The webview frame (nested iframes inside the workbench) whose page shows `selector`: every frame
 * there is, and every frame attached while waiting, is watched at once for it to appear, so a slow
 * webview only takes longer.
 */
async function webviewFrame(page: Page, selector: string): Promise<Frame> {
  let found: (frame: Frame) => void = () => undefined;
  const firstToShow = new Promise<Frame>((resolve) => (found = resolve));
  // A frame that detaches or never shows it simply drops out of the race.
  const watch = (frame: Frame) => void frame.locator(selector).first().waitFor({ state: 'attached', timeout: UI_LIMIT_MS }).then(() => found(frame), () => undefined);
  page.on('frameattached', watch);
  page.frames().forEach(watch);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no webview showed ${selector} within ${UI_LIMIT_MS / 1000} s`)), UI_LIMIT_MS)));
  try {
    return await Promise.race([firstToShow, limit]);
  } finally {
    clearTimeout(timer);
    page.off('frameattached', watch);
  }
}

/**
 * Quick Open with the keyboard focus taken back from any webview first (a click on the title bar).
 * The file's own row is clicked, not the first row with Enter: results arrive in batches (history,
 * then the file search) and re-order the list, so Enter could open whichever row was first then.
 */
async function quickOpen(page: Page, file: string): Promise<void> {
  await page.locator('.part.titlebar').click();
  await page.keyboard.press('Control+P');
  await page.keyboard.type(file);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().click();
  await page.locator('.tab.active', { hasText: file }).waitFor();
}

/** Runs a command from the palette by its title, clicking its own row (see quickOpen). */
async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.locator('.part.titlebar').click();
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
}

/** What the status-bar item says for a file of examples/: its findings as the CLI counts them. */
function findingsStatus(file: string): string {
  const severities = EXAMPLES_FINDINGS.filter((finding) => finding.startsWith(`${file}:`)).map((finding) => finding.split(' ')[1]);
  const count = (severity: string, noun: string) => {
    const found = severities.filter((candidate) => candidate === severity).length;
    return found === 0 ? [] : [`${found} ${noun}${found === 1 || noun === 'info' ? '' : 's'}`];
  };
  return `Steward: ${[...count('error', 'error'), ...count('warning', 'warning'), ...count('info', 'info')].join(', ')}`;
}

/** Cell texts of the rows a panel's table has in the DOM, in row order. */
async function panelRows(frame: Frame, scope: string): Promise<string[][]> {
  return frame.$$eval(`${scope} .table-row:not([hidden])`, (rows) => rows
    .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
    .map((row) => [...row.querySelectorAll('.cell')].map((cell) => cell.textContent ?? '')));
}

/** Gives one platform of a multi-arch image a tag of its own: an image the explorer can delete that the index needs. */
async function tagPlatform(registry: RunningRegistry, repository: string, tag: string, architecture: string, platformTag: string): Promise<void> {
  const index = JSON.parse(await (await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } })).text()) as { manifests: { digest: string; platform: { architecture: string } }[] };
  const digest = index.manifests.find((entry) => entry.platform.architecture === architecture)!.digest;
  const accept = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(await (await fetch(`${registry.url}/v2/${repository}/manifests/${digest}`, { headers: { accept } })).arrayBuffer());
  const put = await fetch(`${registry.url}/v2/${repository}/manifests/${platformTag}`, { method: 'PUT', body: manifest, headers: { 'content-type': accept } });
  assert.equal(put.status, 201);
}

describe('UI in a real VS Code workbench (Chromium)', () => {
  let workDir = '';
  let workspace = '';
  let session: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  let failed = false;

  let registry: RunningRegistry | undefined;
  let environmentsRegistry: RunningRegistry | undefined;

  before(async () => {
    workDir = scratch('ui');
    workspace = copyOfExamples(workDir);
    // A real registry holding the multi-arch image of examples/oci-layout, configured in the settings.
    registry = await startRegistry('plain', join(workDir, 'registry'));
    await skopeoPush(registry, join(workspace, 'oci-layout'), '1.4.2', 'acme/app');
    // A pull-request build from 2024: the retention rules of examples/.steward.yaml expire it.
    await skopeoPush(registry, join(workspace, 'oci-layout'), '1.4.1', 'acme/app', 'pr-1');
    writeFileSync(join(workspace, 'pin.Dockerfile'), `FROM ${registry.host}/acme/app:1.4.2\n`);
    await tagPlatform(registry, 'acme/app', '1.4.2', 'amd64', '1.4.2-amd64');
    session = await openWorkbench(installPackagedExtension(workDir), workspace, workDir, { 'artifactSteward.registries': [{ host: registry.host }] });
    await session.page.locator('.monaco-workbench').waitFor();
  });

  after(async () => {
    if (failed && session) {
      mkdirSync(FAILURES, { recursive: true });
      await session.page.screenshot({ path: join(FAILURES, 'ui-failure.png') }).catch(() => undefined);
      console.error(`UI check failed: screenshot in ${join(FAILURES, 'ui-failure.png')}, host files in ${workDir}`);
    }
    await session?.close();
    await registry?.stop();
    await environmentsRegistry?.stop();
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
    await problems.getByText('The final image has no "org.opencontainers.image.source" label.').waitFor();
    await problems.getByText(/uses the "latest" tag/).first().waitFor();
    await page.locator('.statusbar-item', { hasText: findingsStatus('Dockerfile') }).waitFor();
    await screenshot(page, 'diagnostics');
  }));

  it('applies "Add missing OCI labels" through the light bulb: focused first, placed after the last COPY, with the build command to copy', () => step(async () => {
    const { page } = session!;
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type('14');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Add missing OCI labels' });
    await fix.waitFor();
    await screenshot(page, 'quick-fix');
    // Enter applies the focused row: the real fix must be it, not "Ignore … on this line".
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    assert.equal(await focused.getAttribute('aria-label'), 'Add missing OCI labels');
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: 'org.opencontainers.image.revision=$GIT_SHA' }).waitFor();
    await page.keyboard.press('Escape');
    // Toasts are hidden under the smoke-test driver: the follow-up is read from the Notification Center.
    await page.keyboard.press('F1');
    await page.keyboard.type('Notifications: Show Notifications');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Notifications' }).first().waitFor();
    await page.keyboard.press('Enter');
    const notification = page.locator('.notifications-center .notification-list-item', { hasText: 'docker build --build-arg GIT_SHA=$(git rev-parse HEAD)' });
    await notification.waitFor({ timeout: 30_000 });
    await notification.getByRole('button', { name: 'Copy' }).waitFor();
    await screenshot(page, 'label-fix');
    await page.keyboard.press('Escape');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+S');
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
    const expected = [
      'COPY --from=busybox:latest /bin/busybox /bin/busybox',
      'ARG GIT_SHA',
      'LABEL org.opencontainers.image.version=$VERSION \\',
    ].join('\n');
    const appended = [
      '      com.example.team=Payments \\',
      '      org.opencontainers.image.source="" \\',
      '      org.opencontainers.image.revision=$GIT_SHA \\',
      '      org.opencontainers.image.title="workspace"',
      '# steward-ignore label-invalid-value',
    ].join('\n');
    await fileContaining(join(workspace, 'Dockerfile'), expected);
    await fileContaining(join(workspace, 'Dockerfile'), appended);
    // The source nobody knew is still reported, now as an empty value to fill in.
    await page.locator('.markers-panel').getByText('The label "org.opencontainers.image.source" has an empty value.').waitFor();
    await page.locator('.markers-panel').getByText('The final image has no "org.opencontainers.image.source" label.').waitFor({ state: 'detached' });
  }));

  it('shows the OCI layout in the registry explorer, down to the SBOM attached to an image', () => step(async () => {
    const { page } = session!;
    await page.locator('.activitybar .action-item a[aria-label="Artifact Steward"]').click();
    // Tree rows are treeitems with their depth in aria-level; a click toggles a collapsed row.
    const row = (level: number, label: string) => page.locator(`.monaco-list-row[role="treeitem"][aria-level="${level}"]`, { hasText: label }).first();
    for (const [level, label] of [[1, 'oci-layout'], [2, 'oci-layout']] as const) {
      await row(level, label).waitFor();
      await row(level, label).click();
    }
    // A tag whose details arrive redraws its row and its children: expanded before that, a click on
    // a child can land on a row being replaced. The age is the last detail each tag gets.
    for (const tag of ['1.4.2', '1.4.1']) await row(3, tag).locator('.label-description', { hasText: 'ago' }).waitFor();
    await row(3, '1.4.2').click();
    await row(4, 'sbom').waitFor();
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
    await runFromPalette(page, 'Artifact Steward: Open scan report or SBOM');
    const frame = await webviewFrame(page, '#root[data-rendered="scan"]');
    assert.equal((await panelRows(frame, 'body')).length, 7);
    assert.match(await frame.locator('.gate').textContent() ?? '', /No gate configured/);
    // With the report in front, the status bar tells its gate state instead of a file's findings.
    await page.locator('.statusbar-item', { hasText: 'Steward: no gate configured' }).waitFor();
    await screenshot(page, 'scan-panel');
  }));

  it('lists the local registry in the explorer', () => step(async () => {
    const { page } = session!;
    const row = (level: number, label: string) => page.locator(`.monaco-list-row[role="treeitem"][aria-level="${level}"]`, { hasText: label }).first();
    await row(1, registry!.host).click();
    await row(2, 'acme').click();
    await row(3, 'app').click();
    await row(4, '1.4.2').waitFor();
  }));

  it('pins a FROM line to its digest through the light bulb, as skopeo inspect reports it', () => step(async () => {
    const { page } = session!;
    await quickOpen(page, 'pin.Dockerfile');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.press('Control+.');
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    await focused.waitFor();
    for (let moves = 0; moves < 10 && (await focused.getAttribute('aria-label')) !== 'Pin to digest (keep the tag)'; moves += 1) await page.keyboard.press('ArrowDown');
    assert.equal(await focused.getAttribute('aria-label'), 'Pin to digest (keep the tag)');
    await screenshot(page, 'pin-to-digest');
    await page.keyboard.press('Enter');
    // A multi-arch image: the quick pick offers the index (all platforms) first.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'All platforms' }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active.dirty').waitFor();
    await page.keyboard.press('Control+S');
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
    const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry!.host}/acme/app:1.4.2`]);
    const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    assert.equal(readFileSync(join(workspace, 'pin.Dockerfile'), 'utf8'), `FROM ${registry!.host}/acme/app:1.4.2@${digest}\n`);
  }));

  it('plans retention from the palette: the Retention plan view and the explorer\'s tags show what goes', () => step(async () => {
    const { page } = session!;
    await runFromPalette(page, 'Artifact Steward: Plan retention');
    await page.locator('.quick-input-box input').waitFor();
    await page.keyboard.type(`${registry!.host}/acme/app`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: '.steward.yaml: retention rules' }).waitFor();
    await page.keyboard.press('Enter');
    const planView = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Retention plan' }) });
    await planView.locator('.monaco-list-row', { hasText: `${registry!.host}/acme/app` }).getByText(/^1 of \d+ to delete/).waitFor();
    await planView.locator('.monaco-list-row', { hasText: 'pr-1' }).getByText(/every tag expired/).waitFor();
    const explorerTag = (tag: string) => page.locator('.monaco-list-row[role="treeitem"][aria-level="4"]', { hasText: tag }).first();
    await explorerTag('pr-1').getByText(/^retention: delete/).waitFor();
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

  it('opens the walkthrough from the palette: its four steps, and the first step\'s page', () => step(async () => {
    const { page } = session!;
    // The walkthrough alone on screen: no Problems panel, no notifications of earlier tests.
    await runFromPalette(page, 'View: Hide Panel');
    await page.locator('.part.panel').waitFor({ state: 'hidden' });
    await runFromPalette(page, 'Notifications: Clear All Notifications');
    await page.locator('.notification-toast').waitFor({ state: 'detached' });
    await runFromPalette(page, 'Welcome: Open Walkthrough');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Artifact Steward' }).click();
    const titles = page.locator('.getting-started-step h3.step-title');
    await titles.filter({ hasText: 'Promote an image' }).waitFor();
    assert.deepEqual(await titles.allTextContents(), ['Lint a Dockerfile', 'Add a registry', 'Open a scan report or SBOM', 'Promote an image']);
    // The step's page is our markdown, rendered in a webview: it shipped in the .vsix.
    await webviewFrame(page, 'h1:has-text("Lint a Dockerfile")');
    await screenshot(page, 'walkthrough');
  }));

  it('Delete image on a platform of a multi-arch image names the index and the files deploying it, and Enter is the harmless Show details', () => step(async () => {
    const { page } = session!;
    const tag = page.locator('.monaco-list-row[role="treeitem"][aria-level="4"]', { hasText: '1.4.2-amd64' }).first();
    await runContextMenuItem(page, tag, 'Delete image (by digest)');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.getByText(/It is a platform of 1 multi-arch image\(s\), which break: sha256:[0-9a-f]{12}… \(1\.4\.2\)/).waitFor();
    await dialog.getByText(/The workspace deploys it: pin\.Dockerfile:1/).waitFor();
    assert.equal(await dialog.locator('.monaco-button:focus').textContent(), 'Show details');
    await screenshot(page, 'delete-image');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  }));

  it('the Environments view lists repositories → environments with tag, short digest and age, drift highlighted', () => step(async () => {
    const { page } = session!;
    // Its own registry and folder, written last: the checks above see the examples as they are.
    environmentsRegistry = await startRegistry('plain', join(workDir, 'environments-registry'));
    const digests = await pushEnvironmentImages(environmentsRegistry, join(workDir, 'environments-registry', 'data'), join(workDir, 'environments-layouts'));
    writeEnvironmentWorkspace(join(workspace, 'environments-demo'), environmentWorkspaceFiles(environmentsRegistry.host, digests, { configured: false }));
    // The other views folded, so that the Environments view has the room.
    for (const title of ['Registries', 'Retention plan']) {
      const header = page.locator('.pane-header', { hasText: title }).first();
      if (await header.getAttribute('aria-expanded') === 'true') await header.click();
    }
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Environments' }) });
    const header = pane.locator('.pane-header');
    if (await header.getAttribute('aria-expanded') !== 'true') await header.click();
    await header.hover();
    await header.locator('.action-label[aria-label="Refresh environments"]').click();
    const row = (level: number, text: string | RegExp) => pane.locator(`.monaco-list-row[role="treeitem"][aria-level="${level}"]`, { hasText: text }).first();
    await row(1, `${environmentsRegistry.host}/team/api`).getByText('1 drift: ahead').waitFor();
    await row(1, `${environmentsRegistry.host}/team/worker`).getByText('2 drift: tag-moved, ahead').waitFor();
    await row(1, `${environmentsRegistry.host}/team/proxy`).getByText('in step').waitFor();
    const staging = row(2, `1.3.0 · ${digests['team/api:1.3.0']!.slice(0, 19)}`);
    await staging.getByText(/ago · ahead$/).waitFor();
    // Drift is highlighted in the label itself.
    await staging.locator('.highlight', { hasText: 'staging' }).waitFor();
    await staging.hover();
    await staging.locator('.actions .action-label[aria-label="Promote to next environment"]').waitFor();
    if (UPDATE_SCREENSHOTS) {
      // The examples' own repositories (registries this machine cannot reach) folded, the editors closed and the view widened.
      await runFromPalette(page, 'View: Close All Editors');
      const unreachable = pane.locator('.monaco-list-row[role="treeitem"][aria-level="1"][aria-expanded="true"]').filter({ hasNotText: environmentsRegistry.host });
      for (let left = await unreachable.count(); left > 0; left--) {
        await unreachable.first().click();
        // Folded, it no longer matches: the last of the matches goes.
        await unreachable.nth(left - 1).waitFor({ state: 'detached' });
      }
      // The side bar widened by its sash (the edge between it and the editor).
      const sidebar = (await page.locator('.part.sidebar').boundingBox())!;
      await page.mouse.move(sidebar.x + sidebar.width - 1, sidebar.y + sidebar.height / 2);
      await page.mouse.down();
      await page.mouse.move(sidebar.x + sidebar.width + 380, sidebar.y + sidebar.height / 2, { steps: 10 });
      await page.mouse.up();
      await page.waitForFunction(`document.querySelector('.part.sidebar').getBoundingClientRect().width > ${sidebar.width + 300}`);
      await staging.hover();
    }
    await screenshot(page, 'environments');
  }));

  it('Find images… from the palette: the quick inputs filled, the Find results view shows exactly the matching images, why one matched and the file that deploys it', () => step(async () => {
    const { page } = session!;
    // The Environments view folded, so that the Find results view has the room.
    const environments = page.locator('.pane-header', { hasText: 'Environments' }).first();
    if (await environments.getAttribute('aria-expanded') === 'true') await environments.click();
    await runFromPalette(page, 'Artifact Steward: Find images…');
    const input = page.locator('.quick-input-widget');
    await input.getByText('Find images in').waitFor();
    await page.keyboard.type(`${registry!.host}/acme`);
    await page.keyboard.press('Enter');
    // Which fields: Revision is ticked at first; the label field instead.
    const field = (label: string) => page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await input.getByText('Find images by').waitFor();
    await field('Revision').click();
    await page.locator('.quick-input-list .monaco-list-row[aria-checked="false"]', { hasText: 'Revision' }).waitFor();
    await field('Label or annotation').click();
    await page.locator('.quick-input-list .monaco-list-row[aria-checked="true"]', { hasText: 'Label or annotation' }).waitFor();
    assert.equal(await page.locator('.quick-input-list .monaco-list-row[aria-checked="true"]').count(), 1);
    await page.locator('.quick-input-box input').focus();
    await page.keyboard.press('Enter');
    await input.getByText('Find images: Label or annotation').waitFor();
    await page.keyboard.type('org.opencontainers.image.version=1.4.2');
    await page.keyboard.press('Enter');
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Find results' }) });
    const results = pane.locator('.monaco-list-row[role="treeitem"][aria-level="1"]');
    const image = results.filter({ has: page.locator('.label-name', { hasText: /^acme\/app:1\.4\.2$/ }) });
    await image.getByText(/^[0-9a-f]{12} · deployed by 1 reference\(s\)$/).waitFor({ timeout: 30_000 });
    await pane.locator('.pane-header').getByText(`${registry!.host}/acme: org.opencontainers.image.version=1.4.2`).waitFor();
    // The release and its amd64 platform (tagged 1.4.2-amd64, the same labels); pr-1 (version 1.4.1) is not a result.
    assert.deepEqual(await results.locator('.label-name').allTextContents(), ['acme/app:1.4.2', 'acme/app:1.4.2-amd64']);
    await image.click();
    await pane.locator('.monaco-list-row[role="treeitem"][aria-level="2"]', { hasText: 'label org.opencontainers.image.version=1.4.2' }).waitFor();
    await pane.locator('.monaco-list-row[role="treeitem"][aria-level="2"]', { hasText: 'pin.Dockerfile:1' }).getByText('deploys it').waitFor();
  }));
});
