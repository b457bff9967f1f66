import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import type { Command, Services } from '../services';

export const FILTER_TAGS_COMMAND = 'artifactSteward.registry.filterTags';

/** The repository to filter: the node's, the selected one's, or one picked among those listed. */
async function chooseRepository(services: Services, node: ExplorerNode | undefined): Promise<Extract<ExplorerNode, { kind: 'repository' }> | undefined> {
  const known = services.registryTree.repositoryOf(node);
  if (known) return known;
  const listed = services.registryTree.model.listed();
  if (listed.length === 0) {
    void vscode.window.showInformationMessage('Expand a repository in the Registries view, then filter its tags.');
    return undefined;
  }
  if (listed.length === 1) return listed[0];
  const picked = await vscode.window.showQuickPick(listed.map((repository) => ({ label: repository.repository, description: repository.backend.name, repository })), { title: 'Filter the tags of' });
  return picked?.repository;
}

/** Filters one repository's tags by text; the repository and the view then say a filter is on. */
export const filterTags: Command = {
  id: FILTER_TAGS_COMMAND,
  async run(services, node?: ExplorerNode, typed?: string) {
    const repository = await chooseRepository(services, node);
    if (!repository) return;
    const text = typed ?? await vscode.window.showInputBox({
      title: `Filter the tags of ${repository.repository}`,
      prompt: 'Show tags containing this text (empty shows all)',
      value: services.registryTree.model.filterOf(repository)?.text ?? '',
    });
    if (text !== undefined) services.registryTree.setFilter(repository, text.trim());
  },
};
