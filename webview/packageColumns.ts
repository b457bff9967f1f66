/** Package columns shared by the SBOM panel and the SBOM diff. */
import type { SbomPackage } from '../src/shared/reportModel';
import type { Column } from './virtualTable';

export const PACKAGE_COLUMNS: readonly Column<SbomPackage>[] = [
  { id: 'name', title: 'Name', width: 'minmax(8em, 2fr)', text: (pkg) => pkg.name },
  { id: 'version', title: 'Version', width: 'minmax(0, 1fr)', text: (pkg) => pkg.version ?? '' },
  { id: 'type', title: 'Type', width: '6em', text: (pkg) => pkg.type ?? '' },
  { id: 'licenses', title: 'Licenses', width: 'minmax(0, 1.5fr)', text: (pkg) => pkg.licenses.join(', ') },
  { id: 'supplier', title: 'Supplier', width: 'minmax(0, 1fr)', text: (pkg) => pkg.supplier ?? '' },
];

export function comparePackages(column: Column<SbomPackage>, descending: boolean): (a: SbomPackage, b: SbomPackage) => number {
  const compare = (a: SbomPackage, b: SbomPackage) => column.text(a).localeCompare(column.text(b), undefined, { numeric: true }) || a.name.localeCompare(b.name);
  return descending ? (a, b) => compare(b, a) : compare;
}
