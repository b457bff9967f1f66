import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { skopeoDigest, skopeoTags } from '../../integration/copyChecks';
import { skopeoPush } from '../../integration/fixtures';
import { startRegistry } from '../../integration/registryServer';
import type { RunningRegistry } from '../../integration/registryServer';
import { fileUri, waitFor } from './support';

interface Shown { readonly message: string; readonly detail: string }
interface Run { readonly results: readonly { readonly outcome: string; readonly item: { readonly target: { readonly tag: string } } }[] }

/** The repositories a registry holds, by its catalog. */
const catalog = async (registry: RunningRegistry) => ((await (await fetch(`${registry.url}/v2/_catalog`)).json()) as { repositories: string[] }).repositories;

suite('Replicate… (two real docker-registries)', () => {
  let source: RunningRegistry | undefined;
  let target: RunningRegistry | undefined;
  let work = '';
  let config = '';
  const configUri = () => fileUri('.steward.yaml');
  suiteSetup(async function () {
    this.timeout(120_000);
    work = mkdtempSync(join(tmpdir(), 'steward-replicate-e2e-'));
    [source, target] = await Promise.all([startRegistry('plain', join(work, 'source')), startRegistry('plain', join(work, 'target'))]);
    for (const tag of ['1.4.2', '1.4.1']) await skopeoPush(source, fileUri('oci-layout').fsPath, tag, 'src/app');
    config = Buffer.from(await vscode.workspace.fs.readFile(configUri())).toString('utf8');
    await vscode.workspace.fs.writeFile(configUri(), Buffer.from(`${config}replication:\n  - from: "${source.host}/src/**"\n    to: ["${target.host}/mirror"]\n    tags: ["1.4.*"]\n`));
  });
  suiteTeardown(async () => {
    // The other suites compare the workspace's findings with the CLI's: leave it as it was.
    if (config) await vscode.workspace.fs.writeFile(configUri(), Buffer.from(config));
    await Promise.all([source?.stop(), target?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  test('the plan is shown before anything is copied; cancelling copies nothing, accepting copies every image by digest', async function () {
    this.timeout(120_000);
    const [digest142, digest141] = await Promise.all(['1.4.2', '1.4.1'].map((tag) => skopeoDigest(source!.host, `src/app:${tag}`)));
    const planned = [
      `copy ${source!.host}/src/app:1.4.1 → ${target!.host}/mirror/app:1.4.1 (${digest141!.slice(0, 19)}…)`,
      `copy ${source!.host}/src/app:1.4.2 → ${target!.host}/mirror/app:1.4.2 (${digest142!.slice(0, 19)}…)`,
    ];
    const shownPlans: Shown[] = [];
    // The config is re-read when its watcher fires: until then the command finds no rule and asks nothing.
    const cancelled = await waitFor('the plan of the replication rule', async () => {
      let asked = false;
      const run = await vscode.commands.executeCommand<Run | undefined>('artifactSteward.replicate.replicateImages', undefined, {
        confirm: async (shown: Shown) => {
          asked = true;
          shownPlans.push(shown);
          assert.deepEqual(await catalog(target!), [], 'nothing is copied while the plan is shown');
          return false;
        },
      });
      return asked ? { run } : undefined;
    });
    assert.equal(cancelled.run, undefined, 'cancelled: no run');
    assert.deepEqual(shownPlans.map((shown) => [shown.message, shown.detail.split('\n').sort()]), [['Replicate: 2 to copy, 0 already there, 0 refused.', planned]]);
    assert.deepEqual(await catalog(target!), []);
    await assert.rejects(skopeoTags(target!.host, 'mirror/app'), 'skopeo finds no mirrored repository after the cancel');

    const accepted = await vscode.commands.executeCommand<Run | undefined>('artifactSteward.replicate.replicateImages', undefined, {
      confirm: async (shown: Shown) => {
        assert.deepEqual(shown.detail.split('\n').sort(), planned);
        assert.deepEqual(await catalog(target!), [], 'nothing is copied before the answer');
        return true;
      },
    });
    assert.deepEqual(accepted?.results.map((result) => `${result.outcome} ${result.item.target.tag}`).sort(), ['copied 1.4.1', 'copied 1.4.2']);
    assert.deepEqual(await skopeoTags(target!.host, 'mirror/app'), ['1.4.1', '1.4.2']);
    assert.equal(await skopeoDigest(target!.host, 'mirror/app:1.4.2'), digest142, 'the multi-arch index byte for byte');
    assert.equal(await skopeoDigest(target!.host, 'mirror/app:1.4.1'), digest141);
  });
});
