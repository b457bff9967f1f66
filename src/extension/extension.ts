import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { registerCodeActions } from './codeActions';
import { applySnippetFix } from './commands/applySnippetFix';
import { lintWorkspace, lintWorkspaceCommand } from './commands/lintWorkspace';
import { openLog } from './commands/openLog';
import { DocumentLinter, registerDiagnostics } from './diagnostics';
import { registerHover } from './hover';
import { LintConfigs } from './lintConfigs';
import { createLog, showError } from './log';
import type { Command, Services } from './services';
import { readLintSettings } from './settings';

const COMMANDS: readonly Command[] = [lintWorkspaceCommand, openLog, applySnippetFix];

/** Exposed for the extension-host tests (activation time) and other extensions. */
export interface ArtifactStewardApi {
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): ArtifactStewardApi | undefined {
  const started = performance.now();
  const log = createLog();
  context.subscriptions.push(log);
  try {
    const configs = new LintConfigs(log);
    const linter = new DocumentLinter(configs, log);
    const services: Services = { log, configs, linter };
    context.subscriptions.push(configs);
    for (const command of COMMANDS) {
      context.subscriptions.push(vscode.commands.registerCommand(command.id, (...args: never[]) => command.run(services, ...args)));
    }
    registerDiagnostics(context, linter, configs);
    registerCodeActions(context, configs);
    registerHover(context);
    if (readLintSettings().lintWorkspaceOnStartup) void lintWorkspace(services);
    const activationMs = performance.now() - started;
    log.info(`Artifact Steward ${String(context.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms`);
    return { activationMs };
  } catch (error) {
    log.error(`Activation failed: ${(error as Error).stack ?? String(error)}`);
    void showError(`Artifact Steward failed to start: ${(error as Error).message}`);
    return undefined;
  }
}

export function deactivate(): void {}
