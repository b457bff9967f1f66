/** Two SBOMs compared: added, removed and changed packages. */
import { SEVERITIES } from '../src/shared/reportModel';
import type { SbomPackage, ScanFinding } from '../src/shared/reportModel';
import type { DiffView } from '../src/shared/reportProtocol';
import { h } from './dom';
import { comparePackages, PACKAGE_COLUMNS } from './packageColumns';
import { tabs } from './sbomView';
import type { UiState } from './state';
import { VirtualTable } from './virtualTable';

type Change = DiffView['diff']['changed'][number];

export function renderDiff(root: HTMLElement, view: DiffView, state: UiState): void {
  const { added, removed, changed } = view.diff;
  const packageTable = (label: string, packages: readonly SbomPackage[]) => {
    const table = new VirtualTable<SbomPackage>({ label, columns: PACKAGE_COLUMNS });
    table.setItems([...packages].sort(comparePackages(PACKAGE_COLUMNS[0]!, false)));
    return h('div', { class: 'findings' }, table.element);
  };
  const changes = new VirtualTable<Change>({
    label: 'Changed packages',
    columns: [
      { id: 'name', title: 'Name', width: 'minmax(0, 2fr)', text: (change) => change.after.name },
      { id: 'before', title: 'Before', width: 'minmax(0, 1fr)', text: (change) => change.before.version ?? '' },
      { id: 'after', title: 'After', width: 'minmax(0, 1fr)', text: (change) => change.after.version ?? '' },
      { id: 'type', title: 'Type', width: '6em', text: (change) => change.after.type ?? '' },
    ],
  });
  changes.setItems([...changed].sort((a, b) => a.after.name.localeCompare(b.after.name)));
  const findingTable = (label: string, findings: readonly ScanFinding[]) => {
    const table = new VirtualTable<ScanFinding>({
      label,
      columns: [
        { id: 'severity', title: 'Severity', width: '7em', text: (finding) => finding.severity, cellClass: (finding) => `severity severity-${finding.severity.toLowerCase()}` },
        { id: 'id', title: 'ID', width: 'minmax(9em, 1fr)', text: (finding) => finding.id },
        { id: 'package', title: 'Package', width: 'minmax(0, 1fr)', text: (finding) => finding.packageName ?? '' },
        { id: 'installed', title: 'Installed', width: 'minmax(0, 1fr)', text: (finding) => finding.installedVersion ?? '' },
      ],
    });
    table.setItems([...findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.id.localeCompare(b.id)));
    return h('div', { class: 'findings' }, table.element);
  };
  const delta = view.vulnerabilities;
  const [before, after] = view.source.labels;
  root.append(
    h('header', { class: 'report-header' },
      h('h1', {}, `SBOM diff: ${before ?? 'before'} → ${after ?? 'after'}`),
      h('p', { class: 'meta', role: 'status' }, `${added.length} added, ${removed.length} removed, ${changed.length} changed${delta ? `; vulnerabilities: ${delta.gained.length} gained, ${delta.lost.length} lost` : ''}`)),
    tabs(state, [
      { id: 'added', title: `Added (${added.length})`, content: packageTable('Added packages', added) },
      { id: 'removed', title: `Removed (${removed.length})`, content: packageTable('Removed packages', removed) },
      { id: 'changed', title: `Changed (${changed.length})`, content: h('div', { class: 'findings' }, changes.element) },
      ...(delta ? [
        { id: 'gained', title: `Vulnerabilities gained (${delta.gained.length})`, content: findingTable('Vulnerabilities gained', delta.gained) },
        { id: 'lost', title: `Vulnerabilities lost (${delta.lost.length})`, content: findingTable('Vulnerabilities lost', delta.lost) },
      ] : []),
    ]),
  );
}
