import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parseReference } from '../../core/reference/parse';
import { ARTIFACT_TYPES, attachArtifact } from '../../core/registry/attach';
import { isLoopback } from '../../core/registry/auth';
import type { ExplorerNode } from '../../core/registry/explorer';
import { apiHost } from '../../core/registry/httpRegistry';
import { findTrivy, runTrivy, TRIVY_INSTALL_HINT, trivyArgs } from '../../core/scanners/trivy';
import type { TrivyFormat, TrivyTarget } from '../../core/scanners/trivy';
import { reportFailure } from '../log';
import { configuredRegistries } from '../registry/registrySources';
import { registryOf } from '../registry/registryTree';
import type { Services } from '../services';
import { readTrivySettings, SETTINGS_SECTION } from '../settings';

/** The image to scan: where trivy reads it, and (for registries) where results can be attached. */
interface ScanSubject {
  readonly target: TrivyTarget;
  /** `host/repo:tag`, or `oci:DIR:tag`. */
  readonly display: string;
  readonly registry?: { readonly host: string; readonly repository: string; readonly reference: string };
}

function subjectOfNode(node: ExplorerNode): ScanSubject | undefined {
  if (node.kind !== 'tag') return undefined;
  const registry = registryOf(node);
  if (!registry) return undefined;
  if (registry.source === 'oci-layout') {
    const digest = node.details?.digest;
    if (!digest) return undefined;
    return { target: { kind: 'oci-layout', dir: registry.backend.name, digest }, display: `oci:${registry.backend.name}:${node.tag}` };
  }
  return fromReference(`${registry.backend.name}/${node.repository}:${node.tag}`);
}

function fromReference(text: string): ScanSubject | undefined {
  const parsed = parseReference(text.trim());
  if (!parsed.ok) return undefined;
  const { domain, path, tag, digest } = parsed.reference;
  const host = apiHost(domain);
  const reference = digest ?? tag ?? 'latest';
  const insecure = isLoopback(host) || configuredRegistries().some((entry) => entry.host === domain && entry.insecure === true);
  const display = `${domain}/${path}${digest ? `@${digest}` : `:${reference}`}`;
  return { target: { kind: 'registry', reference: display, insecure }, display, registry: { host: domain, repository: path, reference } };
}

async function askForImage(): Promise<ScanSubject | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'Image to scan', placeHolder: 'registry.example.com/team/api:1.4.2',
    validateInput: (value) => (fromReference(value) ? undefined : 'Not an image reference: registry/repository:tag or @sha256:…'),
  });
  return typed ? fromReference(typed) : undefined;
}

const FORMAT_WORDS: Readonly<Record<TrivyFormat, string>> = { json: 'Vulnerability scan', cyclonedx: 'CycloneDX SBOM', 'spdx-json': 'SPDX SBOM' };

/**
 * "Scan image" and "Generate SBOM": runs trivy on a tree node or a typed reference, with progress
 * and cancellation, opens the result in its panel, and offers to attach it to the image as a
 * referrer (OCI artifact with `subject`).
 */
export async function scanWithTrivy(services: Services, format: TrivyFormat, node?: ExplorerNode): Promise<string | undefined> {
  const subject = node ? subjectOfNode(node) : await askForImage();
  if (!subject) return undefined;
  const settings = readTrivySettings();
  const binary = findTrivy(settings.path);
  if (!binary) {
    const choice = await vscode.window.showErrorMessage(TRIVY_INSTALL_HINT, 'Open settings', 'Installation guide');
    if (choice === 'Open settings') await vscode.commands.executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.trivy.path`);
    if (choice === 'Installation guide') await vscode.env.openExternal(vscode.Uri.parse('https://trivy.dev/latest/getting-started/installation/'));
    return undefined;
  }
  const action = `${FORMAT_WORDS[format]} of ${subject.display}`;
  const folder = join(services.storageUri.fsPath, 'trivy');
  await mkdir(folder, { recursive: true });
  const output = join(folder, `${subject.display.replace(/[^\w.@-]+/g, '_')}-${Date.now()}.${format === 'json' ? 'trivy' : format === 'cyclonedx' ? 'cdx' : 'spdx'}.json`);
  // Credentials signed in through the editor go to trivy in its environment; the Docker config it reads itself.
  const credential = subject.registry ? await services.registrySecrets.get(subject.registry.host) : undefined;
  const env = credential && 'username' in credential ? { TRIVY_USERNAME: credential.username, TRIVY_PASSWORD: credential.password } : undefined;
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: action, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
      const args = trivyArgs(subject.target, format, output, settings.args);
      services.log.info(`${action}: ${binary} ${args.join(' ')}`);
      await runTrivy(binary, args, {
        signal: controller.signal, ...(env ? { env } : {}),
        onLog: (line) => {
          services.log.info(`trivy: ${line}`);
          progress.report({ message: line.slice(0, 120) });
        },
      });
    });
  } catch (error) {
    if ((error as Error).message === 'cancelled') return undefined;
    reportFailure(services.log, action, error);
    return undefined;
  }
  const digest = subject.registry ? await resolveDigest(services, subject) : subject.target.kind === 'oci-layout' ? subject.target.digest : undefined;
  await services.reports.openFiles({ paths: [output], labels: [`${subject.display} (${FORMAT_WORDS[format]})`], ...(digest ? { subject: `${subject.display.replace(/[:@][^/]*$/, '')}@${digest}` } : {}) });
  if (subject.registry && digest) await offerAttach(services, subject, digest, format, output);
  return output;
}

async function resolveDigest(services: Services, subject: ScanSubject): Promise<string | undefined> {
  try {
    return (await services.openRegistry(subject.registry!.host).resolve(subject.registry!.repository, subject.registry!.reference)).digest;
  } catch (error) {
    services.log.warn(`Could not resolve ${subject.display} after the scan: ${(error as Error).message}`);
    return undefined;
  }
}

/** `artifactSteward.trivy.attachResults`: ask (default), always, or never. */
async function offerAttach(services: Services, subject: ScanSubject, digest: string, format: TrivyFormat, output: string): Promise<void> {
  const mode = readTrivySettings().attachResults;
  if (mode === 'never') return;
  if (mode === 'ask') {
    const choice = await vscode.window.showInformationMessage(`Attach the ${FORMAT_WORDS[format]} to ${subject.display} in the registry, as a referrer of ${digest.slice(0, 19)}…?`, 'Attach', 'Not now');
    if (choice !== 'Attach') return;
  }
  const { host, repository } = subject.registry!;
  try {
    const client = services.openRegistry(host);
    const image = await client.resolve(repository, digest);
    const bytes = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(output)));
    const artifactType = format === 'json' ? ARTIFACT_TYPES.trivyReport : format === 'cyclonedx' ? ARTIFACT_TYPES.cyclonedx : ARTIFACT_TYPES.spdx;
    const attached = await attachArtifact(client, repository, image, { artifactType, bytes, annotations: { 'org.opencontainers.image.created': new Date().toISOString(), 'dev.artifact-steward.tool': 'trivy' } });
    services.log.info(`Attached ${artifactType} ${attached.digest} to ${host}/${repository}@${digest}`);
    services.registryTree.refresh();
    void vscode.window.showInformationMessage(`Attached to ${subject.display}: ${attached.digest.slice(0, 19)}…`);
  } catch (error) {
    reportFailure(services.log, `Attaching to ${subject.display}`, error);
  }
}
