import { version } from '../../package.json';
import { inert } from './terminalText';
import { print, USAGE, UsageError } from './usage';

// Loaded on use: `check` never pays for the registry client's start-up, nor `ls` for the linter's.
const COMMANDS: Readonly<Record<string, (args: readonly string[]) => Promise<number>>> = {
  check: async (args) => (await import('./commands/checkCommand')).checkCommand(args),
  ls: async (args) => (await import('./commands/lsCommand')).lsCommand(args),
  inspect: async (args) => (await import('./commands/inspectCommand')).inspectCommand(args),
  pin: async (args) => (await import('./commands/pinCommand')).pinCommand(args),
  promote: async (args) => (await import('./commands/promoteCommand')).promoteCommand(args),
  retention: async (args) => (await import('./commands/retentionCommand')).retentionCommand(args),
  gate: async (args) => (await import('./commands/gateCommand')).gateCommand(args),
  sbom: async (args) => (await import('./commands/sbomCommand')).sbomCommand(args),
  verify: async (args) => (await import('./commands/verifyCommand')).verifyCommand(args),
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

main(process.argv.slice(2)).finally(() => {
  settled = true;
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`steward: ${inert((error as Error).message)}\n${usage ? `\n${USAGE}` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);
