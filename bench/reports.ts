// Reading SBOMs of 20,000 packages against JSON.parse alone, exporting 40,000 findings as SARIF and CSV
// against JSON.stringify, and the panel's first render and a filter keystroke over 20,000 findings in Chromium.
import { toCsv, toSarif } from '../src/core/reports/export';
import { readReport } from '../src/core/reports/readReport';
import { scanView } from '../src/core/reports/views';
import type { ScanFinding, ScanReport } from '../src/shared/reportModel';
import { launchChromium } from '../test/e2e/driver';
import { openPanelPage } from '../test/webview/panelPage';
import { compare, median, ratio, row } from './measure';

const PACKAGES = 20_000;

/** Runs in the page (Chromium), where it exists; Node's types do not declare it. */
declare const requestAnimationFrame: (callback: () => void) => number;

function cycloneDx(): string {
  const components = Array.from({ length: PACKAGES }, (_, index) => ({
    'bom-ref': `pkg:npm/package-${index}@1.${index % 50}.0`, type: 'library', name: `package-${index}`, version: `1.${index % 50}.0`, purl: `pkg:npm/package-${index}@1.${index % 50}.0`,
    licenses: [index % 7 === 0 ? { expression: 'MIT OR Apache-2.0' } : { license: { id: 'MIT' } }], supplier: { name: `Supplier ${index % 100}` },
  }));
  const dependencies = components.map((component, index) => ({ ref: component['bom-ref'], dependsOn: index + 1 < PACKAGES ? [components[index + 1]!['bom-ref']] : [] }));
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { timestamp: '2026-11-28T00:00:00Z', tools: { components: [{ name: 'bench', version: '1' }] } }, components, dependencies });
}

function spdx(): string {
  const packages = Array.from({ length: PACKAGES }, (_, index) => ({
    SPDXID: `SPDXRef-Package-${index}`, name: `package-${index}`, versionInfo: `1.${index % 50}.0`, downloadLocation: 'NONE', licenseConcluded: index % 7 === 0 ? 'MIT OR Apache-2.0' : 'MIT', supplier: `Organization: Supplier ${index % 100}`,
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:npm/package-${index}@1.${index % 50}.0` }],
  }));
  const relationships = packages.map((pkg) => ({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: pkg.SPDXID }));
  return JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'bench', creationInfo: { created: '2026-11-28T00:00:00Z', creators: ['Tool: bench'] }, packages, relationships });
}

function benchReaders(): void {
  for (const [name, text, goal] of [['CycloneDX 1.6', cycloneDx(), '1.6×'], ['SPDX 2.3', spdx(), '2×']] as const) {
    const times = compare({ parse: () => JSON.parse(text), read: () => readReport(text) }, 21, 3);
    console.log(`\n${name}: ${PACKAGES.toLocaleString('en')} packages, ${(text.length / 1048576).toFixed(1)} MB`);
    row('JSON.parse alone', times.parse!);
    row('steward readReport (parse + normalise)', times.read!, `${ratio(times.read!, times.parse!)} JSON.parse (goal ≤ ${goal})`);
  }
}

const EXPORTED_FINDINGS = 40_000;

/** The exports are linear: SARIF and CSV within 3× of each other, and each a small multiple of serialising the findings. */
function benchExports(): void {
  // One rule per 4 findings, as in real reports where an advisory hits several packages.
  const findings: ScanFinding[] = Array.from({ length: EXPORTED_FINDINGS }, (_, index) => ({
    kind: 'vulnerability', status: 'fail', id: `CVE-2026-${String(index >> 2).padStart(5, '0')}`, severity: (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const)[index % 4]!,
    packageName: `package-${index % 500}`, installedVersion: '1.0.0', fixedVersion: '1.0.1', target: 'app/package-lock.json', title: `A finding in package-${index % 500}`,
    cvss: 5 + (index % 50) / 10, urls: [`https://avd.example/CVE-2026-${index >> 2}`],
  }));
  const report: ScanReport = { format: 'trivy', tool: 'Trivy', findings };
  const times = compare({ stringify: () => JSON.stringify(findings), sarif: () => toSarif(report), csv: () => toCsv(findings) }, 11, 2);
  console.log(`\nExports: ${EXPORTED_FINDINGS.toLocaleString('en')} findings`);
  row('JSON.stringify of the findings', times.stringify!);
  row('toSarif', times.sarif!, `${ratio(times.sarif!, times.stringify!)} JSON.stringify`);
  row('toCsv', times.csv!, `${ratio(times.csv!, times.stringify!)} JSON.stringify`);
  const [slower, faster] = times.sarif! >= times.csv! ? ['toSarif', 'toCsv'] : ['toCsv', 'toSarif'];
  console.log(`  ${slower} is ${ratio(Math.max(times.sarif!, times.csv!), Math.min(times.sarif!, times.csv!))} ${faster} (goal within 3×)`);
}

/** First render of 20,000 findings and one filter keystroke, timed inside the page up to the next frame. */
async function benchPanel(): Promise<void> {
  const findings: ScanFinding[] = Array.from({ length: PACKAGES }, (_, index) => ({
    kind: 'vulnerability', status: 'fail', id: `CVE-2026-${String(index).padStart(5, '0')}`, severity: (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const)[index % 4]!,
    packageName: `package-${index % 500}`, installedVersion: '1.0.0', fixedVersion: '1.0.1', target: 'app/package-lock.json', title: `A finding in package-${index % 500}`, urls: [],
  }));
  const view = scanView({ format: 'trivy', tool: 'Trivy', findings }, { paths: ['/bench.json'], labels: ['bench.json'] }, { blockOn: 'CRITICAL' });
  const browser = await launchChromium();
  try {
    const renders: number[] = [];
    const keystrokes: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const panel = await openPanelPage(browser);
      const timings = await panel.page.evaluate(async (data) => {
        const doc = (globalThis as unknown as { document: { querySelector(selector: string): { value?: string; textContent: string | null; dispatchEvent(event: Event): boolean } | null } }).document;
        const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
        const started = performance.now();
        (globalThis as unknown as { postMessage(message: unknown, origin: string): void }).postMessage({ type: 'show', view: data }, '*');
        while (!doc.querySelector('#root[data-rendered="scan"]')) await new Promise((resolve) => setTimeout(resolve, 0));
        await frame();
        const rendered = performance.now() - started;
        const field = doc.querySelector('vscode-text-field')!;
        const typed = performance.now();
        field.value = 'package-7';
        field.dispatchEvent(new Event('input'));
        await frame();
        return { rendered, keystroke: performance.now() - typed, status: doc.querySelector('.shown')?.textContent };
      }, view as unknown as Record<string, unknown>);
      if (timings.status !== '440 of 20000 findings') throw new Error(`the filter showed "${timings.status}"`);
      renders.push(timings.rendered);
      keystrokes.push(timings.keystroke);
      await panel.page.close();
    }
    console.log(`\nScan panel in Chromium: ${PACKAGES.toLocaleString('en')} findings (median of 5 page loads)`);
    row('first render, up to the next frame', median(renders));
    row('one filter keystroke, up to the next frame', median(keystrokes));
  } finally {
    await browser.close();
  }
}

export async function benchReports(): Promise<void> {
  benchReaders();
  benchExports();
  await benchPanel();
}
