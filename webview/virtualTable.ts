/**
 * A virtualised, keyboard-accessible grid: only the rows in view (plus a margin) exist in the DOM,
 * so 20,000 findings scroll and filter without a pause. Rows are either data rows or group headers.
 */
import { h } from './dom';

export interface Column<T> {
  readonly id: string;
  readonly title: string;
  /** A CSS grid track: `8em`, `2fr`, `minmax(6em, 1fr)`. */
  readonly width: string;
  readonly text: (row: T) => string;
  /** Extra class of the cell (a severity colour, say). */
  readonly cellClass?: (row: T) => string | undefined;
}

export interface GroupRow {
  readonly group: string;
  readonly count: number;
  readonly expanded: boolean;
}

export type TableItem<T> = T | GroupRow;

export function isGroup<T>(item: TableItem<T>): item is GroupRow {
  return typeof item === 'object' && item !== null && 'group' in item && 'expanded' in item;
}

export interface TableOptions<T> {
  readonly label: string;
  readonly columns: readonly Column<T>[];
  /** Header click: the owner sorts and calls `setItems`. */
  readonly onSort?: (columnId: string) => void;
  /** Enter or click on a data row. */
  readonly onActivate?: (row: T) => void;
  /** Enter or click on a group header. */
  readonly onToggleGroup?: (group: string) => void;
}

const ROW_HEIGHT = 24;
const OVERSCAN = 8;

let tableCount = 0;

export class VirtualTable<T> {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly header: HTMLElement;
  private items: readonly TableItem<T>[] = [];
  private active = -1;
  private readonly pool: HTMLElement[] = [];
  private scheduled = false;
  private readonly idPrefix = `table${++tableCount}`;
  private sort: { column: string; descending: boolean } | undefined;

  constructor(private readonly options: TableOptions<T>) {
    const template = options.columns.map((column) => column.width).join(' ');
    this.header = h('div', { class: 'table-header', role: 'row' });
    this.header.style.gridTemplateColumns = template;
    for (const column of options.columns) {
      const cell = h('div', { role: 'columnheader', class: 'cell', 'data-column': column.id, 'aria-sort': 'none' });
      if (options.onSort) {
        const sortButton = h('button', { class: 'sort', type: 'button' }, column.title);
        sortButton.addEventListener('click', () => options.onSort?.(column.id));
        cell.appendChild(sortButton);
      } else cell.textContent = column.title;
      this.header.appendChild(cell);
    }
    this.spacer = h('div', { class: 'table-spacer' });
    this.viewport = h('div', { class: 'table-viewport', tabindex: '0', role: 'rowgroup', 'aria-label': options.label }, this.spacer);
    this.element = h('div', { class: 'table', role: 'grid', 'aria-label': options.label, 'aria-rowcount': '0' }, this.header, this.viewport);
    this.viewport.addEventListener('scroll', () => this.schedule());
    this.viewport.addEventListener('keydown', (event) => this.onKey(event));
    this.viewport.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
      if (!row) return;
      this.setActive(Number(row.dataset.index));
      this.activate();
    });
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  /** Marks the header of the sorted column (the owner decides the order). */
  setSort(column: string | undefined, descending: boolean): void {
    this.sort = column ? { column, descending } : undefined;
    for (const cell of this.header.querySelectorAll<HTMLElement>('[data-column]')) {
      cell.setAttribute('aria-sort', cell.dataset.column === column ? (descending ? 'descending' : 'ascending') : 'none');
    }
  }

  get sortState(): { column: string; descending: boolean } | undefined {
    return this.sort;
  }

  setItems(items: readonly TableItem<T>[]): void {
    this.items = items;
    this.active = Math.min(this.active, items.length - 1);
    this.spacer.style.height = `${items.length * ROW_HEIGHT}px`;
    this.element.setAttribute('aria-rowcount', String(items.length + 1));
    this.render();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  /** Re-uses a pool of row elements for the rows in view. */
  private render(): void {
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.items.length, Math.ceil((this.viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const template = this.options.columns.map((column) => column.width).join(' ');
    let used = 0;
    for (let index = first; index < last; index++, used++) {
      const row = this.pool[used] ?? this.newRow();
      this.fill(row, index, template);
    }
    for (let spare = used; spare < this.pool.length; spare++) this.pool[spare]!.hidden = true;
  }

  private newRow(): HTMLElement {
    const row = h('div', { class: 'table-row', role: 'row' });
    this.pool.push(row);
    this.spacer.appendChild(row);
    return row;
  }

  private fill(row: HTMLElement, index: number, template: string): void {
    const item = this.items[index]!;
    row.hidden = false;
    row.dataset.index = String(index);
    row.id = `${this.idPrefix}-row-${index}`;
    row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    row.setAttribute('aria-rowindex', String(index + 2));
    row.classList.toggle('active', index === this.active);
    row.setAttribute('aria-selected', String(index === this.active));
    while (row.firstChild) row.removeChild(row.firstChild);
    if (isGroup(item)) {
      row.className = `table-row group-row${index === this.active ? ' active' : ''}`;
      row.style.gridTemplateColumns = '1fr';
      row.setAttribute('aria-expanded', String(item.expanded));
      row.appendChild(h('div', { role: 'gridcell', class: 'cell' }, `${item.expanded ? '▾' : '▸'} ${item.group}`, h('span', { class: 'count' }, ` ${item.count}`)));
      return;
    }
    row.className = `table-row${index === this.active ? ' active' : ''}`;
    row.removeAttribute('aria-expanded');
    row.style.gridTemplateColumns = template;
    for (const column of this.options.columns) {
      const text = column.text(item);
      const extra = column.cellClass?.(item);
      row.appendChild(h('div', { role: 'gridcell', class: extra ? `cell ${extra}` : 'cell', title: text }, text));
    }
  }

  private onKey(event: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (event.key in moves) this.setActive(Math.max(0, this.active + moves[event.key]!));
    else if (event.key === 'Home') this.setActive(0);
    else if (event.key === 'End') this.setActive(this.items.length - 1);
    else if (event.key === 'Enter' || event.key === ' ') this.activate();
    else return;
    event.preventDefault();
  }

  private setActive(index: number): void {
    if (this.items.length === 0) return;
    this.active = Math.min(index, this.items.length - 1);
    this.viewport.setAttribute('aria-activedescendant', `${this.idPrefix}-row-${this.active}`);
    const top = this.active * ROW_HEIGHT;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > this.viewport.scrollTop + this.viewport.clientHeight) this.viewport.scrollTop = top + ROW_HEIGHT - this.viewport.clientHeight;
    this.render();
  }

  private activate(): void {
    const item = this.items[this.active];
    if (item === undefined) return;
    if (isGroup(item)) this.options.onToggleGroup?.(item.group);
    else this.options.onActivate?.(item);
  }

  focus(): void {
    this.viewport.focus();
  }
}
