import type { DockerfileModel } from '../dockerfile/model';
import type { RequiredLabel } from '../dockerfile/labelValues';
import type { ParseResult } from '../reference/parse';
import type { Mutability } from '../reference/classify';
import type { Range, RuleHit, SeveritySetting } from './finding';

/** The public face of a rule: its id is a contract (config, suppressions, docs, JSON output). */
export interface RuleMeta {
  readonly id: string;
  readonly description: string;
  readonly defaultSeverity: SeveritySetting;
}

/** One image reference found in a Dockerfile or manifest, already resolved and parsed. */
export interface ImageOccurrence {
  /** As written in the file. */
  readonly written: string;
  /** After variable expansion (equal to `written` when nothing was expanded). */
  readonly text: string;
  /** Where expanded values came from when not the Dockerfile's ARG defaults: `.env line 3`. */
  readonly resolvedFrom?: string;
  readonly range: Range;
  /** Where it was found, in words: `FROM`, `Deployment web, container app`, `Compose service db`. */
  readonly origin: string;
  readonly parsed: ParseResult;
  /** Undefined when the reference is invalid. */
  readonly mutability: Mutability | undefined;
  /** The range covers only the `tag` scalar of a Helm image map, not the whole reference. */
  readonly rangeIsTag?: boolean;
}

export interface ImageRuleOptions {
  /** Severity of major.minor tags under image-floating-tag. */
  readonly majorMinorSeverity: SeveritySetting;
  /** The registries the file's environment may pull from, when its `environments[]` entry lists any. */
  readonly allowedRegistries?: { readonly environment: string; readonly registries: readonly string[] };
}

export interface ImageRule extends RuleMeta {
  readonly appliesTo: 'image';
  /** Mutable-tag rules are raised to errors in production paths. */
  readonly mutableTag: boolean;
  check(occurrence: ImageOccurrence, options: ImageRuleOptions): RuleHit | undefined;
}

export interface DockerfileRuleContext {
  readonly model: DockerfileModel;
  readonly requiredLabels: readonly RequiredLabel[];
}

export interface DockerfileRule extends RuleMeta {
  readonly appliesTo: 'dockerfile';
  check(context: DockerfileRuleContext): RuleHit[];
}

/** Reported by the engine itself when a file cannot be read or parsed. */
export interface FileRule extends RuleMeta {
  readonly appliesTo: 'file';
}

/** Checked against a registry, asynchronously, only when enabled (see registry/tagDrift.ts). */
export interface RegistryRule extends RuleMeta {
  readonly appliesTo: 'registry';
}

export type Rule = ImageRule | DockerfileRule | FileRule | RegistryRule;

export const DOCS_BASE_URL = 'https://github.com/artifact-steward/artifact-steward/blob/main/docs/rules/';

export function ruleDocsUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}${ruleId}.md`;
}

/** `"${BASE}" (resolved to "alpine" from ARG defaults)` or just `"alpine"`. */
export function quoteOccurrence(occurrence: ImageOccurrence): string {
  return occurrence.written === occurrence.text ? `"${occurrence.text}"` : `"${occurrence.written}" (resolved to "${occurrence.text}" from ${occurrence.resolvedFrom ?? 'ARG defaults'})`;
}
