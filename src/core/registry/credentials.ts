import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOMAIN } from '../reference/parse';
import { normalizeRegistryHost } from '../reference/registryHost';
import type { Credential, CredentialProvider } from './auth';

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Docker config keys for Docker Hub and the forms registries are written in (`https://host/v1/`). */
function configKeys(host: string): string[] {
  const keys = [host, `https://${host}`, `https://${host}/`, `https://${host}/v1/`, `https://${host}/v2/`, `http://${host}`];
  if (normalizeRegistryHost(host) === DEFAULT_DOMAIN) keys.push('https://index.docker.io/v1/', 'index.docker.io', 'docker.io');
  return keys;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** Runs `docker-credential-<helper> get` with the host on stdin, as Docker does. */
function runHelper(helper: string, host: string): Promise<Credential | undefined> {
  // Required here: node:child_process (and node:net under it) costs every registry command's
  // start-up ≈ 5 ms, and most never run a helper.
  const { execFile } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 30_000 }, (error, stdout) => {
      if (error) {
        // Helpers exit 1 with "credentials not found" for hosts they do not know: not an error.
        if (/not found/i.test(String(stdout)) || /not found/i.test(error.message)) resolve(undefined);
        else reject(new Error(`docker-credential-${helper} failed for ${host}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : `exit ${String((error as { code?: unknown }).code)}`}`));
        return;
      }
      try {
        const answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!answer.Secret) resolve(undefined);
        else resolve(answer.Username === '<token>' ? { identityToken: answer.Secret } : { username: answer.Username ?? '', password: answer.Secret });
      } catch {
        reject(new Error(`docker-credential-${helper} answered something that is not JSON for ${host}`));
      }
    });
    child.stdin?.end(host);
  });
}

/**
 * Credentials from `~/.docker/config.json` ($DOCKER_CONFIG): `auths` entries, then `credHelpers`
 * per host, then `credsStore` — which covers ECR, GAR, ACR and the rest through their helpers.
 */
export function dockerConfigCredentials(path = dockerConfigPath()): CredentialProvider {
  let config: Promise<DockerConfig> | undefined;
  return {
    async get(host) {
      config ??= readFile(path, 'utf8').then((text) => JSON.parse(text) as DockerConfig, () => ({}));
      const { auths = {}, credHelpers = {}, credsStore } = await config;
      const keys = configKeys(host);
      const helper = keys.map((key) => credHelpers[key]).find(Boolean);
      if (helper) return runHelper(helper, host);
      const entry = keys.map((key) => auths[key]).find(Boolean);
      if (entry?.identitytoken) return { identityToken: entry.identitytoken };
      if (entry?.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      }
      if (entry?.username && entry.password) return { username: entry.username, password: entry.password };
      return credsStore ? runHelper(credsStore, host) : undefined;
    },
  };
}

/**
 * For the CLI in CI: STEWARD_REGISTRY_USERNAME / STEWARD_REGISTRY_PASSWORD, for the hosts listed in
 * STEWARD_REGISTRY_HOSTS (comma-separated) and no other: a host that merely appears in the
 * workspace's files (a pull request's `FROM attacker.example/x`) never receives them.
 */
export function environmentCredentials(env: NodeJS.ProcessEnv = process.env): CredentialProvider {
  const hosts = new Set((env.STEWARD_REGISTRY_HOSTS ?? '').split(',').map(normalizeRegistryHost).filter(Boolean));
  return {
    async get(host) {
      const username = env.STEWARD_REGISTRY_USERNAME;
      const password = env.STEWARD_REGISTRY_PASSWORD;
      return username && password && hosts.has(normalizeRegistryHost(host)) ? { username, password } : undefined;
    },
  };
}

/** Why environment credentials are set but unused (no STEWARD_REGISTRY_HOSTS), for a one-line warning. */
export function environmentCredentialsWarning(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.STEWARD_REGISTRY_USERNAME || !env.STEWARD_REGISTRY_PASSWORD || (env.STEWARD_REGISTRY_HOSTS ?? '').trim()) return undefined;
  return 'STEWARD_REGISTRY_USERNAME/PASSWORD are set but STEWARD_REGISTRY_HOSTS is empty: they are sent to no registry (list the hosts they belong to, comma-separated)';
}
