import * as vscode from 'vscode';
import { formatBytes } from '../../core/formatBytes';
import { byDecision, describeItem } from '../../core/retention/describe';
import type { RegistryBackend } from '../../core/registry/types';
import type { PlanItem, RepositoryPlan, RetentionPlan } from '../../core/retention/plan';

export const RETENTION_VIEW = 'artifactSteward.retentionPlan';

export type PlanNode =
  | { readonly kind: 'repository'; readonly plan: RepositoryPlan }
  | { readonly kind: 'item'; readonly plan: RepositoryPlan; readonly item: PlanItem };

/** How a plan item looks wherever it is shown: the plan view and the registry tree's tags. */
export function retentionLook(item: PlanItem): { icon: vscode.ThemeIcon; label: string } {
  if (item.action === 'delete') return { icon: new vscode.ThemeIcon('trash', new vscode.ThemeColor('list.errorForeground')), label: 'retention: delete' };
  if (item.policy.action === 'delete') return { icon: new vscode.ThemeIcon('shield', new vscode.ThemeColor('charts.green')), label: 'retention: protected' };
  return { icon: new vscode.ThemeIcon('pass'), label: 'retention: keep' };
}

/**
 * The last retention plan: the tree of it (repositories → artifacts, deletes first) in its own
 * view, and a lookup the registry tree uses to decorate tags.
 */
export class RetentionPlans implements vscode.TreeDataProvider<PlanNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PlanNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private current: { plan: RetentionPlan; backend: RegistryBackend } | undefined;
  private byTag = new Map<string, PlanItem>();

  get plan(): RetentionPlan | undefined {
    return this.current?.plan;
  }

  get backend(): RegistryBackend | undefined {
    return this.current?.backend;
  }

  set(plan: RetentionPlan, backend: RegistryBackend): void {
    this.current = { plan, backend };
    this.byTag = new Map();
    for (const repository of plan.repositories) for (const item of repository.items) for (const tag of item.tags) this.byTag.set(`${repository.registry}/${repository.repository}:${tag}`, item);
    this.changed.fire(undefined);
  }

  clear(): void {
    this.current = undefined;
    this.byTag.clear();
    this.changed.fire(undefined);
  }

  /** The plan's verdict on a tag of the registry tree (`registry` is the backend's name). */
  itemFor(registry: string, repository: string, tag: string): PlanItem | undefined {
    return this.byTag.get(`${registry}/${repository}:${tag}`);
  }

  getChildren(node?: PlanNode): PlanNode[] {
    if (!this.current) return [];
    if (!node) return this.current.plan.repositories.map((plan) => ({ kind: 'repository', plan }));
    if (node.kind === 'item') return [];
    return [...node.plan.items].sort(byDecision).map((item) => ({ kind: 'item', plan: node.plan, item }));
  }

  getTreeItem(node: PlanNode): vscode.TreeItem {
    if (node.kind === 'repository') {
      const item = new vscode.TreeItem(`${node.plan.registry}/${node.plan.repository}`, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${node.plan.deletes} of ${node.plan.items.length} to delete · ${formatBytes(node.plan.reclaimableBytes)} reclaimable`;
      item.iconPath = new vscode.ThemeIcon('package');
      item.contextValue = 'retentionRepository';
      return item;
    }
    const { item } = node;
    const look = retentionLook(item);
    const tree = new vscode.TreeItem(item.tags.length > 0 ? item.tags.join(', ') : `(${item.role === 'child' ? 'platform' : item.role}) ${item.digest.slice(7, 19)}`, vscode.TreeItemCollapsibleState.None);
    tree.description = item.action === 'delete' ? (item.because ?? item.policy.rule) : item.policy.action === 'delete' ? `protected: ${item.because}` : item.policy.rule;
    tree.tooltip = describeItem(item);
    tree.iconPath = look.icon;
    tree.contextValue = `retentionItem.${item.action}`;
    return tree;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
