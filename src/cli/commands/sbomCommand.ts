import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { attachmentContent, inspectImage } from '../../core/registry/inspect';
import { chooseSbom } from '../../core/registry/sbomAttachment';
import { parseReference } from '../../core/reference/parse';
import type { Sbom } from '../../core/reports/model';
import { readReport, scanReportOf } from '../../core/reports/readReport';
import { diffSboms, summariseLicenses, vulnerabilityDelta } from '../../core/reports/sbomAnalysis';
import type { SbomPackage, ScanFinding } from '../../shared/reportModel';
import { registryAccess } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { inert } from '../terminalText';
import { print, UnusableInput, unusableInput, UsageError } from '../usage';

/** An SBOM to compare, and the vulnerabilities known for it (its own, or a scan report attached beside it). */
interface SbomInput {
  readonly label: string;
  readonly sbom: Sbom;
  readonly vulnerabilities?: readonly ScanFinding[];
}


function sbomOf(text: string, label: string): Sbom {
  const result = readReport(text);
  if (result.kind === 'sbom') return result.sbom;
  throw new UnusableInput(`${label}: ${result.kind === 'error' ? result.message : 'a scan report, not an SBOM'}`);
}

/** A file, or an image reference whose SBOM attachment (and newest scan report, if any) is read. */
async function readInput(argument: string, open: () => ReturnType<typeof registryAccess>, platform?: string): Promise<SbomInput> {
  if (existsSync(argument)) {
    const sbom = sbomOf(await readFile(argument, 'utf8'), argument);
    return { label: argument, sbom, ...(sbom.scanned ? { vulnerabilities: sbom.vulnerabilities } : {}) };
  }
  const parsed = parseReference(argument);
  if (!parsed.ok) throw new UnusableInput(`${argument} is neither a file nor an image reference (${parsed.error})`);
  const { domain, path, tag, digest } = parsed.reference;
  const backend = open().open(domain);
  const details = await inspectImage(backend, path, digest ?? tag ?? 'latest');
  const chosen = chooseSbom(details.attachments, platform);
  if ('problem' in chosen) throw new UnusableInput(`${argument} (${details.digest}) ${chosen.problem}`);
  const sbomAttachment = chosen.attachment;
  const sbom = sbomOf((await attachmentContent(backend, path, sbomAttachment)).toString('utf8'), `${argument}'s SBOM`);
  const scans = details.attachments.filter((attachment) => attachment.kind === 'scan-report' && (attachment.platform === undefined || attachment.platform === sbomAttachment.platform)).sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
  const scan = scans[0] ? scanReportOf(readReport((await attachmentContent(backend, path, scans[0])).toString('utf8'))) : undefined;
  const vulnerabilities = scan?.findings ?? (sbom.scanned ? sbom.vulnerabilities : undefined);
  const about = sbomAttachment.platform ? `, ${sbomAttachment.platform}` : '';
  return { label: `${argument} (${details.digest.slice(0, 19)}…${about})`, sbom, ...(vulnerabilities ? { vulnerabilities } : {}) };
}

const describe = (pkg: SbomPackage): string => `${pkg.purl ?? `${pkg.type ? `${pkg.type}/` : ''}${pkg.name}`}${pkg.purl ? '' : pkg.version ? `@${pkg.version}` : ''}`;
const plain = (pkg: SbomPackage) => ({ name: pkg.name, version: pkg.version ?? null, type: pkg.type ?? null, purl: pkg.purl ?? null });
const plainFinding = (finding: ScanFinding) => ({ id: finding.id, severity: finding.severity, package: finding.packageName ?? null, installed: finding.installedVersion ?? null, purl: finding.purl ?? null });

async function diffCommand(positionals: readonly string[], json: boolean, open: () => ReturnType<typeof registryAccess>, platform?: string): Promise<number> {
  if (positionals.length !== 2) throw new UsageError('sbom diff takes two SBOMs (files or image references)');
  const [before, after] = await Promise.all(positionals.map((argument) => readInput(argument, open, platform)));
  const diff = diffSboms(before!.sbom, after!.sbom);
  const delta = before!.vulnerabilities && after!.vulnerabilities ? vulnerabilityDelta(before!.vulnerabilities, after!.vulnerabilities) : undefined;
  if (json) {
    await print(`${JSON.stringify({
      before: before!.label, after: after!.label,
      added: diff.added.map(plain), removed: diff.removed.map(plain), changed: diff.changed.map(({ before: old, after: next }) => ({ before: plain(old), after: plain(next) })),
      ...(delta ? { vulnerabilities: { gained: delta.gained.map(plainFinding), lost: delta.lost.map(plainFinding) } } : {}),
    }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `${before!.label} → ${after!.label}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`,
    ...diff.added.map((pkg) => `  + ${describe(pkg)}`),
    ...diff.removed.map((pkg) => `  - ${describe(pkg)}`),
    ...diff.changed.map(({ before: old, after: next }) => `  ~ ${old.name} ${old.version ?? '?'} → ${next.version ?? '?'}`),
    ...(delta ? [`Vulnerabilities: ${delta.gained.length} gained, ${delta.lost.length} lost`, ...delta.gained.map((finding) => `  + ${finding.id} ${finding.severity} ${finding.packageName ?? ''}`), ...delta.lost.map((finding) => `  - ${finding.id} ${finding.severity} ${finding.packageName ?? ''}`)] : ['Vulnerabilities: not known for both (attach scan reports, or compare scanned CycloneDX SBOMs)']),
  ];
  await print(`${inert(lines.join('\n'))}\n`);
  return 0;
}

async function licensesCommand(positionals: readonly string[], deny: readonly string[], json: boolean, open: () => ReturnType<typeof registryAccess>, platform?: string): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('sbom licenses takes one SBOM (a file or an image reference)');
  const input = await readInput(positionals[0]!, open, platform);
  const summary = summariseLicenses(input.sbom, deny);
  if (json) {
    await print(`${JSON.stringify({
      sbom: input.label, licenses: Object.fromEntries([...summary.counts].sort(([, a], [, b]) => b - a)), unlicensed: summary.unlicensed.length,
      denied: summary.denied.map(({ pkg, license }) => ({ ...plain(pkg), license })),
    }, null, 2)}\n`);
  } else {
    const lines = [
      `${input.label}: ${input.sbom.packages.length} packages, ${summary.counts.size} licenses, ${summary.unlicensed.length} without a license`,
      ...[...summary.counts].sort(([, a], [, b]) => b - a).map(([license, count]) => `  ${String(count).padStart(6)}  ${license}`),
      ...(deny.length > 0 ? [summary.denied.length === 0 ? `No package has a denied license (${deny.join(', ')}).` : `Denied (${deny.join(', ')}):`, ...summary.denied.map(({ pkg, license }) => `  ✗ ${describe(pkg)}: ${license}`)] : []),
    ];
    await print(`${inert(lines.join('\n'))}\n`);
  }
  return summary.denied.length > 0 ? 1 : 0;
}

/** `steward sbom diff <a> <b>` and `steward sbom licenses <sbom> [--deny ID…]`. Exit 2 on an unusable input. */
export async function sbomCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' }, deny: { type: 'string', multiple: true }, platform: { type: 'string' }, ...REGISTRY_OPTIONS } });
  const [subcommand, ...rest] = positionals;
  let access: ReturnType<typeof registryAccess> | undefined;
  const open = () => (access ??= registryAccess(values));
  try {
    if (values.platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(values.platform)) throw new UsageError(`--platform takes os/architecture[/variant], such as linux/arm64 (got "${inert(values.platform)}")`);
    if (subcommand === 'diff') return await diffCommand(rest, values.json === true, open, values.platform);
    if (subcommand === 'licenses') return await licensesCommand(rest, values.deny ?? [], values.json === true, open, values.platform);
    throw new UsageError(subcommand === undefined ? 'sbom needs diff or licenses' : `unknown sbom subcommand "${subcommand}"`);
  } catch (error) {
    return unusableInput('sbom', error);
  } finally {
    await access?.close();
  }
}
