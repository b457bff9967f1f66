import * as vscode from 'vscode';

/**
 * Minimal activation: the editor features (diagnostics, quick-fixes, explorer) register here as
 * they land, one `registerX(context, services)` call each.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Artifact Steward', { log: true });
  context.subscriptions.push(log);
  log.info(`Artifact Steward ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): void {}
