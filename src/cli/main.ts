import { version } from '../../package.json';
import { inert } from './terminalText';
import { nearestWord } from './nearestWord';
import { COMMAND_NAMES, commandUsage, isCommandName, print, USAGE, UsageError } from './usage';
import type { CommandName } from './usage';

// Loaded on use: `check` never pays for the registry client's start-up, nor `ls` for the linter's.
// Keyed by the help's names, so a command without help (or help without a command) does not compile.
const COMMANDS: Readonly<Record<CommandName, (args: readonly string[]) => Promise<number>>> = {
  check: async (args) => (await import('./commands/checkCommand')).checkCommand(args),
  ls: async (args) => (await import('./commands/lsCommand')).lsCommand(args),
  inspect: async (args) => (await import('./commands/inspectCommand')).inspectCommand(args),
  pin: async (args) => (await import('./commands/pinCommand')).pinCommand(args),
  promote: async (args) => (await import('./commands/promoteCommand')).promoteCommand(args),
  retention: async (args) => (await import('./commands/retentionCommand')).retentionCommand(args),
  gate: async (args) => (await import('./commands/gateCommand')).gateCommand(args),
  sbom: async (args) => (await import('./commands/sbomCommand')).sbomCommand(args),
  find: async (args) => (await import('./commands/findCommand')).findCommand(args),
  replicate: async (args) => (await import('./commands/replicateCommand')).replicateCommand(args),
  verify: async (args) => (await import('./commands/verifyCommand')).verifyCommand(args),
  status: async (args) => (await import('./commands/statusCommand')).statusCommand(args),
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
  if (command === undefined) throw new UsageError('missing command');
  if (!isCommandName(command)) {
    const nearest = nearestWord(command, COMMAND_NAMES);
    throw new UsageError(`unknown command "${command}"${nearest ? ` (did you mean "${nearest}"?)` : ''}`);
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    await print(commandUsage(command));
    return 0;
  }
  return COMMANDS[command](rest);
}

const commandLine = process.argv.slice(2);
/** After a usage error: the help of the command it was given to, else everything. */
const usageFor = (command: string | undefined) => (command !== undefined && isCommandName(command) ? commandUsage(command) : USAGE);

// A command whose promise never settles (an operation left waiting on something that will never
// come) would otherwise end with the event loop and exit 0 as if it had succeeded.
let settled = false;
let reported = false;
process.on('beforeExit', () => {
  if (settled || reported) return;
  reported = true;
  process.stderr.write('steward: the command stopped before it finished (an operation was left waiting and nothing more can happen): failed\n');
  process.exitCode = 1;
});

main(commandLine).finally(() => {
  settled = true;
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`steward: ${inert((error as Error).message)}\n${usage ? `\n${usageFor(commandLine[0])}` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);
