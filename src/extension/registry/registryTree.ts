import * as vscode from 'vscode';
import { formatAge } from '../../core/formatAge';
import { formatBytes } from '../../core/formatBytes';
import { loadKeyFiles } from '../../core/evidence/keys';
import { signatureStatus, verifyImage } from '../../core/evidence/verify';
import type { ImageVerification } from '../../core/evidence/verify';
import { ExplorerModel, tagOf } from '../../core/registry/explorer';
import type { ExplorerNode } from '../../core/registry/explorer';
import type { TagSort } from '../../core/registry/tagOrder';
import { RegistryError } from '../../core/registry/errors';
import { describeAttachment } from '../../core/registry/inspect';
import type { HttpRegistry } from '../../core/registry/httpRegistry';
import type { Logger } from '../log';
import { readVerificationKeys, SETTINGS_SECTION } from '../settings';
import { explorerRoots } from './registrySources';
import { retentionLook } from '../retention/retentionPlans';
import type { RetentionPlans } from '../retention/retentionPlans';
import { OPEN_ATTACHMENT_COMMAND } from '../commands/openAttachment';
import { SORT_ALL_TAGS_COMMAND } from '../commands/sortAllTags';

export const REGISTRY_VIEW = 'artifactSteward.registries';

/** Attachments a click opens: the report panels (attestations are DSSE envelopes around an SBOM or scan), and promotion records as a document. */
const VIEWABLE_ATTACHMENTS: ReadonlySet<string> = new Set(['sbom', 'scan-report', 'attestation', 'promotion']);

/** Context key that shows "Clear tag filters" in the view title. */
const FILTER_ACTIVE_CONTEXT = 'artifactSteward.tagFilterActive';

type RepositoryNode = Extract<ExplorerNode, { kind: 'repository' }>;
type TagNode = Extract<ExplorerNode, { kind: 'tag' }>;

const ATTACHMENT_ICONS: Readonly<Record<string, string>> = { signature: 'verified', sbom: 'checklist', provenance: 'source-control', attestation: 'law', 'scan-report': 'shield', vex: 'pass', promotion: 'rocket', artifact: 'file-binary' };

function describeError(error: unknown): { message: string; fix: 'sign-in' | 'settings' | 'retry' } {
  const message = (error as Error).message;
  // No catalog (Docker Hub, GHCR, Quay): the fix is listing repositories in the settings.
  if (error instanceof RegistryError && error.operation === 'list repositories of' && (error.status === 404 || error.status === 405)) {
    return { message: `${message} — this registry has no catalog: list its repositories in the setting artifactSteward.registries ("repositories": [...])`, fix: 'settings' };
  }
  if (error instanceof RegistryError && (error.status === 401 || error.status === 403)) return { message, fix: 'sign-in' };
  if (/certificate|self[- ]signed|TLS|SSL/i.test(message)) return { message, fix: 'settings' };
  return { message, fix: 'retry' };
}

/** The reference a node stands for: `host/repo:tag`, or `oci:DIR:tag` for a layout. */
export function referenceOf(node: ExplorerNode): string | undefined {
  if (node.kind !== 'tag') return undefined;
  const registry = registryOf(node);
  if (!registry) return undefined;
  return registry.source === 'oci-layout' ? `oci:${registry.backend.name}:${node.tag}` : `${registry.label}/${node.repository}:${node.tag}`;
}

/** The registry node a node sits under. */
export function registryOf(node: ExplorerNode): Extract<ExplorerNode, { kind: 'registry' }> | undefined {
  let current: ExplorerNode | undefined = node;
  while (current && current.kind !== 'registry') current = 'parent' in current ? current.parent : undefined;
  return current?.kind === 'registry' ? current : undefined;
}

/** Maps the core explorer model onto a VS Code tree: lazy, paged, digests resolved only for shown tags. */
export class RegistryTreeProvider implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly model: ExplorerModel;
  private roots: Promise<ExplorerNode[]> | undefined;
  private view: vscode.TreeView<ExplorerNode> | undefined;
  /** Signature verification per tag node, with the keys of `artifactSteward.verification.keys`; undefined without keys. */
  private readonly verifications = new Map<string, Promise<ImageVerification | undefined> | ImageVerification | undefined>();

  constructor(private readonly openRegistry: (host: string) => HttpRegistry, private readonly log: Logger, private readonly retention: RetentionPlans) {
    this.model = new ExplorerModel({
      sort: () => this.sort(),
      describeError: (error) => {
        this.log.warn(`Registry explorer: ${(error as Error).message}`);
        return describeError(error);
      },
    });
  }

  /** Shows the tree in `view`, whose description then says which filters and order are on. */
  showIn(view: vscode.TreeView<ExplorerNode>): vscode.TreeView<ExplorerNode> {
    this.view = view;
    this.describeView();
    return view;
  }

  private sort(): TagSort {
    return vscode.workspace.getConfiguration(SETTINGS_SECTION).get<TagSort>('registryTagSort', 'version');
  }

  /** The view's description: the filters on (a filter must never look like missing tags) and a non-default order. */
  private describeView(): void {
    const filters = this.model.activeFilters();
    const sort = this.sort();
    void vscode.commands.executeCommand('setContext', FILTER_ACTIVE_CONTEXT, filters.length > 0);
    if (!this.view) return;
    const filterText = filters.length === 1 ? `filter: ${filters[0]!.repository} "${filters[0]!.text}"` : filters.length > 1 ? `filters on ${filters.length} repositories` : undefined;
    this.view.description = [filterText, sort === 'version' ? undefined : `by ${sort}`].filter(Boolean).join(' · ') || undefined;
  }

  refresh(node?: ExplorerNode): void {
    if (!node) {
      this.roots = undefined;
      this.verifications.clear();
      this.model.refresh();
      this.describeView();
    }
    this.changed.fire(node);
  }

  /** `verified`, `invalid` or `unverified` for a signature node; `verifying…` while its tag's check runs (the node is redrawn after). */
  private signatureWord(node: Extract<ExplorerNode, { kind: 'attachment' }>): string {
    const tag = tagOf(node);
    if (!tag) return 'unverified';
    const known = this.verifications.get(tag.id);
    if (known instanceof Promise) return 'verifying…';
    if (this.verifications.has(tag.id)) return signatureStatus(node.attachment, known);
    this.verifications.set(tag.id, this.verify(tag).then((result) => {
      this.verifications.set(tag.id, result);
      this.changed.fire(node.parent);
      return result;
    }));
    return 'verifying…';
  }

  private async verify(tag: NonNullable<ReturnType<typeof tagOf>>): Promise<ImageVerification | undefined> {
    const paths = readVerificationKeys();
    if (paths.length === 0) return undefined;
    try {
      const keys = await loadKeyFiles(paths, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
      const digest = tag.details?.digest ?? (await tag.backend.resolve(tag.repository, tag.tag)).digest;
      const result = await verifyImage(tag.backend, tag.repository, digest, { keys, attestations: false });
      this.log.info(`Verified the signatures of ${tag.repository}:${tag.tag} (${digest}): ${result.reason}`);
      return result;
    } catch (error) {
      this.log.warn(`Registry explorer: verifying the signatures of ${tag.repository}:${tag.tag} failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Redraws what is shown (new decorations) without reading the registries again. */
  redraw(): void {
    this.changed.fire(undefined);
  }

  /** The repository a node belongs to; without a node, the one selected in the view. */
  repositoryOf(node: ExplorerNode | undefined = this.view?.selection[0]): RepositoryNode | undefined {
    let current: ExplorerNode | undefined = node;
    while (current && current.kind !== 'repository') current = 'parent' in current ? current.parent : undefined;
    return current;
  }

  setFilter(repository: RepositoryNode, text: string): void {
    this.model.setFilter(repository, text);
    this.describeView();
    this.changed.fire(repository);
  }

  /** Clears one repository's filter, or every filter. */
  clearFilters(repository?: RepositoryNode): void {
    if (repository) this.model.setFilter(repository, '');
    else this.model.clearFilters();
    this.describeView();
    this.changed.fire(repository);
  }

  /** Finds the node of `host/repository:tag` by walking the tree as a user would, so the view can reveal it. */
  async findTag(host: string, repository: string, tag: string): Promise<TagNode | undefined> {
    let nodes = (await this.getChildren()).filter((node) => node.kind === 'registry' && node.label === host);
    for (;;) {
      const next = nodes.find((node) => (node.kind === 'repository' && node.repository === repository) || (node.kind === 'namespace' && node.repositories.includes(repository)) || node.kind === 'registry');
      if (!next) return undefined;
      const children = await this.getChildren(next);
      if (next.kind === 'repository') return children.find((child): child is TagNode => child.kind === 'tag' && child.tag === tag);
      nodes = children;
    }
  }

  async reveal(node: ExplorerNode): Promise<void> {
    await this.view?.reveal(node, { select: true, focus: true, expand: true });
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) {
      this.roots ??= explorerRoots(this.openRegistry);
      return this.roots;
    }
    const children = await this.model.children(node);
    const tags = children.filter((child): child is Extract<ExplorerNode, { kind: 'tag' }> => child.kind === 'tag');
    if (tags.length > 0) void this.model.resolveTags(tags, (tag) => this.changed.fire(tag));
    return children;
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    return 'parent' in node ? node.parent : undefined;
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (node.kind) {
      case 'registry': {
        const item = new vscode.TreeItem(node.label, collapsed);
        item.iconPath = new vscode.ThemeIcon(node.source === 'oci-layout' ? 'folder-library' : 'server');
        item.description = node.source === 'oci-layout' ? 'OCI layout' : node.source === 'docker-config' ? 'Docker config' : undefined;
        item.contextValue = `registry.${node.source}`;
        return Object.assign(item, { id: node.id });
      }
      case 'namespace':
        return Object.assign(new vscode.TreeItem(node.label, collapsed), { id: node.id, iconPath: vscode.ThemeIcon.Folder, contextValue: 'namespace' });
      case 'repository': {
        const filter = this.model.filterOf(node);
        const item = Object.assign(new vscode.TreeItem(node.label, collapsed), { id: node.id, iconPath: new vscode.ThemeIcon('package'), contextValue: filter ? 'repository.filtered' : 'repository', tooltip: node.repository });
        if (filter) {
          item.description = `filter: "${filter.text}"`;
          item.tooltip = `${node.repository}\nShowing only tags containing "${filter.text}" (Clear tag filter shows all)`;
          item.iconPath = new vscode.ThemeIcon('filter');
        }
        return item;
      }
      case 'tag': {
        const item = new vscode.TreeItem(node.tag, collapsed);
        const details = node.details;
        item.description = details ? [
          details.digest.slice(7, 19),
          details.created ? formatAge(details.created) : undefined,
          details.size !== undefined ? formatBytes(details.size) : undefined,
          details.platforms ? `${details.platforms} platforms` : undefined,
          details.sameImage.length > 0 ? `same image as ${details.sameImage.join(', ')}` : undefined,
        ].filter(Boolean).join(' · ') : undefined;
        item.tooltip = details ? `${referenceOf(node)}@${details.digest}\n${details.mediaType}` : referenceOf(node);
        item.iconPath = new vscode.ThemeIcon('tag');
        const planned = this.retention.itemFor(node.backend.name, node.repository, node.tag);
        if (planned) {
          const look = retentionLook(planned);
          item.iconPath = look.icon;
          item.description = [look.label, item.description].filter(Boolean).join(' · ');
          item.tooltip = `${item.tooltip ?? ''}\n${look.label}: ${planned.because ?? planned.policy.rule}`;
        }
        item.contextValue = 'tag';
        return Object.assign(item, { id: node.id });
      }
      case 'platform':
        return Object.assign(new vscode.TreeItem(node.label, node.attachments.length > 0 ? collapsed : vscode.TreeItemCollapsibleState.None), { id: node.id, description: node.digest.slice(7, 19), iconPath: new vscode.ThemeIcon('vm'), contextValue: 'platform' });
      case 'attachment': {
        const { attachment } = node;
        const item = new vscode.TreeItem(attachment.kind, vscode.TreeItemCollapsibleState.None);
        item.description = attachment.kind === 'signature' ? `${this.signatureWord(node)} · ${describeAttachment(attachment)}` : describeAttachment(attachment);
        item.tooltip = attachment.digest;
        item.iconPath = new vscode.ThemeIcon(ATTACHMENT_ICONS[attachment.kind] ?? 'file');
        item.contextValue = `attachment.${attachment.kind}`;
        if (VIEWABLE_ATTACHMENTS.has(attachment.kind)) item.command = { command: OPEN_ATTACHMENT_COMMAND, title: 'Open in viewer', arguments: [node] };
        return Object.assign(item, { id: node.id });
      }
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.command = { title: 'Load more', command: 'artifactSteward.registry.loadMoreTags', arguments: [node] };
        return Object.assign(item, { id: node.id, contextValue: 'loadMore' });
      }
      case 'sortAll': {
        const item = new vscode.TreeItem('Sort all tags by version…', vscode.TreeItemCollapsibleState.None);
        item.description = node.complete ? `${node.read.toLocaleString('en')} tags, shown in the registry's order` : `${node.read.toLocaleString('en')} tags read so far, in the registry's order`;
        item.tooltip = node.complete ? 'Too many tags to sort on expanding: sorts them all by version' : 'Reads every remaining page of tags (progress shown), then sorts them all by version';
        item.iconPath = new vscode.ThemeIcon('list-ordered');
        item.command = { title: 'Sort all tags by version', command: SORT_ALL_TAGS_COMMAND, arguments: [node] };
        return Object.assign(item, { id: node.id, contextValue: 'sortAll' });
      }
      case 'error': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.tooltip = node.message;
        item.contextValue = `error.${node.fix}`;
        item.command = node.fix === 'sign-in'
          ? { title: 'Sign in', command: 'artifactSteward.registry.signIn', arguments: [node] }
          : node.fix === 'settings'
            ? { title: 'Open settings', command: 'workbench.action.openSettings', arguments: ['artifactSteward.registries'] }
            : { title: 'Retry', command: 'artifactSteward.registry.refreshRegistries' };
        return Object.assign(item, { id: node.id });
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
