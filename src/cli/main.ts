import { version } from '../../package.json';
import { checkCommand } from './commands/checkCommand';
import { inspectCommand } from './commands/inspectCommand';
import { lsCommand } from './commands/lsCommand';
import { pinCommand } from './commands/pinCommand';
import { print, USAGE, UsageError } from './usage';

const COMMANDS: Readonly<Record<string, (args: readonly string[]) => Promise<number>>> = {
  check: checkCommand,
  ls: lsCommand,
  inspect: inspectCommand,
  pin: pinCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help') {
    await print(USAGE);
    return 0;
  }
  if (command === '-v' || command === '--version') {
    await print(`${version}\n`);
    return 0;
  }
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  if (rest.includes('-h') || rest.includes('--help')) {
    await print(USAGE);
    return 0;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`steward: ${(error as Error).message}\n${usage ? `\n${USAGE}` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);
