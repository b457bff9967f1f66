import { basename } from 'node:path';
import * as vscode from 'vscode';
import { reportFailure } from '../log';
import type { Command } from '../services';

export const OPEN_REPORT_COMMAND = 'artifactSteward.reports.openReport';

/**
 * Opens a scan report (Trivy, Grype, SARIF) or an SBOM (CycloneDX, SPDX) in its panel: the file
 * clicked in the explorer, the active editor's file, or one picked in a dialog. Two files selected
 * in the explorer are compared.
 */
export const openReport: Command = {
  id: OPEN_REPORT_COMMAND,
  async run(services, clicked?: vscode.Uri, selected?: vscode.Uri[]) {
    const uris = selected && selected.length === 2 ? selected
      : clicked ? [clicked]
      : vscode.window.activeTextEditor?.document.uri.scheme === 'file' && /\.(json|sarif)$/i.test(vscode.window.activeTextEditor.document.uri.fsPath) ? [vscode.window.activeTextEditor.document.uri]
      : await vscode.window.showOpenDialog({ title: 'Open a scan report or SBOM', canSelectMany: false, filters: { 'Reports and SBOMs': ['json', 'sarif'] } });
    if (!uris || uris.length === 0) return undefined;
    try {
      return await services.reports.openFiles({ paths: uris.map((uri) => uri.fsPath), labels: uris.map((uri) => basename(uri.fsPath)) });
    } catch (error) {
      reportFailure(services.log, 'Open report', error);
      return undefined;
    }
  },
};
