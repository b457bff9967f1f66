import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { redact } from '../log';

/** What trivy writes: a vulnerability report, or an SBOM in one of two formats. */
export type TrivyFormat = 'json' | 'cyclonedx' | 'spdx-json';

export type TrivyTarget =
  /** An image in a registry, pulled by trivy itself (`--image-src remote`). */
  | { readonly kind: 'registry'; readonly reference: string; readonly insecure: boolean }
  /** An image in an OCI layout folder, one image selected by digest. */
  | { readonly kind: 'oci-layout'; readonly dir: string; readonly digest: string };

export const TRIVY_INSTALL_HINT = 'trivy was not found. Install it (https://trivy.dev/latest/getting-started/installation/: Aqua\'s apt or rpm repository, `brew install trivy`, or the release binary), or set "artifactSteward.trivy.path" to the trivy executable.';

export class TrivyError extends Error {
  constructor(message: string, readonly stderr: string) {
    super(message);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The configured path when it is executable, else `trivy` on PATH; undefined when neither. */
export function findTrivy(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (configured) return isExecutable(configured) ? configured : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, process.platform === 'win32' ? 'trivy.exe' : 'trivy');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The command line for one run; `extraArgs` (from settings) come before the target, as flags must. */
export function trivyArgs(target: TrivyTarget, format: TrivyFormat, outputFile: string, extraArgs: readonly string[] = []): string[] {
  const common = ['image', '--format', format, '--output', outputFile, ...extraArgs];
  if (target.kind === 'oci-layout') return [...common, '--input', `${target.dir}@${target.digest}`];
  return [...common, '--image-src', 'remote', ...(target.insecure ? ['--insecure'] : []), target.reference];
}

export interface RunOptions {
  /** Extra environment (TRIVY_USERNAME / TRIVY_PASSWORD for a registry signed in through the editor). */
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Each line trivy logs (its progress), without the timestamp. */
  readonly onLog?: (line: string) => void;
}

const STDERR_TAIL = 4000;
// eslint-disable-next-line no-control-regex
const ANSI_COLOURS = /\x1b\[[0-9;]*m/g;

/** Runs trivy; rejects with its stderr (redacted, last lines) when it fails, or when cancelled. */
export function runTrivy(binary: string, args: readonly string[], options: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const child = spawn(binary, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let partial = '';
    // Passwords handed over in the environment are scrubbed from anything trivy prints.
    const secrets = Object.entries(options.env ?? {}).filter(([name, value]) => /PASSWORD|TOKEN/.test(name) && value.length > 0).map(([, value]) => value);
    const scrub = (text: string) => secrets.reduce((clean, secret) => clean.split(secret).join('***'), redact(text.replace(ANSI_COLOURS, '')));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL * 2);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) options.onLog?.(scrub(line.replace(/^\S+T\S+\s+/, '').trim()));
    });
    const abort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', abort, { once: true });
    child.once('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', abort);
      reject(error.code === 'ENOENT' ? new TrivyError(TRIVY_INSTALL_HINT, '') : error);
    });
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      if (options.signal?.aborted) reject(options.signal.reason ?? new Error('cancelled'));
      else if (code === 0) resolve();
      else {
        const tail = scrub(stderr.slice(-STDERR_TAIL).trim());
        reject(new TrivyError(`trivy exited with ${code ?? signal}${tail ? `:\n${tail}` : ''}`, tail));
      }
    });
  });
}
