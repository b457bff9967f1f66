import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/core/lint/config';
import { ALL_RULES } from '../../../src/core/lint/ruleRegistry';
import { dedent, hits, lint, REPO_ROOT } from '../../helpers';

describe('config file', () => {
  it('reads severities, team labels with types, production and exclude globs', () => {
    const { config, error } = parseConfig(dedent(`
      rules:
        image-unpinned: error
        image-floating-tag: {severity: error, majorMinor: warning}
      labels:
        defaults: false
        required:
          - com.example.team
          - {key: com.example.docs, type: url}
      production: ["live/**"]
      exclude: ["vendor/**"]
    `), '.steward.yaml');
    assert.equal(error, undefined);
    assert.equal(config.severities.get('image-unpinned'), 'error');
    assert.equal(config.severities.get('image-floating-tag'), 'error');
    assert.equal(config.majorMinorSeverity, 'warning');
    assert.deepEqual(config.requiredLabels, [{ key: 'com.example.team', type: 'text' }, { key: 'com.example.docs', type: 'url' }]);
    assert.equal(config.productionGlobOf('live/api/deploy.yaml'), 'live/**');
    assert.equal(config.productionGlobOf('prod/api/deploy.yaml'), undefined);
    assert.equal(config.isExcluded('vendor/x/Dockerfile'), true);
  });

  const broken: [string, string, RegExp, number][] = [
    ['rules:\n  image-latst: error\n', 'rules.image-latst', /unknown rule id "image-latst"/, 2],
    ['rules:\n  image-latest: fatal\n', 'rules.image-latest', /must be one of|must match/, 2],
    ['labels:\n  required:\n    - {key: a, type: colour}\n', 'labels.required.0.type', /must be one of/, 3],
    ['labels:\n  required:\n    - {key: a, pattern: "[unclosed"}\n', 'labels.required.0.pattern', /not a valid regular expression/, 3],
    ['productoin: []\n', 'productoin', /unknown key/, 1],
    ['rules: [\n', '', /YAML syntax error/, 2],
    // Patterns run on RE2 (linear time): what it cannot run, and what is too long or negated, is refused.
    ['labels:\n  required:\n    - {key: a, pattern: "v(?=1)"}\n', 'labels.required.0.pattern', /\(invalid or unsupported Perl syntax: `\(\?=` at character 2\); lookahead, lookbehind and backreferences are not supported/, 3],
    ['labels:\n  required:\n    - {key: a, pattern: "(x)\\\\1"}\n', 'labels.required.0.pattern', /backreferences are not supported/, 3],
    ['production: ["!**/prod/**"]\n', 'production.0', /is a negated glob/, 1],
    [`exclude:\n  - "vendor/**"\n  - "${'x'.repeat(257)}"\n`, 'exclude.1', /is longer than 256 characters/, 3],
    ['promotion:\n  targets:\n    - match: "!(staging)/**"\n', 'promotion.targets.0.match', /glob syntax that is not supported/, 3],
    ['promotion:\n  targets:\n    - match: "r.example.com/prod/**"\n      immutableTags: ["v*", "!rc-*"]\n', 'promotion.targets.0.immutableTags.1', /is a negated glob/, 4],
  ];
  for (const [text, key, message, line] of broken) {
    it(`names the file, the key and the problem for ${JSON.stringify(text.split('\n')[0])}, and falls back to the defaults`, () => {
      const { config, error } = parseConfig(text, '/repo/.steward.yaml');
      assert.ok(error);
      assert.equal(error.file, '/repo/.steward.yaml');
      assert.equal(error.key, key);
      assert.match(error.message, message);
      assert.equal(error.position?.line !== undefined ? error.position.line + 1 : undefined, line);
      assert.equal(config.severities.get('image-latest'), 'warning');
      assert.equal(config.requiredLabels.length, 6);
    });
  }

  it('an empty file means the defaults', () => {
    const { config, error } = parseConfig('', '.steward.yaml');
    assert.equal(error, undefined);
    assert.deepEqual([...config.productionGlobs], ['**/prod/**', '**/production/**']);
  });

  it('the shipped JSON schema lists exactly the rule ids of the registry', () => {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas/steward.schema.json'), 'utf8'));
    assert.deepEqual(Object.keys(schema.properties.rules.properties).sort(), ALL_RULES.map((rule) => rule.id).sort());
  });

  it('config YAML text drives linting end to end', () => {
    assert.deepEqual(hits(lint('Dockerfile', 'FROM nginx:1.25.3\n', 'labels: {defaults: false}\nrules: {image-unpinned: warning}\n')), ['image-unpinned@1:6']);
  });
});

describe('config patterns cannot hang the linter', () => {
  // Bounded by the test's timeout: a backtracking engine doubles its work per character here (hours for 40).
  it('a catastrophic label pattern checks a long value at once', { timeout: 10_000 }, () => {
    const config = 'labels:\n  defaults: false\n  required:\n    - {key: com.example.team, pattern: "(a+)+"}\n';
    const findings = lint('Dockerfile', `FROM nginx:1.25.3@sha256:${'0'.repeat(64)}\nLABEL com.example.team="${'a'.repeat(40)}!"\n`, config);
    assert.deepEqual(hits(findings), ['label-invalid-value@2:7']);
  });

  it('production and exclude globs match a deep path at once', { timeout: 10_000 }, () => {
    const { config, error } = parseConfig('production: ["**/a/**/a/**/b"]\nexclude: ["**/a/**/a/**/c"]\n', '.steward.yaml');
    assert.equal(error, undefined);
    const deep = `${'a/'.repeat(6000)}x.yaml`;
    assert.deepEqual([config.productionGlobOf(deep), config.isExcluded(deep), config.isExcluded('a/a/c')], [undefined, false, true]);
  });
});
