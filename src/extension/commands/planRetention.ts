import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { formatBytes } from '../../core/formatBytes';
import { ruleFor } from '../../core/promote/gates';
import type { ExplorerNode } from '../../core/registry/explorer';
import { describeUnreadable } from '../../core/retention/describe';
import { readInventories } from '../../core/retention/inventory';
import type { RetentionPolicy } from '../../core/retention/model';
import { planRetention } from '../../core/retention/plan';
import type { RetentionPlan } from '../../core/retention/plan';
import { policyFrom, readPolicyFile } from '../../core/retention/policyFile';
import { relativePath } from '../documents';
import { reportFailure } from '../log';
import { RETENTION_VIEW } from '../retention/retentionPlans';
import { registryTargetOf } from '../registry/registryTarget';
import { scanWorkspaceFolders } from '../workspaceImages';
import type { Command, Services } from '../services';
import { APPLY_RETENTION_COMMAND } from './applyRetention';

export const PLAN_RETENTION_COMMAND = 'artifactSteward.retention.planRetention';

/** `policyPath`, else a choice between the workspace's `.steward.yaml` retention rules and a policy file. */
async function policyOf(services: Services, policyPath: string | undefined): Promise<RetentionPolicy | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const effective = folder ? await services.configs.forFolder(folder.uri.fsPath) : undefined;
  let path = policyPath;
  if (!path) {
    const fromConfig = effective?.config.retention !== undefined ? [{ label: `${effective.configFile ? relativePath(effective.root, effective.configFile) : 'Settings'}: retention rules`, file: undefined }] : [];
    const choice = await vscode.window.showQuickPick([...fromConfig, { label: 'A policy file… (ECR lifecycle, GAR cleanup, Harbor retention, or retention: rules)', file: 'pick' }], { title: 'Retention policy' });
    if (!choice) return undefined;
    if (choice.file === 'pick') {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Policy (JSON, YAML)': ['json', 'yaml', 'yml'] }, title: 'Retention policy file' });
      if (!picked?.[0]) return undefined;
      path = picked[0].fsPath;
    }
  }
  if (path) return readPolicyFile(await readFile(path, 'utf8'), path);
  return policyFrom({ retention: effective!.config.retention }, effective!.configFile ?? 'settings', 'steward');
}

/**
 * Plan retention…: reads the repository (or every repository of the registry) with progress,
 * evaluates the policy with its registry's semantics, protects what the workspace's manifests and
 * Dockerfiles use, immutable tags and the attachments and platforms of kept images, then shows the
 * plan in its view and on the registry tree's tags. Nothing is deleted here.
 */
export const planRetentionCommand: Command = {
  id: PLAN_RETENTION_COMMAND,
  async run(services, node?: ExplorerNode, policyPath?: string): Promise<RetentionPlan | undefined> {
    try {
      const target = await registryTargetOf(services, node, 'Plan retention for');
      if (!target) return undefined;
      const policy = await policyOf(services, policyPath);
      if (!policy) return undefined;
      let cancelled = false;
      const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Retention plan for ${target.backend.name}${target.repository ? `/${target.repository}` : ''}`, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => {
          cancelled = true;
          controller.abort(new Error('cancelled'));
        });
        const folders = vscode.workspace.workspaceFolders ?? [];
        const workspace = await scanWorkspaceFolders(services, controller.signal);
        const { config } = folders[0] ? await services.configs.forFolder(folders[0].uri.fsPath) : { config: undefined };
        let repository = '';
        const inventories = await readInventories(target.backend, target.repository, {
          signal: controller.signal,
          onRepository: (name) => { repository = name; },
          onProgress: (done, total) => progress.report({ message: `${repository}: ${done}/${total} tags` }),
        });
        const immutableTags = (registry: string, name: string) => (config ? ruleFor(config.promotionRules, `${registry}/${name}`)?.immutableTags ?? [] : []);
        return planRetention(inventories, policy, { ...workspace, immutableTags }, Date.now());
      }).then(undefined, (error: unknown) => {
        if (cancelled) return undefined;
        throw error;
      });
      if (!plan) return undefined;
      services.retention.set(plan, target.backend);
      services.registryTree.redraw();
      void vscode.commands.executeCommand(`${RETENTION_VIEW}.focus`);
      const deletes = plan.repositories.reduce((sum, repository) => sum + repository.deletes, 0);
      const bytes = plan.repositories.reduce((sum, repository) => sum + repository.reclaimableBytes, 0);
      services.log.info(`Retention plan (${plan.format}) for ${target.backend.name}${target.repository ? `/${target.repository}` : ''}: ${deletes} digest(s) to delete, ${formatBytes(bytes)} reclaimable.`);
      if (plan.unreadable.length > 0) services.log.warn(`Retention: ${describeUnreadable(plan.unreadable)}.`);
      const unprotected = plan.unreadable.length > 0 ? ` ${plan.unreadable.length} workspace file(s) could not be read or parsed: what they use is not protected (see the log).` : '';
      void vscode.window.showInformationMessage(`Retention plan: ${deletes} digest(s) to delete in ${plan.repositories.length} repositor${plan.repositories.length === 1 ? 'y' : 'ies'}, ${formatBytes(bytes)} reclaimable.${unprotected} Nothing is deleted until you apply it.`, ...(deletes > 0 ? ['Apply…'] : []))
        .then((answer) => answer === 'Apply…' && vscode.commands.executeCommand(APPLY_RETENTION_COMMAND));
      return plan;
    } catch (error) {
      reportFailure(services.log, 'Plan retention', error);
      return undefined;
    }
  },
};
