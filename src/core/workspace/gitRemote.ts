import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The `origin` URL from a git config file's text (the first remote when there is no origin). */
export function remoteUrlFromGitConfig(text: string): string | undefined {
  let remote: string | undefined;
  const urls = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const section = /^\s*\[\s*remote\s+"([^"]+)"\s*\]/.exec(line);
    if (section) remote = section[1];
    else if (/^\s*\[/.test(line)) remote = undefined;
    const url = /^\s*url\s*=\s*(.+?)\s*$/.exec(line);
    if (remote && url && !urls.has(remote)) urls.set(remote, url[1]!);
  }
  return urls.get('origin') ?? urls.values().next().value;
}

/**
 * The https address of a repository from its remote URL: `git@host:org/repo.git`,
 * `ssh://git@host/org/repo.git` and `https://user:token@host/org/repo.git` all give
 * `https://host/org/repo` (credentials are dropped, never copied into a Dockerfile).
 */
export function httpsUrlFromRemote(remote: string): string | undefined {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(remote);
  let host: string;
  let path: string;
  if (scp && !remote.includes('://')) {
    [, host, path] = scp as unknown as [string, string, string];
  } else {
    try {
      const url = new URL(remote);
      if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return undefined;
      host = url.hostname;
      path = url.pathname;
    } catch {
      return undefined;
    }
  }
  const cleanPath = path.replace(/^\/+/, '').replace(/\.git\/?$/, '').replace(/\/+$/, '');
  return cleanPath ? `https://${host}/${cleanPath}` : undefined;
}

/** Reads the https source URL of the repository rooted at `repositoryRoot`, without running git. */
export async function repositorySourceUrl(repositoryRoot: string): Promise<string | undefined> {
  const text = await readFile(join(repositoryRoot, '.git', 'config'), 'utf8').catch(() => undefined);
  const remote = text === undefined ? undefined : remoteUrlFromGitConfig(text);
  return remote === undefined ? undefined : httpsUrlFromRemote(remote);
}
