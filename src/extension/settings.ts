import * as vscode from 'vscode';
import type { ConfigFile } from '../core/lint/config';
import type { SeveritySetting } from '../core/lint/finding';

export const SETTINGS_SECTION = 'artifactSteward';

/** The lint settings, read through one typed accessor (defaults and descriptions live in package.json). */
export interface LintSettings {
  readonly enable: boolean;
  readonly lintWorkspaceOnStartup: boolean;
  /** The same shape as `.steward.yaml`; the file wins for every key it sets. */
  readonly asConfigFile: ConfigFile;
}

export function readLintSettings(scope?: vscode.ConfigurationScope): LintSettings {
  const lint = vscode.workspace.getConfiguration(`${SETTINGS_SECTION}.lint`, scope);
  const rules = lint.get<Record<string, SeveritySetting>>('rules', {});
  const requiredLabels = lint.get<NonNullable<ConfigFile['labels']>['required']>('requiredLabels', []);
  const useDefaultLabels = lint.get<boolean>('useDefaultLabels', true);
  const production = lint.inspect<string[]>('productionPaths');
  const exclude = lint.get<string[]>('exclude', []);
  const hasProduction = production?.globalValue !== undefined || production?.workspaceValue !== undefined || production?.workspaceFolderValue !== undefined;
  return {
    enable: lint.get<boolean>('enable', true),
    lintWorkspaceOnStartup: lint.get<boolean>('lintWorkspaceOnStartup', false),
    asConfigFile: {
      ...(Object.keys(rules).length > 0 ? { rules } : {}),
      labels: { defaults: useDefaultLabels, ...(requiredLabels && requiredLabels.length > 0 ? { required: requiredLabels } : {}) },
      ...(hasProduction ? { production: lint.get<string[]>('productionPaths', []) } : {}),
      ...(exclude.length > 0 ? { exclude } : {}),
    },
  };
}
