import { firstOf } from '../core/registry/auth';
import { dockerConfigCredentials, environmentCredentials, environmentCredentialsWarning } from '../core/registry/credentials';
import { HttpRegistry } from '../core/registry/httpRegistry';
import { Transport } from '../core/registry/transport';
import type { HostOptions } from '../core/registry/transport';
import { version } from '../../package.json';
import type { RegistryFlags } from './registryFlags';
import { UsageError } from './usage';

/** One transport and one credential chain for the whole command; a client per registry host. */
export function registryAccess(flags: RegistryFlags): { open(registry: string): HttpRegistry; close(): Promise<void> } {
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
