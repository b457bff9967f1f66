import { PackageURL } from 'packageurl-js';
import semver from 'semver';
import type { SbomPackage } from '../../shared/reportModel';

// One package, however an SBOM writes it: SPDX puts the Debian epoch in the version
// (`1:1.2.13.dfsg-1`), CycloneDX in the purl (`?epoch=1`); qualifiers such as `arch`, `distro` or
// `file_path` differ between tools. Identity is the purl's type, namespace and name plus the version
// with its epoch; a package without a purl is known by its type and name.

export function parsePurl(purl: string | undefined): PackageURL | undefined {
  if (!purl) return undefined;
  try {
    return PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
}

const EPOCH_TYPES = new Set(['deb', 'rpm', 'apk', 'alpm']);

/** `pkg:npm/lodash` (type, namespace, name), or `<type>/<name>` without a purl. */
export function packageName(pkg: Pick<SbomPackage, 'purl' | 'type' | 'name'>): string {
  const purl = parsePurl(pkg.purl);
  if (!purl) return `${pkg.type ?? ''}/${pkg.name}`;
  // PyPI names compare case-insensitively with `_` and `-` alike (the purl spec says so).
  const name = purl.type === 'pypi' ? purl.name.toLowerCase().replace(/_/g, '-') : purl.name;
  return `pkg:${purl.type}/${purl.namespace ? `${purl.namespace}/` : ''}${name}`;
}

/** The version with its epoch (`1:1.2.13.dfsg-1`), from the purl where there is one; a zero epoch is none. */
export function packageVersion(pkg: Pick<SbomPackage, 'purl' | 'version'>): string | undefined {
  const purl = parsePurl(pkg.purl);
  if (purl && EPOCH_TYPES.has(purl.type) && purl.version) {
    const epoch = purl.qualifiers?.epoch;
    return epoch && epoch !== '0' && !purl.version.includes(':') ? `${epoch}:${purl.version}` : purl.version.replace(/^0:/, '');
  }
  const version = purl?.version ?? pkg.version;
  return purl && EPOCH_TYPES.has(purl.type) ? version?.replace(/^0:/, '') : version;
}

export function packageIdentity(pkg: Pick<SbomPackage, 'purl' | 'type' | 'name' | 'version'>): string {
  return `${packageName(pkg)}@${packageVersion(pkg) ?? ''}`;
}

const isDigit = (character: string | undefined): boolean => character !== undefined && character >= '0' && character <= '9';

// dpkg's character order: end and digits first, `~` before everything (even the end), letters before other symbols.
function order(character: string | undefined): number {
  if (character === undefined || isDigit(character)) return 0;
  if (character === '~') return -1;
  return /[A-Za-z]/.test(character) ? character.charCodeAt(0) : character.charCodeAt(0) + 256;
}

// dpkg's verrevcmp: alternating non-digit and digit runs.
function compareRuns(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const difference = order(a[i]) - order(b[j]);
      if (difference !== 0) return difference;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDifference = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDifference === 0) firstDifference = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDifference !== 0) return firstDifference;
  }
  return 0;
}

function splitDebian(version: string): [number, string, string] {
  const colon = version.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(version.slice(0, colon)) ? Number(version.slice(0, colon)) : 0;
  const rest = colon > 0 && epoch >= 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ''];
}

/** Debian's version order (epoch, upstream, revision), as `dpkg --compare-versions` orders them. */
export function compareDebianVersions(a: string, b: string): number {
  const [epochA, upstreamA, revisionA] = splitDebian(a);
  const [epochB, upstreamB, revisionB] = splitDebian(b);
  return Math.sign(epochA - epochB || compareRuns(upstreamA, upstreamB) || compareRuns(revisionA, revisionB));
}

/**
 * Orders two versions of one package: SemVer when both are, else Debian's algorithm, which orders
 * epochs, dotted numbers and `~` pre-releases the way distributions do (RPM's differs only in corner cases).
 */
export function comparePackageVersions(a: string, b: string): number {
  const [semverA, semverB] = [semver.valid(a, { loose: true }), semver.valid(b, { loose: true })];
  return semverA && semverB ? semver.compare(semverA, semverB) : compareDebianVersions(a, b);
}
