import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import { inspectImage as inspect } from '../../core/registry/inspect';
import { reportFailure } from '../log';
import { referenceOf } from '../registry/registryTree';
import type { Command } from '../services';

export const INSPECT_IMAGE_COMMAND = 'artifactSteward.registry.inspectImage';
export const INSPECT_SCHEME = 'artifact-steward-inspect';

/** Read-only JSON documents of inspected images, by URI. */
export const inspectedDocuments = new Map<string, string>();

/** Opens the manifest, config and labels of an image as a read-only JSON document. */
export const inspectImage: Command = {
  id: INSPECT_IMAGE_COMMAND,
  async run(services, node: ExplorerNode) {
    if (node.kind !== 'tag') return;
    try {
      const details = await inspect(node.backend, node.repository, node.tag);
      const manifest = await node.backend.getManifest(node.repository, node.tag);
      const uri = vscode.Uri.from({ scheme: INSPECT_SCHEME, path: `/${referenceOf(node)!.replace(/[:@]/g, '_')}.json` });
      const configDescriptor = manifest.json.config;
      const config = configDescriptor && /config|container\.image/.test(configDescriptor.mediaType)
        ? JSON.parse((await node.backend.getBlob(node.repository, configDescriptor.digest)).toString('utf8')) as unknown
        : undefined;
      inspectedDocuments.set(uri.toString(), JSON.stringify({ ...details, reference: referenceOf(node), manifest: manifest.json, ...(config ? { config } : {}) }, null, 2));
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document, { preview: true });
      await vscode.languages.setTextDocumentLanguage(document, 'json');
    } catch (error) {
      reportFailure(services.log, 'Inspect', error);
    }
  },
};
