import { posix } from 'node:path';
import type { Finding, Range } from '../lint/finding';
import { lineStart, snippetLiteral } from '../lint/fix';
import type { Fix, TextEdit } from '../lint/fix';
import { LABEL_SCHEMA_TO_OCI, OCI_PREFIX } from './labelValues';
import type { RequiredLabel } from './labelValues';
import { findDeclaration } from './model';
import type { DockerfileModel, LabelPair, Stage, StageInstruction } from './model';

/** What the workspace knows that a Dockerfile does not. */
export interface FixContext {
  /** https URL of the repository, from its git remote. */
  readonly sourceUrl?: string;
  /** A title for the image: the Dockerfile's folder or the workspace name. */
  readonly title?: string;
}

/**
 * Labels filled from a build argument (values nobody can know while editing are never invented),
 * and the shell text that passes the argument at build time.
 */
const BUILD_ARG_FOR_LABEL: ReadonlyMap<string, { readonly name: string; readonly shellValue: string }> = new Map([
  [`${OCI_PREFIX}revision`, { name: 'GIT_SHA', shellValue: '$(git rev-parse HEAD)' }],
  [`${OCI_PREFIX}created`, { name: 'BUILD_DATE', shellValue: '$(date -u +%Y-%m-%dT%H:%M:%SZ)' }],
  [`${OCI_PREFIX}version`, { name: 'VERSION', shellValue: '$(git describe --tags --always)' }],
]);

/** Instructions that build layers: a RUN after a changed ARG misses the cache, so labels go after the last of these. */
const LAYER_INSTRUCTIONS: ReadonlySet<string> = new Set(['RUN', 'COPY', 'ADD']);
/** Instructions that close a Dockerfile by convention: the labels go before them. */
const CLOSING_INSTRUCTIONS: ReadonlySet<string> = new Set(['CMD', 'ENTRYPOINT', 'USER', 'EXPOSE', 'HEALTHCHECK', 'STOPSIGNAL']);

interface Style {
  readonly eol: string;
  readonly lines: readonly string[];
  readonly keyword: (word: string) => string;
  readonly escapeChar: string;
  /** Indentation of continuation lines of a LABEL, from one the file already continues (undefined: align under the first key). */
  readonly continuationIndent: string | undefined;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function detectStyle(text: string, model: DockerfileModel): Style {
  const lines = text.split(/\r?\n/);
  const fromLine = model.finalStage ? lines[model.finalStage.fromRange.start.line] ?? '' : '';
  const lowerCase = /^\s*from\b/.test(fromLine);
  const continued = model.stages.flatMap((stage) => stage.labels).find((pair) => pair.line !== pair.instructionLine);
  return {
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    lines,
    keyword: (word) => (lowerCase ? word.toLowerCase() : word.toUpperCase()),
    escapeChar: model.escapeChar,
    continuationIndent: continued ? indentOf(lines[continued.line]) : undefined,
  };
}

function indentOf(line: string | undefined): string {
  return /^\s*/.exec(line ?? '')![0];
}

/** Inserts whole lines after `line`, also when it is the file's last line without a newline. */
function insertLinesAfter(style: Style, line: number, block: string): TextEdit {
  if (line + 1 < style.lines.length) return { range: lineStart(line + 1), newText: block + style.eol };
  const end = { line, character: style.lines[line]?.length ?? 0 };
  return { range: { start: end, end }, newText: style.eol + block };
}

function quote(value: string, escapeChar: string): string {
  return `"${value.replace(/["$]/g, (character) => escapeChar + character)}"`;
}

/**
 * Where the final stage takes its labels: an existing `key=value` LABEL after the last layer
 * instruction (extended), else a new LABEL after the last instruction that does not close the
 * file. Never before a RUN: the ARGs the labels read would miss its cache on every build.
 */
type LabelPlacement =
  | { readonly extend: StageInstruction; readonly indent: string }
  | { readonly afterLine: number; readonly indent: string };

function labelPlacement(stage: Stage, style: Style): LabelPlacement {
  const body = stage.instructions;
  let end = body.length;
  while (end > 0 && CLOSING_INSTRUCTIONS.has(body[end - 1]!.keyword)) end -= 1;
  let tailStart = end;
  while (tailStart > 0 && !LAYER_INSTRUCTIONS.has(body[tailStart - 1]!.keyword)) tailStart -= 1;
  const indent = indentOf(style.lines[(body[0]?.range ?? stage.fromRange).start.line]);
  const extend = body.slice(tailStart, end).find((instruction) => instruction.keyword === 'LABEL'
    && stage.labels.every((pair) => pair.instructionLine !== instruction.range.start.line || pair.assigned));
  if (extend) return { extend, indent: indentOf(style.lines[extend.range.start.line]) };
  return { afterLine: (body[end - 1]?.range ?? stage.fromRange).end.line, indent };
}

function shellWord(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

function addMissingLabels(path: string, model: DockerfileModel, style: Style, requiredLabels: readonly RequiredLabel[], context: FixContext): Fix | undefined {
  const finalStage = model.finalStage;
  if (!finalStage) return undefined;
  const present = new Set(model.finalChain.flatMap((stage) => stage.labels.map((pair) => pair.key)));
  const missing = requiredLabels.filter((required) => !present.has(required.key));
  if (missing.length === 0) return undefined;
  const placement = labelPlacement(finalStage, style);
  const firstLine = 'extend' in placement ? placement.extend.range.start.line : placement.afterLine + 1;
  let tabStop = 0;
  const buildArgs: { name: string; shellValue: string }[] = [];
  const argLines: string[] = [];
  const pairs = missing.map((required) => {
    const buildArg = BUILD_ARG_FOR_LABEL.get(required.key);
    let value: string;
    if (buildArg) {
      buildArgs.push(buildArg);
      // Only what is declared above the inserted lines is in scope for them.
      if (!findDeclaration(model.stages, finalStage, buildArg.name, firstLine)) argLines.push(`${placement.indent}${style.keyword('ARG')} ${buildArg.name}`);
      value = snippetLiteral(`$${buildArg.name}`);
    } else if (required.key === `${OCI_PREFIX}source` && context.sourceUrl) {
      value = snippetLiteral(quote(context.sourceUrl, style.escapeChar));
    } else if (required.key === `${OCI_PREFIX}title` && context.title) {
      value = snippetLiteral(quote(context.title, style.escapeChar));
    } else {
      // An empty tab stop: label-empty keeps reporting it until the user types a value (a hint text would pass as one).
      value = `"\${${++tabStop}}"`;
    }
    return `${required.key}=${value}`;
  });
  const keyword = style.keyword('LABEL');
  const continuationIndent = style.continuationIndent ?? placement.indent + ' '.repeat(keyword.length + 1);
  const continuation = ` ${snippetLiteral(style.escapeChar)}${style.eol}${continuationIndent}`;
  const argBlock = argLines.map((line) => line + style.eol).join('');
  let edit: TextEdit;
  if ('extend' in placement) {
    // One edit from the LABEL's first line: snippets carry a single edit, and the ARGs must precede the LABEL.
    const { range } = placement.extend;
    const existing = [...style.lines.slice(range.start.line, range.end.line), style.lines[range.end.line]!.slice(0, range.end.character)].join(style.eol);
    edit = { range: { start: { line: range.start.line, character: 0 }, end: range.end }, newText: argBlock + snippetLiteral(existing) + continuation + pairs.join(continuation) };
  } else {
    edit = insertLinesAfter(style, placement.afterLine, argBlock + `${placement.indent}${keyword} ${pairs.join(continuation)}`);
  }
  const allOci = missing.every((required) => required.key.startsWith(OCI_PREFIX));
  const command = ['docker build', ...buildArgs.map((arg) => `--build-arg ${arg.name}=${arg.shellValue}`), `-f ${shellWord(path)}`, shellWord(posix.dirname(path))].join(' ');
  return {
    title: allOci ? 'Add missing OCI labels' : 'Add missing labels',
    edits: [edit],
    snippet: true,
    preferred: true,
    ...(buildArgs.length > 0 ? { followUp: { message: `The labels read build arguments: build with ${command}`, copyText: command } } : {}),
  };
}

function pairAt(model: DockerfileModel, range: Range): { stage: Stage; pair: LabelPair } | undefined {
  for (const stage of model.stages) {
    const pair = stage.labels.find((candidate) => sameRange(candidate.range, range));
    if (pair) return { stage, pair };
  }
  return undefined;
}

function declareVariables(model: DockerfileModel, style: Style, finding: Finding): Fix | undefined {
  const found = pairAt(model, finding.range);
  if (!found) return undefined;
  const { stage, pair } = found;
  const names = [...new Set(pair.variables
    .filter((use) => use.modifier === null && !findDeclaration(model.stages, stage, use.name, pair.line))
    .map((use) => use.name))];
  if (names.length === 0) return undefined;
  const indent = indentOf(style.lines[pair.instructionLine]);
  const global = names.every((name) => model.globalArgs.has(name));
  return {
    title: `${global ? 'Re-declare the global' : 'Declare'} ARG ${names.join(', ')} in this stage`,
    edits: [{ range: lineStart(pair.instructionLine), newText: names.map((name) => `${indent}${style.keyword('ARG')} ${name}${style.eol}`).join('') }],
    preferred: true,
    safeForFixAll: global,
  };
}

function useOciKey(model: DockerfileModel, finding: Finding): Fix | undefined {
  const pair = pairAt(model, finding.range)?.pair;
  const replacement = pair?.key ? LABEL_SCHEMA_TO_OCI.get(pair.key) : undefined;
  if (!pair || !replacement) return undefined;
  return { title: `Use the OCI key ${replacement}`, edits: [{ range: pair.keyRange, newText: replacement }], preferred: true, safeForFixAll: true };
}

/** Removes a pair from its LABEL (the whole instruction when it is the only pair) and sets it in the final stage. */
function moveToFinalStage(model: DockerfileModel, style: Style, text: string, finding: Finding): Fix | undefined {
  const found = pairAt(model, finding.range);
  const finalStage = model.finalStage;
  if (!found || !finalStage) return undefined;
  const { stage, pair } = found;
  const siblings = stage.labels.filter((candidate) => candidate.instructionLine === pair.instructionLine);
  const index = siblings.indexOf(pair);
  let removal: TextEdit;
  if (siblings.length === 1) {
    removal = { range: { start: { line: pair.instructionLine, character: 0 }, end: { line: pair.range.end.line + 1, character: 0 } }, newText: '' };
  } else if (index < siblings.length - 1) {
    removal = { range: { start: pair.range.start, end: siblings[index + 1]!.range.start }, newText: '' };
  } else {
    removal = { range: { start: siblings[index - 1]!.range.end, end: pair.range.end }, newText: '' };
  }
  const lines = text.split(/\r?\n/);
  const pairText = pair.range.start.line === pair.range.end.line
    ? lines[pair.range.start.line]!.slice(pair.range.start.character, pair.range.end.character)
    : `${pair.rawKey}=${quote(pair.value, style.escapeChar)}`;
  return {
    title: `Move label ${pair.rawKey} to the final stage`,
    edits: [removal, insertLinesAfter(style, finalStage.fromRange.end.line, `${style.keyword('LABEL')} ${pairText}`)],
  };
}

/** Fixes for a Dockerfile finding, computed from the text as it is now. */
export function dockerfileFixes(path: string, text: string, model: DockerfileModel, finding: Finding, requiredLabels: readonly RequiredLabel[], context: FixContext): Fix[] {
  const style = detectStyle(text, model);
  const fix = (() => {
    switch (finding.rule) {
      case 'label-missing':
        return addMissingLabels(path, model, style, requiredLabels, context);
      case 'label-undefined-variable':
        return declareVariables(model, style, finding);
      case 'label-deprecated-schema':
        return useOciKey(model, finding);
      case 'label-in-discarded-stage':
        return moveToFinalStage(model, style, text, finding);
      default:
        return undefined;
    }
  })();
  return fix ? [fix] : [];
}
