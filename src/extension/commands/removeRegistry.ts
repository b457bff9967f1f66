import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import { configuredRegistries } from '../registry/registrySources';
import type { Command } from '../services';
import { SETTINGS_SECTION } from '../settings';

export const REMOVE_REGISTRY_COMMAND = 'artifactSteward.registry.removeRegistry';

/** Removes a registry from the settings and forgets its stored credentials. */
export const removeRegistry: Command = {
  id: REMOVE_REGISTRY_COMMAND,
  async run(services, node?: ExplorerNode) {
    const host = node?.kind === 'registry' ? node.label : await vscode.window.showQuickPick(configuredRegistries().map((entry) => entry.host), { title: 'Remove registry' });
    if (!host) return;
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('registries', configuredRegistries().filter((entry) => entry.host !== host), vscode.ConfigurationTarget.Global);
    await services.registrySecrets.forget(host);
    services.registryTree.refresh();
  },
};
