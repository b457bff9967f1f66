import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { firstOf } from '../../core/registry/auth';
import type { Credential, CredentialProvider } from '../../core/registry/auth';
import { dockerConfigCredentials, dockerConfigPath } from '../../core/registry/credentials';
import type { ExplorerNode } from '../../core/registry/explorer';
import { HttpRegistry } from '../../core/registry/httpRegistry';
import { OciLayoutRegistry } from '../../core/registry/ociLayout';
import type { DigestResolver } from '../../core/registry/tagDrift';
import { Transport } from '../../core/registry/transport';
import type { HostOptions } from '../../core/registry/transport';
import type { Logger } from '../log';
import { readRestrictedSetting, SETTINGS_SECTION } from '../settings';

export interface ConfiguredRegistry {
  readonly host: string;
  /** For registries without a catalog (Docker Hub, GHCR, Quay): the repositories to show. */
  readonly repositories?: readonly string[];
  readonly insecure?: boolean;
  readonly caFile?: string;
}

const SECRET_PREFIX = 'artifactSteward.registry.';

/** Restricted: an untrusted workspace's settings cannot add registries, a CA or `insecure`. */
export function configuredRegistries(): ConfiguredRegistry[] {
  return readRestrictedSetting<ConfiguredRegistry[]>(SETTINGS_SECTION, 'registries', []).filter((entry) => typeof entry?.host === 'string' && entry.host.length > 0);
}

/** Credentials the user entered, kept in VS Code's SecretStorage (never in settings or logs). */
export function secretStorageCredentials(secrets: vscode.SecretStorage): CredentialProvider & { store(host: string, credential: Credential): Thenable<void>; forget(host: string): Thenable<void> } {
  return {
    async get(host) {
      const stored = await secrets.get(SECRET_PREFIX + host);
      return stored ? (JSON.parse(stored) as Credential) : undefined;
    },
    store: (host, credential) => secrets.store(SECRET_PREFIX + host, JSON.stringify(credential)),
    forget: (host) => secrets.delete(SECRET_PREFIX + host),
  };
}

/** Registry hosts named in the Docker config (auths and credHelpers), Docker Hub's keys left out (no catalog). */
async function dockerConfigHosts(): Promise<string[]> {
  try {
    const config = JSON.parse(await readFile(dockerConfigPath(), 'utf8')) as { auths?: Record<string, unknown>; credHelpers?: Record<string, unknown> };
    return [...new Set([...Object.keys(config.auths ?? {}), ...Object.keys(config.credHelpers ?? {})]
      .map((key) => key.replace(/^https?:\/\//, '').replace(/\/.*$/, ''))
      .filter((host) => host && !/(^|\.)docker\.io$/.test(host)))];
  } catch {
    return [];
  }
}

/** A transport with the TLS options of the registries named in settings. */
function settingsTransport(log: Logger): Transport {
  const options = new Map<string, HostOptions>(configuredRegistries().map((entry) => [entry.host, { ...(entry.insecure ? { insecure: true } : {}), ...(entry.caFile ? { caFile: entry.caFile } : {}) }]));
  return new Transport({ userAgent: 'artifact-steward-vscode', hostOptions: (host) => options.get(host) ?? {}, logger: { ...log, debug: () => undefined } });
}

/** Checks a credential against a registry before it is kept; rejects as `HttpRegistry.checkSignIn` does. */
export async function checkCredential(host: string, credential: Credential, log: Logger): Promise<void> {
  const transport = settingsTransport(log);
  try {
    // A client of this one host, so the credential can answer every ask.
    await new HttpRegistry(host, transport, { get: async () => credential }).checkSignIn();
  } finally {
    await transport.close();
  }
}

/** One transport and credential chain for the registries named in settings; a client per host. */
export function registryOpener(credentials: CredentialProvider, log: Logger): (host: string) => HttpRegistry {
  const transport = settingsTransport(log);
  const chain = firstOf(credentials, dockerConfigCredentials());
  const clients = new Map<string, HttpRegistry>();
  return (host) => {
    let client = clients.get(host);
    if (!client) {
      client = new HttpRegistry(host, transport, chain);
      clients.set(host, client);
    }
    return client;
  };
}

/** Digests for image-tag-drift, remembered for a minute so typing does not send a HEAD per keystroke. */
export function cachedDigestResolver(open: (host: string) => HttpRegistry): DigestResolver {
  const cache = new Map<string, { digest: Promise<string>; at: number }>();
  return (registry, repository, tag) => {
    const key = `${registry}/${repository}:${tag}`;
    const cached = cache.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.digest;
    const digest = open(registry).resolve(repository, tag).then((descriptor) => descriptor.digest);
    cache.set(key, { digest, at: Date.now() });
    digest.catch(() => cache.delete(key));
    return digest;
  };
}

/** Every registry the explorer shows: settings, the Docker config, and OCI layout folders in the workspace. */
export async function explorerRoots(open: (host: string) => HttpRegistry): Promise<ExplorerNode[]> {
  const settings = configuredRegistries();
  const fromDockerConfig = (await dockerConfigHosts()).filter((host) => !settings.some((entry) => entry.host === host));
  const layouts = await vscode.workspace.findFiles('**/oci-layout', '**/node_modules/**', 50);
  return [
    ...settings.map((entry): ExplorerNode => ({ kind: 'registry', id: `registry:${entry.host}`, label: entry.host, source: 'settings', backend: open(entry.host), ...(entry.repositories ? { repositories: entry.repositories } : {}) })),
    ...fromDockerConfig.map((host): ExplorerNode => ({ kind: 'registry', id: `registry:${host}`, label: host, source: 'docker-config', backend: open(host) })),
    ...layouts.map((uri): ExplorerNode => {
      const dir = dirname(uri.fsPath);
      return { kind: 'registry', id: `layout:${dir}`, label: vscode.workspace.asRelativePath(dir), source: 'oci-layout', backend: new OciLayoutRegistry(dir) };
    }),
  ];
}
