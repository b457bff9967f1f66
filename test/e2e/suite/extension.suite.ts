import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { installedTrivy } from '../../../scripts/trivy';
import { EXAMPLES_FINDINGS } from '../../examplesFindings';
import { skopeoPush, writeOciLayout } from '../../integration/fixtures';
import { startRegistry } from '../../integration/registryServer';
import type { RunningRegistry } from '../../integration/registryServer';
import { applyQuickFix, diagnosticsOf, EXTENSION_ID, fileUri, openAndSettle, waitFor } from './support';

const expectedFor = (relative: string) => EXAMPLES_FINDINGS.filter((finding) => finding.startsWith(`${relative}:`)).sort();

suite('Artifact Steward in the extension host', () => {
  // Quick-fix tests edit without saving; reverting keeps every test on the files as shipped.
  teardown(async () => {
    for (const editor of vscode.window.visibleTextEditors) {
      if (!editor.document.isDirty) continue;
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  test('activates and reports its activation time', async () => {
    const extension = vscode.extensions.getExtension<{ activationMs: number }>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    const started = Date.now();
    const api = await extension.activate();
    assert.ok(api, 'activate() returned no API: activation failed');
    console.log(`ACTIVATION: activate() ran in ${api.activationMs.toFixed(1)} ms (awaited ${Date.now() - started} ms after the test asked)`);
  });

  test('Lint workspace fills the Problems panel with exactly the CLI findings', async () => {
    await vscode.commands.executeCommand('artifactSteward.lint.lintWorkspace');
    const files = [...new Set(EXAMPLES_FINDINGS.map((finding) => finding.split(':')[0]!)), 'good/Dockerfile'];
    const all = files.flatMap((relative) => diagnosticsOf(fileUri(relative), relative));
    assert.deepEqual(all.sort(), [...EXAMPLES_FINDINGS].sort());
  });

  for (const relative of ['Dockerfile', 'deploy/prod/deployment.yaml', 'compose.yaml', 'charts/web/values.yaml', '.github/workflows/ci.yml', '.gitlab-ci.yml', 'deploy/staging/kustomization.yaml', 'broken.yaml']) {
    test(`diagnostics of ${relative} match the CLI's findings (codes, ranges, severities)`, async () => {
      const { diagnostics } = await openAndSettle(relative);
      assert.deepEqual(diagnostics.sort(), expectedFor(relative));
    });
  }

  test('diagnostics carry the rule id with an offline link to the page the extension ships, and related information', async () => {
    const { document } = await openAndSettle('Dockerfile');
    const undefinedVariable = vscode.languages.getDiagnostics(document.uri).find((diagnostic) => (diagnostic.code as { value: string }).value === 'label-undefined-variable')!;
    const { target } = undefinedVariable.code as { value: string; target: vscode.Uri };
    assert.equal(`${target.scheme}:${target.path}`, 'command:artifactSteward.lint.openRuleDocs');
    const args = JSON.parse(decodeURIComponent(target.query)) as string[];
    assert.deepEqual(args, ['label-undefined-variable']);
    assert.equal(undefinedVariable.relatedInformation?.[0]?.location.range.start.line, 2);
    // Following the link as the Problems panel would: the page from the installed extension opens in the Markdown preview.
    const page = vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'docs', 'rules', 'label-undefined-variable.md');
    assert.match(Buffer.from(await vscode.workspace.fs.readFile(page)).toString('utf8'), /^# label-undefined-variable/m);
    await vscode.commands.executeCommand(target.path, ...args);
    const preview = await waitFor('the rule page in the Markdown preview', () => vscode.window.tabGroups.all.flatMap((group) => group.tabs)
      .find((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('markdown.preview') && tab.label.includes('label-undefined-variable.md')));
    await vscode.window.tabGroups.close(preview);
  });

  test('quick-fix order: real fixes first with one preferred, Ignore last (Dockerfile FROM, untagged image, Helm image map)', async () => {
    const titlesAt = async (relative: string, rule: string) => {
      const { document } = await openAndSettle(relative);
      const diagnostic = vscode.languages.getDiagnostics(document.uri).find((candidate) => (candidate.code as { value: string }).value === rule)!;
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
      return actions.map((action) => `${action.isPreferred ? '* ' : ''}${action.title}`);
    };
    const dockerfile = await titlesAt('Dockerfile', 'label-missing');
    assert.deepEqual(dockerfile.slice(0, 3), ['* Add missing OCI labels', 'Pin to digest (keep the tag)', 'Use newest version…']);
    assert.deepEqual(dockerfile.slice(3).sort(), ['Ignore image-floating-tag on this line', 'Ignore label-missing on this line']);
    assert.deepEqual(await titlesAt('compose.yaml', 'image-untagged'), ['* Pin to digest (as :latest)', 'Use newest version…', 'Ignore image-untagged on this line']);
    assert.deepEqual(await titlesAt('charts/web/values.yaml', 'image-latest'), ['* Pin to digest (keep the tag)', 'Use newest version…', 'Ignore image-latest on this line']);
  });

  test('hover on an image shows its parts and mutability', async () => {
    const { document } = await openAndSettle('compose.yaml');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(5, 14));
    const text = hovers.flatMap((hover) => hover.contents.map((content) => (content as vscode.MarkdownString).value)).join('\n');
    assert.match(text, /registry \| `docker\.io` \(implied\)/);
    assert.match(text, /repository \| `library\/postgres`/);
    assert.match(text, /major\.minor tag/);
    // The .env beside compose.yaml sets WORKER_TAG, as in Problems: the hover reads the same neighbours.
    const worker = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(7, 14));
    const workerText = worker.flatMap((hover) => hover.contents.map((content) => (content as vscode.MarkdownString).value)).join('\n');
    assert.match(workerText, /\*\*Image\*\* `ghcr\.io\/acme\/worker:main` \(from `ghcr\.io\/acme\/worker:\$\{WORKER_TAG:-dev\}`\)/);
  });

  test('quick-fix: Add missing OCI labels extends the LABEL after the last COPY, declares its ARG above it, and the unknown source stays reported', async () => {
    const { document } = await openAndSettle('Dockerfile');
    const before = document.getText();
    const lines = before.split('\n');
    const diagnostic = vscode.languages.getDiagnostics(document.uri).find((candidate) => (candidate.code as { value: string }).value === 'label-missing')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const followUp = actions.find((action) => action.title === 'Add missing OCI labels')!.command!.arguments![3] as { copyText: string };
    assert.equal(followUp.copyText, 'docker build --build-arg GIT_SHA=$(git rev-parse HEAD) -f Dockerfile .');
    await applyQuickFix(document, 'label-missing', 'Add missing OCI labels');
    await waitFor('the snippet', () => (document.getText() !== before ? true : undefined));
    const added = ['      org.opencontainers.image.source="" \\', '      org.opencontainers.image.revision=$GIT_SHA \\', '      org.opencontainers.image.title="workspace"'];
    assert.equal(document.getText(), [...lines.slice(0, 17), 'ARG GIT_SHA', ...lines.slice(17, 22), `${lines[22]} \\`, ...added, ...lines.slice(23)].join('\n'));
    await waitFor('label-missing to give way to label-empty on the source tab stop', () => {
      const diagnostics = diagnosticsOf(document.uri, 'Dockerfile');
      return !diagnostics.some((line) => line.endsWith('label-missing')) && diagnostics.includes('Dockerfile:25:7 warning label-empty') ? true : undefined;
    });
  });

  test('quick-fix: Re-declare the global ARG fixes label-undefined-variable', async () => {
    const { document } = await openAndSettle('Dockerfile');
    await applyQuickFix(document, 'label-undefined-variable', 'Re-declare the global ARG VERSION in this stage');
    assert.equal(document.lineAt(17).text, 'ARG VERSION');
    await waitFor('label-undefined-variable to disappear', () => (diagnosticsOf(document.uri, 'Dockerfile').some((line) => line.endsWith('label-undefined-variable')) ? undefined : true));
  });

  test('quick-fix: Use the OCI key replaces the label-schema key', async () => {
    const { document } = await openAndSettle('Dockerfile');
    await applyQuickFix(document, 'label-deprecated-schema', 'Use the OCI key org.opencontainers.image.source');
    assert.match(document.getText(), /^ {6}org\.opencontainers\.image\.source="https:\/\/github\.com\/acme\/app" \\$/m);
    await waitFor('label-deprecated-schema to disappear', () => (diagnosticsOf(document.uri, 'Dockerfile').some((line) => line.endsWith('label-deprecated-schema')) ? undefined : true));
  });

  test('quick-fix: Move label to the final stage', async () => {
    const { document } = await openAndSettle('Dockerfile');
    await applyQuickFix(document, 'label-in-discarded-stage', 'Move label org.opencontainers.image.title to the final stage');
    assert.ok(!document.getText().split('\n').slice(0, 9).some((line) => line.includes('image.title')));
    assert.match(document.getText(), /FROM debian:bookworm-slim\nLABEL org\.opencontainers\.image\.title="builder"\n/);
    await waitFor('label-in-discarded-stage to disappear', () => (diagnosticsOf(document.uri, 'Dockerfile').some((line) => line.endsWith('label-in-discarded-stage')) ? undefined : true));
  });

  test('quick-fix: Ignore image-latest on this line inserts the suppression comment', async () => {
    const { document } = await openAndSettle('compose.yaml');
    const before = diagnosticsOf(document.uri, 'compose.yaml');
    await applyQuickFix(document, 'image-untagged', 'Ignore image-untagged on this line');
    assert.equal(document.lineAt(2).text, '    # steward-ignore image-untagged');
    await waitFor('image-untagged to disappear', () => (diagnosticsOf(document.uri, 'compose.yaml').length === before.length - 1 ? true : undefined));
  });

  test('source.fixAll applies the safe fixes', async () => {
    const uri = fileUri('fixall/Dockerfile');
    await vscode.workspace.fs.createDirectory(fileUri('fixall'));
    await vscode.workspace.fs.writeFile(uri, Buffer.from('ARG VERSION=1\nFROM alpine:3.19.1\nLABEL org.label-schema.name=app v=$VERSION\n'));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    await waitFor('diagnostics', () => (diagnosticsOf(uri, 'x').length > 0 ? true : undefined));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.artifactSteward');
    assert.equal(actions.length, 1);
    assert.ok(await vscode.workspace.applyEdit(actions[0]!.edit!));
    assert.equal(document.getText(), 'ARG VERSION=1\nFROM alpine:3.19.1\nARG VERSION\nLABEL org.opencontainers.image.title=app v=$VERSION\n');
  });

  test('changing .steward.yaml re-lints open documents', async () => {
    const { document } = await openAndSettle('charts/web/values.yaml');
    const config = fileUri('.steward.yaml');
    const original = await vscode.workspace.fs.readFile(config);
    try {
      await vscode.workspace.fs.writeFile(config, Buffer.from(`${Buffer.from(original).toString('utf8').replace('rules:\n', 'rules:\n  image-latest: off\n')}`));
      await waitFor('image-latest to be switched off', () => (diagnosticsOf(document.uri, 'x').some((line) => line.endsWith('image-latest')) ? undefined : true));
    } finally {
      await vscode.workspace.fs.writeFile(config, original);
    }
    await waitFor('image-latest to come back', () => (diagnosticsOf(document.uri, 'x').some((line) => line.endsWith('image-latest')) ? true : undefined));
  });

});

suite('Registry explorer in the extension host', () => {
  test('lists the OCI layout from examples/ down to platforms and the SBOM attachment', async () => {
    const api = await vscode.extensions.getExtension<{ registryTree: vscode.TreeDataProvider<unknown> }>(EXTENSION_ID)!.activate();
    const tree = api.registryTree;
    const label = async (node: unknown) => String((await tree.getTreeItem(node)).label);
    const roots = await tree.getChildren();
    const layout = (await Promise.all((roots ?? []).map(async (node) => [node, await label(node)] as const))).find(([, text]) => text === 'oci-layout');
    assert.ok(layout, `no oci-layout among ${(await Promise.all((roots ?? []).map(label))).join(', ')}`);
    const [repository] = (await tree.getChildren(layout[0])) ?? [];
    assert.equal(await label(repository), 'oci-layout');
    const tags = (await tree.getChildren(repository)) ?? [];
    assert.deepEqual(await Promise.all(tags.map(label)), ['1.4.2', '1.4.1']);
    const children = (await tree.getChildren(tags[0])) ?? [];
    assert.deepEqual(await Promise.all(children.map(label)), ['linux/amd64', 'linux/arm64', 'sbom']);
    await waitFor('the tag digest in the description', async () => (String((await tree.getTreeItem(tags[0]!)).description ?? '').length >= 12 ? true : undefined));
  });
});

suite('Registry-aware quick-fixes in the extension host (a real docker-registry)', () => {
  let registry: RunningRegistry | undefined;
  suiteSetup(async function () {
    this.timeout(120_000);
    registry = await startRegistry('plain', mkdtempSync(join(tmpdir(), 'steward-suite-registry-')));
    await skopeoPush(registry, fileUri('oci-layout').fsPath, '1.4.2', 'acme/app');
    await skopeoPush(registry, fileUri('oci-layout').fsPath, '1.4.1', 'acme/app');
    await skopeoPush(registry, fileUri('oci-layout').fsPath, '1.4.1', 'acme/app', 'latest');
  });
  suiteTeardown(async () => {
    await registry?.stop();
  });

  /** The code action `title` offered where `at` (default: the registry host) is written in `content`. */
  async function registryAction(relative: string, content: string, title: string, at = registry!.host): Promise<{ document: vscode.TextDocument; action: vscode.CodeAction }> {
    const uri = fileUri(relative);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(content));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const position = document.positionAt(content.indexOf(at) + 2);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(position, position));
    const action = actions.find((candidate) => candidate.title === title);
    assert.ok(action?.command, `no "${title}" among ${actions.map((candidate) => candidate.title).join(', ')}`);
    return { document, action };
  }

  /** The digest of a tag as skopeo sees it: the SHA-256 of its raw manifest (the index of a multi-arch image). */
  async function skopeoDigest(tag: string): Promise<string> {
    const { stdout } = await promisify(execFile)('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry!.host}/acme/app:${tag}`], { encoding: 'buffer' });
    return `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
  }

  test('Pin to digest writes tag@digest as skopeo inspect reports it (index digest of a multi-arch image)', async () => {
    const { document, action } = await registryAction('pin/Dockerfile', `FROM ${registry!.host}/acme/app:1.4.2\n`, 'Pin to digest (keep the tag)');
    await vscode.commands.executeCommand(action.command!.command, ...(action.command!.arguments ?? []), 'index');
    assert.equal(document.getText(), `FROM ${registry!.host}/acme/app:1.4.2@${await skopeoDigest('1.4.2')}\n`);
  });

  test('an untagged reference (the registry port is not a tag) pins as :latest@digest and moves to the newest release', async () => {
    const content = `FROM ${registry!.host}/acme/app\n`;
    const pin = await registryAction('untagged/Dockerfile', content, 'Pin to digest (as :latest)');
    await vscode.commands.executeCommand(pin.action.command!.command, ...(pin.action.command!.arguments ?? []), 'index');
    assert.equal(pin.document.getText(), `FROM ${registry!.host}/acme/app:latest@${await skopeoDigest('latest')}\n`);
    const newest = await registryAction('untagged/newest.Dockerfile', content, 'Use newest version…');
    await vscode.commands.executeCommand(newest.action.command!.command, ...(newest.action.command!.arguments ?? []), '1.4.2');
    assert.equal(newest.document.getText(), `FROM ${registry!.host}/acme/app:1.4.2\n`);
  });

  test('on a Helm image map, Pin to digest and Use newest version rewrite the tag value only', async () => {
    const content = `image:\n  repository: ${registry!.host}/acme/app\n  tag: latest\n  pullPolicy: IfNotPresent\n`;
    const pin = await registryAction('helm/values.yaml', content, 'Pin to digest (keep the tag)', 'latest');
    await vscode.commands.executeCommand(pin.action.command!.command, ...(pin.action.command!.arguments ?? []), 'index');
    assert.equal(pin.document.getText(), content.replace('tag: latest', `tag: latest@${await skopeoDigest('latest')}`));
    const newest = await registryAction('helm/values-newest.yaml', content, 'Use newest version…', 'latest');
    await vscode.commands.executeCommand(newest.action.command!.command, ...(newest.action.command!.arguments ?? []), '1.4.2');
    assert.equal(newest.document.getText(), content.replace('tag: latest', 'tag: 1.4.2'));
  });

  test('Pin to digest can take a platform digest instead', async () => {
    const { document, action } = await registryAction('pin/k8s.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: ${registry!.host}/acme/app:1.4.2\n`, 'Pin to digest (keep the tag)');
    await vscode.commands.executeCommand(action.command!.command, ...(action.command!.arguments ?? []), 'linux/arm64');
    const index = JSON.parse(readFileSync(join(fileUri('oci-layout').fsPath, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
    const indexDigest = index.manifests.find((entry) => entry.annotations?.['org.opencontainers.image.ref.name'] === '1.4.2')!.digest;
    const children = JSON.parse(readFileSync(join(fileUri('oci-layout').fsPath, 'blobs', 'sha256', indexDigest.slice(7)), 'utf8')) as { manifests: { digest: string; platform: { architecture: string } }[] };
    const arm = children.manifests.find((child) => child.platform.architecture === 'arm64')!.digest;
    assert.match(document.getText(), new RegExp(`image: ${registry!.host.replace(/\./g, '\\.')}/acme/app:1\\.4\\.2@${arm}\\n`));
  });

  test('Use newest version replaces latest with the newest full release', async () => {
    const { document, action } = await registryAction('newest/compose.yaml', `services:\n  app:\n    image: ${registry!.host}/acme/app:latest\n`, 'Use newest version…');
    await vscode.commands.executeCommand(action.command!.command, ...(action.command!.arguments ?? []), '1.4.2');
    assert.equal(document.getText(), `services:\n  app:\n    image: ${registry!.host}/acme/app:1.4.2\n`);
  });

  test('Generate SBOM of a registry image attaches it as a referrer, and the tree shows it under the tag', async function () {
    const trivy = installedTrivy();
    if ('skip' in trivy) return this.skip();
    this.timeout(120_000);
    const settings = vscode.workspace.getConfiguration('artifactSteward');
    await settings.update('registries', [{ host: registry!.host }], vscode.ConfigurationTarget.Global);
    await settings.update('trivy.path', trivy.binary, vscode.ConfigurationTarget.Global);
    await settings.update('trivy.args', ['--cache-dir', mkdtempSync(join(tmpdir(), 'steward-trivy-cache-'))], vscode.ConfigurationTarget.Global);
    await settings.update('trivy.attachResults', 'always', vscode.ConfigurationTarget.Global);
    try {
      const api = await reportsApi();
      const tag = await waitFor('the registry in the tree', () => treeNode(api.registryTree, [registry!.host, 'acme', 'app', '1.4.2']).catch(() => undefined));
      assert.ok(await vscode.commands.executeCommand<string | undefined>('artifactSteward.reports.generateSbom', tag, 'cyclonedx'));
      const attachment = await waitFor('the SBOM under the tag', () => treeNode(api.registryTree, [registry!.host, 'acme', 'app', '1.4.2', 'sbom']).catch(() => undefined));
      assert.match(String((await api.registryTree.getTreeItem(attachment)).description), /^application\/vnd\.cyclonedx\+json/);
      const { stdout } = await promisify(execFile)('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry!.host}/acme/app`]);
      assert.ok((JSON.parse(stdout) as { Tags: string[] }).Tags.some((name) => /^sha256-[0-9a-f]{64}$/.test(name)), 'skopeo sees the fallback tag index');
    } finally {
      for (const key of ['registries', 'trivy.path', 'trivy.args', 'trivy.attachResults']) await settings.update(key, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Compare SBOMs of two tags reads the SBOMs BuildKit keeps in each index (linux/amd64)', async function () {
    this.timeout(120_000);
    const layoutDir = mkdtempSync(join(tmpdir(), 'steward-suite-buildkit-'));
    const platforms = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }];
    writeOciLayout(layoutDir, [
      { tag: '2.0.0', platforms, buildkitAttestations: true, sbomOpensslVersion: '3.0.8-1' },
      { tag: '2.1.0', platforms, buildkitAttestations: true, content: 'newer' },
    ]);
    for (const tag of ['2.0.0', '2.1.0']) await skopeoPush(registry!, layoutDir, tag, 'acme/buildkit');
    const settings = vscode.workspace.getConfiguration('artifactSteward');
    await settings.update('registries', [{ host: registry!.host }], vscode.ConfigurationTarget.Global);
    try {
      const api = await reportsApi();
      const tag = await waitFor('the tag in the tree', () => treeNode(api.registryTree, [registry!.host, 'acme', 'buildkit', '2.1.0']).catch(() => undefined));
      await vscode.commands.executeCommand('artifactSteward.reports.compareSboms', tag, '2.0.0');
      const view = await panelShowing((entry) => entry.view!.kind === 'diff' && entry.view!.source.labels.includes('acme/buildkit:2.1.0'), 'the SBOM diff of the two tags');
      assert.deepEqual(view.source.labels, ['acme/buildkit:2.0.0', 'acme/buildkit:2.1.0']);
      const changed = (view.diff!.changed as { before: { name: string; version: string }; after: { version: string } }[]).map(({ before, after }) => `${before.name} ${before.version} → ${after.version}`);
      assert.deepEqual([view.diff!.added, view.diff!.removed, changed], [[], [], ['openssl 3.0.8-1 → 3.0.9-1']]);
    } finally {
      await settings.update('registries', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Promote… from the tree mounts the image into another repository with its attachments and a record, and offers one edit per reference, newer ones checked', async function () {
    this.timeout(120_000);
    const settings = vscode.workspace.getConfiguration('artifactSteward');
    await settings.update('registries', [{ host: registry!.host }], vscode.ConfigurationTarget.Global);
    const manifest = fileUri('promote/deploy.yaml');
    const host = registry!.host;
    const pod = (images: string[]) => `apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n${images.map((image, index) => `    - name: c${index}  # promoted\n      image: ${image}\n`).join('')}`;
    const deployed = [`${host}/acme/prod:1.4.1`, `${host}/acme/prod:1.5.0`, `${host}/acme/app:1.4.1`, `${host}/acme/app:1.4.2`];
    await vscode.workspace.fs.writeFile(manifest, Buffer.from(pod(deployed)));
    try {
      const api = await reportsApi();
      const tag = await waitFor('the registry in the tree', () => treeNode(api.registryTree, [host, 'acme', 'app', '1.4.2']).catch(() => undefined));
      const result = await vscode.commands.executeCommand<{ noop: boolean; stats: { blobsMounted: number; blobsCopied: number }; plan: { strategy: string; descriptor: { digest: string } }; manifestEdits: { file: string; line: number; from: string; to: string; needsConfirmation: boolean }[] } | undefined>(
        'artifactSteward.promote.promoteImage', tag, `${host}/acme/prod:1.4.2`, { confirm: true, manifests: 'update-with-source', acceptPreviewDefaults: true });
      assert.ok(result, 'the promotion ran');
      assert.equal(result.plan.strategy, 'repository');
      assert.ok(result.stats.blobsMounted > 0 && result.stats.blobsCopied === 0, JSON.stringify(result.stats));
      const children = await waitFor('the promoted tag with its attachments', async () => {
        const node = await treeNode(api.registryTree, [host, 'acme', 'prod', '1.4.2']).catch(() => undefined);
        if (!node) return undefined;
        const labels = await Promise.all(((await api.registryTree.getChildren(node)) ?? []).map(async (child) => String((await api.registryTree.getTreeItem(child)).label)));
        return labels.includes('promotion') ? labels : undefined;
      });
      assert.ok(children.includes('linux/amd64') && children.includes('linux/arm64'), children.join(', '));
      if (!('skip' in installedTrivy())) assert.ok(children.includes('sbom'), `the SBOM attached earlier travelled: ${children.join(', ')}`);
      const pinned = `${host}/acme/prod:1.4.2@${result.plan.descriptor.digest}`;
      // The older 1.5.0 and the promoted source itself wait for a check in the refactor preview; another acme/app image is not offered at all.
      assert.ok(result.manifestEdits.filter((edit) => edit.file !== 'promote/deploy.yaml').every((edit) => edit.needsConfirmation), 'files of earlier tests naming the source image wait for a tick too');
      assert.deepEqual(result.manifestEdits.filter((edit) => edit.file === 'promote/deploy.yaml'), [
        { file: 'promote/deploy.yaml', line: 7, from: deployed[0], to: pinned, needsConfirmation: false },
        { file: 'promote/deploy.yaml', line: 9, from: deployed[1], to: pinned, needsConfirmation: true },
        { file: 'promote/deploy.yaml', line: 13, from: deployed[3], to: pinned, needsConfirmation: true },
      ]);
      const document = await vscode.workspace.openTextDocument(manifest);
      assert.equal(document.getText(), pod([pinned, ...deployed.slice(1)]), 'what the preview checks at first is what was applied');
      const left = await vscode.commands.executeCommand<{ manifestEdits: unknown[] } | undefined>('artifactSteward.promote.promoteImage', tag, `${host}/acme/prod:1.4.2`, { confirm: true, manifests: 'leave' });
      assert.deepEqual(left?.manifestEdits, [], 'leaving the manifests is a choice too');
    } finally {
      await settings.update('registries', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Plan retention… decorates the tree (delete, protected by the workspace), and Apply deletes exactly the planned digests', async function () {
    this.timeout(120_000);
    await skopeoPush(registry!, fileUri('oci-layout').fsPath, '1.4.2', 'acme/retain');
    await skopeoPush(registry!, fileUri('oci-layout').fsPath, '1.4.1', 'acme/retain');
    await skopeoPush(registry!, fileUri('oci-layout').fsPath, '1.4.1', 'acme/retain', 'old');
    const settings = vscode.workspace.getConfiguration('artifactSteward');
    await settings.update('registries', [{ host: registry!.host }], vscode.ConfigurationTarget.Global);
    const deployment = fileUri('retain/deploy.yaml');
    await vscode.workspace.fs.writeFile(deployment, Buffer.from(`apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - name: app\n      image: ${registry!.host}/acme/retain:1.4.2\n`));
    const policy = join(mkdtempSync(join(tmpdir(), 'steward-retention-policy-')), 'policy.json');
    writeFileSync(policy, JSON.stringify({ retention: { rules: [{ tags: ['1.4.*', 'old'], keepDays: 1 }] } }));
    try {
      const api = await vscode.extensions.getExtension<ReportsApi & { retention: vscode.TreeDataProvider<unknown> }>(EXTENSION_ID)!.activate();
      const repository = await waitFor('the repository in the tree', () => treeNode(api.registryTree, [registry!.host, 'acme', 'retain']).catch(() => undefined));
      const plan = await vscode.commands.executeCommand<{ repositories: { items: { tags: string[]; action: string; because?: string }[] }[]; unreadable: { path: string }[] } | undefined>('artifactSteward.retention.planRetention', repository, policy);
      assert.ok(plan, 'a plan was made');
      assert.deepEqual(plan.unreadable.map((file) => file.path), ['broken.yaml'], 'the example with a YAML syntax error protects nothing, and the plan says so');
      const items = plan.repositories[0]!.items;
      assert.deepEqual(items.filter((item) => item.tags.length > 0).map((item) => `${item.tags.join('+')} ${item.action}`).sort(), ['1.4.1+old delete', '1.4.2 keep']);
      assert.equal(items.find((item) => item.tags.includes('1.4.2'))!.because, 'the workspace uses it (retain/deploy.yaml:7)');
      const look = async (tag: string) => {
        const item = await api.registryTree.getTreeItem(await treeNode(api.registryTree, [registry!.host, 'acme', 'retain', tag]));
        return `${(item.iconPath as vscode.ThemeIcon).id} ${String(item.description).split(' · ')[0]}`;
      };
      assert.deepEqual([await look('1.4.2'), await look('1.4.1'), await look('old')], ['shield retention: protected', 'trash retention: delete', 'trash retention: delete']);
      const planView = (await api.retention.getChildren()) ?? [];
      assert.match(String((await api.retention.getTreeItem(planView[0])).description), new RegExp(`^1 of ${items.length} to delete · [\\d.]+ [KM]?B reclaimable$`));

      const modal = captureModal();
      assert.equal(await vscode.commands.executeCommand('artifactSteward.retention.applyPlan', { ask: modal.answer(undefined) }), undefined, 'cancelled: nothing applied');
      assert.deepEqual(modal.buttons(), ['Show details', 'Delete without them', 'Cancel (close affordance)'], 'the default (first) button deletes nothing');
      assert.match(modal.shown[0]!.detail, /acme\/retain:1\.4\.1, acme\/retain:old\.\n1 workspace file\(s\) could not be read or parsed/);
      const results = await vscode.commands.executeCommand<{ outcome: string; tags: string[] }[]>('artifactSteward.retention.applyPlan', { confirm: true, allowUnreadable: true });
      assert.deepEqual(results.map((result) => `${result.outcome} ${result.tags.join('+')}`), ['deleted 1.4.1+old']);
      const { stdout } = await promisify(execFile)('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry!.host}/acme/retain`]);
      assert.deepEqual((JSON.parse(stdout) as { Tags: string[] }).Tags, ['1.4.2']);
      assert.deepEqual((await api.retention.getChildren()) ?? [], [], 'the applied plan is cleared');
    } finally {
      await vscode.workspace.fs.delete(deployment);
      await settings.update('registries', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Delete image on a platform of a multi-arch image lists the index and the workspace files that deploy it; Enter deletes nothing', async function () {
    this.timeout(120_000);
    const host = registry!.host;
    await skopeoPush(registry!, fileUri('oci-layout').fsPath, '1.4.2', 'acme/multi');
    const accept = 'application/vnd.oci.image.index.v1+json';
    const index = JSON.parse(await (await fetch(`http://${host}/v2/acme/multi/manifests/1.4.2`, { headers: { accept } })).text()) as { manifests: { digest: string; platform: { architecture: string } }[] };
    const amd64 = index.manifests.find((entry) => entry.platform.architecture === 'amd64')!.digest;
    const indexDigest = (JSON.parse(readFileSync(join(fileUri('oci-layout').fsPath, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] }).manifests.find((entry) => entry.annotations?.['org.opencontainers.image.ref.name'] === '1.4.2')!.digest;
    const platform = Buffer.from(await (await fetch(`http://${host}/v2/acme/multi/manifests/${amd64}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).arrayBuffer());
    const put = await fetch(`http://${host}/v2/acme/multi/manifests/1.4.2-amd64`, { method: 'PUT', body: platform, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(put.status, 201);
    const deployment = fileUri('delete/deploy.yaml');
    await vscode.workspace.fs.writeFile(deployment, Buffer.from(`apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - name: app\n      image: ${host}/acme/multi:1.4.2\n`));
    const settings = vscode.workspace.getConfiguration('artifactSteward');
    await settings.update('registries', [{ host }], vscode.ConfigurationTarget.Global);
    try {
      const api = await reportsApi();
      await vscode.commands.executeCommand('artifactSteward.registry.refreshRegistries');
      const node = await waitFor('the platform tag in the tree', () => treeNode(api.registryTree, [host, 'acme', 'multi', '1.4.2-amd64']).catch(() => undefined));
      const modal = captureModal();
      await vscode.commands.executeCommand('artifactSteward.registry.deleteImage', node, { ask: modal.answer(undefined) });
      assert.equal(modal.shown[0]!.message, `Delete acme/multi@${amd64}?`);
      assert.deepEqual(modal.shown[0]!.detail.split('\n').slice(0, 3), [
        'Tags that go with it: 1.4.2-amd64.',
        `It is a platform of 1 multi-arch image(s), which break: ${indexDigest.slice(0, 19)}… (1.4.2).`,
        'The workspace deploys it: delete/deploy.yaml:7.',
      ]);
      assert.match(modal.shown[0]!.detail, /could not be read or parsed; what they deploy is unknown: broken\.yaml\./);
      assert.deepEqual(modal.buttons(), ['Show details', 'Delete anyway', 'Cancel (close affordance)'], 'the default (first) button deletes nothing');
      assert.equal((await fetch(`http://${host}/v2/acme/multi/manifests/${amd64}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 200, 'cancelled: nothing deleted');

      const details = captureModal();
      await vscode.commands.executeCommand('artifactSteward.registry.deleteImage', node, { ask: details.answer('Show details') });
      const shown = await waitFor('the details document', () => (vscode.window.activeTextEditor?.document.getText().includes(amd64) ? vscode.window.activeTextEditor.document.getText() : undefined));
      assert.match(shown, /- The workspace deploys it: delete\/deploy\.yaml:7\./);
      assert.equal((await fetch(`http://${host}/v2/acme/multi/manifests/${amd64}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 200, 'Show details deletes nothing');

      const confirmed = captureModal();
      await vscode.commands.executeCommand('artifactSteward.registry.deleteImage', node, { ask: confirmed.answer('Delete anyway') });
      assert.equal((await fetch(`http://${host}/v2/acme/multi/manifests/${amd64}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 404, 'Delete anyway deletes the digest');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(deployment);
      await settings.update('registries', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('the explorer lists a configured registry, and Delete image removes the digest with every tag on it', async () => {
    await vscode.workspace.getConfiguration('artifactSteward').update('registries', [{ host: registry!.host }], vscode.ConfigurationTarget.Global);
    const api = await vscode.extensions.getExtension<{ registryTree: vscode.TreeDataProvider<{ kind: string }> }>(EXTENSION_ID)!.activate();
    const tree = api.registryTree;
    const label = async (node: { kind: string }) => String((await tree.getTreeItem(node)).label);
    const find = async (nodes: { kind: string }[] | null | undefined, text: string) => {
      for (const node of nodes ?? []) if ((await label(node)) === text) return node;
      throw new Error(`no ${text} among ${(await Promise.all((nodes ?? []).map(label))).join(', ')}`);
    };
    const root = await waitFor('the configured registry in the tree', async () => {
      const roots = (await tree.getChildren()) ?? [];
      return (await Promise.all(roots.map(label))).includes(registry!.host) ? find(roots, registry!.host) : undefined;
    });
    const app = await find(await tree.getChildren(await find(await tree.getChildren(root), 'acme')), 'app');
    const tags = (await tree.getChildren(app)) ?? [];
    assert.deepEqual(await Promise.all(tags.map(label)), ['1.4.2', '1.4.1', 'latest']);
    await vscode.commands.executeCommand('artifactSteward.registry.deleteImage', await find(tags, '1.4.1'), { confirm: true });
    const remaining = (await (await fetch(`http://${registry!.host}/v2/acme/app/tags/list`)).json()) as { tags: string[] };
    assert.deepEqual(remaining.tags.filter((tag) => !tag.startsWith('sha256-')), ['1.4.2'], 'the referrers tag index of 1.4.2 (from the SBOM test) is not an image tag');
    await vscode.workspace.getConfiguration('artifactSteward').update('registries', undefined, vscode.ConfigurationTarget.Global);
  });
});

/** What the extension's report panels show (its API exposes them to these tests). */
interface PanelEntry {
  readonly panel: vscode.WebviewPanel;
  readonly view?: {
    kind: string; source: { paths: string[]; labels: string[] };
    report?: { findings: unknown[] }; verdict?: { pass: boolean; reasons: string[] }; gate?: string;
    packages?: { name: string }[]; deniedPackages?: string[]; vulnerabilities?: unknown[];
    diff?: { added: { name: string }[]; removed: { name: string }[]; changed: unknown[] };
  };
}
type ReportsApi = { reports: { open: Set<PanelEntry> }; registryTree: vscode.TreeDataProvider<{ kind: string }> };

async function reportsApi(): Promise<ReportsApi> {
  return vscode.extensions.getExtension<ReportsApi>(EXTENSION_ID)!.activate();
}

async function panelShowing(predicate: (entry: PanelEntry) => boolean, what: string): Promise<NonNullable<PanelEntry['view']>> {
  const api = await reportsApi();
  return waitFor(what, () => [...api.reports.open].find((entry) => entry.view && predicate(entry))?.view, 60_000);
}

/**
 * Stands in for the extension's modal (the suite's `vscode` API object is not the extension's, so
 * stubbing `vscode.window` here would not reach it): records what it was asked, answers by title.
 */
function captureModal() {
  const shown: { message: string; detail: string; items: { title: string; isCloseAffordance?: boolean }[] }[] = [];
  return {
    shown,
    answer: (title: string | undefined) => async (message: string, options: { detail?: string }, ...items: { title: string; isCloseAffordance?: boolean }[]) => {
      shown.push({ message, detail: options.detail ?? '', items });
      return items.find((item) => item.title === title);
    },
    buttons: () => shown[0]!.items.map((item) => `${item.title}${item.isCloseAffordance ? ' (close affordance)' : ''}`),
  };
}

async function treeNode(tree: vscode.TreeDataProvider<{ kind: string }>, path: string[]): Promise<{ kind: string }> {
  let nodes = (await tree.getChildren()) ?? [];
  let found: { kind: string } | undefined;
  for (const step of path) {
    const labels = await Promise.all(nodes.map(async (node) => String((await tree.getTreeItem(node)).label)));
    found = nodes[labels.indexOf(step)];
    assert.ok(found, `no ${step} among ${labels.join(', ')}`);
    nodes = (await tree.getChildren(found)) ?? [];
  }
  return found!;
}

suite('Report panels in the extension host', () => {
  const settings = () => vscode.workspace.getConfiguration('artifactSteward');
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  suiteTeardown(async () => {
    for (const key of ['reports.gate', 'reports.deniedLicenses', 'trivy.path', 'trivy.args', 'trivy.attachResults']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  test('Open scan report judges a Trivy report by the configured gate', async () => {
    await settings().update('reports.gate', { blockOn: 'CRITICAL', ignoreUnfixed: true }, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('artifactSteward.reports.openReport', fileUri('reports/api-1.4.2.trivy.json'));
    const view = await panelShowing((entry) => entry.view!.kind === 'scan', 'the scan panel');
    assert.equal(view.report!.findings.length, 7);
    assert.equal(view.verdict!.pass, false);
    assert.deepEqual(view.verdict!.reasons, ['2 CRITICAL at or above CRITICAL']);
    assert.equal(view.gate, 'block on CRITICAL and above, unfixed ignored');
  });

  test('a *.cdx.json file opens in the SBOM viewer, with the denied licenses flagged', async () => {
    await settings().update('reports.deniedLicenses', ['GPL-3.0-only', 'WTFPL'], vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('vscode.open', fileUri('reports/api-1.4.2.cdx.json'));
    await waitFor('the SBOM viewer tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputCustom && input.viewType === 'artifactSteward.sbomViewer' ? true : undefined;
    });
    const view = await panelShowing((entry) => entry.view!.kind === 'sbom' && entry.view!.source.paths[0]!.endsWith('api-1.4.2.cdx.json'), 'the SBOM viewer');
    assert.equal(view.packages!.length, 7);
    assert.deepEqual(view.deniedPackages, ['pkg:npm/left-pad@1.3.0']);
    assert.equal(view.vulnerabilities!.length, 2);
  });

  test('Compare SBOMs of two files shows added, removed and changed packages', async () => {
    await vscode.commands.executeCommand('artifactSteward.reports.compareSboms', fileUri('reports/api-1.4.1.cdx.json'), [fileUri('reports/api-1.4.1.cdx.json'), fileUri('reports/api-1.4.2.cdx.json')]);
    const view = await panelShowing((entry) => entry.view!.kind === 'diff', 'the SBOM diff');
    assert.deepEqual(view.diff!.added.map((pkg) => pkg.name), ['minimist']);
    assert.deepEqual(view.diff!.removed.map((pkg) => pkg.name), ['debug']);
    assert.equal(view.diff!.changed.length, 1);
  });

  test('the SBOM attachment of an image in the tree opens in the SBOM panel', async () => {
    const api = await reportsApi();
    const attachment = await treeNode(api.registryTree, ['oci-layout', 'oci-layout', '1.4.2', 'sbom']);
    const item = await api.registryTree.getTreeItem(attachment);
    assert.equal(item.command?.command, 'artifactSteward.reports.openAttachment', 'a click on the attachment opens it');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const view = await panelShowing((entry) => entry.view!.kind === 'sbom' && entry.view!.source.labels[0]!.endsWith('1.4.2 sbom'), 'the attachment in the SBOM panel');
    assert.ok(view.packages!.length > 0);
  });

  test('Generate SBOM runs trivy on an image of the tree and opens the result', async function () {
    const trivy = installedTrivy();
    if ('skip' in trivy) return this.skip();
    await settings().update('trivy.path', trivy.binary, vscode.ConfigurationTarget.Global);
    await settings().update('trivy.args', ['--cache-dir', mkdtempSync(join(tmpdir(), 'steward-trivy-cache-'))], vscode.ConfigurationTarget.Global);
    const api = await reportsApi();
    const tag = await treeNode(api.registryTree, ['oci-layout', 'oci-layout', '1.4.1']);
    await waitFor('the digest of 1.4.1', () => (tag as { details?: unknown }).details);
    const output = await vscode.commands.executeCommand<string | undefined>('artifactSteward.reports.generateSbom', tag, 'cyclonedx');
    assert.ok(output, 'trivy wrote an SBOM');
    const view = await panelShowing((entry) => entry.view!.source.paths[0] === output, 'the generated SBOM');
    assert.equal(view.kind, 'sbom');
  });
});
