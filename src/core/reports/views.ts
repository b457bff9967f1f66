/** Core results turned into the plain views the report panels render (src/shared/reportProtocol). */
import type { ScanFinding, ScanReport } from '../../shared/reportModel';
import type { DiffView, ReportSource, SbomView, ScanView } from '../../shared/reportProtocol';
import { evaluateGate } from './gate';
import type { ScanGate } from './gate';
import type { Sbom } from './model';
import { diffSboms, summariseLicenses, vulnerabilityDelta } from './sbomAnalysis';

/** The gate in words, as the panel's verdict line shows it. */
export function describeGate(gate: ScanGate): string | undefined {
  const parts = [
    gate.blockOn && `block on ${gate.blockOn} and above`,
    gate.maxHigh !== undefined && `at most ${gate.maxHigh} HIGH`,
    gate.ignoreUnfixed && 'unfixed ignored',
    gate.allow && gate.allow.length > 0 && `${gate.allow.length} allowed id(s)`,
  ].filter((part): part is string => typeof part === 'string');
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export function scanView(report: ScanReport, source: ReportSource, gate: ScanGate, today = new Date()): ScanView {
  const gateText = describeGate(gate);
  return { kind: 'scan', source, report, verdict: evaluateGate(report, gate, { today }), ...(gateText ? { gate: gateText } : {}) };
}

/**
 * An SBOM with its license summary; vulnerabilities are the SBOM's own (CycloneDX) or, when it has
 * none, those of a scan report of the same image.
 */
export function sbomView(sbom: Sbom, source: ReportSource, deniedLicenses: readonly string[], sameImageScan?: { report: ScanReport; label: string }): SbomView {
  const licenses = summariseLicenses(sbom, deniedLicenses);
  const deniedIds = new Set(licenses.denied.map(({ license }) => license));
  const ownVulnerabilities = sbom.vulnerabilities.length > 0;
  const vulnerabilities: readonly ScanFinding[] = ownVulnerabilities ? sbom.vulnerabilities : sameImageScan?.report.findings.filter((finding) => finding.kind === 'vulnerability') ?? [];
  const vulnerabilitySource = ownVulnerabilities ? 'the SBOM itself' : sameImageScan && vulnerabilities.length > 0 ? sameImageScan.label : undefined;
  return {
    kind: 'sbom',
    source,
    format: `${sbom.format === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} ${sbom.specVersion}`,
    ...(sbom.tool ? { tool: sbom.tool } : {}),
    ...(sbom.created ? { created: sbom.created } : {}),
    ...(sbom.subject ? { subject: sbom.subject } : {}),
    packages: sbom.packages,
    dependencies: [...sbom.dependencies],
    licenses: [...licenses.counts].map(([license, packages]) => ({ license, packages, denied: deniedIds.has(license) })),
    unlicensed: licenses.unlicensed.length,
    deniedPackages: [...new Set(licenses.denied.map(({ pkg }) => pkg.id))],
    vulnerabilities,
    ...(vulnerabilitySource ? { vulnerabilitySource } : {}),
  };
}

/** The diff, and the vulnerability delta when both SBOMs carry vulnerabilities (scanned CycloneDX). */
export function diffView(before: Sbom, after: Sbom, source: ReportSource): DiffView {
  const delta = before.scanned && after.scanned ? vulnerabilityDelta(before.vulnerabilities, after.vulnerabilities) : undefined;
  return { kind: 'diff', source, diff: diffSboms(before, after), ...(delta ? { vulnerabilities: delta } : {}) };
}
