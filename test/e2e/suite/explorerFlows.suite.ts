import { strict as assert } from 'node:assert';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { addTags, cosignPayload, pushCosignSignature, skopeoPush } from '../../integration/fixtures';
import { PASSWORD, startRegistry, USERNAME } from '../../integration/registryServer';
import type { RunningRegistry } from '../../integration/registryServer';
import { EXTENSION_ID, fileUri, waitFor } from './support';

/** The parts of the extension's API these tests read (see ArtifactStewardApi). */
interface Node { readonly kind: string; readonly tag?: string; readonly label?: string; readonly attachment?: { readonly kind: string } }
interface Tree extends vscode.TreeDataProvider<Node> {
  findTag(host: string, repository: string, tag: string): Promise<Node | undefined>;
  repositoryOf(node: Node): Node | undefined;
}
interface Api {
  readonly registryTree: Tree;
  readonly logFile: vscode.Uri;
  readonly reports: { open: Set<{ view?: { kind: string; source: { paths: string[] } } }> };
}

const api = async () => vscode.extensions.getExtension<Api>(EXTENSION_ID)!.activate();
const labels = async (tree: Tree, nodes: readonly Node[] | null | undefined) => Promise.all((nodes ?? []).map(async (node) => String((await tree.getTreeItem(node)).label)));
/** A node found by walking the tree from its roots, by label, as a user expands it. */
const nodeAt = async (tree: Tree, path: readonly string[]): Promise<Node> => {
  let nodes = (await tree.getChildren()) ?? [];
  let found: Node | undefined;
  for (const label of path) {
    found = nodes.find((node) => node.label === label);
    assert.ok(found, `${label} in the tree`);
    nodes = (await tree.getChildren(found)) ?? [];
  }
  return found!;
};
const logText = async () => Buffer.from(await vscode.workspace.fs.readFile((await api()).logFile)).toString('utf8');

suite('Tag list, version picker, promotion record, reports and log (a real docker-registry)', () => {
  let registry: RunningRegistry | undefined;
  const settings = () => vscode.workspace.getConfiguration('artifactSteward');
  suiteSetup(async function () {
    this.timeout(120_000);
    registry = await startRegistry('plain', mkdtempSync(join(tmpdir(), 'steward-flows-registry-')));
    await skopeoPush(registry, fileUri('oci-layout').fsPath, '1.4.2', 'acme/flows');
    for (const tag of ['1.4.1', 'latest', 'pr-9', 'pr-17']) await skopeoPush(registry, fileUri('oci-layout').fsPath, '1.4.1', 'acme/flows', tag);
    await skopeoPush(registry, fileUri('oci-layout').fsPath, '1.4.2', 'acme/huge');
    // More than the explorer sorts on expanding: shown a page at a time in the registry's order.
    await addTags(registry, 'acme/huge', '1.4.2', Array.from({ length: 1200 }, (_, index) => `0.${index}.0`));
    await settings().update('registries', [{ host: registry.host }], vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await settings().update('registries', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('registryTagSort', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('verification.keys', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await registry?.stop();
  });

  const flowsTag = async (tag: string) => waitFor(`acme/flows:${tag} in the tree`, async () => (await api()).registryTree.findTag(registry!.host, 'acme/flows', tag));

  test('tags list versions newest first, then the rest in natural order (pr-9 before pr-17), and Sort tags switches to natural order', async () => {
    const { registryTree: tree } = await api();
    const repository = tree.repositoryOf(await flowsTag('latest'))!;
    assert.deepEqual(await labels(tree, await tree.getChildren(repository)), ['1.4.2', '1.4.1', 'latest', 'pr-9', 'pr-17']);
    await vscode.commands.executeCommand('artifactSteward.registry.sortTags', 'name');
    assert.equal(settings().get('registryTagSort'), 'name');
    await waitFor('the tags in natural order', async () => {
      const order = await labels(tree, await tree.getChildren(tree.repositoryOf(await flowsTag('latest'))!));
      return order.join() === '1.4.1,1.4.2,latest,pr-9,pr-17' ? order : undefined;
    });
    await settings().update('registryTagSort', undefined, vscode.ConfigurationTarget.Global);
  });

  test('a repository with more tags than are sorted on expanding: 100 tags, Load more…, and Sort all tags by version… with progress', async function () {
    this.timeout(60_000);
    const { registryTree: tree } = await api();
    const repository = await nodeAt(tree, [registry!.host, 'acme', 'huge']);
    const first = (await tree.getChildren(repository)) ?? [];
    assert.equal(first.filter((node) => node.kind === 'tag').length, 100);
    const items = await Promise.all(first.slice(-2).map((node) => tree.getTreeItem(node)));
    assert.deepEqual(items.map((item) => item.label), ['Load more…', 'Sort all tags by version…']);
    assert.equal(items[1]!.description, "1,201 tags, shown in the registry's order");
    await vscode.commands.executeCommand(items[0]!.command!.command, ...(items[0]!.command!.arguments ?? []));
    const more = await waitFor('200 tags after Load more', async () => {
      const shown = ((await tree.getChildren(repository)) ?? []).filter((node) => node.kind === 'tag');
      return shown.length === 200 ? shown : undefined;
    });
    assert.deepEqual(more.slice(0, 100).map((node) => node.tag), first.slice(0, 100).map((node) => node.tag), 'Load more appends');
    await vscode.commands.executeCommand(items[1]!.command!.command, ...(items[1]!.command!.arguments ?? []));
    const sorted = await waitFor('the tags sorted by version', async () => {
      const shown = (await tree.getChildren(repository)) ?? [];
      return shown.some((node) => node.kind === 'sortAll') ? undefined : shown;
    });
    assert.deepEqual(await labels(tree, sorted.slice(0, 3)), ['1.4.2', '0.1199.0', '0.1198.0']);
    assert.equal(sorted.filter((node) => node.kind === 'tag').length, 200, 'as many shown as before');
    assert.match(await logText(), /sorted all 1201 tags of acme\/huge by version/);
  });

  test('a filter shows on the repository, keeps "same image as" whole, and Clear tag filter shows every tag again', async () => {
    const { registryTree: tree } = await api();
    const repository = tree.repositoryOf(await flowsTag('latest'))!;
    await vscode.commands.executeCommand('artifactSteward.registry.filterTags', repository, 'pr-');
    const item = await tree.getTreeItem(repository);
    assert.equal(item.description, 'filter: "pr-"');
    assert.equal(item.contextValue, 'repository.filtered', 'the context menu offers Clear tag filter');
    const shown = (await tree.getChildren(repository)) ?? [];
    assert.deepEqual(await labels(tree, shown), ['pr-9', 'pr-17']);
    const description = await waitFor('the facts of pr-9', async () => {
      const text = String((await tree.getTreeItem(shown[0]!)).description ?? '');
      return text.includes('same image as') ? text : undefined;
    });
    assert.match(description, /^[0-9a-f]{12} · .+ · same image as 1\.4\.1, latest, pr-17$/, 'the hidden tags of the same digest are still named');
    await vscode.commands.executeCommand('artifactSteward.registry.clearTagFilter', repository);
    assert.equal((await tree.getTreeItem(repository)).description, undefined);
    assert.deepEqual(await labels(tree, await tree.getChildren(repository)), ['1.4.2', '1.4.1', 'latest', 'pr-9', 'pr-17']);
  });

  test('signature nodes say verified, invalid or unverified, with the keys of artifactSteward.verification.keys', async function () {
    this.timeout(120_000);
    const { registryTree: tree } = await api();
    const folder = mkdtempSync(join(tmpdir(), 'steward-flows-keys-'));
    const trusted = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(folder, 'release.pub'), trusted.publicKey.export({ type: 'spki', format: 'pem' }));
    const digestOf = async (tag: string) => (await fetch(`${registry!.url}/v2/acme/signed/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' } })).headers.get('docker-content-digest')!;
    await skopeoPush(registry!, fileUri('oci-layout').fsPath, '1.4.2', 'acme/signed');
    await skopeoPush(registry!, fileUri('oci-layout').fsPath, '1.4.1', 'acme/signed');
    for (const [tag, key] of [['1.4.2', trusted.privateKey], ['1.4.1', stranger.privateKey]] as const) {
      const digest = await digestOf(tag);
      await pushCosignSignature(registry!, 'acme/signed', digest, [{ payload: cosignPayload(digest), signature: sign('sha256', cosignPayload(digest), key) }]);
    }
    const signatureWord = (tag: string, expected: string) => waitFor(`acme/signed:${tag}'s signature node saying ${expected}`, async () => {
      const node = await tree.findTag(registry!.host, 'acme/signed', tag);
      const signature = node && ((await tree.getChildren(node)) ?? []).find((child) => child.attachment?.kind === 'signature');
      const description = signature ? String((await tree.getTreeItem(signature)).description ?? '') : '';
      return description.startsWith(`${expected} · `) ? description : undefined;
    }, 60_000);
    await vscode.commands.executeCommand('artifactSteward.registry.refreshRegistries');
    await signatureWord('1.4.2', 'unverified');
    await settings().update('verification.keys', [join(folder, 'release.pub')], vscode.ConfigurationTarget.Global);
    await signatureWord('1.4.2', 'verified');
    await signatureWord('1.4.1', 'invalid');
    assert.match(await logText(), /Verified the signatures of acme\/signed:1\.4\.1 \(sha256:[0-9a-f]{64}\): 0 distinct trusted key\(s\) signed it, 1 required/);
  });

  test('Use newest version… shows each release with its digest, age, and which one latest is', async () => {
    const uri = fileUri('flows/compose.yaml');
    const content = `services:\n  app:\n    image: ${registry!.host}/acme/flows:latest\n`;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(content));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const position = document.positionAt(content.indexOf(registry!.host) + 2);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(position, position));
    const action = actions.find((candidate) => candidate.title === 'Use newest version…');
    assert.ok(action?.command, `no "Use newest version…" among ${actions.map((candidate) => candidate.title).join(', ')}`);
    let shown: readonly vscode.QuickPickItem[] = [];
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []), (items: readonly vscode.QuickPickItem[]) => {
      shown = items;
      return undefined;
    });
    assert.deepEqual(shown.map((item) => item.label), ['1.4.2', '1.4.1'], 'full releases only, newest first');
    assert.match(shown[0]!.description ?? '', /^[0-9a-f]{12} · (today|\d+ (d|mo|y) ago)$/, 'the multi-arch release has an age too');
    assert.match(shown[1]!.description ?? '', /^[0-9a-f]{12} · (today|\d+ (d|mo|y) ago) · same digest as latest$/);
    assert.equal(document.getText(), content, 'nothing picked, nothing written');
    // Gone before the promotion below, whose manifest edits would otherwise point it at the promoted image.
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.workspace.fs.delete(uri);
  });

  test('Promote… adds extra tags, and its promotion record opens as a readable document', async function () {
    this.timeout(120_000);
    const { registryTree: tree } = await api();
    const result = await vscode.commands.executeCommand<{ plan: { target: string } } | undefined>('artifactSteward.promote.promoteImage', await flowsTag('1.4.1'),
      `${registry!.host}/acme/prod/flows:1.4.1`, { confirm: true, overrideReason: 'hotfix; the SBOM follows', extraTags: ['stable'] });
    assert.ok(result, 'the promotion ran');
    const listed = (await (await fetch(`http://${registry!.host}/v2/acme/prod/flows/tags/list`)).json()) as { tags: string[] };
    assert.deepEqual(listed.tags.filter((tag) => !tag.startsWith('sha256-')).sort(), ['1.4.1', 'stable']);
    const record = await waitFor('the promotion record under the promoted tag', async () => {
      const tag = await tree.findTag(registry!.host, 'acme/prod/flows', '1.4.1');
      const children = tag ? (await tree.getChildren(tag)) ?? [] : [];
      return (await Promise.all(children.map(async (child) => [child, String((await tree.getTreeItem(child)).label)] as const))).find(([, label]) => label === 'promotion')?.[0];
    });
    const item = await tree.getTreeItem(record);
    assert.equal(item.command?.command, 'artifactSteward.reports.openAttachment', 'a click opens the record');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const document = await waitFor('the record document', () => {
      const active = vscode.window.activeTextEditor?.document;
      return active?.uri.path.endsWith('.md') && active.uri.path.includes('promotion') ? active : undefined;
    });
    const lines = document.getText().split('\n');
    for (const line of [
      `# Promotion to ${result.plan.target}`,
      `| Source | ${registry!.host}/acme/flows:1.4.1 |`,
      '| Strategy | repository (another repository of the registry, by blob mounts) |',
      '| sbom | **failed, overridden** | no SBOM is attached to the image (Generate SBOM, then attach it) |',
      '- **sbom** (no SBOM is attached to the image (Generate SBOM, then attach it)), because: hotfix; the SBOM follows',
    ]) assert.ok(lines.includes(line), `no line ${line} in\n${document.getText()}`);
    assert.ok(lines.some((line) => /^\| When \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|$/.test(line)) && lines.some((line) => /^\| Who \| .+ \|$/.test(line)));
    assert.equal(document.languageId, 'markdown');
    await waitFor('the promotion in the log', async () => ((await logText()).includes(`Promote acme/flows:1.4.1 → ${result.plan.target}`) ? true : undefined));
  });

  test("Open scan report or SBOM lists the workspace's report and SBOM files first, then Browse…", async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    let shown: readonly (vscode.QuickPickItem & { uri?: vscode.Uri })[] = [];
    await vscode.commands.executeCommand('artifactSteward.reports.openReport', undefined, undefined, (items: typeof shown) => {
      shown = items;
      return items.find((entry) => entry.label.endsWith('api-1.4.2.trivy.json'));
    });
    assert.deepEqual(shown.map((entry) => `${entry.label} ${entry.description ?? ''}`), [
      '$(checklist) api-1.4.1.cdx.json reports', '$(checklist) api-1.4.2.cdx.json reports', '$(checklist) api-1.4.2.spdx.json reports', '$(shield) api-1.4.2.trivy.json reports',
      ' ', '$(folder-opened) Browse… any JSON or SARIF file',
    ]);
    const { reports } = await api();
    await waitFor('the picked report in the scan panel', () => [...reports.open].find((entry) => entry.view?.kind === 'scan' && entry.view.source.paths[0]!.endsWith('api-1.4.2.trivy.json')));
  });

  test('Sign in checks the credentials and says why it failed in a sentence; both outcomes are logged, the password never', async function () {
    this.timeout(60_000);
    const guarded = await startRegistry('basic', mkdtempSync(join(tmpdir(), 'steward-flows-basic-')));
    try {
      const refused = await vscode.commands.executeCommand('artifactSteward.registry.signIn', undefined, { host: guarded.host, username: USERNAME, password: 'Wrong-pa55word' });
      assert.equal(refused, 'failed');
      assert.equal(await vscode.commands.executeCommand('artifactSteward.registry.signIn', undefined, { host: guarded.host, username: USERNAME, password: PASSWORD }), 'signed in');
      const log = await waitFor('both sign-ins in the log', async () => {
        const text = await logText();
        return text.includes(`Signed in to ${guarded.host} as ${USERNAME}`) ? text : undefined;
      });
      assert.match(log, new RegExp(`Sign in to ${guarded.host.replace(/\./g, '\\.')} as ${USERNAME} failed: the registry refused this user name and password or token \\(sign in to ${guarded.host.replace(/\./g, '\\.')}: 401 UNAUTHORIZED authentication required`));
      assert.ok(!log.includes(PASSWORD) && !log.includes('Wrong-pa55word'), 'no password in the log');
    } finally {
      await guarded.stop();
    }
  });
});
