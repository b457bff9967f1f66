import * as vscode from 'vscode';
import type { Command } from '../services';

export const APPLY_SNIPPET_FIX_COMMAND = 'artifactSteward.lint.applySnippetFix';

/** Inserts a quick-fix as a snippet so the cursor lands on the values the user must fill in. */
export const applySnippetFix: Command = {
  id: APPLY_SNIPPET_FIX_COMMAND,
  async run(_services, uri: vscode.Uri, range: vscode.Range, snippet: string) {
    const editor = await vscode.window.showTextDocument(uri, { preserveFocus: false });
    await editor.insertSnippet(new vscode.SnippetString(snippet), range);
  },
};
