import { compileUserGlobs } from '../patterns/userPatterns';
import type { ImageReference } from '../reference/parse';
import { normalizeRegistryHost } from '../reference/registryHost';

/** `environments[]` of `.steward.yaml`, as written. */
export interface EnvironmentConfig {
  readonly name: string;
  readonly paths: readonly string[];
  readonly production?: boolean;
  /** `registry.example.com/prod/`: the registries or namespaces the environment may pull from. */
  readonly registries?: readonly string[];
}

/** An environment with its globs compiled, configured or inferred. */
export interface EnvironmentDefinition {
  readonly name: string;
  readonly paths: readonly string[];
  readonly production: boolean;
  readonly registries?: readonly string[];
  /** Found from the workspace's layout, not written in `.steward.yaml`. */
  readonly inferred: boolean;
  /** Whether a path (relative to the config's folder, `/` separators) belongs to it. */
  readonly contains: (relativePath: string) => boolean;
}

function definition(config: EnvironmentConfig, inferred: boolean): EnvironmentDefinition {
  const contains = compileUserGlobs(config.paths);
  return {
    name: config.name, paths: config.paths, production: config.production === true, inferred, contains,
    ...(config.registries ? { registries: config.registries } : {}),
  };
}

export function resolveEnvironments(configs: readonly EnvironmentConfig[]): EnvironmentDefinition[] {
  return configs.map((config) => definition(config, false));
}

/** The first problem the schema cannot see: a name given twice. */
export function environmentsProblem(configs: readonly EnvironmentConfig[]): { index: number; message: string } | undefined {
  const seen = new Set<string>();
  for (const [index, config] of configs.entries()) {
    if (seen.has(config.name)) return { index, message: `the environment "${config.name}" is listed twice` };
    seen.add(config.name);
  }
  return undefined;
}

/** The layouts environments are inferred from: the folder or file part that names the environment. */
const LAYOUTS: readonly { readonly pattern: RegExp; readonly glob: (prefix: string, name: string, suffix: string) => string; readonly layout: string }[] = [
  { pattern: /^(.*?(?:^|\/))overlays\/([^/]+)\/.+$/, glob: (prefix, name) => `${prefix}overlays/${name}/**`, layout: 'overlays/<env>' },
  { pattern: /^(.*?(?:^|\/))deploy\/([^/]+)\/.+$/, glob: (prefix, name) => `${prefix}deploy/${name}/**`, layout: 'deploy/<env>' },
  { pattern: /^(.*?(?:^|\/))environments\/([^/]+)\/.+$/, glob: (prefix, name) => `${prefix}environments/${name}/**`, layout: 'environments/<env>' },
  { pattern: /^(.*?(?:^|\/))values-([^/.]+)(\.ya?ml)$/, glob: (prefix, name, suffix) => `${prefix}values-${name}${suffix}`, layout: 'values-<env>.yaml' },
];

/** The usual promotion order; names it does not know go between the early ones and the production ones, by name. */
const USUAL_ORDER = ['dev', 'development', 'test', 'testing', 'qa', 'int', 'integration', 'staging', 'stage', 'preprod', 'pre-prod', 'uat', 'prod', 'production'];
const PRODUCTION_NAMES = new Set(['prod', 'production']);

function orderOf(name: string): number {
  const known = USUAL_ORDER.indexOf(name.toLowerCase());
  return known >= 0 ? known : USUAL_ORDER.indexOf('prod') - 0.5;
}

export interface InferredEnvironments {
  readonly environments: readonly EnvironmentDefinition[];
  /** The layouts they were found by (`overlays/<env>`), for saying that they were inferred. */
  readonly layouts: readonly string[];
}

/**
 * Environments from the workspace's layout, when `.steward.yaml` names none: Kustomize
 * `overlays/<env>`, `deploy/<env>`, `environments/<env>` and Helm `values-<env>.yaml`. Ordered by
 * the usual promotion order (dev → staging → prod); `prod` and `production` are production.
 */
export function inferEnvironments(files: readonly string[]): InferredEnvironments {
  const globs = new Map<string, Set<string>>();
  const layouts = new Set<string>();
  for (const file of files) {
    for (const { pattern, glob, layout } of LAYOUTS) {
      const match = pattern.exec(file);
      if (!match) continue;
      const [, prefix, name, suffix] = match as unknown as [string, string, string, string | undefined];
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name === 'base' || name === 'bases') continue;
      if (!globs.has(name)) globs.set(name, new Set());
      globs.get(name)!.add(glob(prefix, name, suffix ?? ''));
      layouts.add(layout);
    }
  }
  const names = [...globs.keys()].sort((a, b) => orderOf(a) - orderOf(b) || a.localeCompare(b));
  return {
    environments: names.map((name) => definition({ name, paths: [...globs.get(name)!].sort(), production: PRODUCTION_NAMES.has(name.toLowerCase()) }, true)),
    layouts: [...layouts].sort(),
  };
}

/** `registry.example.com/prod/` → host (normalised) and path prefix. */
function splitPrefix(prefix: string): { host: string; path: string } {
  const [host, ...path] = prefix.split('/');
  return { host: normalizeRegistryHost(host!), path: path.join('/').replace(/\/+$/, '') };
}

/**
 * Whether a reference pulls from one of the allowed registries or namespaces: the host equal after
 * normalisation, and the repository inside the prefix's path at a `/` boundary (`prod` allows
 * `prod/api`, not `production/api`).
 */
export function isRegistryAllowed(reference: Pick<ImageReference, 'domain' | 'path'>, allowed: readonly string[]): boolean {
  const host = normalizeRegistryHost(reference.domain);
  return allowed.some((prefix) => {
    const wanted = splitPrefix(prefix);
    return wanted.host === host && (wanted.path === '' || reference.path === wanted.path || reference.path.startsWith(`${wanted.path}/`));
  });
}

/** The environment a path belongs to and its allowed registries, when it lists any (the lint rule's question). */
export function allowedRegistriesFor(environments: readonly EnvironmentDefinition[], relativePath: string): { environment: string; registries: readonly string[] } | undefined {
  const environment = environments.find((candidate) => candidate.registries && candidate.contains(relativePath));
  return environment ? { environment: environment.name, registries: environment.registries! } : undefined;
}

/** The configured environments, else those the layout implies, with the layouts they were inferred from. */
export function workspaceEnvironments(configured: readonly EnvironmentDefinition[], files: Iterable<string>): { environments: readonly EnvironmentDefinition[]; inferredFrom?: readonly string[] } {
  if (configured.length > 0) return { environments: configured };
  const inferred = inferEnvironments([...files]);
  return { environments: inferred.environments, inferredFrom: inferred.layouts };
}
