import picomatch from 'picomatch';
import type { RE2JS } from 're2js';

// Loaded on first use: RE2's module builds its tables when loaded (≈ 5 ms of every CLI run), and
// most runs compile no user pattern.
const re2 = () => require('re2js') as typeof import('re2js');

/**
 * Every regular expression and glob a workspace or a user writes (label `pattern`, `exclude`,
 * `production`, `promotion.targets[].match` and `immutableTags`, retention tags and repositories,
 * policy files) is compiled here and runs on RE2, whose matching time is linear in the input:
 * a hostile `.steward.yaml` cannot hang the linter, the CLI or the editor with a backtracking
 * pattern such as `(a+)+$` or a glob such as `**\/a/**\/a/**\/b` against a deep path.
 */

export const MAX_REGEX_LENGTH = 512;
export const MAX_GLOB_LENGTH = 256;

/** A pattern we refuse to run, with the reason (and, for regexes, where in the pattern). */
export class UnsafePatternError extends Error {
  constructor(message: string, readonly offset?: number) {
    super(message);
    this.name = 'UnsafePatternError';
  }
}

export interface UserRegex {
  /** Some part of `input` matches (RegExp.prototype.test). */
  test(input: string): boolean;
  /** The whole of `input` matches. */
  testWhole(input: string): boolean;
}

/** Compiles a user's regular expression (RE2 syntax: no lookaround, no backreferences). */
export function compileUserRegex(source: string): UserRegex {
  if (source.length > MAX_REGEX_LENGTH) throw new UnsafePatternError(`is longer than ${MAX_REGEX_LENGTH} characters`);
  let compiled: RE2JS;
  try {
    compiled = re2().RE2JS.compile(source);
  } catch (error) {
    if (!(error instanceof re2().RE2JSSyntaxException)) throw error;
    const offset = error.input ? source.indexOf(error.input) : -1;
    const reason = error.message.replace(/^error parsing regexp: /, '');
    throw new UnsafePatternError(
      `is not a valid regular expression for RE2, the linear-time engine patterns run on (${reason}${offset >= 0 ? ` at character ${offset + 1}` : ''}); lookahead, lookbehind and backreferences are not supported`,
      offset >= 0 ? offset : undefined,
    );
  }
  const prefix = anchoredLiteralPrefix(source);
  return { test: (input) => input.startsWith(prefix) && compiled.test(input), testWhole: (input) => input.startsWith(prefix) && compiled.testExact(input) };
}

/** A character that quantifies the one before it. */
const QUANTIFIER = /^[*+?{]/;

/**
 * The text every match of a `^`-anchored regex starts with (`^main-[0-9a-f]{7}$`: `main-`), so
 * names without it are refused before RE2 runs: a retention plan asks about every tag of a
 * repository, and RE2 in JavaScript costs many times a `startsWith`. Empty when unsure: the literal
 * ends at anything but a letter, digit or `_-/:=@,`, a character a quantifier follows is left out,
 * and a pattern with an alternation anywhere has none.
 */
export function anchoredLiteralPrefix(source: string): string {
  if (!source.startsWith('^') || source.includes('|')) return '';
  const literal = /^[A-Za-z0-9_\-/:=@,]*/.exec(source.slice(1))![0];
  return QUANTIFIER.test(source.slice(1 + literal.length)) ? literal.slice(0, -1) : literal;
}

// picomatch keeps wildcards from matching `.` and `..` segments and empty remainders with these
// lookaheads, which RE2 cannot run. On names without such segments they always hold, so they are
// dropped and such names are matched only literally (paths, tags and repositories never have them).
const DOT_SEGMENT_GUARDS = ['(?!(?:^|\\/)\\.{1,2}(?:\\/|$))', '(?!\\.{1,2}(?:\\/|$))', '(?=.)'];

function hasOnlyPlainSegments(name: string): boolean {
  if (!name.includes('/')) return name !== '' && name !== '.' && name !== '..';
  return name.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function globSource(glob: string): string {
  let source = picomatch.makeRe(glob, { dot: true }).source;
  for (const guard of DOT_SEGMENT_GUARDS) source = source.split(guard).join('');
  return source;
}

/**
 * One of our own globs (the defaults, never a workspace's or a user's), matched as compileUserGlob
 * matches it but by V8's engine: RE2 is there against hostile patterns, and its first compile costs
 * a CLI run ≈ 10 ms.
 */
export function compileBuiltInGlob(glob: string): (name: string) => boolean {
  const compiled = new RegExp(globSource(glob));
  return (name) => name === glob || (hasOnlyPlainSegments(name) && compiled.test(name));
}

/** `v*`, `pr-*`: a literal prefix (not a dot: dot segments are special) and one trailing star, the usual tag glob. */
const PREFIX_GLOB = /^([A-Za-z0-9_-][A-Za-z0-9_.-]*)\*$/;

/**
 * The globs retention and promotion use most, matched without RE2 (a plan tests every tag of a
 * repository against each): a literal prefix and a star, and `**`. Same answers as picomatch (tested).
 */
function plainGlob(glob: string): ((name: string) => boolean) | undefined {
  if (glob === '**') return (name) => name === glob || hasOnlyPlainSegments(name);
  const prefix = PREFIX_GLOB.exec(glob)?.[1];
  return prefix === undefined ? undefined : (name) => name.startsWith(prefix) && !name.includes('/', prefix.length);
}

/**
 * Compiles a user's glob with picomatch's syntax and semantics (`dot: true`: wildcards match
 * dotfiles), matched by RE2. Negation (`!…`, `!(…)`) is refused: it needs lookahead.
 */
export function compileUserGlob(glob: string): (name: string) => boolean {
  if (glob.length > MAX_GLOB_LENGTH) throw new UnsafePatternError(`is longer than ${MAX_GLOB_LENGTH} characters`);
  if (picomatch.scan(glob).negated) throw new UnsafePatternError('is a negated glob (leading "!"), which is not supported; list what to match instead');
  const plain = plainGlob(glob);
  if (plain) return plain;
  const source = globSource(glob);
  let compiled: RE2JS;
  try {
    compiled = re2().RE2JS.compile(source);
  } catch {
    throw new UnsafePatternError('uses glob syntax that is not supported (negated extglobs such as "!(…)")');
  }
  return (name) => name === glob || (hasOnlyPlainSegments(name) && compiled.test(name));
}

/** One matcher for several: any of them matches (a loop, not `some`: a retention plan asks per tag, and `some` allocates a closure per call). */
export function anyOf(matchers: readonly ((name: string) => boolean)[]): (name: string) => boolean {
  if (matchers.length === 1) return matchers[0]!;
  return (name) => {
    for (const matches of matchers) if (matches(name)) return true;
    return false;
  };
}

/** One matcher for several globs: any of them matches. */
export function compileUserGlobs(globs: readonly string[]): (name: string) => boolean {
  return anyOf(globs.map(compileUserGlob));
}
