import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import { tagsOfDigest } from '../../core/registry/inspect';
import { reportFailure } from '../log';
import { referenceOf } from '../registry/registryTree';
import type { Command } from '../services';

export const DELETE_IMAGE_COMMAND = 'artifactSteward.registry.deleteImage';

/**
 * Deletes an image by digest after a modal confirmation that lists every tag going with it (a
 * DELETE by digest removes them all, irreversibly). `confirmed` skips the question (tests, scripts).
 */
export const deleteImage: Command = {
  id: DELETE_IMAGE_COMMAND,
  async run(services, node: ExplorerNode, confirmed?: boolean) {
    if (node.kind !== 'tag') return;
    try {
      const digest = node.details?.digest ?? (await node.backend.resolve(node.repository, node.tag)).digest;
      const tags = await tagsOfDigest(node.backend, node.repository, digest);
      if (!confirmed) {
        const answer = await vscode.window.showWarningMessage(
          `Delete ${node.repository}@${digest}?`,
          { modal: true, detail: `These tags go with it: ${tags.join(', ')}.\nThis cannot be undone. The registry frees the storage only when its garbage collection runs.` },
          'Delete',
        );
        if (answer !== 'Delete') return;
      }
      await node.backend.deleteManifest(node.repository, digest);
      services.log.info(`Deleted ${referenceOf(node)} (${digest}) and the tags ${tags.join(', ')}.`);
      services.registryTree.refresh();
    } catch (error) {
      reportFailure(services.log, 'Delete image', error);
    }
  },
};
