import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { promotionRecordMarkdown } from '../../core/promote/recordDocument';
import { tagOf } from '../../core/registry/explorer';
import type { ExplorerNode } from '../../core/registry/explorer';
import { attachmentContent, attachmentsOf } from '../../core/registry/inspect';
import type { Attachment } from '../../core/registry/inspect';
import { readReport } from '../../core/reports/readReport';
import { reportFailure } from '../log';
import { inspectedDocuments, INSPECT_SCHEME } from './inspectImage';
import { referenceOf } from '../registry/registryTree';
import type { Command, Services } from '../services';

export const OPEN_ATTACHMENT_COMMAND = 'artifactSteward.reports.openAttachment';

type AttachmentNode = Extract<ExplorerNode, { kind: 'attachment' }>;

/** Downloads an attachment once into storage, by digest (content-addressed, so never stale). */
export async function downloadAttachment(services: Services, node: AttachmentNode, attachment: Attachment = node.attachment): Promise<string> {
  const tag = tagOf(node);
  if (!tag) throw new Error('an attachment outside an image');
  const folder = join(services.storageUri.fsPath, 'attachments');
  // By the layer when it names one: a BuildKit manifest holds the SBOM and the provenance side by side.
  const file = join(folder, `${(attachment.layerDigest ?? attachment.digest).replace(':', '-')}.json`);
  if (!existsSync(file)) {
    await mkdir(folder, { recursive: true });
    await writeFile(file, await attachmentContent(tag.backend, tag.repository, attachment));
  }
  return file;
}

/** A promotion record as a read-only Markdown document: who promoted what where, when, and the gates. */
async function openPromotionRecord(services: Services, node: AttachmentNode, reference: string): Promise<vscode.TextDocument> {
  const markdown = promotionRecordMarkdown(await readFile(await downloadAttachment(services, node), 'utf8'));
  const uri = vscode.Uri.from({ scheme: INSPECT_SCHEME, path: `/promotion of ${reference.replace(/[:@/]/g, '_')} ${node.attachment.digest.slice(7, 19)}.md` });
  inspectedDocuments.set(uri.toString(), markdown);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: true });
  return document;
}

/**
 * Opens an SBOM or scan-report attachment of an image in its panel, a promotion record as a
 * document. For an SBOM, a scan report attached to the same digest is read too, so
 * vulnerabilities show per package.
 */
export const openAttachment: Command = {
  id: OPEN_ATTACHMENT_COMMAND,
  async run(services, node: AttachmentNode) {
    const tag = node && tagOf(node);
    if (!tag) return undefined;
    const reference = referenceOf(tag) ?? `${tag.repository}:${tag.tag}`;
    const digest = tag.details?.digest;
    try {
      if (node.attachment.kind === 'promotion') return await openPromotionRecord(services, node, reference);
      const path = await downloadAttachment(services, node);
      if (node.attachment.kind === 'sbom' && digest) {
        const scans = (await attachmentsOf(tag.backend, tag.repository, digest, [])).filter((attachment) => attachment.kind === 'scan-report');
        for (const scan of scans.slice(0, 1)) {
          const result = readReport((await vscode.workspace.fs.readFile(vscode.Uri.file(await downloadAttachment(services, node, scan)))).toString());
          if (result.kind === 'scan') services.reports.rememberScan(digest, result.report, `the scan report attached to ${reference}`);
        }
      }
      return await services.reports.openFiles({ paths: [path], labels: [`${reference} ${node.attachment.kind}`], ...(digest ? { subject: `${reference.replace(/:[^:/]*$/, '')}@${digest}` } : {}) });
    } catch (error) {
      reportFailure(services.log, `Open the ${node.attachment.kind} of ${reference}`, error);
      return undefined;
    }
  },
};
