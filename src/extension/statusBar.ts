import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { documentKind } from './documents';
import type { ReportPanels } from './reports/reportPanels';
import type { ScanView } from '../shared/reportProtocol';

const PROBLEMS_COMMAND = 'workbench.actions.view.problems';

interface Status {
  readonly text: string;
  readonly tooltip: string;
  readonly background?: 'error' | 'warning';
  readonly command?: string;
}

function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 || noun === 'info' ? '' : 's'}`;
}

/** The findings of a linted file, read back from the Problems panel's own data (what the user sees there). */
function findingsStatus(document: vscode.TextDocument): Status {
  const ours = vscode.languages.getDiagnostics(document.uri).filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
  const count = (severity: vscode.DiagnosticSeverity) => ours.filter((diagnostic) => diagnostic.severity === severity).length;
  const errors = count(vscode.DiagnosticSeverity.Error);
  const warnings = count(vscode.DiagnosticSeverity.Warning);
  const infos = ours.length - errors - warnings;
  const name = vscode.workspace.asRelativePath(document.uri);
  if (ours.length === 0) return { text: '$(pass) Steward: no findings', tooltip: `Artifact Steward: no findings in ${name}` };
  const parts = [errors > 0 ? counted(errors, 'error') : '', warnings > 0 ? counted(warnings, 'warning') : '', infos > 0 ? counted(infos, 'info') : ''].filter(Boolean);
  return {
    text: `$(${errors > 0 ? 'error' : warnings > 0 ? 'warning' : 'info'}) Steward: ${parts.join(', ')}`,
    tooltip: `Artifact Steward: ${parts.join(', ')} in ${name}. Click for the Problems panel.`,
    ...(errors > 0 ? { background: 'error' as const } : warnings > 0 ? { background: 'warning' as const } : {}),
    command: PROBLEMS_COMMAND,
  };
}

function gateStatus(view: ScanView): Status {
  if (view.gate === undefined) return { text: '$(circle-slash) Steward: no gate configured', tooltip: 'Artifact Steward: no gate judges this report (.steward.yaml gates, or the artifactSteward.reports.gate setting).' };
  const reasons = view.verdict.reasons.length > 0 ? `: ${view.verdict.reasons.join('; ')}` : '';
  return view.verdict.pass
    ? { text: '$(pass) Steward: gate passed', tooltip: `Artifact Steward gate (${view.gate}) passed${reasons}` }
    : { text: '$(error) Steward: gate failed', tooltip: `Artifact Steward gate (${view.gate}) failed${reasons}`, background: 'error' };
}

/** What the item says for what is in front: a scan report's gate verdict, a linted file's findings, else nothing. */
function currentStatus(reports: ReportPanels): Status | undefined {
  const panel = reports.activePanel();
  if (panel) return panel.view?.kind === 'scan' ? gateStatus(panel.view) : undefined;
  const document = vscode.window.activeTextEditor?.document;
  return document && documentKind(document) ? findingsStatus(document) : undefined;
}

/** The status-bar item: the open file's findings, or the gate state of the scan report in front. */
export function registerStatusBar(context: vscode.ExtensionContext, reports: ReportPanels): void {
  const item = vscode.window.createStatusBarItem('artifactSteward.status', vscode.StatusBarAlignment.Left, 0);
  item.name = 'Artifact Steward';
  const update = () => {
    const status = currentStatus(reports);
    if (!status) {
      item.hide();
      return;
    }
    item.text = status.text;
    item.tooltip = status.tooltip;
    item.command = status.command;
    item.backgroundColor = status.background ? new vscode.ThemeColor(`statusBarItem.${status.background}Background`) : undefined;
    item.show();
  };
  context.subscriptions.push(item,
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.languages.onDidChangeDiagnostics((event) => {
      const shown = vscode.window.activeTextEditor?.document.uri.toString();
      if (event.uris.some((uri) => uri.toString() === shown)) update();
    }),
    reports.onDidChange(update));
  update();
}
