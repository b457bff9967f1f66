import * as vscode from 'vscode';
import type { ConfigError } from '../core/lint/config';
import { lintText } from '../core/lint/engine';
import { tagDriftFindings } from '../core/registry/tagDrift';
import type { DigestResolver } from '../core/registry/tagDrift';
import type { Finding, Severity } from '../core/lint/finding';
import { fileInvalid } from '../core/lint/rules/fileInvalid';
import type { FileKind } from '../core/workspace/fileKinds';
import { neighbourFilesOnDisk } from '../core/workspace/neighbours';
import type { LintContext, NeighbourFiles } from '../core/workspace/neighbours';
import { ruleDocsTarget } from './commands/openRuleDocs';
import { documentKind, relativePath, toVscodeRange } from './documents';
import type { LintConfigs } from './lintConfigs';
import type { Logger } from './log';
import { readLintSettings } from './settings';

export const DIAGNOSTIC_SOURCE = 'Artifact Steward';
const DEBOUNCE_MS = 250;

/** Files whose content changes what other files' images mean (NeighbourFiles). */
const NEIGHBOUR_FILES_GLOB = '**/{docker-bake*.hcl,docker-bake*.json,.env,skaffold.yaml,skaffold.yml,Tiltfile,.gitlab-ci.yml,*compose*.yaml,*compose*.yml}';

const SEVERITY: Readonly<Record<Severity, vscode.DiagnosticSeverity>> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostic(uri: vscode.Uri, finding: Finding): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toVscodeRange(finding.range), finding.message, SEVERITY[finding.severity]);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = { value: finding.rule, target: ruleDocsTarget(finding.rule) };
  if (finding.related) {
    diagnostic.relatedInformation = finding.related.map((related) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toVscodeRange(related.range)), related.message));
  }
  return diagnostic;
}

function configErrorDiagnostic(error: ConfigError): vscode.Diagnostic {
  const position = error.position ?? { line: 0, character: 0 };
  const range = new vscode.Range(position.line, position.character, position.line, position.character + 1);
  return toDiagnostic(vscode.Uri.file(error.file), {
    rule: fileInvalid.id, severity: 'error', range: { start: position, end: { line: range.end.line, character: range.end.character } },
    message: `${error.key ? `${error.key}: ` : ''}${error.message}. The settings and defaults are used until this is fixed.`,
  });
}

/** Lints open documents as they change (debounced; a newer run supersedes an older one) and files on request. */
export class DocumentLinter implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('artifact-steward');
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly generations = new Map<string, number>();
  /** Files "Lint workspace" reported on: their findings stay in Problems when the editor closes. */
  private readonly workspaceLinted = new Set<string>();
  /** Per config root, until a neighbour file changes. */
  private readonly neighbours = new Map<string, NeighbourFiles>();

  constructor(private readonly configs: LintConfigs, private readonly log: Logger, private readonly driftResolver?: DigestResolver) {}

  schedule(document: vscode.TextDocument, delay = DEBOUNCE_MS): void {
    if (!documentKind(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      void this.lintDocument(document);
    }, delay));
  }

  /** Lints a document's current text; results of a run that a newer one overtook are dropped. */
  async lintDocument(document: vscode.TextDocument): Promise<void> {
    const kind = documentKind(document);
    if (!kind || document.isClosed) return;
    const key = document.uri.toString();
    const generation = (this.generations.get(key) ?? 0) + 1;
    this.generations.set(key, generation);
    const findings = await this.findings(document.uri.fsPath, document.getText(), kind);
    if (this.generations.get(key) !== generation || document.isClosed) return;
    this.collection.set(document.uri, findings?.map((finding) => toDiagnostic(document.uri, finding)) ?? []);
  }

  /** Findings for a file's text, or undefined when linting is off or the path is excluded. */
  async findings(fsPath: string, text: string, kind: FileKind): Promise<Finding[] | undefined> {
    if (!readLintSettings(vscode.Uri.file(fsPath)).enable) return undefined;
    try {
      const effective = await this.configs.forFile(fsPath);
      if (effective.error) this.collection.set(vscode.Uri.file(effective.error.file), [configErrorDiagnostic(effective.error)]);
      else if (effective.configFile) this.collection.delete(vscode.Uri.file(effective.configFile));
      const path = relativePath(effective.root, fsPath);
      if (effective.config.isExcluded(path)) return undefined;
      const context = await this.contextIn(effective.root, path, kind);
      const findings = lintText(path, text, effective.config, kind, context);
      if (!this.driftResolver) return findings;
      const drift = await tagDriftFindings(path, text, effective.config, this.driftResolver, (reference, error) => this.log.warn(`image-tag-drift could not check ${reference}: ${error.message}`), context);
      return [...findings, ...drift];
    } catch (error) {
      this.log.error(`Linting ${fsPath} failed: ${(error as Error).stack ?? String(error)}`);
      return undefined;
    }
  }

  /** What the files beside `fsPath` say about its images, so hovers and quick-fixes agree with Problems. */
  async lintContext(fsPath: string, kind: FileKind): Promise<LintContext> {
    const root = (await this.configs.forFile(fsPath)).root;
    return this.contextIn(root, relativePath(root, fsPath), kind);
  }

  private contextIn(root: string, path: string, kind: FileKind): Promise<LintContext> {
    let neighbours = this.neighbours.get(root);
    if (!neighbours) this.neighbours.set(root, (neighbours = neighbourFilesOnDisk(root)));
    return neighbours.contextFor(path, kind);
  }

  forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    this.generations.delete(key);
    if (!this.workspaceLinted.has(key)) this.collection.delete(document.uri);
  }

  /** Lints a file that is not open (Lint workspace); open documents are kept live instead. */
  async lintFile(uri: vscode.Uri, text: string, kind: FileKind): Promise<number> {
    const findings = (await this.findings(uri.fsPath, text, kind)) ?? [];
    this.workspaceLinted.add(uri.toString());
    this.collection.set(uri, findings.map((finding) => toDiagnostic(uri, finding)));
    return findings.length;
  }

  /** A bake file, `.env`, skaffold.yaml, Tiltfile or GitLab CI file changed: read them again. */
  neighbourFilesChanged(): void {
    this.neighbours.clear();
    this.relintOpenDocuments();
  }

  relintOpenDocuments(): void {
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  dispose(): void {
    this.pending.forEach((timer) => clearTimeout(timer));
    this.collection.dispose();
  }
}

export function registerDiagnostics(context: vscode.ExtensionContext, linter: DocumentLinter, configs: LintConfigs): void {
  const neighbourWatcher = vscode.workspace.createFileSystemWatcher(NEIGHBOUR_FILES_GLOB);
  context.subscriptions.push(
    neighbourWatcher,
    neighbourWatcher.onDidCreate(() => linter.neighbourFilesChanged()),
    neighbourWatcher.onDidChange(() => linter.neighbourFilesChanged()),
    neighbourWatcher.onDidDelete(() => linter.neighbourFilesChanged()),
    linter,
    vscode.workspace.onDidOpenTextDocument((document) => linter.schedule(document, 0)),
    vscode.workspace.onDidChangeTextDocument((event) => linter.schedule(event.document)),
    vscode.workspace.onDidCloseTextDocument((document) => linter.forget(document)),
    configs.onDidChange(() => linter.relintOpenDocuments()),
  );
  linter.relintOpenDocuments();
}
