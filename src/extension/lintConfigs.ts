import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAMES, mergeConfigFiles, parseConfigFile, patternProblem, resolveConfig } from '../core/lint/config';
import type { ConfigError, ConfigFile, LintConfig } from '../core/lint/config';
import { findConfigRoot } from '../core/workspace/walk';
import { showError } from './log';
import type { Logger } from './log';
import { readLintSettings } from './settings';
import { withoutNetworkRules } from './settingsTrust';

export interface EffectiveConfig {
  readonly root: string;
  readonly config: LintConfig;
  readonly configFile?: string;
  readonly error?: ConfigError;
}

/**
 * The lint config for each document: the nearest `.steward.yaml` between its folder and its
 * workspace folder (or repository root), merged over the settings. Cached per config root and
 * dropped when a config file, the settings or the workspace's trust change.
 */
export class LintConfigs implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<EffectiveConfig>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** The settings' last refused pattern, shown once rather than for every config root. */
  private shownSettingsProblem: string | undefined;

  constructor(private readonly log: Logger) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/{${CONFIG_FILE_NAMES.join(',')}}`);
    const invalidate = () => {
      this.cache.clear();
      this.changed.fire();
    };
    this.disposables.push(watcher, watcher.onDidChange(invalidate), watcher.onDidCreate(invalidate), watcher.onDidDelete(invalidate),
      vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('artifactSteward.lint') && invalidate()),
      vscode.workspace.onDidGrantWorkspaceTrust(invalidate));
  }

  forFile(fsPath: string): Promise<EffectiveConfig> {
    return this.forFolder(dirname(fsPath));
  }

  async forFolder(dir: string): Promise<EffectiveConfig> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir));
    const root = await findConfigRoot(dir, CONFIG_FILE_NAMES, folder?.uri.fsPath);
    let effective = this.cache.get(root);
    if (!effective) {
      effective = this.load(root, folder);
      this.cache.set(root, effective);
    }
    return effective;
  }

  private async load(root: string, folder: vscode.WorkspaceFolder | undefined): Promise<EffectiveConfig> {
    const settings = readLintSettings(folder?.uri).asConfigFile;
    for (const name of CONFIG_FILE_NAMES) {
      const file = join(root, name);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const parsed = parseConfigFile(text, file);
      if (parsed.error) {
        this.log.error(`${file}: ${parsed.error.key ? `${parsed.error.key}: ` : ''}${parsed.error.message}; using the settings and defaults.`);
        return { root, config: this.resolve(settings), configFile: file, error: parsed.error };
      }
      return { root, config: this.resolve(settings, parsed.data), configFile: file };
    }
    return { root, config: this.resolve(settings) };
  }

  /** The config file over the settings; a settings pattern that is refused drops the settings (the file's are checked already). */
  private resolve(settings: ConfigFile, file?: ConfigFile): LintConfig {
    let merged = file ? mergeConfigFiles(settings, file) : settings;
    const problem = patternProblem(merged);
    if (problem) {
      const message = `Setting artifactSteward.lint (${problem.path.join('.')}): ${problem.message}; using ${file ? 'the config file and ' : ''}the defaults.`;
      this.log.error(message);
      if (this.shownSettingsProblem !== message) void showError(message);
      this.shownSettingsProblem = message;
      merged = file ?? {};
    }
    return resolveConfig(vscode.workspace.isTrusted ? merged : withoutNetworkRules(merged));
  }

  dispose(): void {
    this.disposables.forEach((disposable) => disposable.dispose());
  }
}
