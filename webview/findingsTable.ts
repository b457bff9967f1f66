/** The findings table of the scan panel and of the SBOM panel's vulnerabilities tab. */
import { SEVERITIES } from '../src/shared/reportModel';
import type { FindingDecision, GateStatus, ScanFinding, ScanSeverity } from '../src/shared/reportModel';
import { isWebLink } from '../src/shared/reportProtocol';
import { clear, dropdown, h, searchField } from './dom';
import type { UiState } from './state';
import { VirtualTable } from './virtualTable';
import type { Column, TableItem } from './virtualTable';

const RANK: Readonly<Record<ScanSeverity, number>> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, UNKNOWN: 4 };

const GATE_WORDS: Readonly<Record<GateStatus, string>> = { counted: 'counted', unfixed: 'unfixed', allowed: 'allowed', 'not-affected': 'not affected', passed: 'passed', suppressed: 'suppressed' };

const BASE_COLUMNS: readonly Column<ScanFinding>[] = [
  { id: 'severity', title: 'Severity', width: '7em', text: (finding) => finding.severity, cellClass: (finding) => `severity severity-${finding.severity.toLowerCase()}` },
  { id: 'id', title: 'ID', width: 'minmax(9em, 1.2fr)', text: (finding) => finding.id },
  { id: 'package', title: 'Package', width: 'minmax(0, 1fr)', text: (finding) => finding.packageName ?? '' },
  { id: 'installed', title: 'Installed', width: 'minmax(0, 0.7fr)', text: (finding) => finding.installedVersion ?? '' },
  { id: 'fixed', title: 'Fixed in', width: 'minmax(0, 0.7fr)', text: (finding) => finding.fixedVersion ?? '' },
  { id: 'target', title: 'Target', width: 'minmax(0, 1fr)', text: (finding) => finding.target ?? '' },
  { id: 'title', title: 'Title', width: 'minmax(0, 2fr)', text: (finding) => finding.title ?? '' },
];

export interface FindingsTableOptions {
  readonly label: string;
  /** The gate's decision on each finding, in the findings' order (the scan panel has them; the SBOM panel not). */
  readonly decisions?: readonly FindingDecision[];
  readonly state: UiState;
  readonly openLink: (url: string) => void;
}

/** Filters (text, severity, fix state, target), grouping (package, target), sorting and a details pane. */
export class FindingsTable {
  readonly element: HTMLElement;
  private readonly table: VirtualTable<ScanFinding>;
  private readonly details = h('section', { class: 'details', 'aria-label': 'Finding details', 'aria-live': 'polite' });
  private readonly shown = h('span', { class: 'shown', role: 'status' });
  private readonly haystacks: string[];
  private readonly collapsed = new Set<string>();
  private readonly decisionOf = new Map<ScanFinding, FindingDecision>();
  private readonly columns: readonly Column<ScanFinding>[];
  private detailed: ScanFinding | undefined;

  constructor(private readonly findings: readonly ScanFinding[], private readonly options: FindingsTableOptions) {
    options.decisions?.forEach((decision, index) => { if (findings[index]) this.decisionOf.set(findings[index]!, decision); });
    const gateColumn: Column<ScanFinding> = { id: 'gate', title: 'Gate', width: '7em', text: (finding) => GATE_WORDS[this.decisionOf.get(finding)?.status ?? 'counted'], cellClass: (finding) => `gate-status gate-${this.decisionOf.get(finding)?.status ?? 'counted'}` };
    this.columns = options.decisions ? [...BASE_COLUMNS, gateColumn] : BASE_COLUMNS;
    this.haystacks = findings.map((finding) => [finding.id, finding.packageName, finding.installedVersion, finding.fixedVersion, finding.target, finding.title, finding.purl].join('\u0000').toLowerCase());
    const state = options.state;
    this.table = new VirtualTable<ScanFinding>({
      label: options.label,
      columns: this.columns,
      onSort: (column) => {
        const current = this.table.sortState;
        const descending = current?.column === column ? !current.descending : false;
        state.set('sort', `${column}:${descending ? 'desc' : 'asc'}`);
        this.refresh();
      },
      onActivate: (finding) => this.showDetails(finding),
      onToggleGroup: (group) => {
        if (!this.collapsed.delete(group)) this.collapsed.add(group);
        this.refresh();
      },
    });
    const targets = [...new Set(findings.map((finding) => finding.target).filter((target): target is string => !!target))].sort();
    const severityOptions = [['all', 'Any'] as const, ...SEVERITIES.map((severity) => [severity, `${severity} and above`] as const)];
    const filters = h('div', { class: 'filters', role: 'search' },
      searchField('Filter by id, package, target, title', state.text('search'), (value) => { state.set('search', value); this.refresh(); }),
      dropdown('Severity', severityOptions, state.text('severity', 'all'), (value) => { state.set('severity', value); this.refresh(); }),
      dropdown('Fix', [['all', 'Any'], ['fixable', 'Has a fix'], ['unfixed', 'No fix']], state.text('fix', 'all'), (value) => { state.set('fix', value); this.refresh(); }),
      options.decisions ? dropdown('Gate', [['all', 'Any'], ['counted', 'Counted'], ['aside', 'Not counted']], state.text('gate', 'all'), (value) => { state.set('gate', value); this.refresh(); }) : undefined,
      targets.length > 1 ? dropdown('Target', [['all', 'Any'], ...targets.map((target) => [target, target] as const)], state.text('target', 'all'), (value) => { state.set('target', value); this.refresh(); }) : undefined,
      dropdown('Group by', [['none', 'Nothing'], ['package', 'Package'], ['target', 'Target']], state.text('group', 'none'), (value) => { state.set('group', value); this.collapsed.clear(); this.refresh(); }),
      this.shown,
    );
    this.element = h('div', { class: 'findings' }, filters, h('div', { class: 'split' }, this.table.element, this.details));
    this.showHint();
    this.refresh();
  }

  private showHint(): void {
    this.detailed = undefined;
    clear(this.details);
    this.details.appendChild(h('p', { class: 'hint' }, 'Select a row (Enter or click) to see its details.'));
  }

  /** The filtered, sorted rows; exported for the text filter's measured keystroke in the benchmark. */
  visibleFindings(): ScanFinding[] {
    const state = this.options.state;
    const search = state.text('search').trim().toLowerCase();
    const severity = state.text('severity', 'all');
    const maxRank = severity === 'all' ? Infinity : RANK[severity as ScanSeverity] ?? Infinity;
    const fix = state.text('fix', 'all');
    const target = state.text('target', 'all');
    const gate = state.text('gate', 'all');
    const counts = (finding: ScanFinding) => (this.decisionOf.get(finding)?.status ?? 'counted') === 'counted';
    const rows = this.findings.filter((finding, index) => (!search || this.haystacks[index]!.includes(search))
      && RANK[finding.severity] <= maxRank
      && (fix === 'all' || (fix === 'fixable') === !!finding.fixedVersion)
      && (target === 'all' || finding.target === target)
      && (gate === 'all' || (gate === 'counted') === counts(finding)));
    const [column, direction] = state.text('sort', 'severity:asc').split(':');
    const key = this.columns.find((candidate) => candidate.id === column) ?? this.columns[0]!;
    const compare = key.id === 'severity'
      ? (a: ScanFinding, b: ScanFinding) => RANK[a.severity] - RANK[b.severity] || a.id.localeCompare(b.id)
      : (a: ScanFinding, b: ScanFinding) => key.text(a).localeCompare(key.text(b), undefined, { numeric: true }) || RANK[a.severity] - RANK[b.severity];
    rows.sort(direction === 'desc' ? (a, b) => compare(b, a) : compare);
    this.table.setSort(key.id, direction === 'desc');
    return rows;
  }

  private refresh(): void {
    const rows = this.visibleFindings();
    // The details pane shows a row of the table or nothing: a filter that hides its row clears it.
    if (this.detailed && !rows.includes(this.detailed)) this.showHint();
    const group = this.options.state.text('group', 'none');
    this.shown.textContent = `${rows.length} of ${this.findings.length} findings`;
    if (group === 'none') {
      this.table.setItems(rows);
      return;
    }
    const groups = new Map<string, ScanFinding[]>();
    for (const finding of rows) {
      const name = (group === 'package' ? finding.packageName : finding.target) || '(none)';
      const members = groups.get(name) ?? groups.set(name, []).get(name)!;
      members.push(finding);
    }
    const items: TableItem<ScanFinding>[] = [];
    for (const [name, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const expanded = !this.collapsed.has(name);
      items.push({ group: name, count: members.length, expanded });
      if (expanded) items.push(...members);
    }
    this.table.setItems(items);
  }

  private showDetails(finding: ScanFinding): void {
    this.detailed = finding;
    clear(this.details);
    const decision = this.decisionOf.get(finding);
    const fact = (term: string, value: string | number | undefined) => (value === undefined || value === '' ? undefined : [h('dt', {}, term), h('dd', {}, String(value))]);
    const facts = h('dl', {});
    for (const pair of [
      fact('Severity', finding.severity), fact('CVSS', finding.cvss), fact('Kind', finding.kind), fact('Package', finding.packageName),
      fact('Installed', finding.installedVersion), fact('Fixed in', finding.fixedVersion ?? (finding.kind === 'vulnerability' ? 'no fix yet' : undefined)),
      fact('Target', finding.target), fact('purl', finding.purl),
      fact('Gate', decision ? `${GATE_WORDS[decision.status]}${decision.why ? `: ${decision.why}` : ''}` : undefined),
    ]) if (pair) facts.append(...pair);
    const links = h('ul', { class: 'links' });
    for (const url of finding.urls) {
      // Only http(s) becomes a link, opened by the extension; anything else stays text.
      if (!isWebLink(url)) {
        links.appendChild(h('li', {}, url));
        continue;
      }
      const link = h('vscode-link', { href: '#', title: url }, url);
      link.addEventListener('click', (event) => {
        event.preventDefault();
        this.options.openLink(url);
      });
      links.appendChild(h('li', {}, link));
    }
    this.details.append(
      h('h3', {}, finding.id),
      finding.title ? h('p', { class: 'title' }, finding.title) : '',
      facts,
      finding.description ? h('p', { class: 'description' }, finding.description) : '',
      finding.urls.length > 0 ? h('h4', {}, 'Links') : '',
      finding.urls.length > 0 ? links : '',
    );
  }

  focus(): void {
    this.table.focus();
  }
}
