import * as vscode from 'vscode';
import { toEcrPolicy, toGarPolicies } from '../../core/retention/export';
import { readStewardRetention } from '../../core/retention/policies/steward';
import { reportFailure } from '../log';
import type { Command } from '../services';

export const EXPORT_RETENTION_COMMAND = 'artifactSteward.retention.exportPolicy';

/** Export retention rules as ECR/GAR policy: the workspace's `retention:` rules as the registry's JSON, in an untitled editor; what does not translate goes to the log and a message. */
export const exportRetentionCommand: Command = {
  id: EXPORT_RETENTION_COMMAND,
  async run(services, to?: 'ecr' | 'gar'): Promise<vscode.TextDocument | undefined> {
    try {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const effective = folder ? await services.configs.forFolder(folder.uri.fsPath) : undefined;
      if (effective?.config.retention === undefined) {
        void vscode.window.showInformationMessage('The workspace has no retention rules to export (add retention: to .steward.yaml).');
        return undefined;
      }
      const language = to ?? (await vscode.window.showQuickPick([{ label: 'AWS ECR lifecycle policy', value: 'ecr' as const }, { label: 'Artifact Registry cleanup policies', value: 'gar' as const }], { title: 'Export retention rules as' }))?.value;
      if (!language) return undefined;
      const retention = readStewardRetention(effective.config.retention, effective.configFile ?? 'settings');
      const exported = language === 'ecr' ? toEcrPolicy(retention) : toGarPolicies(retention);
      const document = await vscode.workspace.openTextDocument({ language: 'json', content: `${JSON.stringify(exported.policy, null, 2)}\n` });
      await vscode.window.showTextDocument(document);
      for (const note of exported.notes) services.log.info(`Export to ${language.toUpperCase()}: ${note}`);
      if (exported.notes.length > 0) void vscode.window.showWarningMessage(`${exported.notes.length} part(s) of the rules do not translate exactly to ${language.toUpperCase()}: ${exported.notes[0]}${exported.notes.length > 1 ? ' (the rest in the log)' : ''}`);
      return document;
    } catch (error) {
      reportFailure(services.log, 'Export retention rules', error);
      return undefined;
    }
  },
};
