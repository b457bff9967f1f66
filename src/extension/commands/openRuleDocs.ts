import * as vscode from 'vscode';
import { RULES_BY_ID } from '../../core/lint/ruleRegistry';
import type { Command } from '../services';

export const OPEN_RULE_DOCS_COMMAND = 'artifactSteward.lint.openRuleDocs';

/**
 * The link behind a diagnostic's rule id: a command that opens the page shipped in the extension.
 * It works offline, and the repository in package.json is not known to publish the docs on the web.
 */
export function ruleDocsTarget(ruleId: string): vscode.Uri {
  return vscode.Uri.parse(`command:${OPEN_RULE_DOCS_COMMAND}?${encodeURIComponent(JSON.stringify([ruleId]))}`);
}

/** Opens docs/rules/<id>.md from the extension's own folder in the Markdown preview; asks for the rule when none is given. */
export const openRuleDocs: Command = {
  id: OPEN_RULE_DOCS_COMMAND,
  async run(services, ruleId?: string) {
    // Command links can be followed from any text: only a known rule id becomes a path.
    const id = ruleId !== undefined && RULES_BY_ID.has(ruleId) ? ruleId : (await vscode.window.showQuickPick(
      [...RULES_BY_ID.values()].map((rule) => ({ label: rule.id, detail: rule.description })),
      { title: 'Open the documentation of a rule', matchOnDetail: true },
    ))?.label;
    if (id === undefined) return;
    const page = vscode.Uri.joinPath(services.extensionUri, 'docs', 'rules', `${id}.md`);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', page);
    } catch {
      // The built-in Markdown extension can be disabled: the page as text still reads well.
      await vscode.window.showTextDocument(page);
    }
  },
};
