// The built CLI spawned for the integration tests, with a home folder of the test's own.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A runner of `steward` whose HOME is `home` (no Docker config of the machine leaks in). Spawned
 * without blocking this process: a token server of the test may live here.
 */
export function stewardIn(home: string): (args: string[], cwd: string, env?: NodeJS.ProcessEnv) => Promise<CliRun> {
  return (args, cwd, env = {}) => new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, HOME: home, DOCKER_CONFIG: join(home, 'no-docker-config'), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
