import { DockerfileParser } from 'dockerfile-ast';
import type { Arg, Env, Flag, From, Instruction, Label } from 'dockerfile-ast';
import { assignmentsOf, plainWords, rangeOf } from './assignments';
import type { Assignment, TextPositions } from './assignments';
import type { Range } from '../lint/finding';
import { expandVariables, expansionBudget, VARIABLE_PATTERN } from '../reference/variables';
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
  /** `:-`, `-`, `:+`, `+`, `:?`, `?`, or null for `$NAME` / `${NAME}`. */
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
  /** First line of the LABEL instruction holding this pair. */
  readonly instructionLine: number;
  /** Written `key=value`; false for the legacy `LABEL key value` form, which holds one pair only. */
  readonly assigned: boolean;
}

/** An image this Dockerfile pulls: a FROM base, `COPY --from=<image>`, `RUN --mount=…,from=<image>`. */
export interface ImageUse {
  readonly written: string;
  /** The reference after expanding ARG defaults; undefined when it depends on an unknown value. */
  readonly resolved: string | undefined;
  readonly range: Range;
  readonly via: 'FROM' | 'COPY --from' | 'RUN --mount';
}

/** An instruction after a stage's FROM; its range spans continuation lines and heredoc bodies. */
export interface StageInstruction {
  /** Upper-case, whatever case the file writes it in. */
  readonly keyword: string;
  readonly range: Range;
}

export interface Stage {
  readonly index: number;
  /** The `AS name`, lower-cased as BuildKit compares them. */
  readonly name: string | undefined;
  readonly fromRange: Range;
  /** Index of the stage this one is built FROM, when it is one. */
  readonly parent: number | undefined;
  /** Each name's ARG and ENV declarations in file order: a lookup reads only its own name's. */
  readonly declarations: ReadonlyMap<string, readonly Declaration[]>;
  readonly labels: readonly LabelPair[];
  readonly instructions: readonly StageInstruction[];
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

/** Converts offsets in the file's text to positions; built once per file. */
class LineIndex {
  private readonly starts: number[] = [0];
  /** The line of the last lookup: the analysis reads forward through the file, so most lookups land on it or the next. */
  private recentLine = 0;
  constructor(readonly text: string) {
    for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) this.starts.push(index + 1);
  }
  offsetAt(position: { line: number; character: number }): number {
    return (this.starts[position.line] ?? this.text.length) + position.character;
  }
  positionAt(offset: number): { line: number; character: number } {
    let line = this.recentLine;
    if (!this.lineHolds(line, offset)) line = this.lineHolds(line + 1, offset) ? line + 1 : this.searchLine(offset);
    this.recentLine = line;
    return { line, character: offset - this.starts[line]! };
  }
  private lineHolds(line: number, offset: number): boolean {
    return line < this.starts.length && this.starts[line]! <= offset && (line + 1 === this.starts.length || offset < this.starts[line + 1]!);
  }
  private searchLine(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

/**
 * Variables used in a LABEL value, read from the raw text (quotes, escapes and continuation lines
 * included). Single-quoted text is not expanded by BuildKit; an escaped `$` is literal.
 */
function variableUses(index: LineIndex, valueRange: Range, escapeChar: string): VariableUse[] {
  const start = index.offsetAt(valueRange.start);
  const raw = index.text.slice(start, index.offsetAt(valueRange.end));
  const uses: VariableUse[] = [];
  let quote: string | undefined;
  for (let offset = 0; offset < raw.length; offset += 1) {
    const character = raw[offset]!;
    if (character === escapeChar && quote !== "'") {
      offset += 1;
    } else if (character === '"' || character === "'") {
      quote = quote === undefined ? character : quote === character ? undefined : quote;
    } else if (character === '$' && quote !== "'") {
      VARIABLE_PATTERN.lastIndex = offset;
      const match = VARIABLE_PATTERN.exec(raw);
      if (match?.index !== offset) continue;
      uses.push({
        name: (match[1] ?? match[4])!,
        modifier: match[2] ?? null,
        range: { start: index.positionAt(start + offset), end: index.positionAt(start + offset + match[0].length) },
      });
      offset += match[0].length - 1;
    }
  }
  return uses;
}

/** Stage scope: own declarations up to `line`, then everything the parent chain declared. */
function lookupInStage(stages: readonly Stage[], stage: Stage, line: number): VariableLookup {
  return (name) => findDeclaration(stages, stage, name, line)?.value;
}

export function findDeclaration(stages: readonly Stage[], stage: Stage, name: string, line: number): Declaration | undefined {
  let current: Stage | undefined = stage;
  let limit = line;
  while (current) {
    // The latest declaration before the line wins.
    const named = current.declarations.get(name) ?? [];
    for (let index = named.length - 1; index >= 0; index -= 1) {
      if (named[index]!.line < limit) return named[index];
    }
    current = current.parent === undefined ? undefined : stages[current.parent];
    limit = Number.POSITIVE_INFINITY;
  }
  return undefined;
}

/** An ARG's one property (dockerfile-ast reads it while parsing). */
function argAssignments(instruction: Arg): Pick<Assignment, 'name' | 'value' | 'range'>[] {
  const property = instruction.getProperty();
  return property ? [{ name: property.getName(), value: property.getValue(), range: rangeOf(property.getRange()) }] : [];
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

/**
 * A FROM's [image, AS, name], after its `--flags`: read in one pass where the words are plain
 * (unquoted), else from dockerfile-ast (whose getArguments() tokenises the instruction twice).
 */
function fromWords(instruction: From, positions: TextPositions | undefined, escapeChar: string): { value: string; range: Range }[] {
  const words = positions && plainWords(positions.text, positions.offsetAt(instruction.getInstructionRange().end), positions.offsetAt(instruction.getRange().end), escapeChar);
  const read = words && unquotedWords(positions, words);
  if (read) {
    let first = 0;
    while (first < read.length && read[first]!.value.startsWith('--')) first += 1;
    // Flags only: the words as they are, as dockerfile-ast gives them.
    return first < read.length ? read.slice(first) : read;
  }
  return instruction.getArguments().map((argument) => ({ value: argument.getValue(), range: rangeOf(argument.getRange()) }));
}

/** Plain words' text and ranges; undefined when one holds a quote, which dockerfile-ast removes. */
function unquotedWords(positions: TextPositions, words: readonly [number, number][]): { value: string; range: Range }[] | undefined {
  const read: { value: string; range: Range }[] = [];
  for (const [from, to] of words) {
    const value = positions.text.slice(from, to);
    if (value.includes('"') || value.includes("'")) return undefined;
    read.push({ value, range: { start: positions.positionAt(from), end: positions.positionAt(to) } });
  }
  return read;
}

/**
 * More stages than any build has: beyond this the file is one problem, not a model, since every
 * stage's lookups walk its parent chain (quadratic in a hostile file's 200,000 chained stages).
 */
export const MAX_STAGES = 1000;

function tooManyStages(escapeChar: string, range: Range): DockerfileModel {
  const message = `more than ${MAX_STAGES} stages (FROM instructions): the file is not checked`;
  return { escapeChar, globalArgs: new Map(), stages: [], finalStage: undefined, finalChain: [], images: [], problems: [{ range, message }] };
}

interface StageBuilder { index: number; name: string | undefined; fromRange: Range; parent: number | undefined; declarations: Map<string, Declaration[]>; labels: LabelPair[]; instructions: StageInstruction[] }

/**
 * Reads the parsed instructions in file order into stages, declarations, labels and images. A
 * class of small methods rather than one function of closures: V8 optimises each method on its
 * own, where the one large function took ~90 ms to compile (again after each deopt), during which
 * the lint ran unoptimised code.
 */
class ModelBuilder {
  readonly globalArgs = new Map<string, Declaration>();
  readonly images: ImageUse[] = [];
  readonly problems: { range: Range; message: string }[] = [];
  readonly stages: StageBuilder[] = [];
  private current: StageBuilder | undefined;
  private readonly stageByName = new Map<string, number>();
  private readonly budget = expansionBudget();
  /** Offset of the next `from=` in the text (infinite when none is left): instructions come in file order, so the text is searched once. */
  private nextFrom = -1;
  private readonly globalLookup: VariableLookup = (name) => {
    const declared = this.globalArgs.get(name);
    if (declared) return declared.value;
    return AUTOMATIC_PLATFORM_ARGS.has(name) ? null : undefined;
  };

  constructor(private readonly lineIndex: LineIndex, private readonly plainPositions: TextPositions | undefined, readonly escapeChar: string) {}

  /** False when the file has more than MAX_STAGES stages (the one problem then reported). */
  add(instruction: Instruction): boolean {
    const keyword = instruction.getKeyword();
    // dockerfile-ast's range is a plain, never-mutated { start, end }: shared, not copied, for every instruction.
    const range: Range = instruction.getRange();
    if (keyword === 'FROM') return this.from(instruction as From, range);
    this.current?.instructions.push({ keyword, range });
    if (keyword === 'ARG') this.arg(instruction as Arg, range.start.line);
    else if (!this.current) this.problems.push({ range, message: `${keyword} before the first FROM: only ARG may come before FROM` });
    else if (keyword === 'ENV') this.env(instruction as Env, this.current, range.start.line);
    else if (keyword === 'LABEL') this.label(instruction as Label, this.current, range.start.line);
    else if ((keyword === 'COPY' || keyword === 'RUN') && this.mentionsFrom(range)) this.flagged(instruction, keyword, range.start.line);
    return true;
  }

  private from(instruction: From, range: Range): boolean {
    if (this.stages.length === MAX_STAGES) return false;
    const [image, as, stage] = fromWords(instruction, this.plainPositions, this.escapeChar);
    const parent = image ? this.imageOrStage(image.value, image.range, 'FROM', this.globalLookup) : undefined;
    const name = as?.value.toLowerCase() === 'as' ? stage?.value.toLowerCase() : undefined;
    this.current = { index: this.stages.length, name, fromRange: range, parent, declarations: new Map(), labels: [], instructions: [] };
    this.stages.push(this.current);
    if (name !== undefined) this.stageByName.set(name, this.current.index);
    return true;
  }

  private arg(instruction: Arg, line: number): void {
    const declared = this.declarations(argAssignments(instruction), 'ARG', line);
    const current = this.current;
    if (!current) {
      for (const declaration of declared) this.globalArgs.set(declaration.name, declaration);
      return;
    }
    // `ARG NAME` without a value inside a stage takes the global default (BuildKit re-declaration).
    for (const declaration of declared) {
      const global = declaration.value === null ? this.globalArgs.get(declaration.name) : undefined;
      declare(current, global ? { ...declaration, value: global.value } : declaration);
    }
  }

  // Loops, not push(...spread): one instruction may hold more pairs than a call takes arguments.
  private env(instruction: Env, stage: StageBuilder, line: number): void {
    for (const declaration of this.declarations(assignmentsOf(instruction, this.plainPositions, this.escapeChar), 'ENV', line)) declare(stage, declaration);
  }

  private label(instruction: Label, stage: StageBuilder, line: number): void {
    const lookup = this.lookup(line);
    for (const assignment of assignmentsOf(instruction, this.plainPositions, this.escapeChar)) {
      const rawKey = unquote(assignment.name);
      stage.labels.push({
        stage: stage.index,
        key: this.expand(rawKey, lookup),
        rawKey,
        value: assignment.value ?? '',
        range: assignment.range,
        keyRange: assignment.nameRange,
        valueRange: assignment.valueRange,
        variables: assignment.valueRange ? variableUses(this.lineIndex, assignment.valueRange, this.escapeChar) : [],
        line: assignment.range.start.line,
        instructionLine: line,
        assigned: assignment.assigned,
      });
    }
  }

  private flagged(instruction: Instruction, keyword: string, line: number): void {
    const flagged = flagImage(instruction, keyword);
    if (flagged) this.imageOrStage(flagged.text, flagged.range, flagged.via, this.lookup(line));
  }

  /** Cheap text test before asking dockerfile-ast for flags, which re-tokenises the whole instruction. */
  private mentionsFrom(range: Range): boolean {
    const start = this.lineIndex.offsetAt(range.start);
    if (this.nextFrom < start) {
      const at = this.lineIndex.text.indexOf('from=', start);
      this.nextFrom = at < 0 ? Number.POSITIVE_INFINITY : at;
    }
    return this.nextFrom < this.lineIndex.offsetAt(range.end);
  }

  private expand(text: string, lookup: VariableLookup): string | undefined {
    return expandVariables(text, lookup, this.escapeChar, this.budget);
  }

  private lookup(line: number): VariableLookup {
    return this.current ? lookupInStage(this.stages, this.current, line) : this.globalLookup;
  }

  private declarations(assignments: readonly Pick<Assignment, 'name' | 'value' | 'range'>[], kind: 'ARG' | 'ENV', line: number): Declaration[] {
    const lookup = this.lookup(line);
    return assignments.map((assignment) => {
      // A value that uses unknown variables is still a declaration; only its value is unknown.
      const value = assignment.value === null ? null : (this.expand(assignment.value, lookup) ?? null);
      return { name: assignment.name, kind, value, range: assignment.range, line };
    });
  }

  /** The stage a FROM or flag names, or undefined after recording the image it pulls. */
  private imageOrStage(written: string, range: Range, via: ImageUse['via'], lookup: VariableLookup): number | undefined {
    // BuildKit reads FROM and --from as shell words: `alpine:"${TAG}"` is alpine:<TAG>. (A single-quoted
    // `$` would stay literal there; image names hold none, so quotes are simply dropped.)
    const resolved = this.expand(written.replace(/(?<!\\)["']/g, ''), lookup);
    const stageIndex = resolved === undefined ? undefined : this.stageByName.get(resolved.toLowerCase());
    if (stageIndex !== undefined) return stageIndex;
    if (/^\d+$/.test(written) && via !== 'FROM') return Number(written);
    if (resolved?.toLowerCase() === 'scratch') return undefined;
    this.images.push({ written, resolved, range, via });
    return undefined;
  }
}

function declare(stage: StageBuilder, declaration: Declaration): void {
  const named = stage.declarations.get(declaration.name);
  if (named) named.push(declaration);
  else stage.declarations.set(declaration.name, [declaration]);
}

export function analyzeDockerfile(text: string): DockerfileModel {
  const dockerfile = DockerfileParser.parse(text);
  const lineIndex = new LineIndex(text);
  // LineIndex counts lines as dockerfile-ast does unless a CR is among the line breaks.
  const builder = new ModelBuilder(lineIndex, text.includes('\r') ? undefined : lineIndex, dockerfile.getEscapeCharacter());
  const instructions = dockerfile.getInstructions();
  for (const instruction of instructions) {
    if (!builder.add(instruction)) return tooManyStages(builder.escapeChar, instruction.getRange());
  }
  const { escapeChar, globalArgs, images, problems } = builder;
  if (builder.stages.length === 0 && instructions.length > 0) {
    problems.push({ range: instructions[0]!.getRange(), message: 'no FROM instruction: this Dockerfile builds no image' });
  }

  const stages: readonly Stage[] = builder.stages;
  const finalStage = stages.at(-1);
  const finalChain: Stage[] = [];
  const inChain = new Set<Stage>();
  for (let stage = finalStage; stage && !inChain.has(stage); stage = stage.parent === undefined ? undefined : stages[stage.parent]) {
    finalChain.push(stage);
    inChain.add(stage);
  }
  return { escapeChar, globalArgs, stages, finalStage, finalChain, images, problems };
}

function unquote(text: string): string {
  return /^(["']).*\1$/s.test(text) ? text.slice(1, -1) : text;
}
