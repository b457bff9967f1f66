import * as vscode from 'vscode';
import { deleteImpact, describeDeleteImpact } from '../../core/registry/deleteImpact';
import type { ExplorerNode } from '../../core/registry/explorer';
import { confirmDestructive } from '../confirmDestructive';
import type { WarningPrompt } from '../confirmDestructive';
import { reportFailure } from '../log';
import { referenceOf } from '../registry/registryTree';
import type { Command } from '../services';
import { scanWorkspaceFolders } from '../workspaceImages';

export const DELETE_IMAGE_COMMAND = 'artifactSteward.registry.deleteImage';

/** Modal entries listed before "and N more" (the full lists are behind "Show details"). */
const MODAL_LIST_LIMIT = 10;

/** Answers the tests give: `confirm` skips the question, `ask` stands in for the modal. */
export interface DeleteAnswers {
  readonly confirm?: boolean;
  readonly ask?: WarningPrompt;
}

/**
 * Deletes an image by digest after a modal that lists what goes with it and what it breaks —
 * every tag on the digest (a DELETE by digest removes them all, irreversibly), the multi-arch
 * indexes that hold it as a platform, the workspace files that deploy it — with a harmless default
 * button (see confirmDestructive).
 */
export const deleteImage: Command = {
  id: DELETE_IMAGE_COMMAND,
  async run(services, node: ExplorerNode, answers: DeleteAnswers = {}) {
    if (node.kind !== 'tag') return;
    const label = `Delete ${referenceOf(node)}`;
    try {
      const impact = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${label}: finding what uses it`, cancellable: true }, async (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
        const digest = node.details?.digest ?? (await node.backend.resolve(node.repository, node.tag, controller.signal)).digest;
        const workspace = await scanWorkspaceFolders(services, controller.signal);
        const unreadable = workspace.unreadable.map((file) => file.path);
        return { ...(await deleteImpact(node.backend, node.repository, digest, workspace.references, controller.signal)), unreadable };
      });
      const breaks = impact.indexes.length > 0 || impact.deployedBy.length > 0;
      const unknown = impact.unreadable.length > 0 ? `\n${impact.unreadable.length} workspace file(s) could not be read or parsed; what they deploy is unknown: ${impact.unreadable.slice(0, MODAL_LIST_LIMIT).join(', ')}.` : '';
      const closing = 'This cannot be undone. The registry frees the storage only when its garbage collection runs.';
      if (!answers.confirm && !await confirmDestructive({
        message: `Delete ${node.repository}@${impact.digest}?`,
        detail: `${describeDeleteImpact(impact, MODAL_LIST_LIMIT)}${unknown}\n${closing}`,
        action: breaks ? 'Delete anyway' : 'Delete',
        details: `# ${label}\n\nDigest \`${impact.digest}\` of ${node.backend.name}/${node.repository}.\n\n${describeDeleteImpact(impact).split('\n').map((line) => `- ${line}`).join('\n')}${impact.unreadable.length > 0 ? `\n- Not read or parsed (what they deploy is unknown): ${impact.unreadable.join(', ')}` : ''}\n\n${closing}\n`,
      }, answers.ask)) return;
      await node.backend.deleteManifest(node.repository, impact.digest);
      services.log.info(`Deleted ${referenceOf(node)} (${impact.digest}): ${describeDeleteImpact(impact).replace(/\n/g, ' ')}`);
      services.registryTree.refresh();
    } catch (error) {
      if ((error as Error).message === 'cancelled') return;
      reportFailure(services.log, 'Delete image', error);
    }
  },
};
