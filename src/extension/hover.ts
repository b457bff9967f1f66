import * as vscode from 'vscode';
import { imageOccurrences } from '../core/lint/engine';
import { describeMutability } from '../core/reference/classify';
import type { DocumentLinter } from './diagnostics';
import { DOCUMENT_SELECTOR, documentKind, toVscodeRange } from './documents';

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** Hover on an image reference: its parsed parts and how mutable it is, in words. */
class ImageHover implements vscode.HoverProvider {
  constructor(private readonly linter: DocumentLinter) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const kind = documentKind(document);
    if (!kind) return undefined;
    const context = await this.linter.lintContext(document.uri.fsPath, kind);
    const occurrence = imageOccurrences(document.uri.fsPath, document.getText(), kind, context).find((candidate) => toVscodeRange(candidate.range).contains(position));
    if (!occurrence) return undefined;
    const markdown = new vscode.MarkdownString();
    markdown.appendMarkdown(`**Image** ${code(occurrence.text)}${occurrence.written === occurrence.text ? '' : ` (from ${code(occurrence.written)})`}\n\n`);
    if (!occurrence.parsed.ok) {
      markdown.appendMarkdown(`Not a valid reference: ${code(occurrence.parsed.error)}`);
    } else {
      const reference = occurrence.parsed.reference;
      markdown.appendMarkdown([
        '| | |', '| --- | --- |',
        `| registry | ${code(reference.domain)}${reference.domainImplied ? ' (implied)' : ''} |`,
        `| repository | ${code(reference.path)} |`,
        `| tag | ${reference.tag ? code(reference.tag) : '—'} |`,
        `| digest | ${reference.digest ? code(reference.digest) : '—'} |`,
      ].join('\n'));
      markdown.appendMarkdown(`\n\n${occurrence.mutability ? describeMutability(occurrence.mutability) : ''}`);
    }
    return new vscode.Hover(markdown, toVscodeRange(occurrence.range));
  }
}

export function registerHover(context: vscode.ExtensionContext, linter: DocumentLinter): void {
  context.subscriptions.push(vscode.languages.registerHoverProvider(DOCUMENT_SELECTOR, new ImageHover(linter)));
}
