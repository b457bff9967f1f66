import type { Env, Label } from 'dockerfile-ast';
import type { Range } from '../lint/finding';

/** One `key=value` of an ENV or LABEL instruction, as dockerfile-ast's Property gives it. */
export interface Assignment {
  readonly name: string;
  /** Quotes removed; null when the property has no value. */
  readonly value: string | null;
  readonly range: Range;
  readonly nameRange: Range;
  readonly valueRange: Range | null;
  /** Written `key=value` (false for the legacy `KEY value` form). */
  readonly assigned: boolean;
}

/** A file's text with offset ↔ position conversion that counts lines as dockerfile-ast does. */
export interface TextPositions {
  readonly text: string;
  positionAt(offset: number): { line: number; character: number };
  offsetAt(position: { line: number; character: number }): number;
}

const isBlank = (character: string | undefined) => character === ' ' || character === '\t' || character === '\n';

/**
 * The words of the text from `start` to `end` (an instruction's arguments) as [from, to) offsets,
 * read in one pass; undefined when the text holds anything but plain words, quotes closed on their
 * line and line continuations (an escape, a comment line, a CR), which dockerfile-ast reads instead.
 */
export function plainWords(text: string, start: number, end: number, escapeChar: string): [number, number][] | undefined {
  const words: [number, number][] = [];
  for (let at = start; at < end;) {
    const character = text[at]!;
    if (isBlank(character)) {
      at += 1;
    } else if (character === escapeChar) {
      // Only a line continuation: the escape, optional blanks, a line break.
      let next = at + 1;
      while (text[next] === ' ' || text[next] === '\t') next += 1;
      if (next >= end || text[next] !== '\n') return undefined;
      at = next + 1;
    } else {
      const from = at;
      let quote: string | undefined;
      for (; at < end; at += 1) {
        const inWord = text[at]!;
        if (inWord === escapeChar || inWord === '#' || inWord === '\r') return undefined;
        if (quote !== undefined) {
          if (inWord === '\n') return undefined;
          if (inWord === quote) quote = undefined;
        } else if (isBlank(inWord)) {
          break;
        } else if (inWord === '"' || inWord === "'") {
          quote = inWord;
        }
      }
      if (quote !== undefined) return undefined;
      words.push([from, at]);
    }
  }
  return words;
}

/**
 * The `key=value` words of an instruction's arguments (plainWords); undefined also for a legacy
 * `KEY value` pair and for quotes around a key or inside a value.
 */
export function plainAssignments(positions: TextPositions, start: number, end: number, escapeChar: string): Assignment[] | undefined {
  const { text } = positions;
  const words = plainWords(text, start, end, escapeChar);
  if (!words) return undefined;
  const assignments: Assignment[] = [];
  for (const [from, to] of words) {
    const word = text.slice(from, to);
    const equals = word.indexOf('=');
    if (equals <= 0 || /["']/.test(word.slice(0, equals))) return undefined;
    const written = word.slice(equals + 1);
    const quoted = written.length >= 2 && (written[0] === '"' || written[0] === "'") && written.at(-1) === written[0];
    const value = quoted ? written.slice(1, -1) : written;
    if (/["']/.test(value)) return undefined;
    const wordStart = positions.positionAt(from);
    const nameEnd = positions.positionAt(from + equals);
    const wordEnd = positions.positionAt(to);
    assignments.push({
      name: word.slice(0, equals),
      value,
      range: { start: wordStart, end: wordEnd },
      nameRange: { start: wordStart, end: nameEnd },
      valueRange: { start: positions.positionAt(from + equals + 1), end: wordEnd },
      assigned: true,
    });
  }
  return assignments;
}

/** A plain copy of a dockerfile-ast range (its objects carry more than a Range). */
export function rangeOf(range: Range): Range {
  return { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
}

/**
 * An ENV's or LABEL's assignments. dockerfile-ast re-tokenises the instruction for its properties
 * (most of a lint's cost beyond the parse); plain instructions are read here in one pass instead.
 * Without `positions` (a file with a CR, whose lines dockerfile-ast counts differently) every one
 * is dockerfile-ast's.
 */
export function assignmentsOf(instruction: Env | Label, positions: TextPositions | undefined, escapeChar: string): Assignment[] {
  const plain = positions && plainAssignments(positions, positions.offsetAt(instruction.getInstructionRange().end), positions.offsetAt(instruction.getRange().end), escapeChar);
  if (plain) return plain;
  return instruction.getProperties().map((property) => {
    const valueRange = property.getValueRange();
    return {
      name: property.getName(),
      value: property.getValue(),
      range: rangeOf(property.getRange()),
      nameRange: rangeOf(property.getNameRange()),
      valueRange: valueRange ? rangeOf(valueRange) : null,
      assigned: property.getAssignmentOperator() !== null,
    };
  });
}
