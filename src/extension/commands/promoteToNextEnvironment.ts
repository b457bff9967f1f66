import { join } from 'node:path';
import * as vscode from 'vscode';
import { checkNextEnvironmentGates, describeNextEnvironmentPromotion, layeredBases, planNextEnvironmentEdits, planNextEnvironmentPromotion } from '../../core/environments/promoteNext';
import type { GateResult } from '../../core/promote/gates';
import type { EnvironmentNode } from '../environments/environmentsTree';
import { reportFailure } from '../log';
import { applyManifestEdits } from '../promote/manifestEdits';
import type { FilePlan, OfferedEdit } from '../promote/manifestEdits';
import type { Command } from '../services';

export const PROMOTE_TO_NEXT_ENVIRONMENT_COMMAND = 'artifactSteward.environments.promoteToNextEnvironment';

export interface PromoteToNextOutcome {
  readonly refused?: string;
  readonly gates: readonly GateResult[];
  readonly edits: readonly OfferedEdit[];
}

/**
 * Promote to next environment, on a row of the Environments view: the next environment's files
 * point at the digest this row's environment runs. The target's gates are checked first (a failure
 * changes nothing); then the GitOps edit of Promote…, one edit per reference, in the next
 * environment's own files only. `answers.acceptPreviewDefaults` (tests) applies what the refactor
 * preview checks at first.
 */
export const promoteToNextEnvironment: Command = {
  id: PROMOTE_TO_NEXT_ENVIRONMENT_COMMAND,
  async run(services, node?: EnvironmentNode, answers: { readonly acceptPreviewDefaults?: boolean } = {}): Promise<PromoteToNextOutcome | undefined> {
    if (node?.kind !== 'row') {
      void vscode.window.showInformationMessage('Promote to next environment works on an environment row of the Environments view.');
      return undefined;
    }
    const { folder, row } = node;
    const refuse = (reason: string, gates: readonly GateResult[] = []): PromoteToNextOutcome => {
      services.log.warn(`Promote to next environment: ${row.repository} from ${row.environment} refused: ${reason}`);
      void vscode.window.showErrorMessage(`Promote to next environment refused: ${reason}`);
      return { refused: reason, gates, edits: [] };
    };
    const plan = planNextEnvironmentPromotion(folder.status, row.repositoryKey, row.environment);
    if ('refused' in plan) return refuse(plan.refused);
    const label = `Promote ${describeNextEnvironmentPromotion(plan)}`;
    try {
      const gates = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${label}: checking the gates of ${plan.to}` }, () => checkNextEnvironmentGates(plan, folder.config.promotionRules, services.openRegistry, { configRoot: folder.root }));
      for (const gate of gates) services.log.info(`${label}: gate ${gate.gate} ${gate.pass ? 'passed' : 'FAILED'}: ${gate.detail}`);
      const failed = gates.filter((gate) => !gate.pass);
      if (failed.length > 0) return refuse(`the gates of ${plan.to} failed: ${failed.map((gate) => `${gate.gate}: ${gate.detail}`).join('; ')}`, gates);
      // Planned on the documents' text, unsaved changes included.
      const documents = new Map<string, vscode.TextDocument>();
      for (const file of [...plan.files, ...layeredBases(plan).values()]) documents.set(file, await vscode.workspace.openTextDocument(vscode.Uri.file(join(folder.root, file))));
      let left = 0;
      const plans: FilePlan[] = planNextEnvironmentEdits(plan, (file) => documents.get(file)?.getText()).flatMap(({ file, plan: references }) => {
        left += references.skipped.length;
        for (const reference of references.skipped) services.log.info(`${label}: left ${file}:${reference.line} ${reference.from}: ${reference.reason}`);
        const document = documents.get(file)!;
        return references.updates.length > 0 ? [{ uri: document.uri, file, document, updates: references.updates }] : [];
      });
      if (plans.length === 0) {
        if (left > 0) void vscode.window.showWarningMessage(`${label}: nothing changed; ${left} reference(s) of ${plan.to} left as they are (the log says why).`, 'Open log').then((choice) => choice && vscode.commands.executeCommand('artifactSteward.log.openLog'));
        else void vscode.window.showInformationMessage(`${plan.to} already deploys ${plan.promoted.reference}.`);
        return { gates, edits: [] };
      }
      const edits = await applyManifestEdits(services, label, plans, 'update', plan.promoted, answers.acceptPreviewDefaults === true);
      services.environments.refresh();
      return { gates, edits };
    } catch (error) {
      reportFailure(services.log, label, error);
      return undefined;
    }
  },
};
