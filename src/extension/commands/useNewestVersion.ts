import * as vscode from 'vscode';
import { retaggedText } from '../../core/registry/pin';
import type { PinCandidate } from '../../core/registry/pin';
import { newerVersionTags } from '../../core/registry/newestTag';
import { reportFailure } from '../log';
import { rewriteReference } from '../registry/rewriteReference';
import type { Command } from '../services';

export const USE_NEWEST_VERSION_COMMAND = 'artifactSteward.registry.useNewestVersion';

/** Offers the registry's full releases with the same variant, newest first, and writes the one picked. */
export const useNewestVersion: Command = {
  id: USE_NEWEST_VERSION_COMMAND,
  async run(services, uri: vscode.Uri, candidate: PinCandidate, choice?: string) {
    try {
      const client = services.openRegistry(candidate.registry);
      const tags: string[] = [];
      for await (const page of client.listTags(candidate.repository)) for (const tag of page) tags.push(tag);
      const newer = newerVersionTags(candidate.tag, tags);
      if (newer.length === 0) {
        void vscode.window.showInformationMessage(`${candidate.repository} has no full release tags like ${candidate.tag}.`);
        return;
      }
      const tag = choice ?? (await vscode.window.showQuickPick(newer, { title: `Replace ${candidate.tag} with` }));
      if (!tag) return;
      await rewriteReference(uri, candidate, retaggedText(candidate, tag));
    } catch (error) {
      reportFailure(services.log, 'Use newest version', error);
    }
  },
};
