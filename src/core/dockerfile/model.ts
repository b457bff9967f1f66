import { DockerfileParser } from 'dockerfile-ast';
import type { Arg, Env, Flag, From, Instruction, Label, Property, Variable } from 'dockerfile-ast';
import type { Range } from '../lint/finding';
import { expandVariables } from '../reference/variables';
import type { VariableLookup } from '../reference/variables';

/** Declared by BuildKit without an ARG, but only in FROM lines (a stage must re-declare them). */
export const AUTOMATIC_PLATFORM_ARGS: ReadonlySet<string> = new Set([
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
]);

export interface Declaration {
  readonly name: string;
  readonly kind: 'ARG' | 'ENV';
  /** Default or assigned value; `null` when an ARG has none (set only by a build argument). */
  readonly value: string | null;
  readonly range: Range;
  readonly line: number;
}

export interface VariableUse {
  readonly name: string;
  readonly range: Range;
  /** `-`, `+`, `?` (with or without `:`), or null for `$NAME` / `${NAME}`. */
  readonly modifier: string | null;
}

export interface LabelPair {
  readonly stage: number;
  /** Key after variable expansion, or undefined when the key depends on an unknown variable. */
  readonly key: string | undefined;
  readonly rawKey: string;
  /** Value with quotes removed, before variable expansion. */
  readonly value: string;
  readonly range: Range;
  readonly keyRange: Range;
  readonly valueRange: Range | null;
  readonly variables: readonly VariableUse[];
  readonly line: number;
}

/** An image this Dockerfile pulls: a FROM base, `COPY --from=<image>`, `RUN --mount=…,from=<image>`. */
export interface ImageUse {
  readonly written: string;
  /** The reference after expanding ARG defaults; undefined when it depends on an unknown value. */
  readonly resolved: string | undefined;
  readonly range: Range;
  readonly via: 'FROM' | 'COPY --from' | 'RUN --mount';
}

export interface Stage {
  readonly index: number;
  /** The `AS name`, lower-cased as BuildKit compares them. */
  readonly name: string | undefined;
  readonly fromRange: Range;
  /** Index of the stage this one is built FROM, when it is one. */
  readonly parent: number | undefined;
  readonly declarations: readonly Declaration[];
  readonly labels: readonly LabelPair[];
}

export interface DockerfileModel {
  readonly escapeChar: string;
  readonly globalArgs: ReadonlyMap<string, Declaration>;
  readonly stages: readonly Stage[];
  /** The stage `docker build` produces without `--target`: the last one. */
  readonly finalStage: Stage | undefined;
  /** Stages whose instructions end up in the final image: the final one and those it is built FROM. */
  readonly finalChain: readonly Stage[];
  readonly images: readonly ImageUse[];
  /** Structural problems that make the file unbuildable. */
  readonly problems: readonly { readonly range: Range; readonly message: string }[];
}

function rangeOf(range: { start: { line: number; character: number }; end: { line: number; character: number } }): Range {
  return { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
}

function contains(outer: Range, inner: Range): boolean {
  const startsAfter = inner.start.line > outer.start.line || (inner.start.line === outer.start.line && inner.start.character >= outer.start.character);
  const endsBefore = inner.end.line < outer.end.line || (inner.end.line === outer.end.line && inner.end.character <= outer.end.character);
  return startsAfter && endsBefore;
}

function variableUses(variables: readonly Variable[]): VariableUse[] {
  return variables.map((variable) => ({ name: variable.getName(), range: rangeOf(variable.getRange()), modifier: variable.getModifier() }));
}

/** Stage scope: own declarations up to `line`, then everything the parent chain declared. */
export function lookupInStage(model: Pick<DockerfileModel, 'stages' | 'escapeChar'>, stage: Stage, line: number): VariableLookup {
  return (name) => findDeclaration(model.stages, stage, name, line)?.value;
}

export function findDeclaration(stages: readonly Stage[], stage: Stage, name: string, line: number): Declaration | undefined {
  let current: Stage | undefined = stage;
  let limit = line;
  while (current) {
    const found = [...current.declarations].reverse().find((declaration) => declaration.name === name && declaration.line < limit);
    if (found) return found;
    current = current.parent === undefined ? undefined : stages[current.parent];
    limit = Number.POSITIVE_INFINITY;
  }
  return undefined;
}

function propertyDeclarations(instruction: Arg | Env, kind: 'ARG' | 'ENV', lookup: VariableLookup, escapeChar: string): Declaration[] {
  const properties: Property[] = kind === 'ARG' ? [(instruction as Arg).getProperty()].filter((p): p is Property => p !== null) : (instruction as Env).getProperties();
  const line = instruction.getRange().start.line;
  return properties.map((property) => {
    const raw = property.getValue();
    // A value that uses unknown variables is still a declaration; only its value is unknown.
    const value = raw === null ? null : (expandVariables(raw, lookup, escapeChar) ?? null);
    return { name: property.getName(), kind, value, range: rangeOf(property.getRange()), line };
  });
}

/** `COPY --from=x` and `RUN --mount=type=…,from=x` name a stage, a stage index, or an image. */
function flagImage(instruction: Instruction, keyword: string): { text: string; range: Range; via: ImageUse['via'] } | undefined {
  const flags = (instruction as unknown as { getFlags?: () => Flag[] }).getFlags?.() ?? [];
  for (const flag of flags) {
    const value = flag.getValue();
    const valueRange = flag.getValueRange();
    if (value === null || valueRange === null) continue;
    if (keyword === 'COPY' && flag.getName() === 'from') return { text: value, range: rangeOf(valueRange), via: 'COPY --from' };
    if (keyword === 'RUN' && flag.getName() === 'mount') {
      const offset = value.split(',').findIndex((option) => option.startsWith('from='));
      if (offset < 0) continue;
      const before = value.split(',').slice(0, offset).join(',').length + (offset > 0 ? 1 : 0) + 'from='.length;
      const text = value.split(',')[offset]!.slice('from='.length);
      const start = { line: valueRange.start.line, character: valueRange.start.character + before };
      return { text, range: { start, end: { line: start.line, character: start.character + text.length } }, via: 'RUN --mount' };
    }
  }
  return undefined;
}

export function analyzeDockerfile(text: string): DockerfileModel {
  const dockerfile = DockerfileParser.parse(text);
  const escapeChar = dockerfile.getEscapeCharacter();
  const globalArgs = new Map<string, Declaration>();
  const stages: Stage[] = [];
  const images: ImageUse[] = [];
  const problems: { range: Range; message: string }[] = [];
  const globalLookup: VariableLookup = (name) => {
    const declared = globalArgs.get(name);
    if (declared) return declared.value;
    return AUTOMATIC_PLATFORM_ARGS.has(name) ? null : undefined;
  };

  interface StageBuilder { index: number; name: string | undefined; fromRange: Range; parent: number | undefined; declarations: Declaration[]; labels: LabelPair[] }
  let current: StageBuilder | undefined;
  const stageByName = new Map<string, number>();
  const mutableStages: StageBuilder[] = [];
  const currentLookup = (line: number): VariableLookup => (current ? lookupInStage({ stages: mutableStages, escapeChar }, current, line) : globalLookup);

  const imageOrStage = (written: string, range: Range, via: ImageUse['via'], lookup: VariableLookup): number | undefined => {
    const resolved = expandVariables(written, lookup, escapeChar);
    const stageIndex = resolved === undefined ? undefined : stageByName.get(resolved.toLowerCase());
    if (stageIndex !== undefined) return stageIndex;
    if (/^\d+$/.test(written) && via !== 'FROM') return Number(written);
    if (resolved?.toLowerCase() === 'scratch') return undefined;
    images.push({ written, resolved, range, via });
    return undefined;
  };

  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const line = instruction.getRange().start.line;
    if (keyword === 'FROM') {
      const from = instruction as From;
      const image = from.getImage();
      const imageRange = from.getImageRange();
      const parent = image !== null && imageRange !== null ? imageOrStage(image, rangeOf(imageRange), 'FROM', globalLookup) : undefined;
      const name = from.getBuildStage()?.toLowerCase();
      current = { index: mutableStages.length, name, fromRange: rangeOf(from.getRange()), parent, declarations: [], labels: [] };
      mutableStages.push(current);
      if (name !== undefined) stageByName.set(name, current.index);
      continue;
    }
    if (keyword === 'ARG') {
      const declarations = propertyDeclarations(instruction as Arg, 'ARG', currentLookup(line), escapeChar);
      if (!current) {
        for (const declaration of declarations) globalArgs.set(declaration.name, declaration);
        continue;
      }
      // `ARG NAME` without a value inside a stage takes the global default (BuildKit re-declaration).
      current.declarations.push(...declarations.map((declaration) => declaration.value === null && globalArgs.has(declaration.name)
        ? { ...declaration, value: globalArgs.get(declaration.name)!.value }
        : declaration));
      continue;
    }
    if (!current) {
      problems.push({ range: rangeOf(instruction.getRange()), message: `${keyword} before the first FROM: only ARG may come before FROM` });
      continue;
    }
    if (keyword === 'ENV') {
      current.declarations.push(...propertyDeclarations(instruction as Env, 'ENV', currentLookup(line), escapeChar));
    } else if (keyword === 'LABEL') {
      current.labels.push(...labelPairs(instruction as Label, current.index, currentLookup(line), escapeChar));
    } else if (keyword === 'COPY' || keyword === 'RUN') {
      const flagged = flagImage(instruction, keyword);
      if (flagged) imageOrStage(flagged.text, flagged.range, flagged.via, currentLookup(line));
    }
  }

  if (mutableStages.length === 0 && dockerfile.getInstructions().length > 0) {
    problems.push({ range: rangeOf(dockerfile.getInstructions()[0]!.getRange()), message: 'no FROM instruction: this Dockerfile builds no image' });
  }

  stages.push(...mutableStages);
  const finalStage = stages.at(-1);
  const finalChain: Stage[] = [];
  for (let stage = finalStage; stage && !finalChain.includes(stage); stage = stage.parent === undefined ? undefined : stages[stage.parent]) {
    finalChain.push(stage);
  }
  return { escapeChar, globalArgs, stages, finalStage, finalChain, images, problems };
}

function labelPairs(label: Label, stage: number, lookup: VariableLookup, escapeChar: string): LabelPair[] {
  const variables = label.getVariables();
  return label.getProperties().map((property) => {
    const range = rangeOf(property.getRange());
    const keyRange = rangeOf(property.getNameRange());
    const valueRange = property.getValueRange();
    const rawKey = unquote(property.getName());
    return {
      stage,
      key: expandVariables(rawKey, lookup, escapeChar),
      rawKey,
      value: property.getValue() ?? '',
      range,
      keyRange,
      valueRange: valueRange ? rangeOf(valueRange) : null,
      variables: variableUses(variables.filter((variable) => valueRange !== null && contains(rangeOf(valueRange), rangeOf(variable.getRange())))),
      line: range.start.line,
    };
  });
}

function unquote(text: string): string {
  return /^(["']).*\1$/s.test(text) ? text.slice(1, -1) : text;
}
