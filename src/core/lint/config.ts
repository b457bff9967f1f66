import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import schema from '../../../schemas/steward.schema.json';
import { DEFAULT_REQUIRED_LABELS } from '../dockerfile/labelValues';
import type { LabelValueType, RequiredLabel } from '../dockerfile/labelValues';
import { compileBuiltInGlob, compileUserGlob, compileUserGlobs, compileUserRegex, UnsafePatternError } from '../patterns/userPatterns';
import type { PromotionGates, PromotionScanGate, PromotionTargetRule } from '../promote/gates';
import { replicationRuleProblem } from '../replicate/rules';
import type { ReplicationRule } from '../replicate/rules';
import { isoDateProblem } from '../isoDate';
import { environmentsProblem, resolveEnvironments } from '../environments/environments';
import type { EnvironmentConfig, EnvironmentDefinition } from '../environments/environments';
import type { Position, SeveritySetting } from './finding';
import { RULES_BY_ID } from './ruleRegistry';

/** Looked up at the repository root, in this order. */
export const CONFIG_FILE_NAMES = ['.steward.yaml', '.steward.yml'] as const;

export const DEFAULT_PRODUCTION_GLOBS = ['**/prod/**', '**/production/**'];

/** The config file as users write it (validated against schemas/steward.schema.json). */
export interface ConfigFile {
  rules?: Record<string, SeveritySetting | { severity?: SeveritySetting; majorMinor?: SeveritySetting }>;
  labels?: { defaults?: boolean; required?: (string | { key: string; type?: LabelValueType; pattern?: string })[] };
  production?: string[];
  exclude?: string[];
  /** Named scan gates, referred to by `promotion.targets[].gates.scan`, the scan panel and `steward gate --gate`. */
  gates?: Record<string, PromotionScanGate>;
  promotion?: { targets?: WrittenTargetRule[] };
  /** Checked by the retention reader (its own messages name the rule and key). */
  retention?: unknown;
  /** `steward replicate` rules (see core/replicate/rules.ts). */
  replication?: ReplicationRule[];
  /** Promotion order, each environment's files and allowed registries (core/environments). */
  environments?: EnvironmentConfig[];
}

/** A promotion target as written: its scan gate inline or by the name of one under `gates`. */
export type WrittenTargetRule = Omit<PromotionTargetRule, 'gates'> & { gates?: Omit<PromotionGates, 'scan'> & { scan?: string | PromotionScanGate } };

/** Everything the engine needs, with defaults applied. */
export interface LintConfig {
  readonly severities: ReadonlyMap<string, SeveritySetting>;
  readonly majorMinorSeverity: SeveritySetting;
  readonly requiredLabels: readonly RequiredLabel[];
  readonly productionGlobs: readonly string[];
  readonly excludeGlobs: readonly string[];
  /** Paths are relative to this folder (the config file's). The first production glob the path matches, to say why its findings are errors. */
  readonly productionGlobOf: (relativePath: string) => string | undefined;
  readonly isExcluded: (relativePath: string) => boolean;
  /** `promotion.targets`: gates (named ones resolved) and immutable tags per target repository glob. */
  readonly promotionRules: readonly PromotionTargetRule[];
  /** `gates`, by name. */
  readonly gates: ReadonlyMap<string, PromotionScanGate>;
  /** `retention`, as written (see core/retention/policies/steward.ts). */
  readonly retention?: unknown;
  /** `replication`: what `steward replicate` copies where. */
  readonly replicationRules: readonly ReplicationRule[];
  /** `environments`, in promotion order; empty when the file has none (they are inferred then). */
  readonly environments: readonly EnvironmentDefinition[];
}

export interface ConfigError {
  readonly file: string;
  /** Dotted path of the offending key, e.g. `rules.image-latest`. */
  readonly key: string;
  readonly message: string;
  readonly position?: Position;
}

export function resolveConfig(file: ConfigFile = {}): LintConfig {
  const severities = new Map<string, SeveritySetting>();
  for (const rule of RULES_BY_ID.values()) severities.set(rule.id, rule.defaultSeverity);
  let majorMinorSeverity: SeveritySetting = 'info';
  for (const [id, setting] of Object.entries(file.rules ?? {})) {
    if (typeof setting === 'string') {
      severities.set(id, setting);
      continue;
    }
    if (setting.severity) severities.set(id, setting.severity);
    if (setting.majorMinor) majorMinorSeverity = setting.majorMinor;
  }
  const custom = (file.labels?.required ?? []).map((entry): RequiredLabel => (typeof entry === 'string'
    ? { key: entry, type: 'text' }
    : { key: entry.key, type: entry.type ?? 'text', ...(entry.pattern !== undefined ? { pattern: entry.pattern } : {}) }));
  const defaults = file.labels?.defaults === false ? [] : DEFAULT_REQUIRED_LABELS;
  const requiredLabels = [...defaults.filter((label) => !custom.some((entry) => entry.key === label.key)), ...custom];
  const environments = resolveEnvironments(file.environments ?? []);
  // A production environment's files are production paths too.
  const productionGlobs = [...new Set([...(file.production ?? DEFAULT_PRODUCTION_GLOBS), ...environments.filter((environment) => environment.production).flatMap((environment) => environment.paths)])];
  const excludeGlobs = file.exclude ?? [];
  const matcher = (globs: readonly string[]) => (globs.length === 0 ? () => false : compileUserGlobs(globs));
  return {
    severities,
    majorMinorSeverity,
    requiredLabels,
    productionGlobs,
    excludeGlobs,
    productionGlobOf: firstMatchingGlob(productionGlobs),
    isExcluded: matcher(excludeGlobs),
    promotionRules: (file.promotion?.targets ?? []).map((target) => resolveTargetGates(target, file.gates ?? {})),
    gates: new Map(Object.entries(file.gates ?? {})),
    ...(file.retention !== undefined ? { retention: file.retention } : {}),
    replicationRules: file.replication ?? [],
    environments,
  };
}

/** Our default globs run on V8's engine (RE2's first compile costs a CLI run ≈ 15 ms), by value: the same text written in a workspace is the same known pattern. */
function firstMatchingGlob(globs: readonly string[]): (relativePath: string) => string | undefined {
  const matchers = globs.map((glob) => ({ glob, matches: DEFAULT_PRODUCTION_GLOBS.includes(glob) ? compileBuiltInGlob(glob) : compileUserGlob(glob) }));
  return (relativePath) => matchers.find(({ matches }) => matches(relativePath))?.glob;
}

/**
 * The gate used where none is named (the scan panel, `steward gate` without `--gate`): the one called
 * `default`, else the only one; undefined when the file has none of either (callers fall back to settings).
 */
export function defaultGate(config: LintConfig): PromotionScanGate | undefined {
  return config.gates.get('default') ?? (config.gates.size === 1 ? [...config.gates.values()][0] : undefined);
}

function resolveTargetGates(target: WrittenTargetRule, gates: Readonly<Record<string, PromotionScanGate>>): PromotionTargetRule {
  const scan = target.gates?.scan;
  if (typeof scan !== 'string') return target as PromotionTargetRule;
  // parseConfigFile refuses unknown names; a config built in code without the gate gets an empty gate.
  return { ...target, gates: { ...target.gates, scan: gates[scan] ?? {} } };
}

/** Where each allow-list of the file is (named gates and inline target gates), for the checks the schema cannot make. */
function allowLists(file: ConfigFile): { path: (string | number)[]; gate: PromotionScanGate }[] {
  const named = Object.entries(file.gates ?? {}).map(([name, gate]) => ({ path: ['gates', name], gate }));
  const inline = (file.promotion?.targets ?? []).flatMap((target, index) => (typeof target.gates?.scan === 'object' ? [{ path: ['promotion', 'targets', index, 'gates', 'scan'], gate: target.gates.scan }] : []));
  return [...named, ...inline];
}

// Loaded and compiled on first use: most runs have no config file, and both cost start-up time.
let compiledValidator: ValidateFunction | undefined;
function validateConfig(data: unknown): { valid: boolean; errors: readonly ErrorObject[] } {
  const AjvClass = compiledValidator ? undefined : (require('ajv') as { default: typeof Ajv }).default;
  compiledValidator ??= new AjvClass!({ allErrors: true, strict: true }).compile(schema);
  return { valid: compiledValidator(data), errors: compiledValidator.errors ?? [] };
}

function keyPath(instancePath: string): string {
  return instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}

function describeSchemaError(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') {
    const unknown = (error.params as { additionalProperty: string }).additionalProperty;
    return error.instancePath === '/rules' ? `unknown rule id "${unknown}"` : `unknown key "${unknown}"`;
  }
  if (error.keyword === 'enum') return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
  return error.message ?? 'is invalid';
}

/** The most specific schema error: `oneOf` reports its branches' errors and then itself. */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject {
  return [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length || Number(a.keyword === 'oneOf') - Number(b.keyword === 'oneOf'))[0]!;
}

/** A regex or glob in the config that is refused (see core/patterns/userPatterns.ts). */
export interface PatternProblem {
  /** Where it is, e.g. `['exclude', 0]`. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

interface ConfigPattern {
  readonly path: readonly (string | number)[];
  readonly source: string;
  readonly compile: (source: string) => unknown;
}

function configPatterns(file: ConfigFile): ConfigPattern[] {
  const globs = (path: readonly (string | number)[], list: readonly string[] = []) => list.map((source, index): ConfigPattern => ({ path: [...path, index], source, compile: compileUserGlob }));
  return [
    ...(file.labels?.required ?? []).flatMap((entry, index): ConfigPattern[] => (typeof entry === 'string' || entry.pattern === undefined ? [] : [{ path: ['labels', 'required', index, 'pattern'], source: entry.pattern, compile: compileUserRegex }])),
    ...globs(['production'], file.production),
    ...globs(['exclude'], file.exclude),
    ...(file.promotion?.targets ?? []).flatMap((target, index) => [
      { path: ['promotion', 'targets', index, 'match'], source: target.match, compile: compileUserGlob },
      ...globs(['promotion', 'targets', index, 'immutableTags'], target.immutableTags),
    ]),
    ...(file.replication ?? []).flatMap((rule, index) => [
      { path: ['replication', index, 'from'], source: rule.from, compile: compileUserGlob },
      ...(Array.isArray(rule.tags) ? globs(['replication', index, 'tags'], rule.tags) : []),
    ]),
    ...(file.environments ?? []).flatMap((environment, index) => globs(['environments', index, 'paths'], environment.paths)),
  ];
}

/** The first regex or glob in `file` that does not compile or is not safe to run, if any. */
export function patternProblem(file: ConfigFile): PatternProblem | undefined {
  for (const { path, source, compile } of configPatterns(file)) {
    try {
      compile(source);
    } catch (error) {
      if (!(error instanceof UnsafePatternError)) throw error;
      return { path, message: error.message };
    }
  }
  return undefined;
}

/** Validates a config file's text; on failure, the one error naming the file, the key and the problem. */
export function parseConfigFile(text: string, fileName: string): { data: ConfigFile; error?: undefined } | { data?: undefined; error: ConfigError } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const failWith = (key: string, message: string, offset?: number): { error: ConfigError } => {
    const position = offset === undefined ? undefined : lineCounter.linePos(offset);
    return { error: { file: fileName, key, message, ...(position ? { position: { line: position.line - 1, character: position.col - 1 } } : {}) } };
  };
  const syntaxError = document.errors[0];
  if (syntaxError) return failWith('', `YAML syntax error: ${syntaxError.message.split('\n')[0]}`, syntaxError.pos[0]);
  const data: unknown = document.toJS() ?? {};
  const validation = validateConfig(data);
  if (!validation.valid) {
    const error = mostSpecific(validation.errors);
    const path = error.instancePath.split('/').slice(1).map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')));
    const node = document.getIn(path, true) as Node | undefined;
    const additional = error.keyword === 'additionalProperties' ? (error.params as { additionalProperty: string }).additionalProperty : undefined;
    const key = [keyPath(error.instancePath), additional].filter(Boolean).join('.');
    const offset = additional !== undefined && isMap(node) ? (node.items.find((pair) => (pair.key as { value?: unknown })?.value === additional)?.key as Node | undefined)?.range?.[0] : node?.range?.[0];
    return failWith(key || '(root)', describeSchemaError(error), offset);
  }
  const file = data as ConfigFile;
  const problem = patternProblem(file);
  if (problem) {
    const node = document.getIn(problem.path, true) as Node | undefined;
    return failWith(problem.path.join('.'), problem.message, node?.range?.[0]);
  }
  for (const [index, target] of (file.promotion?.targets ?? []).entries()) {
    const scan = target.gates?.scan;
    if (typeof scan === 'string' && !Object.hasOwn(file.gates ?? {}, scan)) {
      const node = document.getIn(['promotion', 'targets', index, 'gates', 'scan'], true) as Node | undefined;
      return failWith(`promotion.targets.${index}.gates.scan`, `names the gate "${scan}", which is not under gates (${Object.keys(file.gates ?? {}).join(', ') || 'none defined'})`, node?.range?.[0]);
    }
  }
  for (const [index, rule] of (file.replication ?? []).entries()) {
    const problem = replicationRuleProblem(rule);
    if (!problem) continue;
    const node = document.getIn(['replication', index, problem.key], true) as Node | undefined;
    return failWith(`replication.${index}.${problem.key}`, problem.message, node?.range?.[0]);
  }
  for (const { path, gate } of allowLists(file)) {
    for (const [index, entry] of (gate.allow ?? []).entries()) {
      const problem = entry.expires === undefined ? undefined : isoDateProblem(entry.expires);
      if (!problem) continue;
      const node = document.getIn([...path, 'allow', index, 'expires'], true) as Node | undefined;
      return failWith([...path, 'allow', index, 'expires'].join('.'), problem, node?.range?.[0]);
    }
  }
  const environmentProblem = environmentsProblem(file.environments ?? []);
  if (environmentProblem) {
    const node = document.getIn(['environments', environmentProblem.index, 'name'], true) as Node | undefined;
    return failWith(`environments.${environmentProblem.index}.name`, environmentProblem.message, node?.range?.[0]);
  }
  return { data: file };
}

/**
 * Parses and validates a config file's text. A broken config yields one error naming the file,
 * the key and the problem, and the defaults are used.
 */
export function parseConfig(text: string, fileName: string): { config: LintConfig; error?: ConfigError } {
  const parsed = parseConfigFile(text, fileName);
  return parsed.error ? { config: resolveConfig(), error: parsed.error } : { config: resolveConfig(parsed.data) };
}

/** `override` wins for every key it sets; rule settings merge per rule id. */
export function mergeConfigFiles(base: ConfigFile, override: ConfigFile): ConfigFile {
  return {
    ...base,
    ...override,
    rules: { ...base.rules, ...override.rules },
    labels: { ...base.labels, ...override.labels },
  };
}

export interface LoadedConfig {
  readonly config: LintConfig;
  /** The config file used, if any. */
  readonly file?: string;
  readonly error?: ConfigError;
}

/** Reads the config file in `root` (the repository root), or returns the defaults when there is none. */
export async function loadConfig(root: string): Promise<LoadedConfig> {
  for (const name of CONFIG_FILE_NAMES) {
    const file = join(root, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return { config: resolveConfig(), file, error: { file, key: '', message: `cannot be read (${(error as Error).message})` } };
    }
    return { file, ...parseConfig(text, file) };
  }
  return { config: resolveConfig() };
}
