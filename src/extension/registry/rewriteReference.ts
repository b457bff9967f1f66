import * as vscode from 'vscode';
import type { PinCandidate } from '../../core/registry/pin';
import { toVscodeRange } from '../documents';

/** Replaces a reference found earlier, unless the user edited it meanwhile (then it says so). */
export async function rewriteReference(uri: vscode.Uri, candidate: PinCandidate, newText: string): Promise<void> {
  const range = toVscodeRange(candidate.range);
  const document = await vscode.workspace.openTextDocument(uri);
  if (document.getText(range) !== candidate.written) throw new Error(`${candidate.written} changed before it could be rewritten`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, range, newText);
  await vscode.workspace.applyEdit(edit);
}
