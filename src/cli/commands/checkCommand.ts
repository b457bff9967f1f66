import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { version } from '../../../package.json';
import { SEVERITY_ORDER } from '../../core/lint/finding';
import type { Severity } from '../../core/lint/finding';
import { toPosix } from '../../core/workspace/walk';
import { check } from '../check';
import { formatJson } from '../formatters/json';
import { formatSarif } from '../formatters/sarif';
import { formatText } from '../formatters/text';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { oneOf, print } from '../usage';

const FORMATS = ['text', 'json', 'sarif'] as const;
const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;

export async function checkCommand(args: readonly string[]): Promise<number> {
  const { values, positionals: paths } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { format: { type: 'string', default: 'text' }, 'fail-on': { type: 'string', default: 'error' }, 'config-root': { type: 'string' }, ...REGISTRY_OPTIONS },
  });
  const format = oneOf(values.format!, FORMATS, 'format');
  const failOn = oneOf(values['fail-on']!, FAIL_ON, 'fail-on');
  const cwd = process.cwd();
  const outcome = await check(paths, cwd, values['config-root'], values);
  if (outcome.configError) {
    const { file, key, message, position } = outcome.configError;
    const where = position ? `:${position.line + 1}:${position.character + 1}` : '';
    process.stderr.write(`steward: ${toPosix(relative(cwd, file))}${where}: ${key ? `${key}: ` : ''}${message}; using the default configuration.\n`);
  }
  for (const missing of outcome.missingPaths) process.stderr.write(`steward: no such file or folder: ${missing}\n`);
  // A report without the files asked for would read as a clean bill ("No problems in 0 files").
  if (outcome.missingPaths.length > 0) return 2;
  await print(format === 'json' ? formatJson(outcome.results, cwd)
    : format === 'sarif' ? formatSarif(outcome.results, cwd, version)
      : formatText(outcome.results, cwd, process.stdout.isTTY === true && !process.env.NO_COLOR));
  if (outcome.configError) return 2;
  if (failOn === 'none') return 0;
  const threshold = SEVERITY_ORDER[failOn as Severity];
  return outcome.results.some((result) => result.findings.some((finding) => SEVERITY_ORDER[finding.severity] >= threshold)) ? 1 : 0;
}
