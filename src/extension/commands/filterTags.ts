import * as vscode from 'vscode';
import type { Command } from '../services';

export const FILTER_TAGS_COMMAND = 'artifactSteward.registry.filterTags';

export const filterTags: Command = {
  id: FILTER_TAGS_COMMAND,
  async run(services) {
    const text = await vscode.window.showInputBox({ title: 'Filter tags', prompt: 'Show tags containing this text (empty shows all)' });
    if (text !== undefined) services.registryTree.setFilter(text.trim());
  },
};
