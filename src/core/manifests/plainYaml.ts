/**
 * A proof, from lines alone, that a YAML text parses without an error and repeats no key: the
 * check `scanYaml` otherwise needs a full parse for, and a full parse is ≈ 20 µs a line (a 12,000-line
 * CRD is a quarter of a second). The yaml package's CST stage alone costs two thirds of that, so the
 * proof reads lines instead.
 *
 * It answers true only for the plainest block YAML: every line blank, a comment, `---`, or
 * `key:` / `- key:` / `- ` with a one-line value (a plain scalar that cannot be read as anything
 * else, a quoted one without escapes, a one-line flow list or map of such scalars with distinct
 * plain keys, or a block scalar header `|` `>` whose body is indented past its parent), at an
 * indentation the open maps and lists make valid. Anything else (nested or multi-line flow
 * collections, anchors, tags, tabs, CRs, multi-line scalars, keys the core schema reads as
 * booleans or null, any repeated key) answers false and the file is parsed as ever, so a finding
 * is never lost: test/unit/manifests/plainYaml.test.ts compares both ways over every fixture and
 * a random corpus.
 *
 * Helm templates: where the scan skips template documents (any path but a GitHub workflow's), a
 * Helm action `{{ … }}` / `{{- … }}` standing where a node starts (a whole line, or the value of
 * `key:` / `- `) ends the proof of its document. yaml reads a flow collection there, so the
 * document either fails to parse or holds a flow collection opened by `{{`: scanYaml skips it
 * either way (isTemplateDocument) and nothing in it can be reported. The lines up to the next
 * `---` are then not read; a line yaml might take for another document marker (`--- x`, `...`)
 * answers false, since the lines could no longer tell where the skipped document ends.
 */

/** A plain key that the core schema reads as a string equal to its text (no number, bool or null starts with a letter or `_`, but these). */
const KEY_ENTRY = /^([A-Za-z_][\w./-]*):(?: +(.*))?$/;
const NOT_A_STRING_KEY = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
/** yaml rejects an implicit key over 1,024 characters. */
const MAX_KEY = 1_000;
const BLOCK_SCALAR_HEADER = /^[|>][-+]? *(?: #.*)?$/;
const QUOTED = /^(?:"[^"\\]*"|'[^']*') *(?: #.*)?$/;
/** YAML indicators and quotes: a plain scalar starting with one may be something else (but `-1`, `-x`: a `-` before a letter, digit or dot is plain). */
const INDICATOR = /^(?:[?:,[\]{}#&*!|>'"%@`]|-(?![\w.]))/;
/** Characters outside printable YAML, and the BOM, NEL, line and paragraph separators. */
const UNUSUAL_CHARACTER = /[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ufefe\uff00-\ufffd\ud800-\udfff]/;

/**
 * A Helm action where a node starts. Argo's `{{inputs.x}}`, a value the scan does not skip
 * (lenientYaml.ts ARGO_PARAMETER), has neither a space nor a dash after the braces.
 */
const HELM_ACTION = /^\{\{[ -]/;
const DOCUMENT_MARKER = /^--- *$/;

export interface PlainYamlOptions {
  /** The scan skips template documents at this path (it is not a GitHub workflow, whose `${{ }}` are strings). */
  readonly templatesSkipped?: boolean;
}

/** A flow scalar that ends at a comma or bracket: plain without spaces or indicators, or quoted without escapes. */
const FLOW_SCALAR = String.raw`(?:[\w./][\w./-]*|"[^"\\]*"|'[^']*')`;
const FLOW_LIST = new RegExp(String.raw`^\[ *(?:${FLOW_SCALAR}(?: *, *${FLOW_SCALAR})*)? *\] *(?: #.*)?$`);
const FLOW_PAIR = new RegExp(String.raw`([A-Za-z_][\w./-]*): +${FLOW_SCALAR}`);
const FLOW_MAP = new RegExp(String.raw`^\{ *(?:${FLOW_PAIR.source}(?: *, *${FLOW_PAIR.source})*)? *\} *(?: #.*)?$`);

/** A one-line flow map (`{grafana_dashboard: "1"}`) or list (`[get, list]`) of scalars, a map repeating no key. */
function isPlainFlowCollection(rest: string): boolean {
  if (rest[0] === '[') return FLOW_LIST.test(rest);
  if (!FLOW_MAP.test(rest)) return false;
  const keys = new Set<string>();
  for (const [, key] of rest.matchAll(new RegExp(FLOW_PAIR.source, 'g'))) {
    if (NOT_A_STRING_KEY.test(key!) || keys.has(key!)) return false;
    keys.add(key!);
  }
  return true;
}

type Value = 'none' | 'scalar' | 'block' | 'template';

/** What follows `key: ` or `- `: nothing (a child may follow), a one-line scalar, a block scalar header, a Helm action; undefined when unsure. */
function valueOf(rest: string, templatesSkipped: boolean): Value | undefined {
  if (/^(?:#.*)?$/.test(rest)) return 'none';
  const first = rest[0]!;
  if (templatesSkipped && HELM_ACTION.test(rest)) return 'template';
  if (first === '[' || first === '{') return isPlainFlowCollection(rest) ? 'scalar' : undefined;
  if (first === '|' || first === '>') return BLOCK_SCALAR_HEADER.test(rest) ? 'block' : undefined;
  if (first === '"' || first === "'") return QUOTED.test(rest) ? 'scalar' : undefined;
  if (INDICATOR.test(rest)) return undefined;
  const comment = rest.indexOf(' #');
  const plain = (comment < 0 ? rest : rest.slice(0, comment)).trimEnd();
  // `a: b: c` and `a: b:` are nested maps the parser rejects on one line.
  return plain.includes(': ') || plain.endsWith(':') ? undefined : 'scalar';
}

/** Leading spaces (YAML indents with spaces only; trimStart would count other white space too). */
function spacesAt(line: string, from: number): number {
  let at = from;
  while (line.charCodeAt(at) === 32) at++;
  return at - from;
}

interface Collection {
  readonly column: number;
  readonly kind: 'map' | 'list';
  readonly keys: Set<string>;
  /** A list written at its map key's column (`key:` then `- item` below it, not indented). */
  readonly atKeyColumn: boolean;
}

/**
 * A block scalar after its header: a first body line indented at most `endsAtOrBelow` leaves it
 * empty, one indented past `bodyPast` sets `body`; between the two (`- key: |` can be read
 * against the list's column or the key's) the parser is asked. A later line indented less than
 * `body` ends it.
 */
interface BlockScalar {
  readonly endsAtOrBelow: number;
  readonly bodyPast: number;
  body?: number;
  /** The longest blank line before the body: yaml rejects one indented past the body. */
  leadingBlank: number;
}

/**
 * True only when every document of `text` provably parses with the yaml package without an error
 * and with no map repeating a key, or (`templatesSkipped`) is a Helm template the scan skips.
 */
export function isCleanPlainYaml(text: string, { templatesSkipped = false }: PlainYamlOptions = {}): boolean {
  if (UNUSUAL_CHARACTER.test(text)) return false;
  const stack: Collection[] = [];
  /** The collection whose last entry opened a child (`key:`, `-`): a deeper line must be that child. */
  let opener: Collection | undefined;
  let block: BlockScalar | undefined;
  /** In a document a Helm action made a skipped template: only its end matters. */
  let inTemplate = false;
  /** What the lines after an entry of `owner` with this value may be; false when the value is not provably plain. */
  const follow = (value: Value | undefined, owner: Collection, indent: number, bodyPast: number): boolean => {
    if (value === 'none') opener = owner;
    else if (value === 'block') block = { endsAtOrBelow: indent, bodyPast, leadingBlank: 0 };
    else if (value === 'template') inTemplate = true;
    return value !== undefined;
  };
  const startDocument = () => {
    stack.length = 0;
    opener = undefined;
    inTemplate = false;
  };
  for (const line of text.split('\n')) {
    if (inTemplate) {
      if (DOCUMENT_MARKER.test(line)) startDocument();
      else if (line.startsWith('---') || line.startsWith('...')) return false;
      continue;
    }
    const indent = spacesAt(line, 0);
    const blank = indent === line.length;
    if (block) {
      if (block.body !== undefined) {
        if (blank || indent >= block.body) continue;
      } else if (blank) {
        block.leadingBlank = Math.max(block.leadingBlank, line.length);
        continue;
      } else if (indent > block.endsAtOrBelow) {
        if (indent <= block.bodyPast || block.leadingBlank > indent) return false;
        block.body = indent;
        continue;
      }
      block = undefined;
    }
    if (blank || line[indent] === '#') continue;
    if (line.includes('\t')) return false;
    if (DOCUMENT_MARKER.test(line)) {
      startDocument();
      continue;
    }
    const isItem = line[indent] === '-' && (indent + 1 === line.length || line[indent + 1] === ' ');
    while (stack.length > 0 && stack[stack.length - 1]!.column > indent) stack.pop();
    let top = stack[stack.length - 1];
    if (templatesSkipped && line.charCodeAt(indent) === 123 && HELM_ACTION.test(line.slice(indent))) {
      // Deeper than the open collection yet not the child of its last entry: the next line of a
      // plain scalar, which `{` does not end. Anywhere else a node starts at the action.
      if (top !== undefined && top.column < indent && opener !== top) return false;
      inTemplate = true;
      continue;
    }
    // A key at the column of a list written under the previous key ends that list.
    if (!isItem && top?.atKeyColumn && top.column === indent) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (top === undefined || top.column < indent) {
      // A deeper line is the child of the entry just above it; a document's root starts at column 0.
      if (top === undefined ? indent !== 0 : opener !== top) return false;
      top = { column: indent, kind: isItem ? 'list' : 'map', keys: new Set(), atKeyColumn: false };
      stack.push(top);
    } else if (isItem && top.kind === 'map') {
      if (opener !== top) return false;
      top = { column: indent, kind: 'list', keys: new Set(), atKeyColumn: true };
      stack.push(top);
    } else if (isItem !== (top.kind === 'list')) return false;
    opener = undefined;
    let map = top;
    let entry: RegExpExecArray | null;
    let bodyPast = indent;
    if (isItem) {
      const column = indent + 1 + spacesAt(line, indent + 1);
      const rest = line.slice(column);
      entry = KEY_ENTRY.exec(rest);
      if (!entry) {
        if (!follow(valueOf(rest, templatesSkipped), top, indent, indent)) return false;
        continue;
      }
      map = { column, kind: 'map', keys: new Set(), atKeyColumn: false };
      stack.push(map);
      bodyPast = column;
    } else {
      entry = KEY_ENTRY.exec(line.slice(indent));
      if (!entry) return false;
    }
    const key = entry[1]!;
    if (key.length > MAX_KEY || NOT_A_STRING_KEY.test(key) || map.keys.has(key)) return false;
    map.keys.add(key);
    if (!follow(valueOf(entry[2] ?? '', templatesSkipped), map, indent, bodyPast)) return false;
  }
  return true;
}
