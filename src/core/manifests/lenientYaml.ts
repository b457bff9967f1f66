import { isCollection, isPair, isScalar, LineCounter, parseAllDocuments, visit } from 'yaml';
import type { Document } from 'yaml';

/** YAML documents parsed the way kubectl, Helm and Compose (go-yaml) read them, with the text their offsets point into. */
export interface LenientYaml {
  /** The text the documents' ranges index: the file's, with line breaks or indentation relaxed where go-yaml is lenient. */
  readonly source: string;
  readonly lineCounter: LineCounter;
  readonly documents: readonly Document[];
}

/** Rounds of re-indenting quoted scalars; each round fixes every scalar the previous parse reported. */
const MAX_RELAX_ROUNDS = 3;

function parse(source: string): { lineCounter: LineCounter; documents: Document[] } {
  const lineCounter = new LineCounter();
  // yaml's own duplicate-key check compares each key with every earlier one: quadratic in a
  // hostile map's keys, so the scanner does it in one pass instead.
  // A Helm template yields an error per templated line, and each YAMLError captures a stack trace
  // nobody reads (only message and position are reported): on a chart repository that was most of
  // the run. Parsing is synchronous, so the limit is restored before anything else runs.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const parsed = parseAllDocuments(source, { lineCounter, prettyErrors: false, uniqueKeys: false });
    return { lineCounter, documents: Array.isArray(parsed) ? parsed : [] };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * Offsets of the opening quotes of quoted scalars the parser reported unclosed. The error stands
 * where the parser stopped reading the scalar (its first line in a block, later inside `[ ]`), and
 * the scalar node it left still starts at the quote.
 */
function unclosedQuoteOffsets(documents: readonly Document[]): number[] {
  return documents.flatMap((document) => {
    const ends = new Set(document.errors.filter((error) => error.code === 'MISSING_CHAR' && /closing ["']quote/.test(error.message)).map((error) => error.pos[0]));
    const opens: number[] = [];
    if (ends.size === 0) return opens;
    visit(document, {
      Scalar(_key, node) {
        if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range && ends.has(node.range[1])) opens.push(node.range[0]);
      },
    });
    return opens;
  });
}

/** The offset after the closing quote of the quoted scalar opening at `open`, or undefined. */
function quotedScalarEnd(source: string, open: number): number | undefined {
  const quote = source[open]!;
  for (let at = open + 1; at < source.length; at++) {
    const char = source[at];
    if (quote === '"' && char === '\\') at++;
    else if (char === quote) {
      if (quote === "'" && source[at + 1] === "'") at++;
      else return at + 1;
    }
  }
  return undefined;
}

/**
 * go-yaml accepts a quoted scalar whose continuation lines are not indented past its key
 * (`description: "a long` / `text at the key's indent`, or further left); YAML 1.2 and the yaml
 * package do not. Indents those lines past the key (the column after any `- ` on the opening
 * line): whitespace that folding drops, so the value is the same, and no other line moves.
 */
function indentQuotedContinuations(source: string, opens: readonly number[]): string {
  const insertions = new Map<number, number>();
  let covered = 0;
  for (const open of [...opens].sort((a, b) => a - b)) {
    // A quote inside a scalar already re-indented is its closing quote, misread after the cut.
    if (open < covered || (source[open] !== '"' && source[open] !== "'")) continue;
    const end = quotedScalarEnd(source, open);
    if (end === undefined) continue;
    covered = end;
    const lineStart = source.lastIndexOf('\n', open - 1) + 1;
    const needed = /^[ ]*(?:-[ ]+)*/.exec(source.slice(lineStart, open))![0].length + 1;
    for (let next = source.indexOf('\n', open) + 1; next > 0 && next < end; next = source.indexOf('\n', next) + 1) {
      const indent = /^ */.exec(source.slice(next, next + needed))![0].length;
      if (indent < needed) insertions.set(next, Math.max(insertions.get(next) ?? 0, needed - indent));
    }
  }
  if (insertions.size === 0) return source;
  let relaxed = '';
  let from = 0;
  for (const at of [...insertions.keys()].sort((a, b) => a - b)) {
    relaxed += source.slice(from, at) + ' '.repeat(insertions.get(at)!);
    from = at;
  }
  return relaxed + source.slice(from);
}

/**
 * Parses every document of a YAML file as leniently as the Go tools that apply it: a lone CR is a
 * line break (as VS Code counts lines), and quoted scalars may continue at their key's indent.
 * What they reject stays an error in the document.
 */
export function parseYamlLeniently(text: string): LenientYaml {
  // Same length, so every offset and every line VS Code counts stays where it was.
  let source = text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
  let parsed = parse(source);
  for (let round = 0; round < MAX_RELAX_ROUNDS; round++) {
    const unclosed = unclosedQuoteOffsets(parsed.documents);
    if (unclosed.length === 0) break;
    const relaxed = indentQuotedContinuations(source, unclosed);
    if (relaxed === source) break;
    source = relaxed;
    parsed = parse(source);
  }
  return { source, ...parsed };
}

/**
 * Argo's unquoted `{{args.name}}` / `{{inputs.parameters.x}}`: a dotted parameter in place of one
 * value, which YAML reads as a nested flow map but which shapes nothing else (Helm's are
 * `{{ .Values.x }}` and `{{ toYaml … }}`, with a leading dot or spaces).
 */
const ARGO_PARAMETER = /^\{\{[A-Za-z_][\w-]*(?:\.[\w-]+)+\}\}$/;

/**
 * Whether template syntax shapes the document rather than sitting in its values: a flow
 * collection or a key that a `{{ }}` opens (`image: {{ .Values.image }}`, `{{ $k }}: v`).
 * A `{{` in a comment or inside a string value leaves the document plain YAML, and so does an
 * Argo parameter standing for one value.
 */
export function hasStructuralTemplate(document: Document, source: string): boolean {
  let found = false;
  visit(document, {
    Pair(_key, pair) {
      if (isPair(pair) && isScalar(pair.key) && typeof pair.key.value === 'string' && pair.key.value.includes('{{')) found = true;
      return found ? visit.BREAK : undefined;
    },
    Node(_key, node) {
      if (isCollection(node) && node.flow && node.range && source.startsWith('{{', node.range[0])) {
        if (ARGO_PARAMETER.test(source.slice(node.range[0], node.range[1]))) return visit.SKIP;
        found = true;
      }
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}
