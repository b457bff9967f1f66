import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import { reportFailure } from '../log';
import { referenceOf } from '../registry/registryTree';
import type { Command } from '../services';

export const COPY_PINNED_REFERENCE_COMMAND = 'artifactSteward.registry.copyPinnedReference';

/** `repo:tag@sha256:…`: the tag stays readable, the digest makes the pull immutable. */
export const copyPinnedReference: Command = {
  id: COPY_PINNED_REFERENCE_COMMAND,
  async run(services, node: ExplorerNode) {
    if (node.kind !== 'tag') return;
    try {
      const digest = node.details?.digest ?? (await node.backend.resolve(node.repository, node.tag)).digest;
      await vscode.env.clipboard.writeText(`${referenceOf(node)}@${digest}`);
    } catch (error) {
      reportFailure(services.log, 'Copy pinned reference', error);
    }
  },
};
