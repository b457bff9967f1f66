import type { Finding, Range } from '../lint/finding';
import { lineStart, snippetLiteral } from '../lint/fix';
import type { Fix, TextEdit } from '../lint/fix';
import { LABEL_SCHEMA_TO_OCI, OCI_PREFIX } from './labelValues';
import type { RequiredLabel } from './labelValues';
import { findDeclaration } from './model';
import type { DockerfileModel, LabelPair, Stage } from './model';

/** What the workspace knows that a Dockerfile does not. */
export interface FixContext {
  /** https URL of the repository, from its git remote. */
  readonly sourceUrl?: string;
  /** A title for the image: the Dockerfile's folder or the workspace name. */
  readonly title?: string;
}

/** Labels filled from a build argument: values nobody can know while editing are never invented. */
const BUILD_ARG_FOR_LABEL: ReadonlyMap<string, string> = new Map([
  [`${OCI_PREFIX}revision`, 'GIT_SHA'],
  [`${OCI_PREFIX}created`, 'BUILD_DATE'],
  [`${OCI_PREFIX}version`, 'VERSION'],
]);

interface Style {
  readonly eol: string;
  readonly lines: readonly string[];
  readonly keyword: (word: string) => string;
  readonly escapeChar: string;
  readonly continuationIndent: string;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function detectStyle(text: string, model: DockerfileModel): Style {
  const lines = text.split(/\r?\n/);
  const fromLine = model.finalStage ? lines[model.finalStage.fromRange.start.line] ?? '' : '';
  const lowerCase = /^\s*from\b/.test(fromLine);
  const continued = model.stages.flatMap((stage) => stage.labels).find((pair) => pair.line !== pair.instructionLine);
  const label = lowerCase ? 'label' : 'LABEL';
  return {
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    lines,
    keyword: (word) => (lowerCase ? word.toLowerCase() : word.toUpperCase()),
    escapeChar: model.escapeChar,
    continuationIndent: continued ? /^\s*/.exec(lines[continued.line] ?? '')![0] : ' '.repeat(label.length + 1),
  };
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

function addMissingLabels(model: DockerfileModel, style: Style, requiredLabels: readonly RequiredLabel[], context: FixContext): Fix | undefined {
  const finalStage = model.finalStage;
  if (!finalStage) return undefined;
  const present = new Set(model.finalChain.flatMap((stage) => stage.labels.map((pair) => pair.key)));
  const missing = requiredLabels.filter((required) => !present.has(required.key));
  if (missing.length === 0) return undefined;
  let tabStop = 0;
  const placeholder = (hint: string) => `"\${${++tabStop}:${snippetLiteral(hint)}}"`;
  const args: string[] = [];
  const pairs = missing.map((required) => {
    const buildArg = BUILD_ARG_FOR_LABEL.get(required.key);
    let value: string;
    if (buildArg) {
      // Only what is declared above the inserted lines is in scope for them.
      if (!findDeclaration(model.stages, finalStage, buildArg, finalStage.fromRange.end.line + 1)) args.push(`${style.keyword('ARG')} ${buildArg}`);
      value = snippetLiteral(`$${buildArg}`);
    } else if (required.key === `${OCI_PREFIX}source` && context.sourceUrl) {
      value = snippetLiteral(quote(context.sourceUrl, style.escapeChar));
    } else if (required.key === `${OCI_PREFIX}title` && context.title) {
      value = snippetLiteral(quote(context.title, style.escapeChar));
    } else {
      value = placeholder(required.type === 'url' ? 'https://' : required.key === `${OCI_PREFIX}description` ? 'What this image is' : 'value');
    }
    return `${required.key}=${value}`;
  });
  const continuation = ` ${snippetLiteral(style.escapeChar)}${style.eol}${style.continuationIndent}`;
  const block = [...args, `${style.keyword('LABEL')} ${pairs.join(continuation)}`].join(style.eol);
  const allOci = missing.every((required) => required.key.startsWith(OCI_PREFIX));
  return {
    title: allOci ? 'Add missing OCI labels' : 'Add missing labels',
    edits: [insertLinesAfter(style, finalStage.fromRange.end.line, block)],
    snippet: true,
    preferred: true,
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
  const indent = /^\s*/.exec(style.lines[pair.instructionLine] ?? '')![0];
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
export function dockerfileFixes(text: string, model: DockerfileModel, finding: Finding, requiredLabels: readonly RequiredLabel[], context: FixContext): Fix[] {
  const style = detectStyle(text, model);
  const fix = (() => {
    switch (finding.rule) {
      case 'label-missing':
        return addMissingLabels(model, style, requiredLabels, context);
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
