import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'artifact-steward.artifact-steward';

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder (a copy of examples/)');
  return folder.uri;
}

export function fileUri(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), relative);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SEVERITY = ['error', 'warning', 'info', 'info'];

/** Our diagnostics of a file in the CLI's shape: `path:line:column severity rule`. */
export function diagnosticsOf(uri: vscode.Uri, relative: string): string[] {
  return vscode.languages.getDiagnostics(uri)
    .filter((diagnostic) => diagnostic.source === 'Artifact Steward')
    .map((diagnostic) => `${relative}:${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} ${SEVERITY[diagnostic.severity]} ${(diagnostic.code as { value: string }).value}`);
}

/** Opens a file and waits until its diagnostics have settled (two equal reads in a row). */
export async function openAndSettle(relative: string): Promise<{ document: vscode.TextDocument; diagnostics: string[] }> {
  const document = await vscode.workspace.openTextDocument(fileUri(relative));
  await vscode.window.showTextDocument(document);
  let previous = '';
  const diagnostics = await waitFor(`diagnostics of ${relative}`, async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const current = diagnosticsOf(document.uri, relative);
    const key = JSON.stringify(current);
    const settled = current.length > 0 && key === previous;
    previous = key;
    return settled ? current : undefined;
  });
  return { document, diagnostics };
}

/** Runs the code action with `title` offered for the first diagnostic of `rule`, as the light bulb would. */
export async function applyQuickFix(document: vscode.TextDocument, rule: string, title: string, occurrence = 0): Promise<void> {
  const diagnostic = vscode.languages.getDiagnostics(document.uri).filter((candidate) => (candidate.code as { value: string } | undefined)?.value === rule)[occurrence];
  assert.ok(diagnostic, `no ${rule} diagnostic`);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
  const action = actions.find((candidate) => candidate.title === title);
  assert.ok(action, `no "${title}" among ${actions.map((candidate) => `"${candidate.title}"`).join(', ')}`);
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit));
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}
