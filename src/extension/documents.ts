import { relative } from 'node:path';
import * as vscode from 'vscode';
import type { Range } from '../core/lint/finding';
import { fileKindOf } from '../core/workspace/fileKinds';
import type { FileKind } from '../core/workspace/fileKinds';
import { toPosix } from '../core/workspace/walk';

/** Languages whose documents may hold what we lint (compose files are `dockercompose` with Container Tools). */
export const LINTED_LANGUAGES = ['dockerfile', 'yaml', 'dockercompose'];

export const DOCUMENT_SELECTOR: vscode.DocumentSelector = [
  ...LINTED_LANGUAGES.map((language) => ({ language, scheme: 'file' })),
  { scheme: 'file', pattern: '**/{Dockerfile,Containerfile,*.Dockerfile,*.dockerfile,*.Containerfile,*.containerfile,Dockerfile.*,Containerfile.*}' },
];

/** What a document is, from its name, or from its language when the name says nothing (`build.docker`). */
export function documentKind(document: vscode.TextDocument): FileKind | undefined {
  if (document.uri.scheme !== 'file') return undefined;
  return fileKindOf(document.uri.fsPath) ?? (document.languageId === 'dockerfile' ? 'dockerfile' : undefined);
}

export function relativePath(root: string, fsPath: string): string {
  return toPosix(relative(root, fsPath));
}

export function toVscodeRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

export function fromVscodeRange(range: vscode.Range): Range {
  return { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
}
