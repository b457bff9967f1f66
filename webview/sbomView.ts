/** The SBOM panel: summary, packages, licenses, dependency tree, and vulnerabilities linked to packages. */
import type { SbomPackage, ScanFinding } from '../src/shared/reportModel';
import type { SbomView } from '../src/shared/reportProtocol';
import { clear, dropdown, h, searchField } from './dom';
import { FindingsTable } from './findingsTable';
import { comparePackages, PACKAGE_COLUMNS } from './packageColumns';
import type { UiState } from './state';
import { VirtualTable } from './virtualTable';
import type { Column } from './virtualTable';

/** Toolkit tabs; the chosen tab is remembered in the panel state. */
export function tabs(state: UiState, entries: readonly { id: string; title: string; content: HTMLElement }[]): HTMLElement {
  const panels = h('vscode-panels', { 'aria-label': 'Views', activeid: `tab-${state.text('tab', entries[0]!.id)}` });
  for (const entry of entries) panels.appendChild(h('vscode-panel-tab', { id: `tab-${entry.id}` }, entry.title));
  for (const entry of entries) panels.appendChild(h('vscode-panel-view', { id: `view-${entry.id}` }, entry.content));
  panels.addEventListener('change', () => {
    const active = (panels as unknown as { activeid?: string }).activeid;
    if (active) state.set('tab', active.replace(/^tab-/, ''));
  });
  return panels;
}

function packageLabel(pkg: SbomPackage | undefined, id: string): string {
  return pkg ? `${pkg.name}${pkg.version ? `@${pkg.version}` : ''}` : id;
}

/** Lazily expanded `<details>` tree (native keyboard support); cycles are shown, not followed. */
function dependencyTree(view: SbomView, byId: ReadonlyMap<string, SbomPackage>): HTMLElement {
  const children = new Map(view.dependencies);
  const ids = [...children.keys()];
  if (ids.length === 0) return h('p', { class: 'hint' }, 'This SBOM records no dependency relationships.');
  const dependedOn = new Set<string>();
  for (const below of children.values()) for (const id of below) dependedOn.add(id);
  const roots = ids.filter((id) => !dependedOn.has(id));
  const node = (id: string, ancestors: ReadonlySet<string>): HTMLElement => {
    const label = packageLabel(byId.get(id), id);
    const below = children.get(id) ?? [];
    if (ancestors.has(id)) return h('li', { class: 'leaf' }, `${label} (cycle)`);
    if (below.length === 0) return h('li', { class: 'leaf' }, label);
    const details = h('details', {}, h('summary', {}, label, h('span', { class: 'count' }, ` ${below.length}`)));
    details.addEventListener('toggle', () => {
      if (!details.open || details.querySelector('ul')) return;
      const path = new Set(ancestors).add(id);
      details.appendChild(h('ul', { role: 'group' }, ...below.map((child) => node(child, path))));
    }, { passive: true });
    return h('li', {}, details);
  };
  const LIMIT = 500;
  const list = h('ul', { class: 'tree', 'aria-label': 'Dependency tree' }, ...(roots.length > 0 ? roots : ids).slice(0, LIMIT).map((id) => node(id, new Set())));
  const more = roots.length > LIMIT ? h('p', { class: 'hint' }, `${roots.length - LIMIT} more top-level packages; use the package table to find them.`) : '';
  return h('div', {}, list, more);
}

export function renderSbom(root: HTMLElement, view: SbomView, state: UiState, openLink: (url: string) => void): void {
  const byId = new Map(view.packages.map((pkg) => [pkg.id, pkg]));
  const vulnerabilitiesByPackage = new Map<string, ScanFinding[]>();
  for (const finding of view.vulnerabilities) {
    const key = finding.purl ?? finding.packageName ?? '';
    const known = vulnerabilitiesByPackage.get(key);
    if (known) known.push(finding);
    else vulnerabilitiesByPackage.set(key, [finding]);
  }
  const dependsOn = new Map(view.dependencies);
  const vulnerabilitiesOf = (pkg: SbomPackage) => [...(pkg.purl ? vulnerabilitiesByPackage.get(pkg.purl) ?? [] : []), ...(vulnerabilitiesByPackage.get(pkg.name) ?? [])];
  const requiredBy = new Map<string, string[]>();
  for (const [parent, kids] of view.dependencies) {
    for (const kid of kids) {
      const parents = requiredBy.get(kid);
      if (parents) parents.push(parent);
      else requiredBy.set(kid, [parent]);
    }
  }
  const denied = new Set(view.deniedPackages);

  const columns: Column<SbomPackage>[] = [...PACKAGE_COLUMNS];
  if (view.vulnerabilities.length > 0) columns.push({ id: 'vulnerabilities', title: 'Vulns', width: '5em', text: (pkg) => String(vulnerabilitiesOf(pkg).length || '') });
  columns[3] = { ...columns[3]!, cellClass: (pkg) => (denied.has(pkg.id) ? 'denied' : undefined) };

  const details = h('section', { class: 'details', 'aria-label': 'Package details', 'aria-live': 'polite' }, h('p', { class: 'hint' }, 'Select a package (Enter or click) to see its details.'));
  const shown = h('span', { class: 'shown', role: 'status' });
  const showDetails = (pkg: SbomPackage) => {
    clear(details);
    const names = (ids: readonly string[]) => ids.map((id) => packageLabel(byId.get(id), id)).join(', ');
    const fact = (term: string, value: string | undefined) => (value ? [h('dt', {}, term), h('dd', {}, value)] : []);
    const vulnerabilities = vulnerabilitiesOf(pkg);
    details.append(
      h('h3', {}, packageLabel(pkg, pkg.id)),
      h('dl', {}, ...fact('purl', pkg.purl), ...fact('Type', pkg.type), ...fact('Licenses', pkg.licenses.join(', ') || 'none declared'),
        ...fact('Denied', denied.has(pkg.id) ? 'yes: a license is on the deny-list' : undefined), ...fact('Supplier', pkg.supplier),
        ...fact('Depends on', names(dependsOn.get(pkg.id) ?? [])), ...fact('Required by', names(requiredBy.get(pkg.id) ?? []))),
      vulnerabilities.length > 0 ? h('h4', {}, `Vulnerabilities (${vulnerabilities.length})`) : '',
      vulnerabilities.length > 0 ? h('ul', { class: 'package-vulnerabilities' }, ...vulnerabilities.map((finding) => h('li', { class: `severity-${finding.severity.toLowerCase()}` }, `${finding.severity} ${finding.id}${finding.fixedVersion ? ` (fixed in ${finding.fixedVersion})` : ''}`))) : '',
    );
  };

  const haystacks = view.packages.map((pkg) => [pkg.name, pkg.version, pkg.purl, pkg.supplier, ...pkg.licenses].join('\u0000').toLowerCase());
  const table: VirtualTable<SbomPackage> = new VirtualTable<SbomPackage>({
    label: 'Packages', columns,
    onSort: (column) => {
      const current = table.sortState;
      state.set('packageSort', `${column}:${current?.column === column && !current.descending ? 'desc' : 'asc'}`);
      refresh();
    },
    onActivate: showDetails,
  });
  const refresh = () => {
    const search = state.text('packageSearch').trim().toLowerCase();
    const type = state.text('packageType', 'all');
    const deniedOnly = state.text('licenseFilter', 'all') === 'denied';
    const rows = view.packages.filter((pkg, index) => (!search || haystacks[index]!.includes(search)) && (type === 'all' || pkg.type === type) && (!deniedOnly || denied.has(pkg.id)));
    const [columnId, direction] = state.text('packageSort', 'name:asc').split(':');
    const column = columns.find((candidate) => candidate.id === columnId) ?? columns[0]!;
    rows.sort(comparePackages(column, direction === 'desc'));
    table.setSort(column.id, direction === 'desc');
    table.setItems(rows);
    shown.textContent = `${rows.length} of ${view.packages.length} packages`;
  };
  const types = [...new Set(view.packages.map((pkg) => pkg.type).filter((type): type is string => !!type))].sort();
  const packagesTab = h('div', { class: 'findings' },
    h('div', { class: 'filters', role: 'search' },
      searchField('Filter by name, version, purl, license, supplier', state.text('packageSearch'), (value) => { state.set('packageSearch', value); refresh(); }),
      dropdown('Type', [['all', 'Any'], ...types.map((type) => [type, type] as const)], state.text('packageType', 'all'), (value) => { state.set('packageType', value); refresh(); }),
      dropdown('Licenses', [['all', 'Any'], ['denied', 'Denied only']], state.text('licenseFilter', 'all'), (value) => { state.set('licenseFilter', value); refresh(); }),
      shown),
    h('div', { class: 'split' }, table.element, details));
  refresh();

  const licenseTable = new VirtualTable<SbomView['licenses'][number]>({
    label: 'Licenses',
    columns: [
      { id: 'license', title: 'License', width: 'minmax(0, 2fr)', text: (row) => row.license, cellClass: (row) => (row.denied ? 'denied' : undefined) },
      { id: 'packages', title: 'Packages', width: '8em', text: (row) => String(row.packages) },
      { id: 'denied', title: 'Deny-list', width: '8em', text: (row) => (row.denied ? 'denied' : '') },
    ],
  });
  licenseTable.setItems([...view.licenses].sort((a, b) => Number(b.denied) - Number(a.denied) || b.packages - a.packages));
  const licensesTab = h('div', { class: 'findings' },
    h('p', { class: 'meta' }, `${view.licenses.length} licenses; ${view.unlicensed} packages declare none; ${view.deniedPackages.length} use a denied license.`),
    licenseTable.element);

  const entries = [
    { id: 'packages', title: `Packages (${view.packages.length})`, content: packagesTab },
    { id: 'licenses', title: `Licenses (${view.licenses.length})`, content: licensesTab },
    { id: 'dependencies', title: 'Dependencies', content: dependencyTree(view, byId) },
  ];
  if (view.vulnerabilities.length > 0) {
    const findings = new FindingsTable(view.vulnerabilities, { label: 'Vulnerabilities', state, openLink });
    entries.push({ id: 'vulnerabilities', title: `Vulnerabilities (${view.vulnerabilities.length})`, content: h('div', {}, view.vulnerabilitySource ? h('p', { class: 'meta' }, `From ${view.vulnerabilitySource}`) : '', findings.element) });
  }

  root.append(
    h('header', { class: 'report-header' },
      h('h1', {}, view.source.labels[0] ?? 'SBOM'),
      h('p', { class: 'meta' }, [view.format, view.tool, view.created && `created ${view.created}`, view.subject ?? view.source.subject].filter(Boolean).join(' · '))),
    tabs(state, entries),
  );
}
