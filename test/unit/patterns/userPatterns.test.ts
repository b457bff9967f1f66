import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import picomatch from 'picomatch';
import { RE2JS } from 're2js';
import { anchoredLiteralPrefix, compileUserGlob, compileUserRegex, MAX_GLOB_LENGTH, MAX_REGEX_LENGTH, UnsafePatternError } from '../../../src/core/patterns/userPatterns';

// The bound is each test's timeout: a backtracking engine needs hours (regexes) or minutes (globs) for these inputs.
const BOUND = { timeout: 10_000 };

describe('user regular expressions run on RE2', () => {
  it('a catastrophic pattern against a long input finishes, with the right answer', BOUND, () => {
    const regex = compileUserRegex('(a+)+$');
    const hostile = `${'a'.repeat(100_000)}!`;
    assert.deepEqual([regex.test(hostile), regex.testWhole(hostile), regex.test('aaa'), compileUserRegex('(a|aa)+b').testWhole(`${'a'.repeat(50_000)}c`)], [false, false, true, false]);
  });

  it('refuses names without an anchored literal prefix before RE2 runs, with RE2\'s answers', () => {
    assert.deepEqual(['^main-[0-9a-f]{7}$', '^ab?c', '^ab*', '^a{2}b', '^a|b', 'main-', '(?m)^x', '^(?i)ab', '^a\\.b', '^v1.2'].map(anchoredLiteralPrefix), ['main-', 'a', 'a', '', '', '', '', '', 'a', 'v1']);
    const inputs = ['main-1a2b3c4', 'xmain-1a2b3c4', 'main-', 'ac', 'abc', 'abbb', 'a', 'aab', 'b', 'ab', 'AB', 'a.b', 'axb', 'v1.2', 'v1x2', ''];
    for (const source of ['^main-[0-9a-f]{7}$', '^ab?c', '^ab*', '^a{2}b', '^a|b', '^(?i)ab', '^a\\.b', '^v1.2', '^ab{0}c']) {
      const regex = compileUserRegex(source);
      const plain = RE2JS.compile(source);
      for (const input of inputs) {
        assert.equal(regex.test(input), plain.test(input), `${source} on ${input}`);
        assert.equal(regex.testWhole(input), plain.testExact(input), `${source} on ${input}, whole`);
      }
    }
  });

  it('testWhole anchors the whole pattern, alternatives included', () => {
    const regex = compileUserRegex('CC-[0-9]{4}|none');
    assert.equal(regex.testWhole('CC-1234'), true);
    assert.equal(regex.testWhole('none'), true);
    assert.equal(regex.testWhole('CC-1234x'), false);
    assert.equal(regex.testWhole('xnone'), false);
  });

  for (const [name, source, offset] of [['lookahead', 'v(?=1)', 2], ['negative lookahead', '(?!rc)', 1], ['lookbehind', '(?<=v)1', 1], ['backreference', '(a)\\1', 4]] as const) {
    it(`refuses a ${name}, saying why and where`, () => {
      assert.throws(() => compileUserRegex(source), (error: unknown) => error instanceof UnsafePatternError
        && /^is not a valid regular expression for RE2, the linear-time engine .*\(.* at character \d+\); lookahead, lookbehind and backreferences are not supported$/.test(error.message)
        && error.offset === offset - 1);
    });
  }

  it(`refuses a pattern longer than ${MAX_REGEX_LENGTH} characters`, () => {
    assert.doesNotThrow(() => compileUserRegex('a'.repeat(MAX_REGEX_LENGTH)));
    assert.throws(() => compileUserRegex('a'.repeat(MAX_REGEX_LENGTH + 1)), { name: 'UnsafePatternError', message: `is longer than ${MAX_REGEX_LENGTH} characters` });
  });
});

describe('user globs keep picomatch semantics on RE2', () => {
  const globs = ['**/prod/**', 'vendor/**', 'v*', 'release-*', 'registry.example.com/prod/**', '**', '*', '{a,b}/*.yaml', '[[:alpha:]]x', 'a?c',
    '+(a|b)', '{1..3}', '\\*x', 'foo/**/bar', '*.{yml,yaml}', '**/*.Dockerfile', 'a/**/b/**', 'a**b', 'x{', 'a|b', '.*', 'prod/*/x',
    'pr-*', 'v1.*', 'a_b-*', 'V*', '1*', '-*', '_*', 'v.*'];
  const names = ['a', 'b', 'x', 'ab', 'v1', 'v1.2', 'release-1', 'prod', 'prod/a', 'prod/a/b', 'x/prod/y', 'vendor', 'vendor/x/Dockerfile', 'a/b', 'a/x/b',
    'a/b/c', 'b/c.yaml', 'a/c.yml', 'foo/bar', 'foo/x/y/bar', 'api.Dockerfile', 'x/api.Dockerfile', '.hidden', 'x/.hidden', 'a|b', '*x', 'yx', '2', '4',
    'registry.example.com/prod/api', 'registry.example.com/prodx/api', 'prod/q/x', 'aab', 'a**b', '',
    'v', 'v/x', 'v.', 'v..', 'v*', 'pr-', 'pr-1', 'pr-1/x', 'pr-*', 'v1.2.3', 'v1.', 'v1/2', 'a_b-c', 'V1', '1', '10.2', '-x', '_x', '.v', 'v.x'];
  it('matches exactly what picomatch ({dot: true}) matches', () => {
    for (const glob of globs) {
      const ours = compileUserGlob(glob);
      const reference = picomatch(glob, { dot: true, windows: false });
      for (const name of names) assert.equal(ours(name), reference(name), `${glob} on ${JSON.stringify(name)}`);
    }
  });

  it('a glob picomatch would backtrack on against a deep path finishes', BOUND, () => {
    const deep = `${'a/'.repeat(6000)}c`;
    assert.equal(compileUserGlob('**/a/**/a/**/a/**/b')(deep) || compileUserGlob('*a*a*a*a*a*a*b')('a'.repeat(255)), false);
  });

  it('refuses negation, which needs lookahead, and over-long globs', () => {
    assert.throws(() => compileUserGlob('!vendor/**'), { name: 'UnsafePatternError', message: /negated glob \(leading "!"\)/ });
    assert.throws(() => compileUserGlob('!(rc)*'), { name: 'UnsafePatternError', message: /not supported \(negated extglobs/ });
    assert.doesNotThrow(() => compileUserGlob('a'.repeat(MAX_GLOB_LENGTH)));
    assert.throws(() => compileUserGlob('a'.repeat(MAX_GLOB_LENGTH + 1)), { name: 'UnsafePatternError', message: `is longer than ${MAX_GLOB_LENGTH} characters` });
  });
});
