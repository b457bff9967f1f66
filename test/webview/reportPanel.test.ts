// The report panels' browser bundle in real Chromium: rows, filters, grouping, the gate verdict,
// links, export, state across a reload, and hostile SBOM content rendered as inert text.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { readReport } from '../../src/core/reports/readReport';
import type { Sbom } from '../../src/core/reports/model';
import { diffView, sbomView, scanView } from '../../src/core/reports/views';
import type { ScanFinding, ScanReport } from '../../src/shared/reportModel';
import { launchChromium } from '../e2e/driver';
import { REPO_ROOT } from '../helpers';
import { openPanelPage } from './panelPage';
import type { PanelPage } from './panelPage';

const REPORTS = join(REPO_ROOT, 'examples', 'reports');

function read(name: string) {
  const result = readReport(readFileSync(join(REPORTS, name), 'utf8'));
  if (result.kind === 'error') throw new Error(result.message);
  return result;
}
const trivy = (): ScanReport => { const result = read('api-1.4.2.trivy.json'); assert.equal(result.kind, 'scan'); return (result as { report: ScanReport }).report; };
const sbom = (name: string): Sbom => { const result = read(name); assert.equal(result.kind, 'sbom'); return (result as { sbom: Sbom }).sbom; };
const source = (name: string) => ({ paths: [join(REPORTS, name)], labels: [name] });

async function visibleRows(panel: PanelPage, scope = 'body'): Promise<string[][]> {
  return panel.page.$$eval(`${scope} .table-row:not([hidden])`, (rows) => rows
    .sort((a, b) => Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index")))
    .map((row) => [...row.querySelectorAll('.cell')].map((cell) => cell.textContent ?? '')));
}

async function status(panel: PanelPage, scope = 'body'): Promise<string> {
  return (await panel.page.locator(`${scope} .shown`).first().textContent()) ?? '';
}

async function choose(panel: PanelPage, label: string, option: string, scope = 'body'): Promise<void> {
  await panel.page.locator(`${scope} vscode-dropdown[aria-label="${label}"]`).first().click();
  await panel.page.locator(`${scope} vscode-dropdown[aria-label="${label}"] vscode-option`, { hasText: option }).first().click();
}

/** What api 1.4.2's SBOM has that 1.4.1's has not, worst first. */
const GAINED = [['CRITICAL', 'CVE-2021-44906', 'minimist'], ['HIGH', 'CVE-2021-23337', 'lodash']];

describe('report panels in Chromium', () => {
  let browser: Browser;
  before(async () => { browser = await launchChromium(); });
  after(async () => { await browser?.close(); });

  it('shows the scan summary, the failed gate with its reasons, and every finding', async () => {
    const panel = await openPanelPage(browser);
    await panel.show(scanView(trivy(), source('api-1.4.2.trivy.json'), { blockOn: 'CRITICAL', ignoreUnfixed: true }));
    assert.equal(await panel.page.getAttribute('.gate', 'data-verdict'), 'fail');
    const gate = await panel.page.textContent('.gate') ?? '';
    assert.match(gate, /Gate failed/);
    assert.match(gate, /2 CRITICAL at or above CRITICAL/);
    assert.match(gate, /2 finding\(s\) not counted: 2 unfixed/);
    assert.equal(await panel.page.textContent('[data-severity="CRITICAL"] .chip-count'), '3');
    assert.equal(await status(panel), '7 of 7 findings');
    const rows = await visibleRows(panel);
    assert.deepEqual(rows.map((row) => row[0]), ['CRITICAL', 'CRITICAL', 'CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'LOW']);
    assert.deepEqual(rows[0], ['CRITICAL', 'CVE-2021-44906', 'minimist', '1.2.5', '1.2.6', 'app/package-lock.json', 'minimist: prototype pollution', 'counted']);
    assert.deepEqual(rows.find((row) => row[1] === 'CVE-2023-45853')!.at(-1), 'unfixed', 'each row says what the gate made of it');
    await choose(panel, 'Gate', 'Not counted');
    assert.deepEqual((await visibleRows(panel)).map((row) => row[1]), ['CVE-2023-45853', 'CVE-2024-2379']);
    await panel.page.click('.table-row:has-text("CVE-2023-45853")');
    assert.match(await panel.page.textContent('.details') ?? '', /Gateunfixed: no fixed version \(ignoreUnfixed\)/);
    await choose(panel, 'Gate', 'Counted');
    assert.match(await panel.page.textContent('.details') ?? '', /Select a row/, 'the details pane never shows a row the filter hides');
    await panel.page.close();
  });

  it('filters by text, severity, fix state and target, and sorts by a column', async () => {
    const panel = await openPanelPage(browser);
    await panel.show(scanView(trivy(), source('api-1.4.2.trivy.json'), {}));
    assert.match(await panel.page.textContent('.gate') ?? '', /No gate configured/);
    await panel.page.locator('vscode-text-field input').first().fill('curl');
    assert.equal(await status(panel), '2 of 7 findings');
    assert.equal(await panel.page.locator('.table-row:visible').count(), 2, 'rows filtered out are not displayed');
    await panel.page.locator('vscode-text-field input').first().fill('');
    await choose(panel, 'Severity', 'HIGH and above');
    assert.equal(await status(panel), '5 of 7 findings');
    await choose(panel, 'Fix', 'No fix');
    assert.deepEqual((await visibleRows(panel)).map((row) => row[1]), ['CVE-2023-45853', 'DS002']);
    await choose(panel, 'Severity', 'Any');
    await choose(panel, 'Fix', 'Any');
    await choose(panel, 'Target', 'app/package-lock.json');
    assert.deepEqual((await visibleRows(panel)).map((row) => row[1]), ['CVE-2021-44906', 'CVE-2021-23337']);
    await choose(panel, 'Target', 'Any');
    await panel.page.click('[data-column="package"] .sort');
    assert.deepEqual((await visibleRows(panel)).map((row) => row[2]), ['', 'curl', 'curl', 'lodash', 'minimist', 'openssl', 'zlib1g']);
    assert.equal(await panel.page.getAttribute('[data-column="package"]', 'aria-sort'), 'ascending');
    await panel.page.click('[data-column="package"] .sort');
    assert.equal((await visibleRows(panel))[0]![2], 'zlib1g');
    await panel.page.close();
  });

  it('groups by package, collapses a group from the keyboard, and opens details with links through the extension', async () => {
    const panel = await openPanelPage(browser);
    await panel.show(scanView(trivy(), source('api-1.4.2.trivy.json'), {}));
    await choose(panel, 'Group by', 'Package');
    const grouped = await visibleRows(panel);
    assert.equal(grouped[0]![0], '▾ (none) 1');
    assert.equal(grouped.filter((row) => row[0]!.startsWith('▾')).length, 6);
    await panel.page.focus('.table-viewport');
    await panel.page.keyboard.press('Home');
    await panel.page.keyboard.press('Enter');
    assert.equal((await visibleRows(panel))[0]![0], '▸ (none) 1');
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('Enter');
    const details = await panel.page.textContent('.details') ?? '';
    assert.match(details, /CVE-2024-2398/);
    assert.match(details, /Fixed in7\.88\.1-10\+deb12u6/);
    await panel.page.click('.details vscode-link');
    await panel.page.click('vscode-button:has-text("Export SARIF")');
    const posted = await panel.posted();
    assert.deepEqual(posted.slice(1), [{ type: 'openLink', url: 'https://avd.aquasec.com/nvd/cve-2024-2398' }, { type: 'export', format: 'sarif' }]);
    await panel.page.close();
  });

  it('keeps only the rows in view in the DOM at 20,000 findings, and filters them', async () => {
    const findings: ScanFinding[] = Array.from({ length: 20_000 }, (_, index) => ({
      kind: 'vulnerability', status: 'fail', id: `CVE-2026-${String(index).padStart(5, '0')}`, severity: (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const)[index % 4]!,
      packageName: `package-${index % 500}`, installedVersion: '1.0.0', ...(index % 3 ? { fixedVersion: '1.0.1' } : {}), target: 'app/package-lock.json', urls: [],
    }));
    const panel = await openPanelPage(browser);
    await panel.show(scanView({ format: 'trivy', tool: 'Trivy', findings }, { paths: ['/tmp/big.json'], labels: ['big.json'] }, {}));
    assert.equal(await status(panel), '20000 of 20000 findings');
    assert.ok((await visibleRows(panel)).length < 100, 'rows outside the view are not in the DOM');
    await panel.page.locator('vscode-text-field input').first().fill('package-7');
    // package-7, package-70…79, package-700… (only up to 499): 11 names × 40 findings each.
    assert.equal(await status(panel), '440 of 20000 findings');
    await panel.page.focus('.table-viewport');
    await panel.page.keyboard.press('End');
    assert.equal(await panel.page.locator('.table-row[data-index="439"]:not([hidden])').count(), 1, 'End brings the last row into view');
    assert.equal(await panel.page.getAttribute('.table-row[data-index="439"]', 'aria-selected'), 'true');
    await panel.page.close();
  });

  it('shows an SBOM: packages, denied licenses, the dependency tree and vulnerabilities linked to packages', async () => {
    const panel = await openPanelPage(browser);
    await panel.show(sbomView(sbom('api-1.4.2.cdx.json'), source('api-1.4.2.cdx.json'), ['GPL-3.0-only', 'WTFPL']));
    assert.match(await panel.page.textContent('.report-header .meta') ?? '', /CycloneDX 1\.6 · trivy 0\.56\.2 · created 2026-11-20T10:00:00Z · registry\.example\.com\/team\/api:1\.4\.2/);
    assert.equal(await status(panel, '#view-packages'), '7 of 7 packages');
    const rows = await visibleRows(panel, '#view-packages');
    assert.deepEqual(rows.find((row) => row[0] === 'lodash'), ['lodash', '4.17.20', 'npm', 'MIT', '', '1']);
    await choose(panel, 'Licenses', 'Denied only', '#view-packages');
    assert.deepEqual((await visibleRows(panel, '#view-packages')).map((row) => row[0]), ['left-pad']);
    await choose(panel, 'Licenses', 'Any', '#view-packages');
    await panel.page.click('#view-packages .table-row:has-text("lodash")');
    const details = await panel.page.textContent('#view-packages .details') ?? '';
    assert.match(details, /Required byexpress@4\.19\.2/);
    assert.match(details, /HIGH CVE-2021-23337 \(fixed in|HIGH CVE-2021-23337/);
    await panel.page.click('vscode-panel-tab#tab-licenses');
    assert.deepEqual((await visibleRows(panel, '#view-licenses'))[0], ['WTFPL OR GPL-3.0-only', '1', 'denied']);
    await panel.page.click('vscode-panel-tab#tab-dependencies');
    await panel.page.click('#view-dependencies summary:has-text("image")');
    await panel.page.click('#view-dependencies summary:has-text("express@4.19.2")');
    await panel.page.locator('#view-dependencies li', { hasText: 'lodash@4.17.20' }).first().waitFor();
    await panel.page.click('vscode-panel-tab#tab-vulnerabilities');
    assert.deepEqual((await visibleRows(panel, '#view-vulnerabilities')).map((row) => row[1]), ['CVE-2021-44906', 'CVE-2021-23337']);
    assert.equal((await panel.state())?.ui?.tab, 'vulnerabilities');
    await panel.page.close();
  });

  it('reads SPDX and cross-links a scan report of the same image', async () => {
    const panel = await openPanelPage(browser);
    await panel.show(sbomView(sbom('api-1.4.2.spdx.json'), source('api-1.4.2.spdx.json'), [], { report: trivy(), label: 'api-1.4.2.trivy.json' }));
    assert.match(await panel.page.textContent('.report-header .meta') ?? '', /^SPDX 2\.3/);
    const rows = await visibleRows(panel, '#view-packages');
    assert.deepEqual(rows.find((row) => row[0] === 'openssl'), ['openssl', '3.0.11-1~deb12u1', 'deb', 'Apache-2.0', 'Debian OpenSSL Team', '1']);
    await panel.page.click('vscode-panel-tab#tab-vulnerabilities');
    assert.match(await panel.page.textContent('#view-vulnerabilities') ?? '', /From api-1\.4\.2\.trivy\.json/);
    await panel.page.close();
  });

  it('diffs two SBOMs', async () => {
    const panel = await openPanelPage(browser);
    await panel.show(diffView(sbom('api-1.4.1.cdx.json'), sbom('api-1.4.2.cdx.json'), { paths: ['/a', '/b'], labels: ['api:1.4.1', 'api:1.4.2'] }));
    assert.equal(await panel.page.textContent('.report-header .meta'), '1 added, 1 removed, 1 changed; vulnerabilities: 2 gained, 0 lost');
    assert.deepEqual((await visibleRows(panel, '#view-added')).map((row) => row[0]), ['minimist']);
    await panel.page.click('vscode-panel-tab#tab-changed');
    assert.deepEqual(await visibleRows(panel, '#view-changed'), [['express', '4.18.2', '4.19.2', 'npm']]);
    await panel.page.click('vscode-panel-tab#tab-gained');
    assert.deepEqual((await visibleRows(panel, '#view-gained')).map((row) => row.slice(0, 3)), GAINED);
    await panel.page.close();
  });

  it('restores its filters from the saved state after a reload of the same report', async () => {
    const first = await openPanelPage(browser);
    const view = scanView(trivy(), source('api-1.4.2.trivy.json'), {});
    await first.show(view);
    await first.page.locator('vscode-text-field input').first().fill('openssl');
    const saved = await first.state();
    assert.deepEqual(saved?.source, view.source);
    await first.page.close();
    const second = await openPanelPage(browser, saved);
    await second.show(view);
    assert.equal(await status(second), '1 of 7 findings');
    await second.page.close();
  });

  it('renders hostile SBOM content as inert text', async () => {
    const hostile = '<img src=x onerror="document.title=\'pwned\'">';
    const evil: Sbom = {
      format: 'cyclonedx', specVersion: '1.6', tool: '<script>document.title="pwned"</script>', subject: hostile,
      packages: [{ id: 'a', name: hostile, version: '<b>1</b>', purl: 'pkg:npm/x@1', licenses: ['<svg onload=alert(1)>'], supplier: 'javascript:alert(1)' }],
      dependencies: new Map([['a', ['a']]]), scanned: true,
      vulnerabilities: [{ kind: 'vulnerability', status: 'fail', id: '<i>CVE</i>', severity: 'HIGH', packageName: hostile, purl: 'pkg:npm/x@1', description: hostile, urls: ['javascript:document.title="pwned"', 'https://example.com/"><img src=x>'] }],
    };
    const panel = await openPanelPage(browser);
    let dialogs = 0;
    panel.page.on('dialog', (dialog) => { dialogs += 1; void dialog.dismiss(); });
    await panel.show(sbomView(evil, { paths: ['/x'], labels: [hostile] }, []));
    await panel.page.click('#view-packages .table-row');
    await panel.page.click('vscode-panel-tab#tab-dependencies');
    await panel.page.click('#view-dependencies summary');
    await panel.page.click('vscode-panel-tab#tab-vulnerabilities');
    await panel.page.click('#view-vulnerabilities .table-row');
    await panel.page.locator('#view-dependencies li', { hasText: '(cycle)' }).first().waitFor({ state: 'attached' });
    // document.querySelectorAll stays out of the toolkit's shadow roots (their icons are SVG).
    assert.equal(await panel.page.evaluate(() => (globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } }).document.querySelectorAll('#root img, #root svg, #root b, #root i, #root script').length), 0);
    assert.equal(await panel.page.title(), 'test');
    assert.equal(dialogs, 0);
    assert.equal(await panel.page.textContent('h1'), hostile);
    assert.match(await panel.page.textContent('#view-dependencies') ?? '', /\(cycle\)/);
    const links = await panel.page.locator('#view-vulnerabilities .details vscode-link').allTextContents();
    assert.deepEqual(links, ['https://example.com/"><img src=x>'], 'the javascript: URL is text, not a link');
    await panel.page.close();
  });
});
