import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import type { Command } from '../services';

export const SIGN_IN_COMMAND = 'artifactSteward.registry.signIn';

function hostOf(node: ExplorerNode | undefined): string | undefined {
  let current = node;
  while (current && current.kind !== 'registry') current = 'parent' in current ? current.parent : undefined;
  return current?.kind === 'registry' && current.source !== 'oci-layout' ? current.label : undefined;
}

/** Asks for a user name and password or token; they go to SecretStorage only. */
export const signIn: Command = {
  id: SIGN_IN_COMMAND,
  async run(services, node?: ExplorerNode) {
    const host = hostOf(node) ?? (await vscode.window.showInputBox({ title: 'Sign in to a registry', prompt: 'Registry host' }));
    if (!host) return;
    const username = await vscode.window.showInputBox({ title: `Sign in to ${host}`, prompt: 'User name' });
    if (username === undefined) return;
    const password = await vscode.window.showInputBox({ title: `Sign in to ${host}`, prompt: 'Password or access token', password: true });
    if (!password) return;
    await services.registrySecrets.store(host, { username, password });
    services.log.info(`Stored credentials for ${host} in SecretStorage.`);
    services.registryTree.refresh();
  },
};
