import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dockerConfigCredentials, environmentCredentials } from '../../src/core/registry/credentials';

const root = mkdtempSync(join(tmpdir(), 'steward-credentials-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A docker-credential-<name> script that knows one host, answering as real helpers do. */
function helper(name: string, host: string, answer: object): void {
  const file = join(root, `docker-credential-${name}`);
  writeFileSync(file, `#!/bin/sh\nread host\nif [ "$host" = "${host}" ]; then echo '${JSON.stringify(answer)}'; else echo "credentials not found in native keychain"; exit 1; fi\n`);
  chmodSync(file, 0o755);
}

describe('credentials from the Docker config', () => {
  const originalPath = process.env.PATH;
  process.env.PATH = `${root}:${originalPath ?? ''}`;
  after(() => {
    process.env.PATH = originalPath;
  });
  helper('store', 'registry.example.com', { ServerURL: 'registry.example.com', Username: 'alice', Secret: 's3cret' });
  helper('ecr-login', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', { Username: 'AWS', Secret: 'ecr-token' });
  helper('gcloud', 'europe-docker.pkg.dev', { Username: '<token>', Secret: 'refresh-token' });
  const config = join(root, 'config.json');
  writeFileSync(config, JSON.stringify({
    auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('bob:hub-pass').toString('base64') }, 'quay.io': { identitytoken: 'quay-refresh' } },
    credHelpers: { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login', 'europe-docker.pkg.dev': 'gcloud' },
    credsStore: 'store',
  }));
  const credentials = dockerConfigCredentials(config);

  it('reads auths entries, Docker Hub under its legacy key', async () => {
    assert.deepEqual(await credentials.get('registry-1.docker.io'), { username: 'bob', password: 'hub-pass' });
    assert.deepEqual(await credentials.get('quay.io'), { identityToken: 'quay-refresh' });
  });
  it('runs credHelpers per host (ECR, GAR) and reads <token> answers as identity tokens', async () => {
    assert.deepEqual(await credentials.get('123456789012.dkr.ecr.eu-west-1.amazonaws.com'), { username: 'AWS', password: 'ecr-token' });
    assert.deepEqual(await credentials.get('europe-docker.pkg.dev'), { identityToken: 'refresh-token' });
  });
  it('falls back to credsStore, and a helper that does not know the host means no credentials', async () => {
    assert.deepEqual(await credentials.get('registry.example.com'), { username: 'alice', password: 's3cret' });
    assert.equal(await credentials.get('unknown.example.com'), undefined);
  });
  it('environment credentials need both variables, and go only to the hosts STEWARD_REGISTRY_HOSTS lists', async () => {
    const env = { STEWARD_REGISTRY_USERNAME: 'u', STEWARD_REGISTRY_PASSWORD: 'p', STEWARD_REGISTRY_HOSTS: 'registry.example.com, Docker.io,ghcr.io:443' };
    assert.deepEqual(await environmentCredentials(env).get('registry.example.com'), { username: 'u', password: 'p' });
    assert.deepEqual(await environmentCredentials(env).get('registry-1.docker.io'), { username: 'u', password: 'p' });
    assert.deepEqual(await environmentCredentials(env).get('ghcr.io'), { username: 'u', password: 'p' });
    assert.equal(await environmentCredentials(env).get('attacker.example'), undefined);
    assert.equal(await environmentCredentials(env).get('registry.example.com:5000'), undefined);
    assert.equal(await environmentCredentials({ STEWARD_REGISTRY_USERNAME: 'u', STEWARD_REGISTRY_PASSWORD: 'p' }).get('x'), undefined);
    assert.equal(await environmentCredentials({ STEWARD_REGISTRY_USERNAME: 'u', STEWARD_REGISTRY_HOSTS: 'x' }).get('x'), undefined);
  });
});
