import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { pointManifestsAt } from '../../core/promote/gitops';
import { ruleFor } from '../../core/promote/gates';
import { describePlan, executePromotion, planPromotion } from '../../core/promote/promote';
import type { PromotionOptions, PromotionResult, PromotionSource, PromotionTarget } from '../../core/promote/promote';
import { parseReference } from '../../core/reference/parse';
import type { ExplorerNode } from '../../core/registry/explorer';
import { isLoopback } from '../../core/registry/auth';
import { trivyScanner } from '../../core/scanners/trivyScanner';
import { lintableFiles } from '../../core/workspace/walk';
import { relativePath } from '../documents';
import { reportFailure } from '../log';
import { announcePromotion, chooseExtraTags } from '../promote/promotionFollowUp';
import { configuredRegistries } from '../registry/registrySources';
import { registryOf } from '../registry/registryTree';
import { readTrivySettings } from '../settings';
import type { Command, Services } from '../services';

export const PROMOTE_IMAGE_COMMAND = 'artifactSteward.promote.promoteImage';

/** Answers the tests give instead of the dialogs. */
export interface PromoteAnswers {
  readonly confirm?: boolean;
  readonly overrideReason?: string;
  /** Apply the manifest edits without the refactor preview. */
  readonly applyManifestEdits?: boolean;
  /** Tags to add besides the target's (instead of the extras picker). */
  readonly extraTags?: readonly string[];
}

function sourceOf(services: Services, node: ExplorerNode | undefined, typed: string | undefined): { source: PromotionSource; registry: string; tag?: string } | undefined {
  if (node?.kind === 'tag') {
    const registry = registryOf(node);
    if (!registry) return undefined;
    const name = registry.source === 'oci-layout' ? `oci:${basename(registry.backend.name)}` : registry.backend.name;
    return { source: { backend: node.backend, repository: node.repository, reference: node.tag }, registry: name, tag: node.tag };
  }
  const parsed = typed ? parseReference(typed) : undefined;
  if (!parsed?.ok) return undefined;
  const { domain, path, tag, digest } = parsed.reference;
  return { source: { backend: services.openRegistry(domain), repository: path, reference: digest ?? tag ?? 'latest' }, registry: domain, ...(tag || !digest ? { tag: tag ?? 'latest' } : {}) };
}

/** Edits pointing the workspace's manifests at the promoted reference, shown in the refactor preview. */
async function manifestEdits(services: Services, match: readonly string[], newReference: string): Promise<vscode.WorkspaceEdit | undefined> {
  const edit = new vscode.WorkspaceEdit();
  let files = 0;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const { root, config } = await services.configs.forFolder(folder.uri.fsPath);
    for await (const file of lintableFiles(folder.uri.fsPath, { isExcluded: (path) => config.isExcluded(relativePath(root, path)) })) {
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const result = pointManifestsAt(relativePath(root, file), text, match, newReference);
      if (result.changes.length === 0) continue;
      const uri = vscode.Uri.file(file);
      const document = await vscode.workspace.openTextDocument(uri);
      edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), result.text,
        { label: `Point at ${newReference}`, description: result.changes.map((change) => `line ${change.line}`).join(', '), needsConfirmation: true });
      files += 1;
    }
  }
  return files > 0 ? edit : undefined;
}

/**
 * Promote…: source (a tree tag or a typed reference) → target → gate results and tags →
 * confirmation (an override reason for failed gates) → copy with progress → tree refreshed →
 * the workspace's manifests pointed at `repo:tag@digest` through the refactor preview.
 */
export const promoteImage: Command = {
  id: PROMOTE_IMAGE_COMMAND,
  async run(services, node?: ExplorerNode, targetText?: string, answers: PromoteAnswers = {}): Promise<PromotionResult | undefined> {
    const typed = node ? undefined : await vscode.window.showInputBox({ title: 'Promote: the image to promote', placeHolder: 'registry.example.com/staging/api:1.4.2', validateInput: (value) => (parseReference(value).ok ? undefined : 'Not an image reference') });
    const from = sourceOf(services, node, typed);
    if (!from) return undefined;
    const target = targetText ?? await vscode.window.showInputBox({
      title: `Promote ${from.registry}/${from.source.repository}:${from.source.reference} to…`,
      prompt: 'Same repository: a new tag. Same registry: another repository (blob mounts). Another registry: a full copy with signatures and SBOMs.',
      value: from.registry.startsWith('oci:') ? '' : `${from.registry}/${from.source.repository.replace(/^[^/]*staging\//, 'prod/')}:${from.tag ?? ''}`,
      validateInput: (value) => {
        const parsed = parseReference(value);
        return !parsed.ok ? parsed.error : parsed.reference.digest ? 'A repository and tag, not a digest' : undefined;
      },
    });
    const parsedTarget = target ? parseReference(target) : undefined;
    if (!parsedTarget?.ok) return undefined;
    const { domain, path } = parsedTarget.reference;
    const tag = parsedTarget.reference.tag ?? from.tag;
    if (!tag) {
      void vscode.window.showErrorMessage('The source is a digest: give the target a tag.');
      return undefined;
    }
    const extraTags = await chooseExtraTags(tag, answers);
    if (!extraTags) return undefined;
    const promotionTarget: PromotionTarget = { registry: services.openRegistry(domain), repository: path, tags: [tag, ...extraTags] };
    const folder = vscode.workspace.workspaceFolders?.[0];
    const effective = folder ? await services.configs.forFolder(folder.uri.fsPath) : undefined;
    const rule = effective ? ruleFor(effective.config.promotionRules, `${domain}/${path}`) : undefined;
    const label = `Promote ${from.source.repository}:${from.source.reference}`;
    try {
      const trivySettings = readTrivySettings();
      const insecureHosts = new Set(configuredRegistries().filter((entry) => entry.insecure).map((entry) => entry.host));
      const runScanner = trivyScanner(trivySettings.path, trivySettings.args, (host) => isLoopback(host) || insecureHosts.has(host), (line) => services.log.info(`trivy: ${line}`));
      let options: PromotionOptions = { runScanner, ...(rule ? { rule } : {}), ...(effective ? { configRoot: effective.root } : {}) };
      let plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${label}: checking gates and tags` }, () => planPromotion(from.registry, from.source, promotionTarget, options));
      const refusedTags = plan.tags.filter((candidate) => candidate.action === 'refused');
      if (refusedTags.length > 0) {
        void vscode.window.showErrorMessage(`${label} refused: ${plan.blockers.filter((blocker) => blocker.includes('immutable')).join('; ')}`);
        return undefined;
      }
      if (plan.blockers.length > 0) {
        const reason = answers.overrideReason ?? (await vscode.window.showWarningMessage(`${label}: gates failed`, { modal: true, detail: describePlan(plan) }, 'Override…') === 'Override…'
          ? await vscode.window.showInputBox({ title: 'Why promote despite the failed gates? (kept in the promotion record)', validateInput: (value) => (value.trim().length >= 5 ? undefined : 'Give a reason') })
          : undefined);
        if (!reason) return undefined;
        options = { ...options, overrideReason: reason };
        plan = await planPromotion(from.registry, from.source, promotionTarget, options);
      } else if (!answers.confirm && await vscode.window.showInformationMessage(label, { modal: true, detail: describePlan(plan) }, 'Promote') !== 'Promote') {
        return undefined;
      }
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: label, cancellable: true }, (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
        return executePromotion(from.source, promotionTarget, plan, { ...options, signal: controller.signal, onProgress: (step) => progress.report({ message: `${step.step} (${(step.bytesSent / 1048576).toFixed(1)} MB sent)` }) });
      });
      services.log.info(`${label} → ${plan.target}: ${result.noop ? 'nothing to do' : `${result.stats.blobsMounted} mounted, ${result.stats.blobsCopied} copied (${result.stats.bytesSent} bytes), record ${result.record?.digest}`}`);
      services.registryTree.refresh();
      const newReference = `${domain}/${path}:${tag}@${plan.descriptor.digest}`;
      const edit = await manifestEdits(services, [`${from.registry}/${from.source.repository}`, `${domain}/${path}`], newReference);
      if (edit) {
        if (answers.applyManifestEdits) {
          for (const [uri, edits] of edit.entries()) {
            const plain = new vscode.WorkspaceEdit();
            plain.set(uri, edits);
            await vscode.workspace.applyEdit(plain);
          }
        } else await vscode.workspace.applyEdit(edit, { isRefactoring: true });
      }
      void announcePromotion(services, result.noop ? `${plan.target} already points at ${plan.descriptor.digest.slice(0, 19)}…` : `Promoted to ${plan.target}`, { host: domain, repository: path, tag, pinned: newReference });
      return result;
    } catch (error) {
      if ((error as Error).message === 'cancelled') return undefined;
      reportFailure(services.log, label, error);
      return undefined;
    }
  },
};
