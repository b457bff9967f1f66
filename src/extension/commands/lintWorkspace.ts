import * as vscode from 'vscode';
import { readLintableFile } from '../../core/lint/inputLimits';
import { filesInside } from '../../core/workspace/safeFiles';
import { fileKindOf } from '../../core/workspace/fileKinds';
import { lintableFiles, readRootFor, toPosix } from '../../core/workspace/walk';
import { relativePath } from '../documents';
import { reportFailure } from '../log';
import type { Command, Services } from '../services';

export const LINT_WORKSPACE_COMMAND = 'artifactSteward.lint.lintWorkspace';

/** Fills the Problems panel for every Dockerfile and manifest, with the CLI's file selection. */
export async function lintWorkspace(services: Services): Promise<void> {
  const open = new Set(vscode.workspace.textDocuments.map((document) => document.uri.toString()));
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Artifact Steward: linting the workspace', cancellable: true }, async (progress, token) => {
    const aborter = new AbortController();
    const cancellation = token.onCancellationRequested(() => aborter.abort());
    let files = 0;
    let findings = 0;
    try {
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const { root, config } = await services.configs.forFolder(folder.uri.fsPath);
        // As the CLI: symlinks are followed only inside the repository (or the folder outside one).
        const readRoot = filesInside(await readRootFor(folder.uri.fsPath));
        for await (const file of lintableFiles(folder.uri.fsPath, { isExcluded: (path) => config.isExcluded(relativePath(root, path)), signal: aborter.signal })) {
          const uri = vscode.Uri.file(file);
          files += 1;
          if (files % 50 === 0) progress.report({ message: `${files} files` });
          if (open.has(uri.toString())) continue;
          const text = await readLintableFile(readRoot, file).catch((error: Error) => {
            services.log.warn(`Cannot read ${toPosix(file)}: ${error.message}`);
            return undefined;
          });
          if (text !== undefined) findings += await services.linter.lintFile(uri, text, fileKindOf(file)!);
        }
      }
      services.log.info(`Lint workspace: ${files} files, ${findings} findings in files not open in an editor.`);
    } catch (error) {
      if (aborter.signal.aborted) {
        services.log.info(`Lint workspace cancelled after ${files} files.`);
        return;
      }
      reportFailure(services.log, 'Lint workspace', error);
    } finally {
      cancellation.dispose();
    }
  });
}

export const lintWorkspaceCommand: Command = {
  id: LINT_WORKSPACE_COMMAND,
  run: (services) => lintWorkspace(services),
};
