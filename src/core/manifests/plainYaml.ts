/**
 * A proof, from lines alone, that a YAML text parses without an error and repeats no key: the
 * check `scanYaml` otherwise needs a full parse for, and a full parse is ≈ 20 µs a line (a 12,000-line
 * CRD is a quarter of a second). The yaml package's CST stage alone costs two thirds of that, so the
 * proof reads lines instead.
 *
 * It answers true only for the plainest block YAML: every line blank, a comment, `---`, or
 * `key:` / `- key:` / `- ` with a one-line value (a plain scalar that cannot be read as anything
 * else, a quoted one without escapes, or a block scalar header `|` `>` whose body is indented
 * past its parent), at an indentation the open maps and lists make valid. Anything else (flow
 * collections, anchors, tags, tabs, CRs, multi-line scalars, keys the core schema reads as
 * booleans or null, any repeated key) answers false and the file is parsed as ever, so a finding
 * is never lost: test/unit/manifests/plainYaml.test.ts compares both ways over every fixture and
 * a random corpus.
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

type Value = 'none' | 'scalar' | 'block';

/** What follows `key: ` or `- `: nothing (a child may follow), a one-line scalar, a block scalar header; undefined when unsure. */
function valueOf(rest: string): Value | undefined {
  if (/^(?:#.*)?$/.test(rest)) return 'none';
  const first = rest[0]!;
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

/** True only when the yaml package provably parses `text` without an error and with no map repeating a key. */
export function isCleanPlainYaml(text: string): boolean {
  if (UNUSUAL_CHARACTER.test(text)) return false;
  const stack: Collection[] = [];
  /** The collection whose last entry opened a child (`key:`, `-`): a deeper line must be that child. */
  let opener: Collection | undefined;
  let block: BlockScalar | undefined;
  for (const line of text.split('\n')) {
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
    if (/^--- *$/.test(line)) {
      stack.length = 0;
      opener = undefined;
      continue;
    }
    const isItem = line[indent] === '-' && (indent + 1 === line.length || line[indent + 1] === ' ');
    while (stack.length > 0 && stack[stack.length - 1]!.column > indent) stack.pop();
    let top = stack[stack.length - 1];
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
        const value = valueOf(rest);
        if (value === undefined) return false;
        if (value === 'none') opener = top;
        else if (value === 'block') block = { endsAtOrBelow: indent, bodyPast: indent, leadingBlank: 0 };
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
    const value = valueOf(entry[2] ?? '');
    if (value === undefined) return false;
    if (value === 'none') opener = map;
    else if (value === 'block') block = { endsAtOrBelow: indent, bodyPast, leadingBlank: 0 };
  }
  return true;
}
