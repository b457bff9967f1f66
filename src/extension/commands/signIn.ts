import * as vscode from 'vscode';
import { signInFailure } from '../../core/registry/errors';
import type { ExplorerNode } from '../../core/registry/explorer';
import { OPEN_LOG_COMMAND } from '../log';
import { checkCredential } from '../registry/registrySources';
import type { Command } from '../services';

export const SIGN_IN_COMMAND = 'artifactSteward.registry.signIn';

/** Answers the tests give instead of the input boxes; `saveAnyway` answers the failure's question. */
export interface SignInAnswers {
  readonly host?: string;
  readonly username: string;
  readonly password: string;
  readonly saveAnyway?: boolean;
}

function hostOf(node: ExplorerNode | undefined): string | undefined {
  let current = node;
  while (current && current.kind !== 'registry') current = 'parent' in current ? current.parent : undefined;
  return current?.kind === 'registry' && current.source !== 'oci-layout' ? current.label : undefined;
}

/**
 * Asks for a user name and password or token, checks them against the registry as `docker login`
 * does, and keeps them in SecretStorage only. A refusal reads as a sentence, with the registry's
 * own words in the log; the outcome is logged either way (never the secret).
 */
export const signIn: Command = {
  id: SIGN_IN_COMMAND,
  async run(services, node?: ExplorerNode, answers?: SignInAnswers): Promise<'signed in' | 'saved unchecked' | 'failed' | undefined> {
    const host = answers?.host ?? hostOf(node) ?? (await vscode.window.showInputBox({ title: 'Sign in to a registry', prompt: 'Registry host' }));
    if (!host) return undefined;
    const username = answers?.username ?? (await vscode.window.showInputBox({ title: `Sign in to ${host}`, prompt: 'User name' }));
    if (username === undefined) return undefined;
    const password = answers?.password ?? (await vscode.window.showInputBox({ title: `Sign in to ${host}`, prompt: 'Password or access token', password: true }));
    if (!password) return undefined;
    const credential = { username, password };
    const failure = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Signing in to ${host}…` },
      () => checkCredential(host, credential, services.log).then(() => undefined, (error: unknown) => error));
    if (failure !== undefined) {
      const reason = signInFailure(failure);
      services.log.warn(`Sign in to ${host} as ${username} failed: ${reason} (${(failure as Error).message ?? String(failure)})`);
      const choice = answers ? (answers.saveAnyway ? 'Save anyway' : undefined)
        : await vscode.window.showErrorMessage(`Could not sign in to ${host}: ${reason}.`, 'Try again', 'Save anyway', 'Open log');
      if (choice === 'Try again') return vscode.commands.executeCommand(SIGN_IN_COMMAND, node);
      if (choice === 'Open log') void vscode.commands.executeCommand(OPEN_LOG_COMMAND);
      if (choice !== 'Save anyway') return 'failed';
    }
    await services.registrySecrets.store(host, credential);
    services.log.info(failure === undefined
      ? `Signed in to ${host} as ${username}; the credentials are kept in SecretStorage.`
      : `Kept the unchecked credentials of ${username} for ${host} in SecretStorage, as asked.`);
    services.registryTree.refresh();
    return failure === undefined ? 'signed in' : 'saved unchecked';
  },
};
