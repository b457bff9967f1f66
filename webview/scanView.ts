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

/** "12 not counted: 3 allowed, 9 unfixed" — the findings the gate set aside, by why. */
function notCounted(view: ScanView): HTMLElement | '' {
  const byStatus = new Map<string, number>();
  for (const decision of view.verdict.decisions) if (decision.status !== 'counted') byStatus.set(decision.status, (byStatus.get(decision.status) ?? 0) + 1);
  const total = [...byStatus.values()].reduce((sum, count) => sum + count, 0);
  return total > 0 ? h('p', { class: 'gate-excluded' }, `${total} finding(s) not counted: ${[...byStatus].map(([status, count]) => `${count} ${status.replace('-', ' ')}`).join(', ')}`) : '';
}

export function renderScan(root: HTMLElement, view: ScanView, state: UiState, post: { openLink(url: string): void; exportAs(format: ExportFormat): void; configureGate(): void }): FindingsTable {
  const { report, verdict } = view;
  const gate = h('div', { class: `gate ${verdict.pass ? 'gate-pass' : 'gate-fail'}`, role: 'status', 'data-verdict': verdict.pass ? 'pass' : 'fail' },
    h('strong', {}, view.gate ? (verdict.pass ? 'Gate passed' : 'Gate failed') : 'No gate configured'),
    view.gate ? h('span', { class: 'gate-rule' }, ` (${view.gate})`) : '',
    verdict.reasons.length > 0 ? h('ul', { class: 'gate-reasons' }, ...verdict.reasons.map((reason) => h('li', {}, reason))) : '',
    notCounted(view),
    verdict.unmatchedStatements.length > 0 ? h('ul', { class: 'gate-vex' }, ...verdict.unmatchedStatements.map((note) => h('li', {}, `VEX matched nothing: ${note}`))) : '',
    view.gate ? '' : button('Configure a gate…', () => post.configureGate()),
  );
  const table = new FindingsTable(report.findings, { label: 'Findings', state, openLink: post.openLink, decisions: verdict.decisions });
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
