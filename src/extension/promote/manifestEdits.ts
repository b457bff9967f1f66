import * as vscode from 'vscode';
import type { Concern, PromotedImage, ReferenceUpdate } from '../../core/promote/gitops';
import type { Services } from '../services';

/** The answer to "Also update manifests…?": nothing is the default. */
export type ManifestChoice = 'leave' | 'update' | 'update-with-source';

/** One reference edit offered after a promotion, as the refactor preview lists it. */
export interface OfferedEdit {
  readonly file: string;
  readonly line: number;
  readonly from: string;
  readonly to: string;
  readonly needsConfirmation: boolean;
}

/** The refactor preview groups edits by label: those needing a yes sit apart, unchecked. */
const CONCERN_LABELS: Readonly<Record<Concern, string>> = {
  older: 'To an older version: check each one you want',
  'not-known-newer': 'Not known to be newer: check each one you want',
  'other-repository': 'The promoted source moves to the target repository: check each one you want',
};

export interface FilePlan {
  readonly uri: vscode.Uri;
  readonly file: string;
  readonly document: vscode.TextDocument;
  readonly updates: readonly ReferenceUpdate[];
}

/**
 * One edit per reference, with its line, old and new text; those needing a yes start unchecked.
 * `checkedAtFirst` holds the edits the refactor preview starts with checked.
 */
function manifestEdit(plans: readonly FilePlan[], choice: ManifestChoice, promoted: PromotedImage): { edit: vscode.WorkspaceEdit; checkedAtFirst: vscode.WorkspaceEdit; offered: OfferedEdit[] } {
  const edit = new vscode.WorkspaceEdit();
  const checkedAtFirst = new vscode.WorkspaceEdit();
  const offered: OfferedEdit[] = [];
  for (const plan of plans) {
    for (const update of plan.updates) {
      if (update.concern?.kind === 'other-repository' && choice !== 'update-with-source') continue;
      const range = new vscode.Range(plan.document.positionAt(update.start), plan.document.positionAt(update.end));
      const description = `line ${update.line}: ${update.from} → ${update.to}${update.concern ? ` (${update.concern.reason})` : ''}`;
      if (update.concern) edit.replace(plan.uri, range, update.text, { label: CONCERN_LABELS[update.concern.kind], description, needsConfirmation: true });
      else {
        edit.replace(plan.uri, range, update.text, { label: `Point at ${promoted.reference}`, description, needsConfirmation: false });
        checkedAtFirst.replace(plan.uri, range, update.text);
      }
      offered.push({ file: plan.file, line: update.line, from: update.from, to: update.to, needsConfirmation: update.concern !== undefined });
    }
  }
  return { edit, checkedAtFirst, offered };
}

/**
 * Applies the edits as a refactoring: those needing confirmation open the refactor preview
 * unchecked, and Apply applies what is checked (`acceptPreviewDefaults`: what it checks at first,
 * for the tests); every edit offered is logged under `label`.
 */
export async function applyManifestEdits(services: Services, label: string, plans: readonly FilePlan[], choice: ManifestChoice, promoted: PromotedImage, acceptPreviewDefaults: boolean): Promise<OfferedEdit[]> {
  const { edit, checkedAtFirst, offered } = manifestEdit(plans, choice, promoted);
  const applied = await vscode.workspace.applyEdit(acceptPreviewDefaults ? checkedAtFirst : edit, { isRefactoring: true });
  services.log.info(`${label}: manifest edits ${applied ? 'applied' : 'not applied'} (${offered.map((entry) => `${entry.file}:${entry.line} ${entry.from} → ${entry.to}${entry.needsConfirmation ? ' [needs confirmation]' : ''}`).join('; ')})`);
  return offered;
}
