// In a file of its own: node --test runs each file in a fresh process, so nothing loaded RE2 before.
import { strict as assert } from 'node:assert';
import { sep } from 'node:path';
import { it } from 'node:test';
import { resolveConfig } from '../../../src/core/lint/config';

const re2Loaded = () => Object.keys(require.cache).some((file) => file.includes(`${sep}re2js${sep}`));

it('the default config matches its production globs without loading RE2 (its first compile costs every CLI run); a workspace glob still runs on RE2', () => {
  const defaults = resolveConfig();
  assert.equal(defaults.productionGlobOf('deploy/prod/app.yaml'), '**/prod/**');
  assert.equal(defaults.productionGlobOf('deploy/staging/app.yaml'), undefined);
  assert.equal(re2Loaded(), false);
  const workspace = resolveConfig({ production: ['live/**/app-*.yaml'] });
  assert.equal(workspace.productionGlobOf('live/eu/app-1.yaml'), 'live/**/app-*.yaml');
  assert.equal(re2Loaded(), true);
});
