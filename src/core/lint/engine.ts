import { analyzeDockerfile } from '../dockerfile/model';
import { allowedRegistriesFor } from '../environments/environments';
import type { DockerfileModel } from '../dockerfile/model';
import { isDockerfileTemplate } from '../dockerfile/template';
import type { ManifestImage } from '../manifests/extractors';
import { scanYaml } from '../manifests/scan';
import { classifyReference } from '../reference/classify';
import { parseReference } from '../reference/parse';
import { fileKindOf } from '../workspace/fileKinds';
import type { FileKind } from '../workspace/fileKinds';
import type { LintContext } from '../workspace/neighbours';
import type { LintConfig } from './config';
import { compareFindings } from './finding';
import type { Finding, Range, RuleHit } from './finding';
import { inputProblem } from './inputLimits';
import type { ImageOccurrence, Rule } from './rule';
import { DOCKERFILE_RULES, IMAGE_RULES } from './ruleRegistry';
import { fileInvalid } from './rules/fileInvalid';
import { suppressionsByLine } from './suppression';

interface ImageText {
  readonly written: string;
  readonly text: string;
  readonly resolvedFrom?: string;
  readonly range: Range;
  readonly origin: string;
  readonly rangeIsTag?: boolean;
}

/**
 * The images resolved and classified; a reference the file repeats (a base image in every stage,
 * one image in many documents) is parsed once.
 */
function toOccurrences(images: readonly ManifestImage[]): ImageOccurrence[] {
  const known = new Map<string, Pick<ImageOccurrence, 'parsed' | 'mutability'>>();
  return images.map((image) => {
    const { text, range, origin } = image;
    let classified = known.get(text);
    if (!classified) {
      const parsed = parseReference(text);
      classified = { parsed, mutability: parsed.ok ? classifyReference(parsed.reference) : undefined };
      known.set(text, classified);
    }
    const written = image.written ?? text;
    // Built field by field where it can be: spreading both objects costs more than all the rules (2,000-line bench).
    return image.resolvedFrom === undefined && image.rangeIsTag === undefined
      ? { written, text, range, origin, parsed: classified.parsed, mutability: classified.mutability }
      : { ...image, written, ...classified };
  });
}

/**
 * Images a Dockerfile pulls; those built from values the file does not know, and names a build
 * binds to a named context (Bake `contexts`), are left out.
 */
export function dockerfileImages(model: DockerfileModel, buildContexts: ReadonlySet<string> = new Set()): ImageOccurrence[] {
  return toOccurrences(model.images
    .filter((image) => image.resolved !== undefined && !buildContexts.has(image.resolved))
    .map((image) => ({ written: image.written, text: image.resolved!, range: image.range, origin: image.via })));
}

/** Every image reference in a file, resolved and classified (hover, retention protection). */
export function imageOccurrences(path: string, text: string, kind: FileKind | undefined = fileKindOf(path), context: LintContext = {}): ImageOccurrence[] {
  if (kind === 'dockerfile') return isDockerfileTemplate(path, text) ? [] : dockerfileImages(analyzeDockerfile(text), context.buildContexts);
  if (kind === 'yaml') return toOccurrences(scanYaml(path, text, context).images);
  return [];
}

/**
 * Lints one file's text. `path` is relative to the config's folder, with `/` separators, and
 * decides the file kind and whether production rules apply; `context` is what the files beside
 * it say (NeighbourFiles).
 */
export function lintText(path: string, text: string, config: LintConfig, kind: FileKind | undefined = fileKindOf(path), context: LintContext = {}): Finding[] {
  // Templates are linted once rendered: their lines are not instructions yet (README, "What is not checked").
  if (kind === undefined || (kind === 'dockerfile' && isDockerfileTemplate(path, text))) return [];
  const tooBig = inputProblem(text);
  // Nothing else of the file is read, suppression comments included.
  if (tooBig) return applySettings(path, '', [{ rule: fileInvalid, hit: tooBig }], config);
  const hits: { rule: Rule; hit: RuleHit }[] = [];
  // Loops, not push(...spread): a hostile file's hundreds of thousands of hits overflow the stack.
  const add = (rule: Rule, ruleHits: readonly RuleHit[]) => {
    for (const hit of ruleHits) hits.push({ rule, hit });
  };
  let occurrences: ImageOccurrence[];
  if (kind === 'dockerfile') {
    const model = analyzeDockerfile(text);
    add(fileInvalid, model.problems);
    for (const rule of DOCKERFILE_RULES) {
      if (config.severities.get(rule.id) !== 'off') add(rule, rule.check({ model, requiredLabels: config.requiredLabels }));
    }
    occurrences = dockerfileImages(model, context.buildContexts);
  } else {
    const scan = scanYaml(path, text, context);
    add(fileInvalid, scan.problems);
    occurrences = toOccurrences(scan.images);
  }
  const allowedRegistries = allowedRegistriesFor(config.environments, path);
  const options = { majorMinorSeverity: config.majorMinorSeverity, ...(allowedRegistries ? { allowedRegistries } : {}) };
  for (const occurrence of occurrences) {
    for (const rule of IMAGE_RULES) {
      if (config.severities.get(rule.id) === 'off') continue;
      const hit = rule.check(occurrence, options);
      if (hit) hits.push({ rule, hit });
    }
  }
  return applySettings(path, text, hits, config);
}

/** Severities from the config, suppression comments and production paths, applied to raw rule hits. */
export function applySettings(path: string, text: string, hits: readonly { rule: Rule; hit: RuleHit }[], config: LintConfig): Finding[] {
  const suppressions = suppressionsByLine(text);
  const productionGlob = config.productionGlobOf(path);
  const findings: Finding[] = [];
  for (const { rule, hit } of hits) {
    let severity = hit.severity ?? config.severities.get(rule.id) ?? rule.defaultSeverity;
    if (severity === 'off') continue;
    if (suppressions.size > 0 && suppressions.get(hit.range.start.line)?.has(rule.id)) continue;
    let message = hit.message;
    // Tag immutability in production is the point: every mutable-tag finding there is an error, and says which glob made it one.
    if (productionGlob !== undefined && rule.appliesTo === 'image' && rule.mutableTag && severity !== 'error') {
      severity = 'error';
      message = `${message} (error: ${productionGlob} is a production path)`;
    }
    // Two literals, not a spread of an optional part: a file may have thousands of findings.
    findings.push(hit.related?.length ? { rule: rule.id, severity, message, range: hit.range, related: hit.related } : { rule: rule.id, severity, message, range: hit.range });
  }
  return findings.sort(compareFindings);
}
