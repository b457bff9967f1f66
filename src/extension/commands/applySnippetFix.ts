import * as vscode from 'vscode';
import type { Fix } from '../../core/lint/fix';
import type { Command } from '../services';

export const APPLY_SNIPPET_FIX_COMMAND = 'artifactSteward.lint.applySnippetFix';

/** Inserts a quick-fix as a snippet so the cursor lands on the values the user must fill in. */
export const applySnippetFix: Command = {
  id: APPLY_SNIPPET_FIX_COMMAND,
  async run(_services, uri: vscode.Uri, range: vscode.Range, snippet: string, followUp?: Fix['followUp']) {
    const editor = await vscode.window.showTextDocument(uri, { preserveFocus: false });
    // Core already indented every line; VS Code would add the insertion line's indentation again.
    await editor.insertSnippet(new vscode.SnippetString(snippet), range, { undoStopBefore: true, undoStopAfter: true, keepWhitespace: true });
    if (followUp) {
      // Not awaited: the notification stays while the user fills in the tab stops.
      void vscode.window.showInformationMessage(followUp.message, 'Copy').then((choice) => {
        if (choice === 'Copy') void vscode.env.clipboard.writeText(followUp.copyText);
      });
    }
  },
};
