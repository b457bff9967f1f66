import { DEFAULT_DOMAIN } from './parse';

const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A registry host in the one form two spellings of the same registry share: lower case, Docker
 * Hub's three names as `docker.io`, `127.0.0.1` and `[::1]` as `localhost` (the port kept), and no
 * default port — `:443`, and for loopback also `:80`, where a port-less host may be plain HTTP.
 */
export function normalizeRegistryHost(host: string): string {
  const [, written, port] = /^(.*?)(?::(\d+))?$/.exec(host.trim().toLowerCase())!;
  const name = LOOPBACK_NAMES.has(written!) ? 'localhost' : DOCKER_HUB_NAMES.has(written!) ? DEFAULT_DOMAIN : written!;
  const isDefaultPort = port === '443' || (port === '80' && name === 'localhost');
  return port === undefined || isDefaultPort ? name : `${name}:${port}`;
}
