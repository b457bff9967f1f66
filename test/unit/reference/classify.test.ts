import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { classifyReference, classifyTag } from '../../../src/core/reference/classify';
import type { Mutability } from '../../../src/core/reference/classify';
import { parseReference } from '../../../src/core/reference/parse';

const TAGS: [string, Mutability][] = [
  ['latest', 'latest'],
  ['stable', 'floating'], ['edge', 'floating'], ['nightly', 'floating'], ['main', 'floating'], ['master', 'floating'],
  ['dev', 'floating'], ['develop', 'floating'], ['lts', 'floating'], ['current', 'floating'],
  ['main-latest', 'floating'], ['release-latest', 'floating'], ['1.0-SNAPSHOT', 'floating'], ['2.3.4-snapshot', 'floating'],
  ['alpine', 'floating'], ['slim-bookworm', 'floating'], ['lts-alpine3.19', 'floating'], ['stable-slim', 'floating'], ['prod', 'floating'],
  ['1', 'floating'], ['v1', 'floating'], ['20', 'floating'], ['20-alpine', 'floating'], ['3-slim', 'floating'],
  ['1.2', 'major-minor'], ['v1.2', 'major-minor'], ['3.19', 'major-minor'], ['1.25-alpine', 'major-minor'],
  ['1.2.3', 'version'], ['v1.2.3', 'version'], ['1.25.3-alpine3.19', 'version'], ['2.3.4-rc.1', 'version'],
  ['20240115', 'version'], ['3f2a1bc', 'version'], ['deadbeef', 'version'], ['main-3f2a1bc', 'version'], ['nightly-20240101', 'version'],
  ['sha-3f2a1bc', 'version'], ['1.2.3.4', 'version'],
  // Build-numbered tags name one build (issue 16): Bitnami revisions, UBI build ids, Alpine-style _N.
  ['12-debian-12-r50', 'version'], ['9.8-1786985871', 'version'], ['3.8_1', 'version'], ['1.25-r3', 'version'],
  ['8.9-1160', 'version'], ['1-34.1599745032', 'version'], ['9.3-1361.1699548029', 'version'],
  ['12-debian-12', 'floating'], ['9.8-123', 'major-minor'],
];

describe('classifyTag', () => {
  for (const [tag, expected] of TAGS) {
    it(`${tag} is ${expected}`, () => assert.equal(classifyTag(tag), expected));
  }
});

describe('classifyReference', () => {
  const classify = (text: string) => {
    const parsed = parseReference(text);
    assert.ok(parsed.ok);
    return classifyReference(parsed.reference);
  };
  it('treats a registry port as no tag', () => assert.equal(classify('host:5000/app'), 'untagged'));
  it('treats a digest as pinned even next to a moving tag', () => assert.equal(classify(`nginx:latest@sha256:${'a'.repeat(64)}`), 'digest'));
  it('reads an untagged familiar name as untagged', () => assert.equal(classify('nginx'), 'untagged'));
});
