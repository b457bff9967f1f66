import { relative } from 'node:path';
import type { Severity } from '../../core/lint/finding';
import { toPosix } from '../../core/workspace/walk';
import type { FileResult } from '../check';
import { inert } from '../terminalText';

const COLORS: Readonly<Record<Severity | 'path' | 'dim', [string, string]>> = {
  error: ['\u001b[31m', '\u001b[39m'],
  warning: ['\u001b[33m', '\u001b[39m'],
  info: ['\u001b[36m', '\u001b[39m'],
  path: ['\u001b[4m', '\u001b[24m'],
  dim: ['\u001b[2m', '\u001b[22m'],
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Grouped by file like eslint's stylish formatter. */
export function formatText(results: readonly FileResult[], cwd: string, color: boolean): string {
  const paint = (kind: keyof typeof COLORS, text: string) => (color ? COLORS[kind][0] + text + COLORS[kind][1] : text);
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const blocks: string[] = [];
  for (const result of results) {
    if (result.findings.length === 0) continue;
    const rows = result.findings.map((finding) => {
      counts[finding.severity] += 1;
      return [`${finding.range.start.line + 1}:${finding.range.start.character + 1}`, finding.severity, inert(finding.message), finding.rule] as const;
    });
    // reduce, not Math.max(...spread): one file may have more findings than a call takes arguments.
    const positionWidth = rows.reduce((width, row) => Math.max(width, row[0].length), 0);
    const lines = rows.map(([position, severity, message, rule]) =>
      `  ${paint('dim', position.padEnd(positionWidth))}  ${paint(severity, severity.padEnd(7))}  ${message}  ${paint('dim', rule)}`);
    blocks.push([paint('path', toPosix(relative(cwd, result.file)) || '.'), ...lines].join('\n'));
  }
  const total = counts.error + counts.warning + counts.info;
  const files = results.length;
  if (total === 0) return `No problems in ${plural(files, 'file')}.\n`;
  const summary = `${plural(total, 'problem')} (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info) in ${plural(files, 'file')} checked`;
  return `${blocks.join('\n\n')}\n\n${paint(counts.error > 0 ? 'error' : counts.warning > 0 ? 'warning' : 'info', summary)}\n`;
}
