/** Looks a variable up: its value, `null` when declared without a known value, `undefined` when undeclared. */
export type VariableLookup = (name: string) => string | null | undefined;

/** `$NAME` or `${NAME}` with an optional `:-`/`-`/`:+`/`+`/`:?`/`?` operator; sticky for scanning. */
export const VARIABLE_PATTERN = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/gy;

const VARIABLE_ANYWHERE = new RegExp(VARIABLE_PATTERN.source, 'g');

/**
 * Expands `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME:+alt}` (and the forms without `:`) the
 * way BuildKit does. Returns `undefined` when the result depends on a value this file does not
 * know (an ARG without default, a variable of the build environment), so callers report nothing.
 */
export function expandVariables(text: string, lookup: VariableLookup, escapeChar = '\\'): string | undefined {
  let unknown = false;
  const escapedDollar = escapeChar + '$';
  const placeholder = '\u0000';
  const expanded = text.split(escapedDollar).join(placeholder).replace(VARIABLE_ANYWHERE, (_match, braced: string | undefined, operator: string | undefined, word: string | undefined, bare: string | undefined) => {
    const value = lookup((braced ?? bare) as string);
    // A declared ARG without default (null) is empty unless a build argument sets it: only the
    // `:-` form has a value this file decides, its own default.
    if (value === null) {
      if (operator === ':-') return word ?? '';
      unknown = true;
      return '';
    }
    if (value === undefined && (operator === undefined || operator.endsWith('?'))) {
      unknown = true;
      return '';
    }
    const unset = value === undefined || (operator?.startsWith(':') === true && value === '');
    if (operator?.endsWith('-')) return unset ? (word ?? '') : (value as string);
    if (operator?.endsWith('+')) return unset ? '' : (word ?? '');
    return value as string;
  });
  return unknown ? undefined : expanded.split(placeholder).join('$');
}

/** True when text uses any variable or template syntax we do not expand (shell, envsubst, Helm, Actions). */
export function hasUnresolvedSyntax(text: string): boolean {
  return text.includes('$') || text.includes('{{') || text.includes('}}');
}
