import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfigFile, resolveConfig } from '../../src/core/lint/config';
import { tagDriftFindings } from '../../src/core/registry/tagDrift';
import type { ConfiguredRegistry } from '../../src/extension/registry/registrySources';
import { trustedValue, withoutNetworkRules } from '../../src/extension/settingsTrust';
import type { InspectedSetting } from '../../src/extension/settingsTrust';
import { REPO_ROOT } from '../helpers';

describe('settings in untrusted workspaces', () => {
  const registries: InspectedSetting<ConfiguredRegistry[]> = {
    defaultValue: [],
    globalValue: [{ host: 'registry.example.com', caFile: '/etc/ssl/team-ca.pem' }],
    workspaceValue: [{ host: 'registry.example.com', insecure: true }],
    workspaceFolderValue: [{ host: 'evil.example.com', caFile: 'ca.pem' }],
  };

  it('a trusted workspace\'s own values win, most specific first', () => {
    assert.deepEqual(trustedValue(registries, true), registries.workspaceFolderValue);
    assert.deepEqual(trustedValue({ ...registries, workspaceFolderValue: undefined }, true), registries.workspaceValue);
  });

  it('an untrusted workspace\'s values are ignored: the user\'s, else the default', () => {
    assert.deepEqual(trustedValue(registries, false), registries.globalValue);
    assert.deepEqual(trustedValue({ defaultValue: 'ask', workspaceValue: 'always' }, false), 'ask');
    assert.equal(trustedValue(undefined, false), undefined);
  });

  it('.steward.yaml and settings cannot turn on image-tag-drift: no registry is asked', async () => {
    const parsed = parseConfigFile('rules:\n  image-tag-drift: error\n  image-latest: error\n', '.steward.yaml');
    assert.ok(parsed.data);
    const config = resolveConfig(withoutNetworkRules(parsed.data));
    assert.equal(config.severities.get('image-tag-drift'), 'off');
    assert.equal(config.severities.get('image-latest'), 'error');
    const asked: string[] = [];
    const pinned = `FROM registry.example.com/app:1.0@sha256:${'a'.repeat(64)}\n`;
    const drift = await tagDriftFindings('Dockerfile', pinned, config, async (registry) => {
      asked.push(registry);
      return `sha256:${'b'.repeat(64)}`;
    });
    assert.deepEqual([drift, asked], [[], []]);
  });

  it('package.json restricts the settings that reach the network, TLS or trivy, and only settings that exist', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const { supported, restrictedConfigurations } = manifest.capabilities.untrustedWorkspaces;
    assert.equal(supported, 'limited');
    assert.deepEqual([...restrictedConfigurations].sort(), ['artifactSteward.lint.rules', 'artifactSteward.registries', 'artifactSteward.trivy.args', 'artifactSteward.trivy.attachResults', 'artifactSteward.trivy.path', 'artifactSteward.verification.keys']);
    for (const key of restrictedConfigurations) assert.ok(manifest.contributes.configuration.properties[key], key);
  });
});
