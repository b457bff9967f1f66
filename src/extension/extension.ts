import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { registerCodeActions } from './codeActions';
import { addRegistry } from './commands/addRegistry';
import { applySnippetFix } from './commands/applySnippetFix';
import { compareSboms } from './commands/compareSboms';
import { copyPinnedReference } from './commands/copyPinnedReference';
import { copyReference } from './commands/copyReference';
import { deleteImage } from './commands/deleteImage';
import { clearTagFilter } from './commands/clearTagFilter';
import { filterTags } from './commands/filterTags';
import { generateSbom } from './commands/generateSbom';
import { inspectedDocuments, inspectImage, INSPECT_SCHEME } from './commands/inspectImage';
import { loadMoreTags } from './commands/loadMoreTags';
import { openAttachment } from './commands/openAttachment';
import { openReport } from './commands/openReport';
import { pinToDigest } from './commands/pinToDigest';
import { promoteImage } from './commands/promoteImage';
import { findImagesCommand } from './commands/findImages';
import { findImagesFromCommitCommand } from './commands/findImagesFromCommit';
import { replicateImagesCommand } from './commands/replicateImages';
import { promoteToNextEnvironment } from './commands/promoteToNextEnvironment';
import { refreshEnvironments } from './commands/refreshEnvironments';
import { applyRetentionCommand } from './commands/applyRetention';
import { exportRetentionCommand } from './commands/exportRetention';
import { planRetentionCommand } from './commands/planRetention';
import { refreshRegistries } from './commands/refreshRegistries';
import { removeRegistry } from './commands/removeRegistry';
import { scanImage } from './commands/scanImage';
import { signIn } from './commands/signIn';
import { sortTags } from './commands/sortTags';
import { sortAllTags } from './commands/sortAllTags';
import { useNewestVersion } from './commands/useNewestVersion';
import { lintWorkspace, lintWorkspaceCommand } from './commands/lintWorkspace';
import { openLog } from './commands/openLog';
import { openRuleDocs } from './commands/openRuleDocs';
import { DocumentLinter, registerDiagnostics } from './diagnostics';
import { ENVIRONMENTS_VIEW, EnvironmentsTreeProvider } from './environments/environmentsTree';
import { registerHover } from './hover';
import { LintConfigs } from './lintConfigs';
import { createLog, showError } from './log';
import type { Command, Services } from './services';
import { cachedDigestResolver, registryOpener, secretStorageCredentials } from './registry/registrySources';
import { REGISTRY_VIEW, RegistryTreeProvider } from './registry/registryTree';
import { ReportPanels } from './reports/reportPanels';
import { RETENTION_VIEW, RetentionPlans } from './retention/retentionPlans';
import { FIND_VIEW, FindResults } from './find/findResults';
import { readLintSettings } from './settings';
import { registerStatusBar } from './statusBar';

const COMMANDS: readonly Command[] = [lintWorkspaceCommand, openLog, applySnippetFix, refreshRegistries, loadMoreTags, addRegistry, signIn, copyReference, copyPinnedReference, inspectImage, filterTags, clearTagFilter, sortTags, sortAllTags, pinToDigest, useNewestVersion, deleteImage, removeRegistry, openReport, compareSboms, openAttachment, scanImage, generateSbom, promoteImage, findImagesCommand, findImagesFromCommitCommand, replicateImagesCommand, planRetentionCommand, applyRetentionCommand, exportRetentionCommand, openRuleDocs, refreshEnvironments, promoteToNextEnvironment];

/** Exposed for the extension-host tests (activation time, the explorer's data) and other extensions. */
export interface ArtifactStewardApi {
  readonly activationMs: number;
  readonly registryTree: RegistryTreeProvider;
  /** The open report panels and what they show. */
  readonly reports: ReportPanels;
  /** The last retention plan (its view's data). */
  readonly retention: RetentionPlans;
  /** The last Find images… search (its view's data). */
  readonly findResults: FindResults;
  /** The Environments view's model. */
  readonly environments: EnvironmentsTreeProvider;
  /** The file the log channel writes (tests read what was logged). */
  readonly logFile: vscode.Uri;
}

export function activate(context: vscode.ExtensionContext): ArtifactStewardApi | undefined {
  const started = performance.now();
  const log = createLog();
  context.subscriptions.push(log);
  try {
    const configs = new LintConfigs(log);
    const registrySecrets = secretStorageCredentials(context.secrets);
    let opener = registryOpener(registrySecrets, log);
    const openRegistry = (host: string) => opener(host);
    const linter = new DocumentLinter(configs, log, cachedDigestResolver(openRegistry));
    const retention = new RetentionPlans();
    const registryTree = new RegistryTreeProvider(openRegistry, log, retention);
    const reports = new ReportPanels(context, log, configs);
    const findResults = new FindResults();
    const environments = new EnvironmentsTreeProvider(configs, openRegistry, log);
    const services: Services = { log, configs, linter, registryTree, registrySecrets, openRegistry, reports, extensionUri: context.extensionUri, storageUri: context.globalStorageUri, retention, findResults, environments };
    context.subscriptions.push(configs, registryTree, reports, retention, findResults, environments,
      findResults.showIn(vscode.window.createTreeView(FIND_VIEW, { treeDataProvider: findResults })),
      vscode.window.createTreeView(ENVIRONMENTS_VIEW, { treeDataProvider: environments }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (/\.ya?ml$|\/Kustomization$/.test(document.uri.path)) environments.refresh();
      }),
      registryTree.showIn(vscode.window.createTreeView(REGISTRY_VIEW, { treeDataProvider: registryTree, showCollapseAll: true })),
      vscode.window.createTreeView(RETENTION_VIEW, { treeDataProvider: retention }),
      vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, { provideTextDocumentContent: (uri) => inspectedDocuments.get(uri.toString()) ?? '' }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('artifactSteward.registries')) opener = registryOpener(registrySecrets, log);
        if (event.affectsConfiguration('artifactSteward.registries') || event.affectsConfiguration('artifactSteward.registryTagSort') || event.affectsConfiguration('artifactSteward.verification')) registryTree.refresh();
      }),
      // Trusted now: the workspace's registry settings count (lint configs re-read and re-lint themselves).
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        opener = registryOpener(registrySecrets, log);
        registryTree.refresh();
      }));
    for (const command of COMMANDS) {
      context.subscriptions.push(vscode.commands.registerCommand(command.id, (...args: never[]) => command.run(services, ...args)));
    }
    registerDiagnostics(context, linter, configs);
    registerCodeActions(context, configs, linter);
    registerHover(context, linter);
    registerStatusBar(context, reports);
    if (readLintSettings().lintWorkspaceOnStartup) void lintWorkspace(services);
    const activationMs = performance.now() - started;
    log.info(`Artifact Steward ${String(context.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms`);
    return { activationMs, registryTree, reports, retention, findResults, environments, logFile: vscode.Uri.joinPath(context.logUri, `${log.name}.log`) };
  } catch (error) {
    log.error(`Activation failed: ${(error as Error).stack ?? String(error)}`);
    void showError(`Artifact Steward failed to start: ${(error as Error).message}`);
    return undefined;
  }
}

export function deactivate(): void {}
