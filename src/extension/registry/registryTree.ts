import * as vscode from 'vscode';
import { formatBytes } from '../../core/formatBytes';
import { ExplorerModel } from '../../core/registry/explorer';
import type { ExplorerNode, TagSort } from '../../core/registry/explorer';
import { RegistryError } from '../../core/registry/errors';
import { describeAttachment } from '../../core/registry/inspect';
import type { HttpRegistry } from '../../core/registry/httpRegistry';
import type { Logger } from '../log';
import { SETTINGS_SECTION } from '../settings';
import { explorerRoots } from './registrySources';
import { retentionLook } from '../retention/retentionPlans';
import type { RetentionPlans } from '../retention/retentionPlans';
import { OPEN_ATTACHMENT_COMMAND } from '../commands/openAttachment';

export const REGISTRY_VIEW = 'artifactSteward.registries';

/** Attachments the report panels render (attestations are DSSE envelopes around an SBOM or scan). */
const VIEWABLE_ATTACHMENTS: ReadonlySet<string> = new Set(['sbom', 'scan-report', 'attestation']);

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

function age(created: string): string | undefined {
  const days = Math.floor((Date.now() - Date.parse(created)) / 86_400_000);
  if (Number.isNaN(days)) return undefined;
  return days < 1 ? 'today' : days < 60 ? `${days} d ago` : days < 730 ? `${Math.floor(days / 30)} mo ago` : `${Math.floor(days / 365)} y ago`;
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
  private filterText = '';

  constructor(private readonly openRegistry: (host: string) => HttpRegistry, private readonly log: Logger, private readonly retention: RetentionPlans) {
    this.model = new ExplorerModel({
      sort: () => vscode.workspace.getConfiguration(SETTINGS_SECTION).get<TagSort>('registryTagSort', 'version'),
      filter: () => this.filterText,
      describeError: (error) => {
        this.log.warn(`Registry explorer: ${(error as Error).message}`);
        return describeError(error);
      },
    });
  }

  refresh(node?: ExplorerNode): void {
    if (!node) {
      this.roots = undefined;
      this.model.refresh();
    }
    this.changed.fire(node);
  }

  /** Redraws what is shown (new decorations) without reading the registries again. */
  redraw(): void {
    this.changed.fire(undefined);
  }

  setFilter(text: string): void {
    this.filterText = text;
    this.changed.fire(undefined);
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
      case 'repository':
        return Object.assign(new vscode.TreeItem(node.label, collapsed), { id: node.id, iconPath: new vscode.ThemeIcon('package'), contextValue: 'repository', tooltip: node.repository });
      case 'tag': {
        const item = new vscode.TreeItem(node.tag, collapsed);
        const details = node.details;
        item.description = details ? [
          details.digest.slice(7, 19),
          details.created ? age(details.created) : undefined,
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
        item.description = describeAttachment(attachment);
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
