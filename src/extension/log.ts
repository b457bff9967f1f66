import * as vscode from 'vscode';

/** The small logger core and the extension share; one LogOutputChannel behind it. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const OPEN_LOG_COMMAND = 'artifactSteward.log.openLog';

export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Artifact Steward', { log: true });
}

/** Shows an error with an "Open log" action; the log has the details. */
export async function showError(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, 'Open log');
  if (choice === 'Open log') await vscode.commands.executeCommand(OPEN_LOG_COMMAND);
}

/** Logs a failed action with its stack and shows its message with "Open log": one wording for every command. */
export function reportFailure(log: Logger, action: string, error: unknown): void {
  const message = (error as Error).message ?? String(error);
  log.error(`${action} failed: ${(error as Error).stack ?? message}`);
  void showError(`${action} failed: ${message}`);
}
