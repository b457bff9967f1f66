import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { formatAge } from '../../../src/core/formatAge';
import { noCredentials } from '../../../src/core/registry/auth';
import { HttpRegistry } from '../../../src/core/registry/httpRegistry';
import { Transport } from '../../../src/core/registry/transport';
import { environmentWorkspaceFiles, pushEnvironmentImages, writeEnvironmentWorkspace } from '../../integration/environmentsWorkspace';
import type { EnvironmentDigests } from '../../integration/environmentsWorkspace';
import { attachSbom } from '../../integration/fixtures';
import { startRegistry } from '../../integration/registryServer';
import type { RunningRegistry } from '../../integration/registryServer';
import { EXTENSION_ID, fileUri, waitFor, workspaceRoot } from './support';

/** The parts of the Environments view's provider these tests read (see EnvironmentsTreeProvider). */
interface Node { readonly kind: string; readonly row?: { readonly environment: string; readonly repository: string } }
interface Tree extends vscode.TreeDataProvider<Node> {
  refresh(askRegistries?: boolean): void;
  gateState(node: Node): Promise<{ readonly state: string }>;
}
interface Api { readonly environments: Tree }

const api = async () => vscode.extensions.getExtension<Api>(EXTENSION_ID)!.activate();
const DEMO = 'environments-demo';

/** A tree item's label, description and whether its label is highlighted. */
async function look(tree: Tree, node: Node): Promise<string> {
  const item = await tree.getTreeItem(node);
  const label = typeof item.label === 'string' ? item.label : `${item.label!.label}${item.label!.highlights?.length ? ' [highlighted]' : ''}`;
  return `${label} — ${String(item.description)}`;
}

suite('Environments view and Promote to next environment (a real docker-registry)', () => {
  let registry: RunningRegistry | undefined;
  let digests: EnvironmentDigests;
  let work = '';
  let config: string | undefined;
  suiteSetup(async function () {
    this.timeout(120_000);
    work = mkdtempSync(join(tmpdir(), 'steward-environments-e2e-'));
    registry = await startRegistry('plain', join(work, 'registry'));
    digests = await pushEnvironmentImages(registry, join(work, 'registry', 'data'), join(work, 'layouts'));
    // Inferred environments: the examples' deploy/<env> and this demo's overlays/<env> and values-<env>.yaml.
    writeEnvironmentWorkspace(join(workspaceRoot().fsPath, DEMO), environmentWorkspaceFiles(registry.host, digests, { configured: false }));
  });
  suiteTeardown(async () => {
    for (const document of vscode.workspace.textDocuments.filter((candidate) => candidate.isDirty)) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The other suites compare the workspace's findings with the CLI's: leave its config as it was.
    if (config !== undefined) await vscode.workspace.fs.writeFile(fileUri('.steward.yaml'), Buffer.from(config));
    rmSync(join(workspaceRoot().fsPath, DEMO), { recursive: true, force: true });
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const repositoryNode = async (tree: Tree, repository: string) => waitFor(`${repository} in the Environments view`, async () => {
    for (const node of (await tree.getChildren()) ?? []) if (node.kind === 'repository' && String((await tree.getTreeItem(node)).label) === repository) return node;
    return undefined;
  });

  test('lists repositories → environments with tag, short digest and age, drift highlighted; the heading says the environments were inferred', async () => {
    const { environments: tree } = await api();
    tree.refresh(true);
    const roots = (await tree.getChildren()) ?? [];
    assert.equal(await look(tree, roots[0]!), 'staging → prod — inferred from deploy/<env>, overlays/<env>, values-<env>.yaml');
    const host = registry!.host;
    const api_ = await repositoryNode(tree, `${host}/team/api`);
    assert.equal(String((await tree.getTreeItem(api_)).description), '1 drift: ahead');
    const short = (key: string) => digests[key]!.slice(0, 19);
    const age = (iso: string) => formatAge(iso)!;
    const rows = (await tree.getChildren(api_)) ?? [];
    assert.deepEqual(await Promise.all(rows.map((row) => look(tree, row))), [
      `staging [highlighted] — 1.3.0 · ${short('team/api:1.3.0')} · ${age('2024-04-01T00:00:00Z')} · ahead`,
      `prod [highlighted] — 1.2.0 · ${short('team/api:1.2.0')} · ${age('2024-03-01T00:00:00Z')} · ahead`,
    ]);
    assert.equal((await tree.getTreeItem(rows[0]!)).contextValue, 'environmentRow.promotable');
    assert.equal((await tree.getTreeItem(rows[1]!)).contextValue, 'environmentRow', 'prod is the last environment');
    const worker = (await tree.getChildren(await repositoryNode(tree, `${host}/team/worker`))) ?? [];
    assert.match(await look(tree, worker[1]!), /^prod \[highlighted\] — 2\.0\.0 · sha256:[0-9a-f]{12} · .* · tag-moved, ahead$/);
    const proxy = (await tree.getChildren(await repositoryNode(tree, `${host}/team/proxy`))) ?? [];
    assert.deepEqual(await Promise.all(proxy.map((row) => look(tree, row))), [
      `staging — 2.0.0 · ${short('team/proxy:2.0.0')} · ${age('2024-01-15T00:00:00Z')}`,
      `prod — 2.0.0 · ${short('team/proxy:2.0.0')} · ${age('2024-01-15T00:00:00Z')}`,
    ]);
  });

  test('Promote to next environment edits exactly prod\'s overlay (one edit, exact text) and nothing else', async () => {
    const { environments: tree } = await api();
    const host = registry!.host;
    const [staging] = (await tree.getChildren(await repositoryNode(tree, `${host}/team/api`))) ?? [];
    const before = new Map(Object.keys(environmentWorkspaceFiles(host, digests, { configured: false })).map((file) => [file, readFileSync(join(workspaceRoot().fsPath, DEMO, file), 'utf8')]));
    const outcome = await vscode.commands.executeCommand<{ refused?: string; gates: unknown[]; edits: unknown[] }>('artifactSteward.environments.promoteToNextEnvironment', staging, { acceptPreviewDefaults: true });
    assert.equal(outcome.refused, undefined);
    assert.deepEqual(outcome.edits, [{ file: `${DEMO}/overlays/prod/kustomization.yaml`, line: 5, from: `${host}/team/api:1.2.0@${digests['team/api:1.2.0']}`, to: `${host}/team/api:1.3.0@${digests['team/api:1.3.0']}`, needsConfirmation: false }]);
    const prod = await vscode.workspace.openTextDocument(fileUri(`${DEMO}/overlays/prod/kustomization.yaml`));
    assert.equal(prod.getText(), ['resources:', '  - ../../base', 'images:', `  - name: ${host}/team/api`, '    newTag: 1.3.0', `    digest: ${digests['team/api:1.3.0']}`, ''].join('\n'));
    const dirty = vscode.workspace.textDocuments.filter((document) => document.isDirty).map((document) => vscode.workspace.asRelativePath(document.uri));
    assert.deepEqual(dirty, [`${DEMO}/overlays/prod/kustomization.yaml`], 'only prod\'s overlay is edited');
    for (const [file, text] of before) assert.equal(readFileSync(join(workspaceRoot().fsPath, DEMO, file), 'utf8'), text, `${file} on disk is unchanged until saved`);

    // The view reads unsaved text: api is in step now.
    await waitFor('api in step', async () => {
      const node = await repositoryNode(tree, `${host}/team/api`);
      return String((await tree.getTreeItem(node)).description) === 'in step' ? true : undefined;
    });
    const [proxyStaging] = (await tree.getChildren(await repositoryNode(tree, `${host}/team/proxy`))) ?? [];
    const refused = await vscode.commands.executeCommand<{ refused?: string }>('artifactSteward.environments.promoteToNextEnvironment', proxyStaging);
    assert.match(refused.refused ?? '', new RegExp(`is written in ${DEMO}/base/deployment\\.yaml:12, which is not one of prod's files`));
  });

  test('each row shows the gate state of its digest after the rows are shown: staging\'s worker image passes the sbom gate, prod\'s fails it, with why', async function () {
    this.timeout(60_000);
    const { environments: tree } = await api();
    const host = registry!.host;
    const transport = new Transport({});
    try {
      await attachSbom(registry!, 'team/worker', await new HttpRegistry(host, transport, noCredentials).resolve('team/worker', '2.1.0'), JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'worker', packages: [] }));
    } finally {
      await transport.close();
    }
    config = Buffer.from(await vscode.workspace.fs.readFile(fileUri('.steward.yaml'))).toString('utf8');
    assert.ok(config.includes('promotion:\n  targets:\n'));
    await vscode.workspace.fs.writeFile(fileUri('.steward.yaml'), Buffer.from(config.replace('promotion:\n  targets:\n', `promotion:\n  targets:\n    - match: "${host}/team/worker"\n      gates: {sbom: true}\n`)));
    // The config is re-read when its watcher fires: until then team/worker has no gates.
    const [staging, prod] = await waitFor('team/worker rows with gates', async () => {
      tree.refresh(true);
      const rows = (await tree.getChildren(await repositoryNode(tree, `${host}/team/worker`))) ?? [];
      // Asked right after the rows are given: the gates are still being read (network), the row says so.
      const first = await tree.getTreeItem(rows[0]!);
      return String(first.description).endsWith(' · gates…') ? rows : undefined;
    });
    assert.equal(((await tree.getTreeItem(staging!)).iconPath as vscode.ThemeIcon).id, 'loading~spin');
    const changed = new Promise<void>((resolve) => {
      const listener = tree.onDidChangeTreeData!((node) => {
        if (node === prod) {
          listener.dispose();
          resolve();
        }
      });
    });
    assert.deepEqual(await Promise.all([tree.gateState(staging!), tree.gateState(prod!)]).then((states) => states.map((state) => state.state)), ['pass', 'fail']);
    await changed;
    const [passed, failed] = await Promise.all([tree.getTreeItem(staging!), tree.getTreeItem(prod!)]);
    assert.match(String(passed.description), /^2\.1\.0 · sha256:[0-9a-f]{12} · .* · ahead · gates passed$/);
    assert.equal((passed.iconPath as vscode.ThemeIcon).id, 'verified');
    assert.match(String(failed.description), / · gates failed$/);
    assert.equal((failed.iconPath as vscode.ThemeIcon).id, 'error');
    // The tooltip is text in Markdown (spaces as &nbsp;, punctuation escaped): read back as text.
    const tooltip = (failed.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.ok(tooltip.includes(`gates of ${host}/team/worker FAILED\n\n  FAILED  sbom: no SBOM is attached to the image (Generate SBOM, then attach it)`), tooltip);
  });
});
