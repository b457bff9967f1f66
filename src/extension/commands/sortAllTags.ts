import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import type { Command } from '../services';

export const SORT_ALL_TAGS_COMMAND = 'artifactSteward.registry.sortAllTags';

/** Reads every tag of a repository shown in the registry's order (a page at a time, cancellable) and shows them sorted by version. */
export const sortAllTags: Command = {
  id: SORT_ALL_TAGS_COMMAND,
  async run(services, node: Extract<ExplorerNode, { kind: 'sortAll' }>) {
    const repository = services.registryTree.repositoryOf(node);
    if (!repository) return;
    const read = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Sorting the tags of ${repository.repository}`, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
      try {
        return await services.registryTree.model.sortAll(repository, (count) => progress.report({ message: `${count.toLocaleString('en')} tags read` }), controller.signal);
      } catch (error) {
        if (controller.signal.aborted) return undefined;
        throw error;
      }
    });
    if (read === undefined) return;
    services.log.info(`Registry explorer: sorted all ${read} tags of ${repository.repository} by version`);
    services.registryTree.refresh(repository);
  },
};
