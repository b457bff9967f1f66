import { relative } from 'node:path';
import { toPosix } from '../../core/workspace/walk';
import type { FileResult } from '../check';

/** `{"findings":[…]}` with 1-based positions and paths relative to the current folder. */
export function formatJson(results: readonly FileResult[], cwd: string): string {
  const findings = results.flatMap((result) => result.findings.map((finding) => ({
    file: toPosix(relative(cwd, result.file)),
    line: finding.range.start.line + 1,
    column: finding.range.start.character + 1,
    endLine: finding.range.end.line + 1,
    endColumn: finding.range.end.character + 1,
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
  })));
  return JSON.stringify({ findings }, null, 2) + '\n';
}
