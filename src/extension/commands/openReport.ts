import { basename } from 'node:path';
import * as vscode from 'vscode';
import { reportFailure } from '../log';
import type { Command } from '../services';

export const OPEN_REPORT_COMMAND = 'artifactSteward.reports.openReport';

/** File names scanners and SBOM tools write: SARIF, Trivy and Grype JSON, CycloneDX, SPDX. */
const REPORT_FILES = '**/{*.sarif,*.sarif.json,*trivy*.json,*grype*.json,*.cdx.json,*.cyclonedx.json,*.bom.json,bom.json,*sbom*.json,*.spdx.json}';
const NOT_SEARCHED = '**/{node_modules,.git}/**';
const MOST_LISTED = 200;
const BROWSE = 'Browse…';

export type ReportItem = vscode.QuickPickItem & { readonly uri?: vscode.Uri };

const isSbom = (name: string) => /(\.cdx|\.cyclonedx|\.spdx|\.bom|^bom|sbom)/i.test(name);

/** The workspace's report and SBOM files (by name, nearest folders first), then Browse…. */
async function reportItems(): Promise<ReportItem[]> {
  const found = await vscode.workspace.findFiles(REPORT_FILES, NOT_SEARCHED, MOST_LISTED);
  const files = found.map((uri) => ({ uri, path: vscode.workspace.asRelativePath(uri) })).sort((a, b) => a.path.localeCompare(b.path));
  return [
    ...files.map(({ uri, path }): ReportItem => ({
      label: `$(${isSbom(basename(path)) ? 'checklist' : 'shield'}) ${basename(path)}`,
      description: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '',
      uri,
    })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: `$(folder-opened) ${BROWSE}`, description: 'any JSON or SARIF file' },
  ];
}

/** A report file: picked among the workspace's, or any file through the open dialog. `choose` answers for the picker (tests). */
async function pickReport(choose?: (items: readonly ReportItem[]) => ReportItem | undefined): Promise<vscode.Uri[] | undefined> {
  const items = reportItems();
  const picked = choose ? choose(await items) : await vscode.window.showQuickPick(items, { title: 'Open a scan report or SBOM', matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.uri) return [picked.uri];
  return vscode.window.showOpenDialog({ title: 'Open a scan report or SBOM', canSelectMany: false, filters: { 'Reports and SBOMs': ['json', 'sarif'] } });
}

/**
 * Opens a scan report (Trivy, Grype, SARIF) or an SBOM (CycloneDX, SPDX) in its panel: the file
 * clicked in the explorer, the active editor's file, or one picked among the workspace's report
 * files (or through Browse…). Two files selected in the explorer are compared.
 */
export const openReport: Command = {
  id: OPEN_REPORT_COMMAND,
  async run(services, clicked?: vscode.Uri, selected?: vscode.Uri[], choose?: (items: readonly ReportItem[]) => ReportItem | undefined) {
    const uris = selected && selected.length === 2 ? selected
      : clicked ? [clicked]
      : vscode.window.activeTextEditor?.document.uri.scheme === 'file' && /\.(json|sarif)$/i.test(vscode.window.activeTextEditor.document.uri.fsPath) ? [vscode.window.activeTextEditor.document.uri]
      : await pickReport(choose);
    if (!uris || uris.length === 0) return undefined;
    try {
      return await services.reports.openFiles({ paths: uris.map((uri) => uri.fsPath), labels: uris.map((uri) => basename(uri.fsPath)) });
    } catch (error) {
      reportFailure(services.log, 'Open report', error);
      return undefined;
    }
  },
};
