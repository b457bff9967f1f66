import * as vscode from 'vscode';

/** `vscode.window.showWarningMessage` with message items; tests pass their own to read the modal and answer it. */
export type WarningPrompt = (message: string, options: vscode.MessageOptions, ...items: vscode.MessageItem[]) => Thenable<vscode.MessageItem | undefined>;

export interface DestructiveQuestion {
  readonly message: string;
  /** What the modal says (kept short: a modal does not scroll well). */
  readonly detail: string;
  /** The destructive button's title. */
  readonly action: string;
  /** Everything, in Markdown: opened in an editor by "Show details". */
  readonly details: string;
}

/**
 * A modal whose Enter does nothing harmful. VS Code makes the first item the default (primary,
 * focused) button; `isCloseAffordance` only marks the Cancel button Escape presses, it does not move
 * the default — so the first item is "Show details", which opens the full list in an editor and
 * deletes nothing, and the destructive action is the second. True only for the action.
 */
export async function confirmDestructive(question: DestructiveQuestion, ask: WarningPrompt = (message, options, ...items) => vscode.window.showWarningMessage(message, options, ...items)): Promise<boolean> {
  const showDetails: vscode.MessageItem = { title: 'Show details' };
  const destroy: vscode.MessageItem = { title: question.action };
  const cancel: vscode.MessageItem = { title: 'Cancel', isCloseAffordance: true };
  const answer = await ask(question.message, { modal: true, detail: question.detail }, showDetails, destroy, cancel);
  if (answer === showDetails) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'markdown', content: question.details }));
  return answer === destroy;
}
