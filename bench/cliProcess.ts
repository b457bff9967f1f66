// The CLI as users meet it: one process per command, wall time from spawn to exit, against skopeo
// (the Go peer) on a loopback registry and against Node's own start-up, all in this run.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { skopeoPush, writeOciLayout } from '../test/integration/fixtures';
import { startRegistry } from '../test/integration/registryServer';
import { median, missingTools, ratio, row, timed } from './measure';

const execFileAsync = promisify(execFile);
const ROUNDS = 15;
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

interface Contest {
  readonly label: string;
  readonly peerLabel: string;
  /** The peer's command for round `round` (fresh targets per round where a copy is made). */
  readonly peer: (round: number) => readonly [string, ...string[]];
  readonly steward: (round: number) => readonly string[];
  readonly goal: number;
}

async function timeProcess([file, ...args]: readonly [string, ...string[]], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  return timed(() => execFileAsync(file, args, options));
}

/** Medians of `ROUNDS` alternating runs (who goes first alternates too), after one untimed run each. */
async function contest(contender: Contest, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ peer: number; steward: number }> {
  const stewardCommand = (round: number): [string, ...string[]] => [process.execPath, CLI, ...contender.steward(round)];
  await timeProcess(contender.peer(-1), options);
  await timeProcess(stewardCommand(-1), options);
  const peerTimes: number[] = [];
  const stewardTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const runPeer = async () => peerTimes.push(await timeProcess(contender.peer(round), options));
    const runSteward = async () => stewardTimes.push(await timeProcess(stewardCommand(round), options));
    if (round % 2 === 0) {
      await runPeer();
      await runSteward();
    } else {
      await runSteward();
      await runPeer();
    }
  }
  row(contender.peerLabel, median(peerTimes));
  row(contender.label, median(stewardTimes), `${ratio(median(stewardTimes), median(peerTimes))} (goal ≤ ${contender.goal}×)`);
  return { peer: median(peerTimes), steward: median(stewardTimes) };
}

export async function benchCliProcess(): Promise<void> {
  const missing = missingTools(['docker-registry', 'skopeo']);
  if (missing.length > 0) {
    console.log(`\nCLI processes: skipped (missing ${missing.join(', ')}; npm test installs them as root)`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-cli-'));
  const registry = await startRegistry('plain', join(root, 'registry'));
  try {
    writeOciLayout(join(root, 'layout'), [{ tag: 'multi', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] }]);
    await skopeoPush(registry, join(root, 'layout'), 'multi', 'src/app');
    const work = join(root, 'work');
    mkdirSync(join(work, 'no-docker-config'), { recursive: true });
    writeFileSync(join(work, 'Dockerfile'), 'FROM alpine:3.19\nLABEL org.opencontainers.image.title=app\nCMD ["sh"]\n');
    // Neither tool meets the machine's credentials (steward: Docker config; skopeo: containers auth).
    const options: { cwd: string; env: NodeJS.ProcessEnv } = { cwd: work, env: { ...process.env, HOME: work, DOCKER_CONFIG: join(work, 'no-docker-config'), REGISTRY_AUTH_FILE: join(work, 'no-auth.json') } };
    const image = `${registry.host}/src/app`;
    const skopeo = (...args: string[]): [string, ...string[]] => ['skopeo', ...args];
    console.log(`\nCLI processes, spawn to exit (median of ${ROUNDS}, alternating; loopback registry, 2-platform index)`);
    const lsContest: Contest = { label: 'steward ls <repository>', peerLabel: 'skopeo list-tags', peer: () => skopeo('list-tags', '--tls-verify=false', `docker://${image}`), steward: () => ['ls', image], goal: 3 };
    const checkContest: Contest = { label: 'steward check Dockerfile', peerLabel: 'node -e "" (bare Node start-up)', peer: () => [process.execPath, '-e', ''], steward: () => ['check', 'Dockerfile'], goal: 1.6 };
    const inspectContest: Contest = { label: 'steward inspect <multi-arch> --json', peerLabel: 'skopeo inspect --raw', peer: () => skopeo('inspect', '--raw', '--tls-verify=false', `docker://${image}:multi`), steward: () => ['inspect', `${image}:multi`, '--json'], goal: 3 };
    const ls = await contest(lsContest, options);
    await contest(inspectContest, options);
    // A fresh target repository each round: a copy to an existing one would be a no-op for both.
    await contest({
      label: 'steward promote (same registry)', peerLabel: 'skopeo copy --all (same registry)',
      peer: (round) => skopeo('copy', '--all', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${image}:multi`, `docker://${registry.host}/skopeo-${round}/app:multi`),
      steward: (round) => ['promote', `${image}:multi`, `${registry.host}/steward-${round}/app`],
      goal: 3,
    }, options);
    const check = await contest(checkContest, options);
    // No Node program can finish before Node has started: that ratio is the floor of the first three.
    console.log(`  floor: bare Node start-up is ${ratio(check.peer, ls.peer)} skopeo list-tags; steward ls is ${ratio(ls.steward, check.peer)} bare Node start-up`);
    // Node 20 reads NODE_EXTRA_CA_CERTS at every start, building its whole root store first (skopeo
    // reads its CA files only for TLS): where it is set, the floor without it too.
    if (process.env.NODE_EXTRA_CA_CERTS) {
      const bare = { cwd: work, env: { ...options.env } };
      delete bare.env.NODE_EXTRA_CA_CERTS;
      console.log('  without NODE_EXTRA_CA_CERTS (set here):');
      const lsBare = await contest(lsContest, bare);
      await contest(inspectContest, bare);
      const nodeBare = await contest(checkContest, bare);
      console.log(`  floor: bare Node start-up is ${ratio(nodeBare.peer, lsBare.peer)} skopeo list-tags; steward ls is ${ratio(lsBare.steward, nodeBare.peer)} bare Node start-up`);
    }
  } finally {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
