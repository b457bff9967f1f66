import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { statementIn } from '../../../src/core/find/provenance';
import { matchImage, parseFindQuery } from '../../../src/core/find/query';
import type { ImageMetadata } from '../../../src/core/find/query';

const FULL = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const image = (metadata: Partial<ImageMetadata>): ImageMetadata => ({ annotations: {}, labels: {}, provenance: [], ...metadata });

describe('find queries', () => {
  it('refuses what cannot be a query, naming the option', () => {
    assert.throws(() => parseFindQuery({}), /give at least one of --label/);
    assert.throws(() => parseFindQuery({ revision: 'a1b2c3' }), /--revision takes a commit: 7 to 64 hex characters \(got "a1b2c3"\)/);
    assert.throws(() => parseFindQuery({ labels: ['=x'] }), /--label takes KEY=VALUE \(got "=x"\)/);
    assert.throws(() => parseFindQuery({ baseDigest: 'sha256:abc' }), /--base-digest takes a digest/);
    assert.throws(() => parseFindQuery({ createdAfter: 'yesterday' }), /--created-after takes an ISO 8601 date/);
    assert.deepEqual(parseFindQuery({ labels: ['a=b=c'] }).labels, [{ key: 'a', value: 'b=c' }]);
  });

  it('a short SHA matches its full form (and the other way round), in any case', () => {
    const full = image({ labels: { 'org.opencontainers.image.revision': FULL } });
    assert.deepEqual(matchImage(parseFindQuery({ revision: 'A1B2C3D' }), full), ['revision (label org.opencontainers.image.revision)']);
    assert.ok(matchImage(parseFindQuery({ revision: FULL }), image({ annotations: { 'org.opencontainers.image.revision': 'a1b2c3d' } })));
    assert.equal(matchImage(parseFindQuery({ revision: 'a1b2c3e' }), full), undefined);
  });

  it('every criterion must hold; provenance answers revision and source', () => {
    const built = image({ labels: { team: 'payments' }, provenance: [{ sources: ['git+https://github.com/Acme/App.git'], commits: [FULL], where: 'provenance BuildKit, unverified' }] });
    assert.deepEqual(matchImage(parseFindQuery({ labels: ['team=payments'], source: 'https://github.com/acme/app', revision: FULL.slice(0, 9) }), built), [
      'label team=payments', 'revision (provenance BuildKit, unverified)', 'source (provenance BuildKit, unverified)',
    ]);
    assert.equal(matchImage(parseFindQuery({ labels: ['team=search'], revision: FULL }), built), undefined);
  });

  it('created-after needs a known creation time after it', () => {
    const query = parseFindQuery({ createdAfter: '2024-02-01' });
    assert.ok(matchImage(query, image({ configCreated: '2024-02-01T00:00:01Z' })));
    assert.equal(matchImage(query, image({ configCreated: '2024-02-01T00:00:00Z' })), undefined);
    assert.equal(matchImage(query, image({})), undefined);
    assert.deepEqual(matchImage(query, image({ annotations: { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' }, configCreated: '2020-01-01T00:00:00Z' })), ['annotation org.opencontainers.image.created 2025-01-01T00:00:00Z']);
  });

  it('reads statements plain, in a DSSE envelope and in a sigstore bundle; anything else is none', () => {
    const statement = { _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://slsa.dev/provenance/v0.2', predicate: {} };
    const payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    assert.deepEqual(statementIn(Buffer.from(JSON.stringify(statement))), statement);
    assert.deepEqual(statementIn(Buffer.from(JSON.stringify({ payloadType: 'application/vnd.in-toto+json', payload }))), statement);
    assert.deepEqual(statementIn(Buffer.from(JSON.stringify({ dsseEnvelope: { payload } }))), statement);
    for (const hostile of ['', 'null', '[]', '{"payload":"!!!"}', '{"dsseEnvelope":7}']) assert.equal(statementIn(Buffer.from(hostile)), undefined, hostile);
  });
});
