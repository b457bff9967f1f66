import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import { referenceOf } from '../registry/registryTree';
import type { Command } from '../services';

export const COPY_REFERENCE_COMMAND = 'artifactSteward.registry.copyReference';

export const copyReference: Command = {
  id: COPY_REFERENCE_COMMAND,
  async run(_services, node: ExplorerNode) {
    const reference = referenceOf(node);
    if (reference) await vscode.env.clipboard.writeText(reference);
  },
};
