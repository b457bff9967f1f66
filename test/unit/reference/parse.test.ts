import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { canonicalString, parseReference } from '../../../src/core/reference/parse';

const sha256 = 'sha256:' + 'f'.repeat(64);
const sha512 = 'sha512:' + 'f'.repeat(128);

// Cases from distribution/reference's reference_test.go and normalize_test.go.
const VALID: [string, { domain: string; path: string; tag?: string; digest?: string }][] = [
  ['test_com', { domain: 'docker.io', path: 'library/test_com' }],
  ['test.com:tag', { domain: 'docker.io', path: 'library/test.com', tag: 'tag' }],
  ['test.com:5000', { domain: 'docker.io', path: 'library/test.com', tag: '5000' }],
  ['test.com/repo:tag', { domain: 'test.com', path: 'repo', tag: 'tag' }],
  ['test:5000/repo', { domain: 'test:5000', path: 'repo' }],
  ['test:5000/repo:tag', { domain: 'test:5000', path: 'repo', tag: 'tag' }],
  [`test:5000/repo@${sha256}`, { domain: 'test:5000', path: 'repo', digest: sha256 }],
  [`test:5000/repo:tag@${sha256}`, { domain: 'test:5000', path: 'repo', tag: 'tag', digest: sha256 }],
  ['lowercase:Uppercase', { domain: 'docker.io', path: 'library/lowercase', tag: 'Uppercase' }],
  ['sub-dom1.foo.com/bar/baz/quux', { domain: 'sub-dom1.foo.com', path: 'bar/baz/quux' }],
  ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', { domain: 'sub-dom1.foo.com', path: 'bar/baz/quux', tag: 'some-long-tag' }],
  ['b.gcr.io/test.example.com/my-app:test.example.com', { domain: 'b.gcr.io', path: 'test.example.com/my-app', tag: 'test.example.com' }],
  ['xn--n3h.com/myimage:xn--n3h.com', { domain: 'xn--n3h.com', path: 'myimage', tag: 'xn--n3h.com' }],
  [`xn--7o8h.com/myimage:xn--7o8h.com@${sha512}`, { domain: 'xn--7o8h.com', path: 'myimage', tag: 'xn--7o8h.com', digest: sha512 }],
  ['foo_bar.com:8080', { domain: 'docker.io', path: 'library/foo_bar.com', tag: '8080' }],
  ['foo/foo_bar.com:8080', { domain: 'docker.io', path: 'foo/foo_bar.com', tag: '8080' }],
  ['192.168.1.1', { domain: 'docker.io', path: 'library/192.168.1.1' }],
  ['192.168.1.1:tag', { domain: 'docker.io', path: 'library/192.168.1.1', tag: 'tag' }],
  ['192.168.1.1:5000', { domain: 'docker.io', path: 'library/192.168.1.1', tag: '5000' }],
  ['192.168.1.1/repo', { domain: '192.168.1.1', path: 'repo' }],
  ['192.168.1.1:5000/repo', { domain: '192.168.1.1:5000', path: 'repo' }],
  ['192.168.1.1:5000/repo:5050', { domain: '192.168.1.1:5000', path: 'repo', tag: '5050' }],
  ['a__b/c--d/e_f.g', { domain: 'docker.io', path: 'a__b/c--d/e_f.g' }],
  ['[2001:db8::1]/repo', { domain: '[2001:db8::1]', path: 'repo' }],
  ['[2001:db8::1]:5000/repo', { domain: '[2001:db8::1]:5000', path: 'repo' }],
  ['[2001:db8::1]:5000/repo:tag', { domain: '[2001:db8::1]:5000', path: 'repo', tag: 'tag' }],
  [`[2001:db8::]:5000/repo@${sha256}`, { domain: '[2001:db8::]:5000', path: 'repo', digest: sha256 }],
  ['[::1]:5000/repo', { domain: '[::1]:5000', path: 'repo' }],
  ['localhost/repo', { domain: 'localhost', path: 'repo' }],
  ['localhost:5000/repo:v1', { domain: 'localhost:5000', path: 'repo', tag: 'v1' }],
  ['Example.COM/repo', { domain: 'Example.COM', path: 'repo' }],
  ['nginx', { domain: 'docker.io', path: 'library/nginx' }],
  ['docker.io/nginx', { domain: 'docker.io', path: 'library/nginx' }],
  ['index.docker.io/library/nginx:1.25', { domain: 'docker.io', path: 'library/nginx', tag: '1.25' }],
  ['bitnami/redis:7.2.4', { domain: 'docker.io', path: 'bitnami/redis', tag: '7.2.4' }],
  ['ghcr.io/org/team/app:1.0.0', { domain: 'ghcr.io', path: 'org/team/app', tag: '1.0.0' }],
  [`a/${'a'.repeat(253)}`.slice(0, 255), { domain: 'docker.io', path: `a/${'a'.repeat(253)}`.slice(0, 255) }],
  [`repo:${'t'.repeat(128)}`, { domain: 'docker.io', path: 'library/repo', tag: 't'.repeat(128) }],
];

const INVALID: [string, RegExp][] = [
  ['', /empty/],
  [':justtag', /missing repository name/],
  [`@${sha256}`, /missing repository name/],
  ['repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', /digest length/],
  [`validname@invaliddigest:${'f'.repeat(64)}`, /unsupported digest algorithm/],
  ['Uppercase:tag', /lowercase/],
  ['test:5000/Uppercase/lowercase:tag', /lowercase/],
  ['docker.io/Library/nginx', /lowercase/],
  ['aa/asdf$$^/aa', /invalid repository name/],
  ['aa/-bb', /invalid repository name/],
  ['aa/bb-', /invalid repository name/],
  ['aa//bb', /invalid repository name/],
  ['aa/b...c', /invalid repository name/],
  ['-foo.com/bar', /invalid registry host/],
  ['[fe80::1%eth0]:5000/repo', /invalid registry host/],
  ['[2001:db8::1]', /invalid/],
  ['repo:-tag', /invalid tag/],
  ['repo:tag with space', /white space/],
  [`repo:${'t'.repeat(129)}`, /longer than 128/],
  [`a/${'a'.repeat(254)}`, /255 characters/],
  ['a1'.repeat(32), /hex image id/],
  [`repo@sha256:${'F'.repeat(64)}`, /invalid digest|lower case/],
];

describe('parseReference', () => {
  for (const [text, expected] of VALID) {
    it(`accepts ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text)}`, () => {
      const result = parseReference(text);
      assert.ok(result.ok, result.ok ? '' : result.error);
      const { domain, path, tag, digest } = result.reference;
      assert.deepEqual({ domain, path, tag, digest }, { tag: undefined, digest: undefined, ...expected });
    });
  }
  for (const [text, error] of INVALID) {
    it(`rejects ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text)}`, () => {
      const result = parseReference(text);
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.error, error);
    });
  }
  it('normalises familiar names to their canonical form', () => {
    const result = parseReference('nginx:1.25.3');
    assert.ok(result.ok);
    assert.equal(canonicalString(result.reference), 'docker.io/library/nginx:1.25.3');
    assert.equal(result.reference.domainImplied, true);
  });
  it('reads a port as part of the registry, not as a tag', () => {
    const result = parseReference('registry.example.com:5000/team/app');
    assert.ok(result.ok);
    assert.equal(result.reference.domain, 'registry.example.com:5000');
    assert.equal(result.reference.tag, undefined);
  });
});
