import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { FindResult, FoundImage } from '../../core/find/find';
import type { WorkspaceReference } from '../../core/retention/protection';

export const FIND_VIEW = 'artifactSteward.findResults';

export type FindNode =
  | { readonly kind: 'image'; readonly image: FoundImage }
  | { readonly kind: 'match'; readonly text: string }
  | { readonly kind: 'deployment'; readonly reference: WorkspaceReference; readonly root: string | undefined }
  | { readonly kind: 'failure'; readonly reference: string; readonly message: string };

/** The last search: what was asked, and its images, each with why it matched and the files that deploy it. */
export interface FindSearch {
  /** The query in words (`127.0.0.1:5000/team revision a1b2c3d`), the view's description. */
  readonly title: string;
  readonly result: FindResult;
  /** The workspace folder the references' paths are relative to. */
  readonly root?: string;
}

/** The Find results view: images → why they matched and where they are deployed; unread places as warnings. */
export class FindResults implements vscode.TreeDataProvider<FindNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FindNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private current: FindSearch | undefined;
  private view: vscode.TreeView<FindNode> | undefined;

  get search(): FindSearch | undefined {
    return this.current;
  }

  showIn(view: vscode.TreeView<FindNode>): vscode.TreeView<FindNode> {
    this.view = view;
    return view;
  }

  set(search: FindSearch): void {
    this.current = search;
    if (this.view) {
      this.view.description = search.title;
      this.view.message = search.result.images.length === 0 ? `No image matches ${search.title}.` : undefined;
    }
    this.changed.fire(undefined);
  }

  getChildren(node?: FindNode): FindNode[] {
    if (!this.current) return [];
    if (!node) {
      const { images, failures } = this.current.result;
      return [...images.map((image): FindNode => ({ kind: 'image', image })), ...failures.map((failure): FindNode => ({ kind: 'failure', ...failure }))];
    }
    if (node.kind !== 'image') return [];
    return [
      ...node.image.matchedBy.map((text): FindNode => ({ kind: 'match', text })),
      ...node.image.deployedBy.map((reference): FindNode => ({ kind: 'deployment', reference, root: this.current?.root })),
    ];
  }

  getTreeItem(node: FindNode): vscode.TreeItem {
    switch (node.kind) {
      case 'image': {
        const { image } = node;
        const label = `${image.repository}${image.tags.length > 0 ? `:${image.tags.join(', ')}` : `@${image.digest.slice(0, 19)}`}`;
        const deployed = image.deployedBy.length > 0 ? `deployed by ${image.deployedBy.length} reference(s)` : 'not deployed by the workspace';
        return Object.assign(new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed), {
          description: `${image.digest.slice(7, 19)} · ${deployed}`, tooltip: `${image.registry}/${image.repository}@${image.digest}\n${image.matchedBy.join('\n')}`,
          iconPath: new vscode.ThemeIcon('package'), contextValue: 'findResult',
        });
      }
      case 'match':
        return Object.assign(new vscode.TreeItem(node.text), { iconPath: new vscode.ThemeIcon('filter') });
      case 'deployment': {
        const [path, line] = splitWhere(node.reference.where);
        const file = isAbsolute(path) || !node.root ? path : join(node.root, path);
        return Object.assign(new vscode.TreeItem(node.reference.where), {
          iconPath: new vscode.ThemeIcon('file'), description: 'deploys it',
          command: { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(file), { selection: new vscode.Range(line - 1, 0, line - 1, 0) }] },
        });
      }
      case 'failure':
        return Object.assign(new vscode.TreeItem(`not searched: ${node.reference}`), { iconPath: new vscode.ThemeIcon('warning'), tooltip: node.message, description: node.message });
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** `deploy/app.yaml:12` → the path and the 1-based line. */
function splitWhere(where: string): [string, number] {
  const colon = where.lastIndexOf(':');
  const line = Number(where.slice(colon + 1));
  return colon > 0 && Number.isInteger(line) && line > 0 ? [where.slice(0, colon), line] : [where, 1];
}
