import * as vscode from 'vscode';
import { applyRetention, GARBAGE_COLLECTION_REMINDER } from '../../core/retention/apply';
import type { ApplyResult } from '../../core/retention/apply';
import { describeResult, describeUnreadable } from '../../core/retention/describe';
import { confirmDestructive } from '../confirmDestructive';
import type { WarningPrompt } from '../confirmDestructive';
import { reportFailure } from '../log';
import type { Command } from '../services';

export const APPLY_RETENTION_COMMAND = 'artifactSteward.retention.applyPlan';

/**
 * Applies the shown retention plan after a modal confirmation naming what goes (every tag on a
 * digest goes with it) and the workspace files that could not be read or parsed — then the only
 * way on is "Delete without them"; `answers` skip the question (tests). Results go to the log, the
 * plan is dropped (it is stale) and the tree reloads.
 */
export const applyRetentionCommand: Command = {
  id: APPLY_RETENTION_COMMAND,
  async run(services, answers: { confirm?: boolean; allowUnreadable?: boolean; ask?: WarningPrompt } = {}): Promise<ApplyResult[] | undefined> {
    const { plan, backend } = services.retention;
    if (!plan || !backend) {
      void vscode.window.showInformationMessage('There is no retention plan to apply: run Plan retention… first.');
      return undefined;
    }
    const doomed = plan.repositories.flatMap((repository) => repository.items.filter((item) => item.action === 'delete').map((item) => ({ repository: repository.repository, item })));
    if (doomed.length === 0) {
      void vscode.window.showInformationMessage('The retention plan deletes nothing.');
      return [];
    }
    if (!answers.confirm) {
      const tags = doomed.flatMap(({ repository, item }) => item.tags.map((tag) => `${repository}:${tag}`));
      const unprotected = plan.unreadable.length > 0 ? `\n${describeUnreadable(plan.unreadable)}.` : '';
      const closing = `This cannot be undone; protected images are not touched.\n${GARBAGE_COLLECTION_REMINDER}`;
      const confirmed = await confirmDestructive({
        message: `Delete ${doomed.length} digest(s) from ${backend.name}?`,
        detail: `Every tag on a digest goes with it: ${tags.slice(0, 20).join(', ')}${tags.length > 20 ? ` and ${tags.length - 20} more` : ''}.${unprotected}\n${closing}`,
        action: plan.unreadable.length > 0 ? 'Delete without them' : 'Delete',
        details: `# Apply the retention plan to ${backend.name}\n\n${doomed.map(({ repository, item }) => `- ${repository}@${item.digest}${item.tags.length > 0 ? ` (${item.tags.join(', ')})` : ''}`).join('\n')}\n${unprotected ? `\n${unprotected.trim()}\n` : ''}\n${closing}\n`,
      }, answers.ask);
      if (!confirmed) return undefined;
    }
    // The modal named the unreadable files before its button was pressed; tests answer for themselves.
    const allowUnreadable = !answers.confirm || answers.allowUnreadable === true;
    const results: ApplyResult[] = [];
    let cancelled = false;
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Applying retention', cancellable: true }, (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => {
          cancelled = true;
          controller.abort(new Error('cancelled'));
        });
        return applyRetention(plan, () => backend, {
          signal: controller.signal,
          allowUnreadable,
          onResult: (result) => {
            results.push(result);
            services.log.info(`Retention: ${describeResult(result)}`);
            progress.report({ message: `${results.length}/${doomed.length}`, increment: 100 / doomed.length });
          },
        });
      });
      const count = (outcome: ApplyResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
      void vscode.window.showInformationMessage(`Retention applied: ${count('deleted')} deleted, ${count('already gone')} already gone, ${count('skipped')} skipped (changed since the plan, or what they depend on stayed; see the log). ${GARBAGE_COLLECTION_REMINDER}`);
    } catch (error) {
      const deleted = results.filter((result) => result.outcome === 'deleted').length;
      if (cancelled) void vscode.window.showInformationMessage(`Retention cancelled after ${deleted} deletion(s); nothing else was touched.`);
      else reportFailure(services.log, `Retention (stopped after ${deleted} deletion(s))`, error);
    } finally {
      services.retention.clear();
      services.registryTree.refresh();
    }
    return results;
  },
};
