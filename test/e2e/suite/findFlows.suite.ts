import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { skopeoPush } from '../../integration/fixtures';
import { startRegistry } from '../../integration/registryServer';
import type { RunningRegistry } from '../../integration/registryServer';
import { EXTENSION_ID, fileUri } from './support';

/** The parts of the extension's API these tests read (see ArtifactStewardApi). */
interface FindNode { readonly kind: string }
interface Api {
  readonly findResults: vscode.TreeDataProvider<FindNode> & { readonly search?: { readonly title: string; readonly result: { readonly images: readonly { readonly repository: string; readonly tags: readonly string[] }[] } } };
}

const api = async () => vscode.extensions.getExtension<Api>(EXTENSION_ID)!.activate();

suite('Find images… (a real docker-registry)', () => {
  let registry: RunningRegistry | undefined;
  const deployment = () => fileUri('deploy/find-flows.yaml');
  suiteSetup(async function () {
    this.timeout(120_000);
    registry = await startRegistry('plain', mkdtempSync(join(tmpdir(), 'steward-find-registry-')));
    const layout = fileUri('oci-layout').fsPath;
    await skopeoPush(registry, layout, '1.4.2', 'acme/find');
    await skopeoPush(registry, layout, '1.4.1', 'acme/find');
    await skopeoPush(registry, layout, '1.4.1', 'acme/find', 'latest');
    await skopeoPush(registry, layout, '1.4.1', 'other/find');
    // A manifest that deploys 1.4.2: the result must name it.
    await vscode.workspace.fs.writeFile(deployment(), Buffer.from(`apiVersion: v1\nkind: Pod\nmetadata: {name: find}\nspec:\n  containers:\n    - name: app\n      image: ${registry.host}/acme/find:1.4.2\n`));
  });
  suiteTeardown(async () => {
    // The other suites compare the workspace's findings with the CLI's: leave it as it was.
    await vscode.workspace.fs.delete(deployment());
    await registry?.stop();
  });

  const labelsOf = async (nodes: readonly FindNode[] | null | undefined) => {
    const { findResults } = await api();
    return Promise.all((nodes ?? []).map(async (node) => String((await findResults.getTreeItem(node)).label)));
  };

  test('a label query shows exactly its image in the Find results view, why it matched and the file that deploys it', async () => {
    const result = await vscode.commands.executeCommand<{ images: unknown[] } | undefined>('artifactSteward.find.findImages', undefined, { target: `${registry!.host}/acme`, query: { labels: ['org.opencontainers.image.version=1.4.2'] } });
    assert.equal(result?.images.length, 1);
    const { findResults } = await api();
    const roots = await findResults.getChildren();
    assert.deepEqual(await labelsOf(roots), ['acme/find:1.4.2']);
    assert.deepEqual(await labelsOf(await findResults.getChildren(roots![0])), ['label org.opencontainers.image.version=1.4.2', 'deploy/find-flows.yaml:7']);
    const deployed = await findResults.getTreeItem((await findResults.getChildren(roots![0]))![1]!);
    assert.equal(deployed.command?.command, 'vscode.open');
    assert.equal((deployed.command?.arguments?.[0] as vscode.Uri).fsPath, deployment().fsPath);
  });

  test('Find images built from this commit: a short SHA finds both versions built from it, tags on one digest as one result', async () => {
    const result = await vscode.commands.executeCommand<unknown>('artifactSteward.find.findImagesFromCommit', { target: registry!.host, commit: '3f2a1bc' });
    assert.ok(result);
    const { findResults } = await api();
    assert.deepEqual(findResults.search?.result.images.map((image) => `${image.repository}:${image.tags.join(',')}`), ['acme/find:1.4.1,latest', 'acme/find:1.4.2', 'other/find:1.4.1']);
    assert.match(findResults.search!.title, /revision 3f2a1bc$/);
  });
});
