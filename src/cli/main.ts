import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { version } from '../../package.json';
import { loadBundle, saveCodeCaches } from './bundleLoader';
import { inert } from './terminalText';
import { nearestWord } from './nearestWord';
import { COMMAND_NAMES, commandUsage, isCommandName, print, USAGE, UsageError } from './usage';
import type { CommandName } from './usage';

// Node ≥ 22.1 keeps V8's code cache of the command bundles between runs (in the temp folder; off with
// NODE_DISABLE_COMPILE_CACHE=1); on older Node, bundleLoader.ts does the same. The bundles are
// minified and split per command besides, so a run compiles only what it uses.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/** A command's bundle (dist/cli/<name>.js, scripts/build.mjs), loaded on use. */
const bundle = <Exports>(name: string) => loadBundle(join(__dirname, 'cli', `${name}.js`)) as Exports;

// Loaded on use: `check` never pays for the registry client's start-up, nor `ls` for the linter's.
// As CommonJS, not by `import()`, which would run each bundle through the ESM loader's CommonJS
// export scan first (≈ 70 ms).
// Keyed by the help's names, so a command without help (or help without a command) does not compile.
const COMMANDS: Readonly<Record<CommandName, (args: readonly string[]) => Promise<number>>> = {
  check: (args) => bundle<typeof import('./commands/checkCommand')>('checkCommand').checkCommand(args),
  ls: (args) => bundle<typeof import('./commands/lsCommand')>('lsCommand').lsCommand(args),
  inspect: (args) => bundle<typeof import('./commands/inspectCommand')>('inspectCommand').inspectCommand(args),
  pin: (args) => bundle<typeof import('./commands/pinCommand')>('pinCommand').pinCommand(args),
  promote: (args) => bundle<typeof import('./commands/promoteCommand')>('promoteCommand').promoteCommand(args),
  retention: (args) => bundle<typeof import('./commands/retentionCommand')>('retentionCommand').retentionCommand(args),
  gate: (args) => bundle<typeof import('./commands/gateCommand')>('gateCommand').gateCommand(args),
  sbom: (args) => bundle<typeof import('./commands/sbomCommand')>('sbomCommand').sbomCommand(args),
  verify: (args) => bundle<typeof import('./commands/verifyCommand')>('verifyCommand').verifyCommand(args),
  find: (args) => bundle<typeof import('./commands/findCommand')>('findCommand').findCommand(args),
  replicate: (args) => bundle<typeof import('./commands/replicateCommand')>('replicateCommand').replicateCommand(args),
  status: (args) => bundle<typeof import('./commands/statusCommand')>('statusCommand').statusCommand(args),
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
    if (pending > 0) return;
    saveCodeCaches();
    process.exit();
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
