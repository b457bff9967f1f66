import * as vscode from 'vscode';
import { formatAge } from '../../core/formatAge';
import { retaggedText } from '../../core/registry/pin';
import type { PinCandidate } from '../../core/registry/pin';
import { newerVersionTags, versionChoices } from '../../core/registry/newestTag';
import type { VersionChoice } from '../../core/registry/newestTag';
import { reportFailure } from '../log';
import { rewriteReference } from '../registry/rewriteReference';
import type { Command } from '../services';

export const USE_NEWEST_VERSION_COMMAND = 'artifactSteward.registry.useNewestVersion';

type VersionItem = vscode.QuickPickItem & { readonly choice: VersionChoice };

/** An entry says which image it is: short digest, age, and whether `latest` is the same image. */
export function versionItem(choice: VersionChoice): VersionItem {
  const description = [choice.digest?.slice(7, 19), choice.created ? formatAge(choice.created) : undefined, choice.isLatest ? 'same digest as latest' : undefined].filter(Boolean).join(' · ');
  return { label: choice.tag, ...(description ? { description } : {}), choice };
}

/**
 * Offers the registry's full releases with the same variant, newest first, each with its digest,
 * age and whether `latest` points at it, and writes the one picked. `choose` answers for the
 * picker (a tag, or a function of the entries: tests).
 */
export const useNewestVersion: Command = {
  id: USE_NEWEST_VERSION_COMMAND,
  async run(services, uri: vscode.Uri, candidate: PinCandidate, choose?: string | ((items: readonly VersionItem[]) => string | undefined)) {
    try {
      const client = services.openRegistry(candidate.registry);
      const tags: string[] = [];
      for await (const page of client.listTags(candidate.repository)) for (const tag of page) tags.push(tag);
      const offered = newerVersionTags(candidate.tag, tags);
      if (offered.length === 0) {
        void vscode.window.showInformationMessage(`${candidate.repository} has no full release tags like ${candidate.tag}.`);
        return;
      }
      // The picker opens at once and shows itself busy until digests and ages are read.
      const items = versionChoices(client, candidate.repository, offered, tags).then((choices) => choices.map(versionItem));
      const tag = typeof choose === 'string' ? choose
        : choose ? choose(await items)
        : (await vscode.window.showQuickPick(items, { title: `Replace ${candidate.tag} with`, matchOnDescription: true }))?.label;
      if (!tag) return;
      await rewriteReference(uri, candidate, retaggedText(candidate, tag));
    } catch (error) {
      reportFailure(services.log, 'Use newest version', error);
    }
  },
};
