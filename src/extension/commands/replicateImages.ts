import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import { describeReplicationItem, executeReplication, planReplication } from '../../core/replicate/replicate';
import type { ReplicationPlan, ReplicationRun } from '../../core/replicate/replicate';
import { reportFailure } from '../log';
import type { Command, Services } from '../services';

export const REPLICATE_COMMAND = 'artifactSteward.replicate.replicateImages';

/** Lines of the plan shown in the confirmation; the rest is in the log. */
const SHOWN_LINES = 25;

function cancellable<T>(work: (signal: AbortSignal, token: vscode.CancellationToken) => Promise<T>): (progress: unknown, token: vscode.CancellationToken) => Promise<T> {
  return (_progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
    return work(controller.signal, token);
  };
}

/** What the confirmation shows; the tests answer it as the user would. */
export interface ReplicateAnswers {
  readonly confirm?: (shown: { readonly message: string; readonly detail: string }) => boolean | Promise<boolean>;
}

async function confirmPlan(plan: ReplicationPlan, answers: ReplicateAnswers | undefined): Promise<boolean> {
  const work = plan.items.filter((item) => item.action !== 'already-there');
  const lines = work.map(describeReplicationItem);
  const failures = plan.failures.map((failure) => `not planned: ${failure.message}`);
  const detail = [...lines, ...failures].slice(0, SHOWN_LINES).join('\n') + (lines.length + failures.length > SHOWN_LINES ? `\n… and ${lines.length + failures.length - SHOWN_LINES} more (see the log)` : '');
  const copies = work.filter((item) => item.action !== 'refused').length;
  const message = `Replicate: ${copies} to copy, ${plan.items.length - work.length} already there, ${work.length - copies} refused.`;
  if (answers?.confirm) return answers.confirm({ message, detail });
  return (await vscode.window.showInformationMessage(message, { modal: true, detail }, 'Replicate')) === 'Replicate';
}

/**
 * Replicate…: plans the workspace's `replication:` rules (for the tree node's registry or
 * repository, else all of them), shows the plan, then copies with progress; the outcome per image
 * goes to the log and a summary to a message. Immutable tags are refused, never moved.
 */
export const replicateImagesCommand: Command = {
  id: REPLICATE_COMMAND,
  async run(services: Services, node?: ExplorerNode, answers?: ReplicateAnswers): Promise<ReplicationRun | undefined> {
    try {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const { config, configFile } = folder ? await services.configs.forFolder(folder.uri.fsPath) : { config: undefined, configFile: undefined };
      const rules = config?.replicationRules ?? [];
      if (rules.length === 0) {
        void vscode.window.showWarningMessage(`Replicate: ${configFile ? `${configFile} has` : 'the workspace has no .steward.yaml with'} no replication: rules.`);
        return undefined;
      }
      const only = node?.kind === 'registry' ? { registry: node.backend.name } : node?.kind === 'repository' ? { registry: node.backend.name, repository: node.repository } : undefined;
      const open = services.openRegistry;
      const options = { promotionRules: config!.promotionRules, ...(only ? { only } : {}) };
      const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Replicate: planning', cancellable: true }, cancellable((signal) => planReplication(rules, open, { ...options, signal })));
      for (const item of plan.items) services.log.info(`Replicate plan: ${describeReplicationItem(item)}`);
      for (const failure of plan.failures) services.log.warn(`Replicate plan: not planned: ${failure.message}`);
      if (plan.items.length === 0 && plan.failures.length === 0) {
        void vscode.window.showInformationMessage(`Replicate: no rule selects an image${only ? ` of ${only.registry}${only.repository ? `/${only.repository}` : ''}` : ''}.`);
        return undefined;
      }
      if (!(await confirmPlan(plan, answers))) return undefined;
      const run = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Replicate', cancellable: true }, (progress, token) => cancellable((signal) => executeReplication(plan, open, {
        ...options, signal, onProgress: ({ step, total }) => progress.report({ message: step, increment: total > 0 ? 100 / total : 0 }),
      }))(progress, token));
      for (const result of run.results) services.log.info(`Replicate: ${result.outcome}: ${describeReplicationItem(result.item)}${result.detail ? `: ${result.detail}` : ''}`);
      const count = (outcome: string) => run.results.filter((result) => result.outcome === outcome).length;
      const summary = `Replicate: ${count('copied')} copied, ${count('already-there')} already there, ${count('refused')} refused, ${count('failed')} failed (${run.stats.blobsCopied} blob(s) copied, ${run.stats.blobsMounted} mounted).`;
      if (count('failed') + count('refused') + plan.failures.length > 0) void vscode.window.showWarningMessage(`${summary} See the log for why.`);
      else void vscode.window.showInformationMessage(summary);
      services.registryTree.refresh();
      return run;
    } catch (error) {
      reportFailure(services.log, 'Replicate', error);
      return undefined;
    }
  },
};
