import * as vscode from 'vscode';
import type { ConfigFile } from '../core/lint/config';
import type { SeveritySetting } from '../core/lint/finding';
import { trustedValue } from './settingsTrust';

export const SETTINGS_SECTION = 'artifactSteward';

/** The lint settings, read through one typed accessor (defaults and descriptions live in package.json). */
export interface LintSettings {
  readonly enable: boolean;
  readonly lintWorkspaceOnStartup: boolean;
  /** The same shape as `.steward.yaml`; the file wins for every key it sets. */
  readonly asConfigFile: ConfigFile;
}

/**
 * A setting package.json lists in `capabilities.untrustedWorkspaces.restrictedConfigurations`:
 * in an untrusted workspace, the workspace's own value is ignored (see settingsTrust.ts).
 */
export function readRestrictedSetting<T>(section: string, key: string, fallback: T, scope?: vscode.ConfigurationScope): T {
  return trustedValue(vscode.workspace.getConfiguration(section, scope).inspect<T>(key), vscode.workspace.isTrusted) ?? fallback;
}

export function readLintSettings(scope?: vscode.ConfigurationScope): LintSettings {
  const lint = vscode.workspace.getConfiguration(`${SETTINGS_SECTION}.lint`, scope);
  // Restricted: the rules setting can turn on image-tag-drift, which asks registries.
  const rules = readRestrictedSetting<Record<string, SeveritySetting>>(`${SETTINGS_SECTION}.lint`, 'rules', {}, scope);
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

export interface TrivySettings {
  /** Empty: `trivy` on PATH. */
  readonly path: string | undefined;
  readonly args: readonly string[];
  readonly attachResults: 'ask' | 'always' | 'never';
}

/** `artifactSteward.trivy.*`, all restricted: a workspace must not choose what runs, or where results go. */
/** Keys the explorer verifies signatures with (restricted: an untrusted workspace could otherwise vouch for its own signatures). */
export function readVerificationKeys(): string[] {
  return readRestrictedSetting<string[]>(`${SETTINGS_SECTION}.verification`, 'keys', []);
}

export function readTrivySettings(): TrivySettings {
  const section = `${SETTINGS_SECTION}.trivy`;
  return {
    path: readRestrictedSetting(section, 'path', '') || undefined,
    args: readRestrictedSetting<string[]>(section, 'args', []),
    attachResults: readRestrictedSetting<TrivySettings['attachResults']>(section, 'attachResults', 'ask'),
  };
}
