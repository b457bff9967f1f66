import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { planReferenceUpdates } from '../../core/promote/gitops';
import type { PromotedImage, ReferenceUpdate } from '../../core/promote/gitops';
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
import { applyManifestEdits } from '../promote/manifestEdits';
import type { FilePlan, ManifestChoice, OfferedEdit } from '../promote/manifestEdits';
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
  readonly manifests?: ManifestChoice;
  /** Instead of the refactor preview, apply what it checks at first: the edits that need no confirmation. */
  readonly acceptPreviewDefaults?: boolean;
  /** Tags to add besides the target's (instead of the extras picker). */
  readonly extraTags?: readonly string[];
}

export type PromoteOutcome = PromotionResult & { readonly manifestEdits: readonly OfferedEdit[] };

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

/**
 * The reference updates the workspace's manifests could take, per file, planned on the open
 * documents' text (unsaved changes included); what must stay goes to the log with why.
 */
async function planWorkspaceUpdates(services: Services, promoted: PromotedImage): Promise<FilePlan[]> {
  const plans: FilePlan[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const { root, config } = await services.configs.forFolder(folder.uri.fsPath);
    for await (const path of lintableFiles(folder.uri.fsPath, { isExcluded: (candidate) => config.isExcluded(relativePath(root, candidate)) })) {
      const text = await readFile(path, 'utf8').catch(() => undefined);
      const file = relativePath(root, path);
      const onDisk = text === undefined ? undefined : planReferenceUpdates(file, text, promoted);
      // Only files that name the image are opened as documents.
      if (!onDisk || onDisk.updates.length + onDisk.skipped.length === 0) continue;
      const uri = vscode.Uri.file(path);
      const document = await vscode.workspace.openTextDocument(uri);
      const plan = planReferenceUpdates(file, document.getText(), promoted);
      for (const reference of plan.skipped) services.log.info(`Promote: left ${file}:${reference.line} ${reference.from}: ${reference.reason}`);
      if (plan.updates.length > 0) plans.push({ uri, file, document, updates: plan.updates });
    }
  }
  return plans;
}

/** Asks whether to update the manifests; the first choice, and Escape, leave them. */
async function askManifestChoice(plans: readonly FilePlan[], promoted: PromotedImage): Promise<ManifestChoice> {
  const updates = plans.flatMap((plan) => plan.updates);
  const count = (predicate: (update: ReferenceUpdate) => boolean) => updates.filter(predicate).length;
  const newer = count((update) => !update.concern);
  const doubtful = count((update) => update.concern !== undefined && update.concern.kind !== 'other-repository');
  const ownSource = count((update) => update.concern?.kind === 'other-repository');
  const confirmLater = doubtful > 0 ? `; ${doubtful} more (older or not known to be newer) unchecked in the refactor preview` : '';
  const items: (vscode.QuickPickItem & { choice: ManifestChoice })[] = [
    { label: 'Leave the manifests as they are', choice: 'leave' },
    { label: 'Also update manifests…', description: `${newer} reference(s) to the target repository${confirmLater}`, choice: 'update' },
    ...(ownSource > 0 ? [{ label: 'Also update manifests, and move the promoted source\'s own references…', description: `${ownSource} reference(s) to ${promoted.source}, unchecked in the refactor preview`, choice: 'update-with-source' as const }] : []),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `Point the workspace's manifests at ${promoted.reference}?`, ignoreFocusOut: true });
  return picked?.choice ?? 'leave';
}

/** After a promotion: offer, never by default, to point the manifests at it, through the refactor preview. */
async function offerManifestUpdates(services: Services, promoted: PromotedImage, answers: PromoteAnswers): Promise<OfferedEdit[]> {
  const plans = await planWorkspaceUpdates(services, promoted);
  if (plans.length === 0) return [];
  const choice = answers.manifests ?? await askManifestChoice(plans, promoted);
  if (choice === 'leave') return [];
  return applyManifestEdits(services, 'Promote', plans, choice, promoted, answers.acceptPreviewDefaults === true);
}

/**
 * Promote…: source (a tree tag or a typed reference) → target → gate results and tags →
 * confirmation (an override reason for failed gates) → copy with progress → tree refreshed →
 * when asked, the workspace's manifests pointed at `repo:tag@digest` through the refactor preview.
 */
export const promoteImage: Command = {
  id: PROMOTE_IMAGE_COMMAND,
  async run(services, node?: ExplorerNode, targetText?: string, answers: PromoteAnswers = {}): Promise<PromoteOutcome | undefined> {
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
    const cancelled = (when: string): undefined => {
      services.log.info(`${label} → ${domain}/${path}:${tag}: cancelled ${when}`);
      return undefined;
    };
    try {
      const trivySettings = readTrivySettings();
      const insecureHosts = new Set(configuredRegistries().filter((entry) => entry.insecure).map((entry) => entry.host));
      const runScanner = trivyScanner(trivySettings.path, trivySettings.args, (host) => isLoopback(host) || insecureHosts.has(host), (line) => services.log.info(`trivy: ${line}`));
      let options: PromotionOptions = { runScanner, ...(rule ? { rule } : {}), ...(effective ? { configRoot: effective.root } : {}) };
      let plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${label}: checking gates and tags` }, () => planPromotion(from.registry, from.source, promotionTarget, options));
      const refusedTags = plan.tags.filter((candidate) => candidate.action === 'refused');
      if (refusedTags.length > 0) {
        const refusal = `${label} refused: ${plan.blockers.filter((blocker) => blocker.includes('immutable')).join('; ')}`;
        services.log.warn(refusal);
        void vscode.window.showErrorMessage(refusal);
        return undefined;
      }
      if (plan.blockers.length > 0) {
        const reason = answers.overrideReason ?? (await vscode.window.showWarningMessage(`${label}: gates failed`, { modal: true, detail: describePlan(plan) }, 'Override…') === 'Override…'
          ? await vscode.window.showInputBox({ title: 'Why promote despite the failed gates? (kept in the promotion record)', validateInput: (value) => (value.trim().length >= 5 ? undefined : 'Give a reason') })
          : undefined);
        if (!reason) return cancelled('at the failed gates');
        options = { ...options, overrideReason: reason };
        plan = await planPromotion(from.registry, from.source, promotionTarget, options);
      } else if (!answers.confirm && await vscode.window.showInformationMessage(label, { modal: true, detail: describePlan(plan) }, 'Promote') !== 'Promote') {
        return cancelled('at the confirmation');
      }
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: label, cancellable: true }, (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
        return executePromotion(from.source, promotionTarget, plan, { ...options, signal: controller.signal, onProgress: (step) => progress.report({ message: `${step.step} (${(step.bytesSent / 1048576).toFixed(1)} MB sent)` }) });
      });
      services.log.info(`${label} → ${plan.target}: ${result.noop ? 'nothing to do' : `${result.stats.blobsMounted} mounted, ${result.stats.blobsCopied} copied (${result.stats.bytesSent} bytes), record ${result.record?.digest}`}`);
      services.registryTree.refresh();
      const promoted = {
        reference: `${domain}/${path}:${tag}@${plan.descriptor.digest}`,
        source: `${from.registry}/${from.source.repository}${from.tag ? `:${from.tag}` : `@${from.source.reference}`}`,
      };
      void announcePromotion(services, result.noop ? `${plan.target} already points at ${plan.descriptor.digest.slice(0, 19)}…` : `Promoted to ${plan.target}`, { host: domain, repository: path, tag, pinned: promoted.reference });
      return { ...result, manifestEdits: await offerManifestUpdates(services, promoted, answers) };
    } catch (error) {
      if ((error as Error).message === 'cancelled') return cancelled('during the copy');
      reportFailure(services.log, label, error);
      return undefined;
    }
  },
};
