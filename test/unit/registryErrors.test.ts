import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { describeErrorBody, RegistryError, signInFailure } from '../../src/core/registry/errors';

describe('registry errors in words', () => {
  it("reads distribution's access detail as words, not JSON", () => {
    const body = JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'repository', Class: '', Name: 'team/app', Action: 'pull' }] }] });
    assert.deepEqual(describeErrorBody(401, body), { code: 'UNAUTHORIZED', message: '401 UNAUTHORIZED authentication required (pull access to repository team/app)' });
    const other = describeErrorBody(400, JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match', detail: { Digest: 'sha256:abc', Nested: { x: 1 } } }] }));
    assert.equal(other.message, '400 DIGEST_INVALID provided digest did not match (Digest sha256:abc)');
    assert.doesNotMatch(other.message, /[{}[\]"]/);
  });
  it('explains a failed sign-in as a sentence', () => {
    assert.equal(signInFailure(new RegistryError('sign in to', 'r.example', '401 UNAUTHORIZED authentication required', 401, 'UNAUTHORIZED')), 'the registry refused this user name and password or token');
    assert.equal(signInFailure(new RegistryError('sign in to', 'r.example', 'connect ECONNREFUSED 127.0.0.1:1')), 'nothing answered at that address (check the host and port, and that the registry runs)');
    assert.match(signInFailure(new Error('the token service https://auth.example answered 401 (credentials refused)')), /token service refused/);
    assert.match(signInFailure(new Error('self-signed certificate in certificate chain')), /TLS certificate is not trusted/);
  });
});
