import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { FixContext } from '../core/dockerfile/fixes';
import type { Finding, Severity } from '../core/lint/finding';
import type { Fix } from '../core/lint/fix';
import { fixesFor } from '../core/lint/fixes';
import { lintText } from '../core/lint/engine';
import { repositorySourceUrl } from '../core/workspace/gitRemote';
import { findRepositoryRoot } from '../core/workspace/walk';
import { classifyTag } from '../core/reference/classify';
import { pinCandidates } from '../core/registry/pin';
import { APPLY_SNIPPET_FIX_COMMAND } from './commands/applySnippetFix';
import { PIN_TO_DIGEST_COMMAND } from './commands/pinToDigest';
import { USE_NEWEST_VERSION_COMMAND } from './commands/useNewestVersion';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { DocumentLinter } from './diagnostics';
import type { LintContext } from '../core/workspace/neighbours';
import { DOCUMENT_SELECTOR, documentKind, fromVscodeRange, relativePath, toVscodeRange } from './documents';
import type { LintConfigs } from './lintConfigs';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('artifactSteward');

const SEVERITY_OF: Readonly<Record<number, Severity>> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
  [vscode.DiagnosticSeverity.Hint]: 'info',
};

function findingOf(diagnostic: vscode.Diagnostic): Finding | undefined {
  const code = diagnostic.code;
  const rule = typeof code === 'object' ? String(code.value) : undefined;
  if (diagnostic.source !== DIAGNOSTIC_SOURCE || !rule) return undefined;
  return { rule, severity: SEVERITY_OF[diagnostic.severity] ?? 'warning', message: diagnostic.message, range: fromVscodeRange(diagnostic.range) };
}

/** Values the workspace knows: the repository's https URL (read from .git/config, nothing executed) and the folder name. */
async function fixContext(document: vscode.TextDocument): Promise<FixContext> {
  const folder = dirname(document.uri.fsPath);
  const repository = await findRepositoryRoot(folder);
  const sourceUrl = repository ? await repositorySourceUrl(repository) : undefined;
  return { title: basename(folder), ...(sourceUrl ? { sourceUrl } : {}) };
}

function workspaceEdit(uri: vscode.Uri, fix: Fix): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const change of fix.edits) edit.replace(uri, toVscodeRange(change.range), change.newText);
  return edit;
}

function toCodeAction(document: vscode.TextDocument, fix: Fix, diagnostic: vscode.Diagnostic): vscode.CodeAction {
  const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.isPreferred = fix.preferred === true;
  const [only] = fix.edits;
  if (fix.snippet && only) {
    // Snippets take the user to the placeholders; a WorkspaceEdit cannot carry tab stops.
    action.command = { title: fix.title, command: APPLY_SNIPPET_FIX_COMMAND, arguments: [document.uri, toVscodeRange(only.range), only.newText, fix.followUp] };
  } else {
    action.edit = workspaceEdit(document.uri, fix);
  }
  return action;
}

class LintCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite, FIX_ALL_KIND] };

  constructor(private readonly configs: LintConfigs, private readonly linter: DocumentLinter) {}

  async provideCodeActions(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const kind = documentKind(document);
    if (!kind) return [];
    const effective = await this.configs.forFile(document.uri.fsPath);
    const path = relativePath(effective.root, document.uri.fsPath);
    const text = document.getText();
    const workspace = await fixContext(document);
    const lintContext = await this.linter.lintContext(document.uri.fsPath, kind);
    if (context.only && FIX_ALL_KIND.contains(context.only) || context.only?.contains(FIX_ALL_KIND)) {
      return this.fixAll(document, path, text, effective.config, workspace, lintContext);
    }
    // One action per distinct fix: the three label-missing findings of a FROM share one "Add missing OCI labels".
    const fixes = new Map<string, vscode.CodeAction>();
    const suppressions = new Map<string, vscode.CodeAction>();
    for (const diagnostic of context.diagnostics) {
      const finding = findingOf(diagnostic);
      if (!finding) continue;
      for (const fix of fixesFor(path, text, finding, effective.config, workspace, kind)) {
        const actions = fix.suppresses ? suppressions : fixes;
        const key = JSON.stringify([fix.title, fix.edits]);
        const existing = actions.get(key);
        if (existing) existing.diagnostics = [...(existing.diagnostics ?? []), diagnostic];
        else actions.set(key, toCodeAction(document, fix, diagnostic));
      }
    }
    const real = [...fixes.values(), ...this.registryActions(document, path, text, range, context, lintContext)];
    // One preferred action, the first real fix that claims it (Enter and "auto fix" apply it); the light
    // bulb lists preferred and then provider order, so suppressions come last and are never focused first.
    const preferred = real.find((action) => action.isPreferred);
    for (const action of real) action.isPreferred = action === preferred;
    return [...real, ...suppressions.values()];
  }

  /** Registry-backed rewrites of the reference under the cursor: they run as commands (network, quick picks). */
  private registryActions(document: vscode.TextDocument, path: string, text: string, range: vscode.Range, context: vscode.CodeActionContext, lintContext: LintContext): vscode.CodeAction[] {
    const candidate = pinCandidates(path, text, { untagged: true, mapTags: true, context: lintContext }).candidates.find((item) => toVscodeRange(item.range).intersection(range) !== undefined);
    if (!candidate) return [];
    const diagnostics = context.diagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE && diagnostic.range.intersection(toVscodeRange(candidate.range)) && String((diagnostic.code as { value: string } | undefined)?.value).startsWith('image-'));
    const kind = diagnostics.length > 0 ? vscode.CodeActionKind.QuickFix : vscode.CodeActionKind.RefactorRewrite;
    const pin = new vscode.CodeAction(candidate.holds === 'untagged-reference' ? 'Pin to digest (as :latest)' : 'Pin to digest (keep the tag)', kind);
    pin.command = { title: pin.title, command: PIN_TO_DIGEST_COMMAND, arguments: [document.uri, candidate] };
    pin.diagnostics = diagnostics;
    // Pinning keeps what the file deploys today and settles every mutable-reference finding.
    pin.isPreferred = diagnostics.length > 0;
    const actions = [pin];
    if (['latest', 'floating', 'major-minor'].includes(classifyTag(candidate.tag))) {
      const newest = new vscode.CodeAction('Use newest version…', kind);
      newest.command = { title: newest.title, command: USE_NEWEST_VERSION_COMMAND, arguments: [document.uri, candidate] };
      newest.diagnostics = diagnostics;
      actions.push(newest);
    }
    return actions;
  }

  /** Applies every fix that is safe without asking (re-declaring global ARGs, OCI keys) in one edit. */
  private fixAll(document: vscode.TextDocument, path: string, text: string, config: Parameters<typeof fixesFor>[3], workspace: FixContext, lintContext: LintContext): vscode.CodeAction[] {
    const kind = documentKind(document);
    const seen = new Set<string>();
    const edit = new vscode.WorkspaceEdit();
    for (const finding of lintText(path, text, config, kind, lintContext)) {
      for (const fix of fixesFor(path, text, finding, config, workspace, kind).filter((candidate) => candidate.safeForFixAll)) {
        for (const change of fix.edits) {
          const key = JSON.stringify(change);
          if (seen.has(key)) continue;
          seen.add(key);
          edit.replace(document.uri, toVscodeRange(change.range), change.newText);
        }
      }
    }
    if (seen.size === 0) return [];
    const action = new vscode.CodeAction('Fix all Artifact Steward problems that are safe to fix', FIX_ALL_KIND);
    action.edit = edit;
    return [action];
  }
}

export function registerCodeActions(context: vscode.ExtensionContext, configs: LintConfigs, linter: DocumentLinter): void {
  context.subscriptions.push(vscode.languages.registerCodeActionsProvider(DOCUMENT_SELECTOR, new LintCodeActions(configs, linter), LintCodeActions.metadata));
}
