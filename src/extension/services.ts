import type * as vscode from 'vscode';
import type { HttpRegistry } from '../core/registry/httpRegistry';
import type { DocumentLinter } from './diagnostics';
import type { FindResults } from './find/findResults';
import type { EnvironmentsTreeProvider } from './environments/environmentsTree';
import type { LintConfigs } from './lintConfigs';
import type { ReportPanels } from './reports/reportPanels';
import type { secretStorageCredentials } from './registry/registrySources';
import type { RegistryTreeProvider } from './registry/registryTree';
import type { RetentionPlans } from './retention/retentionPlans';

/** What every feature needs, built once in `activate()`. */
export interface Services {
  readonly log: vscode.LogOutputChannel;
  readonly configs: LintConfigs;
  readonly linter: DocumentLinter;
  readonly registryTree: RegistryTreeProvider;
  readonly registrySecrets: ReturnType<typeof secretStorageCredentials>;
  /** A client for a registry host: one transport for the whole extension, rebuilt when the registry settings change. */
  readonly openRegistry: (host: string) => HttpRegistry;
  readonly reports: ReportPanels;
  /** The extension's own folder: the rule pages ship in it. */
  readonly extensionUri: vscode.Uri;
  /** The extension's global storage: trivy results and downloaded attachments live here. */
  readonly storageUri: vscode.Uri;
  /** The last retention plan: its view and the tree's decorations. */
  readonly retention: RetentionPlans;
  /** The last Find images… search: its view. */
  readonly findResults: FindResults;
  /** The Environments view's model: what each environment deploys, and its drift. */
  readonly environments: EnvironmentsTreeProvider;
}

/** One command per file: its id (as in package.json) and what it does. */
export interface Command {
  readonly id: string;
  run(services: Services, ...args: never[]): unknown;
}
