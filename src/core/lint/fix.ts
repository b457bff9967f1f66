import type { Range } from './finding';

export interface TextEdit {
  readonly range: Range;
  readonly newText: string;
}

/** A quick-fix computed in core; the extension turns it into a CodeAction. */
export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The single edit's text is snippet syntax (tab stops the user is taken to). */
  readonly snippet?: boolean;
  readonly preferred?: boolean;
  /** Deterministic and needs no input: may run under `source.fixAll`. */
  readonly safeForFixAll?: boolean;
  /** Hides the finding instead of fixing it: offered after every real fix, never preferred. */
  readonly suppresses?: boolean;
  /** What the user must do after the edit (pass build arguments, say), with text worth copying. */
  readonly followUp?: { readonly message: string; readonly copyText: string };
}

/** Escapes literal text for VS Code snippet syntax. */
export function snippetLiteral(text: string): string {
  return text.replace(/[\\$}]/g, (character) => `\\${character}`);
}

export function lineStart(line: number): Range {
  return { start: { line, character: 0 }, end: { line, character: 0 } };
}

/** `# steward-ignore <rule>` on its own line above the finding, indented like that line. */
export function ignoreRuleFix(text: string, finding: { readonly rule: string; readonly range: Range }): Fix {
  const lines = text.split(/\r?\n/);
  const line = finding.range.start.line;
  const indent = /^\s*/.exec(lines[line] ?? '')![0];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { title: `Ignore ${finding.rule} on this line`, edits: [{ range: lineStart(line), newText: `${indent}# steward-ignore ${finding.rule}${eol}` }], suppresses: true };
}
