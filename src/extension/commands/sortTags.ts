import * as vscode from 'vscode';
import type { TagSort } from '../../core/registry/tagOrder';
import type { Command } from '../services';
import { SETTINGS_SECTION } from '../settings';

export const SORT_TAGS_COMMAND = 'artifactSteward.registry.sortTags';

const ORDERS: readonly { readonly sort: TagSort; readonly label: string; readonly detail: string }[] = [
  { sort: 'version', label: 'Versions first', detail: 'Version tags newest first (2.0.0, 2.0.0-rc.10, 1.10.0, v1.9), then the rest in natural order (latest, pr-9, pr-17)' },
  { sort: 'name', label: 'By name', detail: 'Natural order: numbers inside names compare as numbers' },
  { sort: 'date', label: 'By date', detail: "Newest image config first (reads every tag's config)" },
];

/** The view title's sort toggle: writes artifactSteward.registryTagSort where it is set (the workspace's, else the user's). */
export const sortTags: Command = {
  id: SORT_TAGS_COMMAND,
  async run(_services, chosen?: TagSort) {
    const settings = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const current = settings.get<TagSort>('registryTagSort', 'version');
    const sort = chosen ?? (await vscode.window.showQuickPick(ORDERS.map((order) => ({ ...order, description: order.sort === current ? '(current)' : '' })), { title: 'Sort tags' }))?.sort;
    if (!sort || sort === current) return;
    const target = settings.inspect('registryTagSort')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await settings.update('registryTagSort', sort, target);
  },
};
