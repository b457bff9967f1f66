import parseSpdxExpression from 'spdx-expression-parse';
import type { SbomDiff, SbomPackage } from '../../shared/reportModel';
import type { Sbom } from './model';

/** Packages are matched by type and name (a purl without version); a different version is a change. */
function packageKey(pkg: SbomPackage): string {
  const purl = pkg.purl?.replace(/@[^?#]*/, '').replace(/[?#].*$/, '');
  return purl ?? `${pkg.type ?? ''}/${pkg.name}`;
}

/** Added, removed and changed packages between two SBOMs (two tags of one repository, say). */
export function diffSboms(before: Sbom, after: Sbom): SbomDiff {
  const index = (sbom: Sbom) => new Map(sbom.packages.map((pkg) => [packageKey(pkg), pkg]));
  const [old, next] = [index(before), index(after)];
  return {
    added: [...next].filter(([key]) => !old.has(key)).map(([, pkg]) => pkg),
    removed: [...old].filter(([key]) => !next.has(key)).map(([, pkg]) => pkg),
    changed: [...next].flatMap(([key, pkg]) => {
      const previous = old.get(key);
      return previous && previous.version !== pkg.version ? [{ before: previous, after: pkg }] : [];
    }),
  };
}

export interface LicenseSummary {
  /** License id or expression → number of packages. */
  readonly counts: ReadonlyMap<string, number>;
  readonly unlicensed: readonly SbomPackage[];
  /** Packages whose license uses a denied id (also inside expressions such as `MIT OR GPL-3.0-only`). */
  readonly denied: readonly { readonly pkg: SbomPackage; readonly license: string }[];
}

function licenseIds(expression: string): string[] {
  try {
    const ids: string[] = [];
    const walk = (node: ReturnType<typeof parseSpdxExpression>): void => {
      if ('license' in node) ids.push(node.license);
      else {
        walk(node.left);
        walk(node.right);
      }
    };
    walk(parseSpdxExpression(expression));
    return ids;
  } catch {
    return [expression];
  }
}

/**
 * Licenses across an SBOM, with an optional deny-list of SPDX ids. An `OR` expression is denied
 * only when every choice is denied; `AND` when any part is.
 */
export function summariseLicenses(sbom: Sbom, deny: readonly string[] = []): LicenseSummary {
  const counts = new Map<string, number>();
  const denied: { pkg: SbomPackage; license: string }[] = [];
  const denySet = new Set(deny.map((id) => id.toLowerCase()));
  const isDenied = (expression: string): boolean => {
    try {
      const check = (node: ReturnType<typeof parseSpdxExpression>): boolean => ('license' in node
        ? denySet.has(node.license.toLowerCase())
        : node.conjunction === 'or' ? check(node.left) && check(node.right) : check(node.left) || check(node.right));
      return check(parseSpdxExpression(expression));
    } catch {
      return licenseIds(expression).some((id) => denySet.has(id.toLowerCase()));
    }
  };
  for (const pkg of sbom.packages) {
    for (const license of pkg.licenses) {
      counts.set(license, (counts.get(license) ?? 0) + 1);
      if (denySet.size > 0 && isDenied(license)) denied.push({ pkg, license });
    }
  }
  return { counts, unlicensed: sbom.packages.filter((pkg) => pkg.licenses.length === 0), denied };
}
