import * as nodeModule from 'node:module';
import { version } from '../../package.json';
import { inert } from './terminalText';
import { nearestWord } from './nearestWord';
import { COMMAND_NAMES, commandUsage, isCommandName, print, USAGE, UsageError } from './usage';
import type { CommandName } from './usage';

// Node ≥ 22.1 keeps V8's code cache of the command bundles between runs (in the temp folder; off with
// NODE_DISABLE_COMPILE_CACHE=1). Node 20 has no such cache: there the bundles are minified and split
// per command, so a run compiles only what it uses.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// Loaded on use: `check` never pays for the registry client's start-up, nor `ls` for the linter's.
// `require`, not `import()`: each command is a CommonJS bundle of its own (scripts/build.mjs), and
// `import()` of one would run it through the ESM loader's CommonJS export scan first (≈ 70 ms).
// Keyed by the help's names, so a command without help (or help without a command) does not compile.
const COMMANDS: Readonly<Record<CommandName, (args: readonly string[]) => Promise<number>>> = {
  check: (args) => (require('./commands/checkCommand') as typeof import('./commands/checkCommand')).checkCommand(args),
  ls: (args) => (require('./commands/lsCommand') as typeof import('./commands/lsCommand')).lsCommand(args),
  inspect: (args) => (require('./commands/inspectCommand') as typeof import('./commands/inspectCommand')).inspectCommand(args),
  pin: (args) => (require('./commands/pinCommand') as typeof import('./commands/pinCommand')).pinCommand(args),
  promote: (args) => (require('./commands/promoteCommand') as typeof import('./commands/promoteCommand')).promoteCommand(args),
  retention: (args) => (require('./commands/retentionCommand') as typeof import('./commands/retentionCommand')).retentionCommand(args),
  gate: (args) => (require('./commands/gateCommand') as typeof import('./commands/gateCommand')).gateCommand(args),
  sbom: (args) => (require('./commands/sbomCommand') as typeof import('./commands/sbomCommand')).sbomCommand(args),
  verify: (args) => (require('./commands/verifyCommand') as typeof import('./commands/verifyCommand')).verifyCommand(args),
  find: (args) => (require('./commands/findCommand') as typeof import('./commands/findCommand')).findCommand(args),
  replicate: (args) => (require('./commands/replicateCommand') as typeof import('./commands/replicateCommand')).replicateCommand(args),
  status: (args) => (require('./commands/statusCommand') as typeof import('./commands/statusCommand')).statusCommand(args),
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

/**
 * Ends the process as soon as stdout and stderr have taken what was written. Left to itself, Node
 * ends only after V8's background work: the optimising compile of undici's HTTP parser
 * (WebAssembly) keeps a registry command alive 80–400 ms after its last line.
 */
function exitWhenFlushed(): void {
  let pending = 2;
  const flushed = () => {
    pending -= 1;
    if (pending === 0) process.exit();
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
}

main(commandLine).finally(() => {
  settled = true;
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = (error as Error).name === 'UsageError' || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`steward: ${inert((error as Error).message)}\n${usage ? `\n${usageFor(commandLine[0])}` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
).then(exitWhenFlushed);
