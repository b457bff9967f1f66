import type { SbomDiff, SbomPackage, ScanFinding } from '../../shared/reportModel';
import { denySet, isDeniedLicense } from './licenses';
import type { Sbom } from './model';
import { comparePackageVersions, packageIdentity, packageName, packageVersion } from './packageIdentity';

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}

/**
 * Added, removed and changed packages between two SBOMs (two tags of one repository, or two formats
 * of one scan). Packages are the same when their identity (purl type/namespace/name and epoch-aware
 * version) is; what is left of a name on both sides pairs up in version order as changes, the rest is
 * added or removed — so removing one of two installed versions is reported, not hidden.
 */
export function diffSboms(before: Sbom, after: Sbom): SbomDiff {
  // Each purl is parsed once per package, not in every comparison of the sorts below.
  const facts = new Map<SbomPackage, { identity: string; name: string; version: string }>();
  const factsOf = (pkg: SbomPackage) => {
    let known = facts.get(pkg);
    if (!known) facts.set(pkg, known = { identity: packageIdentity(pkg), name: packageName(pkg), version: packageVersion(pkg) ?? '' });
    return known;
  };
  const byVersion = (a: SbomPackage, b: SbomPackage): number => comparePackageVersions(factsOf(a).version, factsOf(b).version);
  const remaining = (packages: readonly SbomPackage[], other: readonly SbomPackage[]) => {
    const otherCounts = new Map<string, number>();
    for (const pkg of other) otherCounts.set(factsOf(pkg).identity, (otherCounts.get(factsOf(pkg).identity) ?? 0) + 1);
    return packages.filter((pkg) => {
      const { identity } = factsOf(pkg);
      const left = otherCounts.get(identity) ?? 0;
      if (left === 0) return true;
      otherCounts.set(identity, left - 1);
      return false;
    });
  };
  const oldByName = groupBy(remaining(before.packages, after.packages), (pkg) => factsOf(pkg).name);
  const newByName = groupBy(remaining(after.packages, before.packages), (pkg) => factsOf(pkg).name);
  const added: SbomPackage[] = [];
  const removed: SbomPackage[] = [];
  const changed: { before: SbomPackage; after: SbomPackage }[] = [];
  for (const [name, news] of newByName) {
    const olds = (oldByName.get(name) ?? []).sort(byVersion);
    news.sort(byVersion);
    const pairs = Math.min(olds.length, news.length);
    for (let index = 0; index < pairs; index++) changed.push({ before: olds[index]!, after: news[index]! });
    // Loops, not push(...spread): one name can have more versions than a call takes arguments.
    for (let index = pairs; index < news.length; index++) added.push(news[index]!);
    for (let index = pairs; index < olds.length; index++) removed.push(olds[index]!);
    oldByName.delete(name);
  }
  for (const olds of oldByName.values()) for (const pkg of olds) removed.push(pkg);
  return { added, removed, changed };
}

/** Vulnerabilities (id × package) that appear only after, or only before: what an upgrade gains and loses. */
export function vulnerabilityDelta(before: readonly ScanFinding[], after: readonly ScanFinding[]): { gained: ScanFinding[]; lost: ScanFinding[] } {
  const key = (finding: ScanFinding) => `${finding.id}\u0000${finding.purl ? packageName({ purl: finding.purl, name: '' }) : finding.packageName ?? ''}`;
  const failing = (findings: readonly ScanFinding[]) => findings.filter((finding) => finding.kind === 'vulnerability' && finding.status === 'fail');
  const [old, next] = [failing(before), failing(after)];
  const oldKeys = new Set(old.map(key));
  const newKeys = new Set(next.map(key));
  return { gained: next.filter((finding) => !oldKeys.has(key(finding))), lost: old.filter((finding) => !newKeys.has(key(finding))) };
}

export interface LicenseSummary {
  /** License id or expression → number of packages. */
  readonly counts: ReadonlyMap<string, number>;
  readonly unlicensed: readonly SbomPackage[];
  /** Packages whose license uses a denied id (also inside expressions such as `MIT OR GPL-3.0-only`). */
  readonly denied: readonly { readonly pkg: SbomPackage; readonly license: string }[];
}

/**
 * Licenses across an SBOM, with an optional deny-list of SPDX ids. Expressions are read leniently
 * (unknown tokens kept as `LicenseRef-…`), names mapped to ids (`GPL-3.0` → `GPL-3.0-only`); an `OR`
 * is denied only when every choice is, an `AND` when any part is.
 */
export function summariseLicenses(sbom: Sbom, deny: readonly string[] = []): LicenseSummary {
  const counts = new Map<string, number>();
  const denied: { pkg: SbomPackage; license: string }[] = [];
  const deniedIds = denySet(deny);
  // Thousands of packages share a handful of license texts: each is parsed once.
  const verdicts = new Map<string, boolean>();
  for (const pkg of sbom.packages) {
    for (const license of pkg.licenses) {
      counts.set(license, (counts.get(license) ?? 0) + 1);
      let isDenied = verdicts.get(license);
      if (isDenied === undefined) verdicts.set(license, isDenied = isDeniedLicense(license, deniedIds));
      if (isDenied) denied.push({ pkg, license });
    }
  }
  return { counts, unlicensed: sbom.packages.filter((pkg) => pkg.licenses.length === 0), denied };
}
