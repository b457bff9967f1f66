import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import { allTags, inspectImage } from '../../core/registry/inspect';
import { chooseSbom } from '../../core/registry/sbomAttachment';
import { reportFailure } from '../log';
import { referenceOf } from '../registry/registryTree';
import type { Command, Services } from '../services';
import { downloadAttachment } from './openAttachment';

export const COMPARE_SBOMS_COMMAND = 'artifactSteward.reports.compareSboms';

type TagNode = Extract<ExplorerNode, { kind: 'tag' }>;

/** The SBOM attached to a tag (a referrer, a cosign `.sbom` tag or BuildKit's, in the index), downloaded; undefined when it has none. */
async function sbomOfTag(services: Services, node: TagNode, tag: string): Promise<string | undefined> {
  const chosen = chooseSbom((await inspectImage(node.backend, node.repository, tag)).attachments);
  if ('problem' in chosen) return undefined;
  const sbom = chosen.attachment;
  return downloadAttachment(services, { kind: 'attachment', id: `${node.id}#${sbom.digest}`, parent: { ...node, tag }, attachment: sbom }, sbom);
}

/**
 * The diff of two SBOMs: two files selected in the explorer, two picked in dialogs, or the SBOMs
 * attached to two tags of one repository (the tag clicked in the tree and one picked from a list).
 */
export const compareSboms: Command = {
  id: COMPARE_SBOMS_COMMAND,
  async run(services, first?: vscode.Uri | TagNode, selected?: vscode.Uri[] | string) {
    try {
      if (first && !(first instanceof vscode.Uri) && first.kind === 'tag') return await compareTags(services, first, typeof selected === 'string' ? selected : undefined);
      let uris = Array.isArray(selected) && selected.length === 2 ? selected : undefined;
      if (!uris) {
        const pick = (title: string) => vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { SBOM: ['json'] } });
        const before = first instanceof vscode.Uri ? [first] : await pick('The SBOM before');
        const after = before && await pick('The SBOM after');
        if (!before?.[0] || !after?.[0]) return undefined;
        uris = [before[0], after[0]];
      }
      return await services.reports.openFiles({ paths: uris.map((uri) => uri.fsPath), labels: uris.map((uri) => basename(uri.fsPath)) });
    } catch (error) {
      reportFailure(services.log, 'Compare SBOMs', error);
      return undefined;
    }
  },
};

async function compareTags(services: Services, node: TagNode, otherTag?: string) {
  const other = otherTag ?? (await vscode.window.showQuickPick((await allTags(node.backend, node.repository)).filter((tag) => tag !== node.tag && !tag.startsWith('sha256-')), { title: `Compare the SBOM of ${node.tag} with the SBOM of…` }));
  if (!other) return undefined;
  const [before, after] = await Promise.all([sbomOfTag(services, node, other), sbomOfTag(services, node, node.tag)]);
  const reference = referenceOf(node) ?? node.tag;
  if (!before || !after) throw new Error(`${!before ? `${node.repository}:${other}` : reference} has no SBOM attached: generate one first (Generate SBOM)`);
  return services.reports.openFiles({ paths: [before, after], labels: [`${node.repository}:${other}`, `${node.repository}:${node.tag}`] });
}
