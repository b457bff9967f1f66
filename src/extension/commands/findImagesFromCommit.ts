import * as vscode from 'vscode';
import type { FindResult } from '../../core/find/find';
import { headCommit } from '../../core/workspace/gitHead';
import { reportFailure } from '../log';
import { registryTargetOf, typedRegistryTarget } from '../registry/registryTarget';
import type { Command } from '../services';
import { runFind } from './findImages';
import type { FindAnswers } from './findImages';

export const FIND_IMAGES_FROM_COMMIT_COMMAND = 'artifactSteward.find.findImagesFromCommit';

/**
 * Find images built from this commit: the commit (HEAD of the first workspace folder's repository,
 * read from .git without running git, as the default), then the registry; the revision search of Find images….
 */
export const findImagesFromCommitCommand: Command = {
  id: FIND_IMAGES_FROM_COMMIT_COMMAND,
  async run(services, answers?: FindAnswers & { readonly commit?: string }): Promise<FindResult | undefined> {
    try {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const head = folder ? await headCommit(folder.uri.fsPath) : undefined;
      const commit = answers?.commit ?? (answers?.target ? head : await vscode.window.showInputBox({
        title: 'Find images built from commit', prompt: head ? 'HEAD of the workspace, or another commit' : 'A commit (the workspace has no git HEAD)', value: head ?? '', ignoreFocusOut: true,
        validateInput: (value) => (/^[0-9a-f]{7,64}$/i.test(value.trim()) ? undefined : '7 to 64 hex characters'),
      }));
      if (!commit) {
        if (answers?.target) void vscode.window.showWarningMessage('Find images built from this commit: the workspace has no git HEAD; give a commit.');
        return undefined;
      }
      const target = answers?.target ? typedRegistryTarget(services, answers.target) : await registryTargetOf(services, undefined, `Find images built from ${commit.trim().slice(0, 12)} in`);
      return target ? await runFind(services, target, { revision: commit.trim() }) : undefined;
    } catch (error) {
      reportFailure(services.log, 'Find images built from this commit', error);
      return undefined;
    }
  },
};
