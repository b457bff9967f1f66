import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseConfig, resolveConfig } from '../src/core/lint/config';
import type { ConfigFile } from '../src/core/lint/config';
import { lintText } from '../src/core/lint/engine';
import type { Finding } from '../src/core/lint/finding';

/** Lints `text` as if it were at `path`, with an optional config (object, or YAML text). */
export function lint(path: string, text: string, config: ConfigFile | string = {}): Finding[] {
  const resolved = typeof config === 'string' ? parseConfig(config, '.steward.yaml').config : resolveConfig(config);
  return lintText(path, text, resolved);
}

/** `rule@line:column` with 1-based positions, the shape the CLI prints: compact to assert on. */
export function hits(findings: readonly Finding[], rule?: string): string[] {
  return findings
    .filter((finding) => rule === undefined || finding.rule === rule)
    .map((finding) => `${finding.rule}@${finding.range.start.line + 1}:${finding.range.start.character + 1}`);
}

/** Strips the common indentation so fixtures can be written inline. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^ */.exec(line)![0].length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

/** The repository root, found from the compiled test's folder (tests run from out/test/…). */
export const REPO_ROOT = (() => {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'core'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
})();

/** Applies non-overlapping edits (zero-based positions) to text, as an editor would. */
export function applyEdits(text: string, edits: readonly { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  const offset = (position: { line: number; character: number }) => (starts[position.line] ?? text.length) + position.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((result, edit) => result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end)), text);
}

/** What VS Code inserts for a snippet when the user accepts every placeholder's default (empty for a bare tab stop). */
export function renderSnippet(snippet: string): string {
  return snippet.replace(/\$\{\d+(?::((?:\\.|[^}\\])*))?\}|\\([\\$}])/g, (_match, placeholder: string | undefined, escaped: string | undefined) =>
    escaped ?? (placeholder ?? '').replace(/\\([\\$}])/g, '$1'));
}

/** A temporary git repository root holding `files` (relative paths → contents); `roots` collects it for the caller's cleanup. */
export function temporaryRepository(files: Record<string, string>, roots: string[], prefix = 'steward-cli-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  roots.push(root);
  mkdirSync(join(root, '.git'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Mulberry32: a small seeded generator, so a failing random case reruns the same from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
