import { firstOf } from '../core/registry/auth';
import { dockerConfigCredentials, environmentCredentials, environmentCredentialsWarning } from '../core/registry/credentials';
import { basename, resolve } from 'node:path';
import { parseReference } from '../core/reference/parse';
import { HttpRegistry } from '../core/registry/httpRegistry';
import { OciLayoutRegistry } from '../core/registry/ociLayout';
import type { RegistryBackend } from '../core/registry/types';
import { Transport } from '../core/registry/transport';
import { loadAgentClass } from '../core/registry/undiciAgent';
import { saveCodeCaches } from './bundleLoader';
import type { HostOptions } from '../core/registry/transport';
import { version } from '../../package.json';
import type { RegistryFlags } from './registryFlags';
import { UsageError } from './usage';

/** One transport and one credential chain for the whole command; a client per registry host. */
export function registryAccess(flags: RegistryFlags): { open(registry: string): HttpRegistry; close(): Promise<void> } {
  // undici parses HTTP with llhttp, compiled to WebAssembly when the first connection opens. V8's
  // optimising compile of it costs ≈ 70 ms of CPU per registry command, and the process waits for
  // it at exit; a command's few responses parse as fast with the baseline (Liftoff) code. The CLI
  // owns its process, so it may set this (the extension shares its host's V8 and never does). V8
  // refuses a code cache made under other flags, so first undici and the Node modules under it
  // load (with Node's cache of its own modules) and this run's cache of the bundles is written.
  loadAgentClass();
  saveCodeCaches();
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--liftoff-only');
  const hosts = new Map<string, HostOptions>();
  for (const host of flags['insecure-registry'] ?? []) hosts.set(host, { ...hosts.get(host), insecure: true });
  for (const entry of flags['registry-ca'] ?? []) {
    const [host, file] = entry.split('=');
    if (!host || !file) throw new UsageError(`--registry-ca takes <host>=<pem file> (got "${entry}")`);
    hosts.set(host, { ...hosts.get(host), caFile: file });
  }
  const transport = new Transport({ userAgent: `artifact-steward/${version}`, hostOptions: (host) => hosts.get(host) ?? {} });
  const unused = environmentCredentialsWarning();
  if (unused) process.stderr.write(`steward: warning: ${unused}\n`);
  const credentials = firstOf(environmentCredentials(), dockerConfigCredentials());
  const clients = new Map<string, HttpRegistry>();
  return {
    open(registry) {
      let client = clients.get(registry);
      if (!client) {
        client = new HttpRegistry(registry, transport, credentials);
        clients.set(registry, client);
      }
      return client;
    },
    close: () => transport.close(),
  };
}

/** `oci:DIR[:TAG]` (skopeo's syntax for an OCI image layout) → the folder and the tag. */
export function splitLayoutArgument(argument: string): { dir: string; tag?: string } | undefined {
  if (!argument.startsWith('oci:')) return undefined;
  const rest = argument.slice('oci:'.length);
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? { dir: rest.slice(0, colon), tag: rest.slice(colon + 1) } : { dir: rest };
}

/** `host[:port][/repository]` → registry and repository; a first part without `.`/`:` is a Docker Hub repository. */
export function splitRegistryArgument(argument: string): { registry: string; repository?: string } {
  const [first, ...rest] = argument.split('/');
  const isHost = first!.includes('.') || first!.includes(':') || first === 'localhost';
  if (!isHost) return { registry: 'docker.io', repository: rest.length === 0 ? `library/${first}` : argument };
  return rest.length === 0 ? { registry: first! } : { registry: first!, repository: rest.join('/') };
}

/** An image named on the command line: a registry reference, or `oci:DIR[:TAG]`, opened for reading. */
export interface OpenedImage {
  readonly backend: RegistryBackend;
  /** The registry host, or `oci:DIR` as written. */
  readonly registry: string;
  readonly repository: string;
  /** The tag or digest to read. */
  readonly reference: string;
  /** The image as the user wrote it, with the tag that was implied (`…:latest`). */
  readonly label: string;
  close(): Promise<void>;
}

/**
 * Opens `argument` (inspect, verify). A reference without tag or digest means `latest`, as docker has
 * it; `onImpliedLatest` is told so (said on stderr, so JSON output stays clean).
 */
export function openImageArgument(argument: string, flags: RegistryFlags, onImpliedLatest: () => void = () => undefined): OpenedImage {
  const implied = (): 'latest' => {
    onImpliedLatest();
    return 'latest';
  };
  const layout = splitLayoutArgument(argument);
  if (layout) {
    const dir = resolve(layout.dir);
    const tag = layout.tag ?? implied();
    return { backend: new OciLayoutRegistry(dir), registry: `oci:${layout.dir}`, repository: basename(dir), reference: tag, label: `oci:${layout.dir}:${tag}`, close: async () => undefined };
  }
  const parsed = parseReference(argument);
  if (!parsed.ok) throw new UsageError(`"${argument}" is not a valid image reference: ${parsed.error}`);
  const { domain, path, digest } = parsed.reference;
  const tag = parsed.reference.tag ?? (digest ? undefined : implied());
  const access = registryAccess(flags);
  return { backend: access.open(domain), registry: domain, repository: path, reference: digest ?? tag!, label: `${domain}/${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`, close: access.close };
}
