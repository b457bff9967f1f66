/** Looks a variable up: its value, `null` when declared without a known value, `undefined` when undeclared. */
export type VariableLookup = (name: string) => string | null | undefined;

/** `$NAME` or `${NAME}` with an optional `:-`/`-`/`:+`/`+`/`:?`/`?` operator; sticky for scanning. */
export const VARIABLE_PATTERN = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/gy;

const VARIABLE_ANYWHERE = new RegExp(VARIABLE_PATTERN.source, 'g');

/**
 * Characters variables may substitute before expansion stops and the value counts as unknown:
 * `ARG B=${A}${A}` doubles at every line, and a value used on every line of a file multiplies.
 */
export const MAX_EXPANDED_CHARACTERS = 1024 * 1024;

/** What is left of MAX_EXPANDED_CHARACTERS; share one across a file to bound the whole file. */
export interface ExpansionBudget {
  remaining: number;
}

export function expansionBudget(): ExpansionBudget {
  return { remaining: MAX_EXPANDED_CHARACTERS };
}

/**
 * Expands `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME:+alt}` (and the forms without `:`) the
 * way BuildKit does. Returns `undefined` when the result depends on a value this file does not
 * know (an ARG without default, a variable of the build environment) or the budget runs out, so
 * callers report nothing.
 */
export function expandVariables(text: string, lookup: VariableLookup, escapeChar = '\\', budget: ExpansionBudget = expansionBudget()): string | undefined {
  // Most keys and values use no variable: nothing to split, replace and join back.
  if (!text.includes('$')) return text;
  let unknown = false;
  const escapedDollar = escapeChar + '$';
  const placeholder = '\u0000';
  const expanded = text.split(escapedDollar).join(placeholder).replace(VARIABLE_ANYWHERE, (_match, braced: string | undefined, operator: string | undefined, word: string | undefined, bare: string | undefined) => {
    const value = substitution(lookup((braced ?? bare) as string), operator, word);
    if (value !== undefined) budget.remaining -= value.length;
    if (value === undefined || budget.remaining < 0) {
      unknown = true;
      return '';
    }
    return value;
  });
  return unknown ? undefined : expanded.split(placeholder).join('$');
}

/** What one variable use becomes, given the variable's value; undefined when this file cannot know. */
function substitution(value: string | null | undefined, operator: string | undefined, word: string | undefined): string | undefined {
  // A declared ARG without default (null) is empty unless a build argument sets it: only the
  // `:-` form has a value this file decides, its own default.
  if (value === null) return operator === ':-' ? (word ?? '') : undefined;
  if (value === undefined && (operator === undefined || operator.endsWith('?'))) return undefined;
  const unset = value === undefined || (operator?.startsWith(':') === true && value === '');
  if (operator?.endsWith('-')) return unset ? (word ?? '') : (value as string);
  if (operator?.endsWith('+')) return unset ? '' : (word ?? '');
  return value as string;
}

/** True when text uses any variable or template syntax we do not expand (shell, envsubst, Helm, Actions). */
export function hasUnresolvedSyntax(text: string): boolean {
  return text.includes('$') || text.includes('{{') || text.includes('}}');
}
