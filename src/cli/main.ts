import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { version } from '../../package.json';
import { SEVERITY_ORDER } from '../core/lint/finding';
import type { Severity } from '../core/lint/finding';
import { toPosix } from '../core/workspace/walk';
import { check } from './check';
import { formatJson } from './formatters/json';
import { formatSarif } from './formatters/sarif';
import { formatText } from './formatters/text';

const USAGE = `Usage: steward check [paths…] [options]

Lints Dockerfiles for OCI image labels and Dockerfiles, Kubernetes, Compose, Kustomize,
Helm values and CI files for mutable image references.

Options:
  --format text|json|sarif   output format (default: text)
  --fail-on error|warning|info|none
                             exit 1 when a finding is at or above this severity (default: error)
  --config-root <dir>        folder holding .steward.yaml (default: the nearest one from
                             the current folder up to the repository root)
  -h, --help                 show this help
  -v, --version              print the version

Exit codes: 0 no failing finding, 1 a finding at or above --fail-on, 2 usage or config error.
`;

const FORMATS = ['text', 'json', 'sarif'] as const;
const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;

class UsageError extends Error {}

function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${option} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      'fail-on': { type: 'string', default: 'error' },
      'config-root': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const [command, ...paths] = positionals;
  if (command !== 'check') throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  const format = oneOf(values.format!, FORMATS, 'format');
  const failOn = oneOf(values['fail-on']!, FAIL_ON, 'fail-on');

  const cwd = process.cwd();
  const outcome = await check(paths, cwd, values['config-root']);
  if (outcome.configError) {
    const { file, key, message, position } = outcome.configError;
    const where = position ? `:${position.line + 1}:${position.character + 1}` : '';
    process.stderr.write(`steward: ${toPosix(relative(cwd, file))}${where}: ${key ? `${key}: ` : ''}${message}; using the default configuration.\n`);
  }
  for (const missing of outcome.missingPaths) process.stderr.write(`steward: no such file or folder: ${missing}\n`);
  const output = format === 'json' ? formatJson(outcome.results, cwd)
    : format === 'sarif' ? formatSarif(outcome.results, cwd, version)
      : formatText(outcome.results, cwd, process.stdout.isTTY === true && !process.env.NO_COLOR);
  await new Promise<void>((resolve) => process.stdout.write(output, () => resolve()));
  if (outcome.configError || outcome.missingPaths.length > 0) return 2;
  if (failOn === 'none') return 0;
  const threshold = SEVERITY_ORDER[failOn as Severity];
  const failing = outcome.results.some((result) => result.findings.some((finding) => SEVERITY_ORDER[finding.severity] >= threshold));
  return failing ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`steward: ${(error as Error).message}\n${usage ? `\n${USAGE}` : ''}`);
    process.exitCode = 2;
  },
);
