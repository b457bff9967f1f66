import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { defaultGate } from '../../core/lint/config';
import type { PromotionScanGate } from '../../core/promote/gates';
import { toSarif } from '../../core/reports/export';
import { isoDateProblem } from '../../core/isoDate';
import { evaluateGate } from '../../core/reports/gate';
import type { AllowEntry, ScanGate } from '../../core/reports/gate';
import { loadVexFiles } from '../../core/reports/loadVex';
import { readReport, scanReportOf } from '../../core/reports/readReport';
import { SEVERITIES } from '../../shared/reportModel';
import type { GateVerdict, ScanReport, ScanSeverity } from '../../shared/reportModel';
import { configFor } from '../check';
import { inert } from '../terminalText';
import { oneOf, print, UnusableInput, unusableInput, UsageError } from '../usage';

const FORMATS = ['text', 'json', 'sarif'] as const;

/** An allow-list file: a YAML/JSON list of `{id, reason, expires?}`, or `{allow: [...]}`. */
async function readAllowFile(path: string): Promise<AllowEntry[]> {
  let data: unknown;
  try {
    data = parseYaml(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UnusableInput(`--allow ${path}: ${(error as Error).message}`);
  }
  const entries = Array.isArray(data) ? data : (data as { allow?: unknown } | null)?.allow;
  if (!Array.isArray(entries)) throw new UnusableInput(`--allow ${path}: expected a list of {id, reason, expires} (or allow: [...])`);
  return entries.map((entry: unknown, index): AllowEntry => {
    const { id, reason, expires } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !id || typeof reason !== 'string' || !reason) throw new UnusableInput(`--allow ${path}: entry ${index + 1} needs an id and a reason`);
    const problem = expires === undefined ? undefined : isoDateProblem(expires);
    if (problem) throw new UnusableInput(`--allow ${path}: entry ${index + 1} (${id}): expires ${problem}`);
    return { id, reason, ...(typeof expires === 'string' ? { expires } : {}) };
  });
}

/** GitHub workflow commands carry their data percent-encoded (%, CR, LF). */
const workflowData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

function textVerdict(reportLabel: string, report: ScanReport, verdict: GateVerdict): string {
  const counts = SEVERITIES.filter((severity) => verdict.counts[severity] > 0).map((severity) => `${verdict.counts[severity]} ${severity}`).join(', ') || 'none';
  const aside = new Map<string, number>();
  for (const decision of verdict.decisions) if (decision.status !== 'counted') aside.set(decision.status, (aside.get(decision.status) ?? 0) + 1);
  const lines = [
    `${verdict.pass ? 'PASS' : 'FAIL'}  ${reportLabel} (${report.tool}${report.artifact ? `, ${report.artifact}` : ''})`,
    `  counted: ${counts}`,
    ...(aside.size > 0 ? [`  not counted: ${[...aside].map(([status, count]) => `${count} ${status.replace('-', ' ')}`).join(', ')}`] : []),
    ...verdict.reasons.map((reason) => `  ✗ ${reason}`),
    ...verdict.unmatchedStatements.map((note) => `  ! VEX matched nothing: ${note}`),
  ];
  const annotations = process.env.GITHUB_ACTIONS === 'true'
    ? [...verdict.reasons.map((reason) => `::error title=steward gate::${workflowData(`${reportLabel}: ${reason}`)}`), ...verdict.unmatchedStatements.map((note) => `::warning title=steward gate VEX::${workflowData(note)}`)]
    : [];
  return `${inert(lines.join('\n'))}\n${annotations.map((line) => `${inert(line)}\n`).join('')}`;
}

function jsonVerdict(report: ScanReport, gate: ScanGate, verdict: GateVerdict): string {
  return `${JSON.stringify({
    pass: verdict.pass, gate, counts: verdict.counts, withoutSeverity: verdict.withoutSeverity, reasons: verdict.reasons, unmatchedStatements: verdict.unmatchedStatements,
    findings: report.findings.map((finding, index) => ({
      id: finding.id, kind: finding.kind, severity: finding.severity, status: verdict.decisions[index]!.status, ...(verdict.decisions[index]!.why ? { why: verdict.decisions[index]!.why } : {}),
      package: finding.packageName ?? null, installed: finding.installedVersion ?? null, fixed: finding.fixedVersion ?? null, purl: finding.purl ?? null, target: finding.target ?? null,
    })),
  }, null, 2)}\n`;
}

/** The report as SARIF for code scanning: what the gate set aside is written as suppressed, with why. */
function sarifVerdict(report: ScanReport, verdict: GateVerdict): string {
  return toSarif({
    ...report,
    findings: report.findings.map((finding, index) => {
      const decision = verdict.decisions[index]!;
      return decision.status === 'counted' || finding.status !== 'fail' ? finding : { ...finding, status: 'suppressed', statusReason: `${decision.status}${decision.why ? `: ${decision.why}` : ''}` };
    }),
  });
}

/** `steward gate <report>`: the scan gate in CI. Exit 0 pass, 1 fail, 2 unusable input or usage. */
export async function gateCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args], allowPositionals: true,
    options: {
      gate: { type: 'string' }, 'block-on': { type: 'string' }, 'max-high': { type: 'string' }, 'ignore-unfixed': { type: 'boolean' },
      'unknown-severity': { type: 'string' }, vex: { type: 'string', multiple: true }, allow: { type: 'string' }, 'deny-license': { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' }, json: { type: 'boolean' }, 'config-root': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('gate takes one scan report (Trivy, Grype, SARIF or CycloneDX JSON)');
  const format = values.json ? 'json' : oneOf(values.format!, FORMATS, 'format');
  try {
    const cwd = process.cwd();
    const loaded = await configFor(cwd, values['config-root']);
    if (loaded.error) throw new UnusableInput(`${loaded.error.file}: ${loaded.error.key}: ${loaded.error.message}`);
    let base: PromotionScanGate | undefined;
    if (values.gate !== undefined) {
      base = loaded.config.gates.get(values.gate);
      if (!base) throw new UsageError(`--gate ${values.gate}: no such gate under gates in ${loaded.file ?? '.steward.yaml (none found)'}${loaded.config.gates.size > 0 ? ` (there are: ${[...loaded.config.gates.keys()].join(', ')})` : ''}`);
    }
    const flags: ScanGate = {
      ...(values['block-on'] !== undefined ? { blockOn: oneOf<ScanSeverity>(values['block-on'].toUpperCase(), SEVERITIES, 'block-on') } : {}),
      ...(values['max-high'] !== undefined ? { maxHigh: nonNegativeInteger(values['max-high']) } : {}),
      ...(values['ignore-unfixed'] ? { ignoreUnfixed: true } : {}),
      ...(values['unknown-severity'] !== undefined ? { unknownSeverity: oneOf(values['unknown-severity'], ['block', 'ignore'] as const, 'unknown-severity') } : {}),
      ...(values.allow !== undefined ? { allow: await readAllowFile(values.allow) } : {}),
      ...(values['deny-license'] ? { deniedLicenses: values['deny-license'] } : {}),
    };
    const fromFile = base ?? (Object.keys(flags).length === 0 ? defaultGate(loaded.config) : undefined);
    if (!fromFile && Object.keys(flags).length === 0) throw new UsageError('gate: no gate given: --gate <name> (from .steward.yaml gates), or --block-on / --max-high …');
    const gate: PromotionScanGate = { ...fromFile, ...flags };
    // VEX files of the config are read inside its folder; --vex files are the caller's own.
    const vex = await Promise.all([loadVexFiles(fromFile?.vex ?? [], loaded.root, loaded.root), loadVexFiles(values.vex ?? [], cwd)])
      .then(([configured, given]) => [...configured, ...given], (error: Error) => { throw new UnusableInput(error.message); });
    const path = positionals[0]!;
    const text = await readFile(path, 'utf8').catch((error: Error) => { throw new UnusableInput(`${path}: ${error.message}`); });
    const result = readReport(text);
    const report = scanReportOf(result);
    if (!report) throw new UnusableInput(`${path}: ${result.kind === 'error' ? result.message : 'an SBOM without vulnerability data, not a scan report'}`);
    const verdict = evaluateGate(report, gate, { vex });
    await print(format === 'json' ? jsonVerdict(report, gate, verdict) : format === 'sarif' ? sarifVerdict(report, verdict) : textVerdict(path, report, verdict));
    return verdict.pass ? 0 : 1;
  } catch (error) {
    return unusableInput('gate', error);
  }
}

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--max-high takes a whole number (got "${value}")`);
  return Number(value);
}
