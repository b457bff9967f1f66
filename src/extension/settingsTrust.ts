import type { ConfigFile } from '../core/lint/config';
import type { SeveritySetting } from '../core/lint/finding';
import { ALL_RULES } from '../core/lint/ruleRegistry';

/** The parts of `WorkspaceConfiguration.inspect()` that trust decides between. */
export interface InspectedSetting<T> {
  readonly defaultValue?: T;
  readonly globalValue?: T;
  readonly workspaceValue?: T;
  readonly workspaceFolderValue?: T;
}

/**
 * The value of a setting package.json lists in `restrictedConfigurations`. An untrusted
 * workspace's own settings (`.vscode/settings.json`, the `.code-workspace` file) could otherwise
 * turn off TLS verification, add a CA, run another trivy or attach results to a registry: there
 * only the user's and the default values count.
 */
export function trustedValue<T>(inspected: InspectedSetting<T> | undefined, isTrusted: boolean): T | undefined {
  if (!inspected) return undefined;
  return isTrusted
    ? inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue ?? inspected.defaultValue
    : inspected.globalValue ?? inspected.defaultValue;
}

const NETWORK_RULE_IDS = ALL_RULES.filter((rule) => rule.appliesTo === 'registry').map((rule) => rule.id);

/**
 * Rules that ask a registry (image-tag-drift) stay off in an untrusted workspace, whatever the
 * settings or `.steward.yaml` say: otherwise opening a folder would send requests, with the
 * user's credentials, to every registry its files name.
 */
export function withoutNetworkRules(file: ConfigFile): ConfigFile {
  const off: Record<string, SeveritySetting> = Object.fromEntries(NETWORK_RULE_IDS.map((id) => [id, 'off']));
  return { ...file, rules: { ...file.rules, ...off } };
}
