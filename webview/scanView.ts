/** The scan panel: severity summary, gate verdict, export, and the findings table. */
import { SEVERITIES } from '../src/shared/reportModel';
import type { ScanFinding } from '../src/shared/reportModel';
import type { ExportFormat, ScanView } from '../src/shared/reportProtocol';
import { button, h } from './dom';
import { FindingsTable } from './findingsTable';
import type { UiState } from './state';

export function severitySummary(findings: readonly ScanFinding[]): HTMLElement {
  const counts = new Map(SEVERITIES.map((severity) => [severity, 0]));
  for (const finding of findings) counts.set(finding.severity, counts.get(finding.severity)! + 1);
  const bar = h('div', { class: 'severity-bar', role: 'img', 'aria-label': SEVERITIES.map((severity) => `${counts.get(severity)} ${severity}`).join(', ') });
  for (const severity of SEVERITIES) {
    const count = counts.get(severity)!;
    if (count === 0) continue;
    const segment = h('div', { class: `segment severity-${severity.toLowerCase()}` });
    segment.style.flexGrow = String(count);
    bar.appendChild(segment);
  }
  const chips = h('ul', { class: 'severity-counts' }, ...SEVERITIES.map((severity) => h('li', { class: `chip severity-${severity.toLowerCase()}`, 'data-severity': severity }, h('span', { class: 'chip-count' }, counts.get(severity)!), ` ${severity}`)));
  return h('div', { class: 'summary' }, chips, bar);
}

export function renderScan(root: HTMLElement, view: ScanView, state: UiState, post: { openLink(url: string): void; exportAs(format: ExportFormat): void }): FindingsTable {
  const { report, verdict } = view;
  const gate = h('div', { class: `gate ${verdict.pass ? 'gate-pass' : 'gate-fail'}`, role: 'status', 'data-verdict': verdict.pass ? 'pass' : 'fail' },
    h('strong', {}, view.gate ? (verdict.pass ? 'Gate passed' : 'Gate failed') : 'No gate configured'),
    view.gate ? h('span', { class: 'gate-rule' }, ` (${view.gate})`) : '',
    verdict.reasons.length > 0 ? h('ul', { class: 'gate-reasons' }, ...verdict.reasons.map((reason) => h('li', {}, reason))) : '',
    verdict.excluded.length > 0 ? h('p', { class: 'gate-excluded' }, `${verdict.excluded.length} finding(s) not counted: `, verdict.excluded.slice(0, 5).map(({ finding, why }) => `${finding.id} (${why})`).join('; '), verdict.excluded.length > 5 ? '; …' : '') : '',
  );
  const table = new FindingsTable(report.findings, { label: 'Findings', state, openLink: post.openLink });
  root.append(
    h('header', { class: 'report-header' },
      h('h1', {}, view.source.labels[0] ?? 'Scan report'),
      h('p', { class: 'meta' }, [report.tool, report.artifact ?? view.source.subject].filter(Boolean).join(' · ')),
      h('div', { class: 'actions' },
        button('Export CSV', () => post.exportAs('csv')),
        button('Export JSON', () => post.exportAs('json')),
        button('Export SARIF', () => post.exportAs('sarif'))),
    ),
    severitySummary(report.findings),
    gate,
    table.element,
  );
  return table;
}
