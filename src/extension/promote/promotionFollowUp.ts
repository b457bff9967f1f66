import * as vscode from 'vscode';
import { semverAliases, timestampTag } from '../../core/promote/tagHelpers';
import type { Services } from '../services';

/** What a promotion made: a tag the explorer can show, and its pinned reference. */
export interface PromotedTag {
  readonly host: string;
  readonly repository: string;
  readonly tag: string;
  /** `host/repository:tag@sha256:…` */
  readonly pinned: string;
}

/**
 * Extra tags for the target: the SemVer aliases, a timestamp tag, or typed ones. `given` answers
 * for the picker (tests); an unattended promotion (`confirm`) adds none. Undefined: cancelled.
 */
export async function chooseExtraTags(tag: string, answers: { readonly extraTags?: readonly string[]; readonly confirm?: boolean }): Promise<string[] | undefined> {
  if (answers.extraTags) return [...answers.extraTags];
  if (answers.confirm) return [];
  const aliases = semverAliases(tag);
  const typed = '$(edit) Another tag…';
  const items: vscode.QuickPickItem[] = [
    ...(aliases.length > 0 ? [{ label: aliases.join(', '), description: 'SemVer aliases: move with each release' }] : []),
    { label: timestampTag(tag), description: 'timestamp tag: unique to this promotion, so it can be immutable' },
    { label: typed, description: 'type a tag' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `Promote as ${tag}, and also as… (none: Enter)`, canPickMany: true });
  if (!picked) return undefined;
  const extras = picked.filter((item) => item.label !== typed).flatMap((item) => item.label.split(', '));
  if (picked.some((item) => item.label === typed)) {
    const more = await vscode.window.showInputBox({ title: 'Another tag for the target', validateInput: (value) => (/^[\w][\w.-]{0,127}$/.test(value.trim()) ? undefined : 'A tag: letters, digits, _ . -, at most 128') });
    if (more === undefined) return undefined;
    extras.push(more.trim());
  }
  return extras.filter((extra) => extra !== tag);
}

/** The "Promoted" notification, with Reveal in tree and Copy pinned reference. */
export async function announcePromotion(services: Services, message: string, promoted: PromotedTag): Promise<void> {
  const choice = await vscode.window.showInformationMessage(message, 'Reveal in tree', 'Copy pinned reference');
  if (choice === 'Copy pinned reference') {
    await vscode.env.clipboard.writeText(promoted.pinned);
    return;
  }
  if (choice !== 'Reveal in tree') return;
  const node = await services.registryTree.findTag(promoted.host, promoted.repository, promoted.tag);
  if (node) await services.registryTree.reveal(node);
  else void vscode.window.showInformationMessage(`${promoted.host} is not in the Registries view: add it (Add registry) to see ${promoted.repository}:${promoted.tag} there.`);
}
