import { join } from 'node:path';
import * as vscode from 'vscode';
import { workspaceEnvironments } from '../../core/environments/environments';
import { describeGateState, GateStateCache } from '../../core/environments/gateState';
import type { GateState } from '../../core/environments/gateState';
import { environmentStatus, ResolutionCache, shortDigest } from '../../core/environments/status';
import type { Drift, EnvironmentRow, EnvironmentStatus, RepositoryStatus } from '../../core/environments/status';
import { readWorkspaceYaml } from '../../core/environments/workspaceFiles';
import { formatAge } from '../../core/formatAge';
import type { LintConfig } from '../../core/lint/config';
import type { RegistryBackend } from '../../core/registry/types';
import { relativePath } from '../documents';
import type { LintConfigs } from '../lintConfigs';

export const ENVIRONMENTS_VIEW = 'artifactSteward.environments';

/** One workspace folder's environments: what the rows are read from and promoted through. */
export interface FolderEnvironments {
  readonly root: string;
  readonly config: LintConfig;
  readonly status: EnvironmentStatus;
  readonly inferredFrom?: readonly string[];
}

export type EnvironmentNode =
  | { readonly kind: 'environments'; readonly folder: FolderEnvironments }
  | { readonly kind: 'repository'; readonly folder: FolderEnvironments; readonly repository: RepositoryStatus; readonly drift: readonly Drift[] }
  | { readonly kind: 'row'; readonly folder: FolderEnvironments; readonly repository: RepositoryStatus; readonly row: EnvironmentRow; readonly drift: readonly Drift[]; readonly promotable: boolean }
  | { readonly kind: 'problem'; readonly message: string; readonly file?: string };

/** The drift that names a row: its own (tag, registry, resolution) and the pair it is the later side of. */
function rowDrift(drift: readonly Drift[], row: EnvironmentRow): Drift[] {
  return drift.filter((item) => item.repository === row.repository && (item.next === undefined ? item.environment === row.environment && item.file === row.file && item.line === row.line : item.next === row.environment || item.environment === row.environment));
}

/** A row's short words: `1.3.0 · sha256:ba43a501dd05 · 2 y ago`. */
export function describeRow(row: EnvironmentRow, now = Date.now()): string {
  const age = row.created ? formatAge(row.created, now) : undefined;
  return [row.tag ?? '(digest)', row.digest ? shortDigest(row.digest) : 'not resolved', ...(age ? [age] : [])].join(' · ');
}

const GATE_WORDS: Record<Exclude<GateState['state'], 'none'> | 'judging', string> = { pass: 'gates passed', fail: 'gates failed', unknown: 'gates unknown', judging: 'gates…' };

/** A row's icon, when a promotion target with gates matches its repository: the gate state of its digest. */
const GATE_ICONS: Record<Exclude<GateState['state'], 'none'> | 'judging', () => vscode.ThemeIcon> = {
  pass: () => new vscode.ThemeIcon('verified', new vscode.ThemeColor('charts.green')),
  fail: () => new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  unknown: () => new vscode.ThemeIcon('question'),
  judging: () => new vscode.ThemeIcon('loading~spin'),
};

/**
 * The Environments view: repositories → environments (tag, short digest, age), drift highlighted.
 * The model is read per workspace folder from the files (open documents' unsaved text included) and
 * the registries, whose answers a cache keeps for a minute with their time.
 */
export class EnvironmentsTreeProvider implements vscode.TreeDataProvider<EnvironmentNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EnvironmentNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache: ResolutionCache;
  private readonly gates: GateStateCache;
  private loading: Promise<FolderEnvironments[]> | undefined;

  constructor(private readonly configs: LintConfigs, openRegistry: (host: string) => RegistryBackend, private readonly log: vscode.LogOutputChannel) {
    // Hosts come from the workspace's files: an untrusted workspace must not make the editor contact them.
    const trustedOpen = (host: string) => {
      if (!vscode.workspace.isTrusted) throw new Error('not asked: the workspace is not trusted');
      return openRegistry(host);
    };
    this.cache = new ResolutionCache(trustedOpen);
    this.gates = new GateStateCache(trustedOpen);
  }

  /** Reads the files again; `askRegistries` also forgets the registries' answers and the gates judged. */
  refresh(askRegistries = false): void {
    if (askRegistries) {
      this.cache.clear();
      this.gates.clear();
    }
    this.loading = undefined;
    this.changed.fire(undefined);
  }

  /** The current model (loaded once per refresh): the tests and the promote command read it. */
  folders(): Promise<FolderEnvironments[]> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<FolderEnvironments[]> {
    const folders: FolderEnvironments[] = [];
    for (const workspaceFolder of vscode.workspace.workspaceFolders ?? []) {
      const { root, config } = await this.configs.forFolder(workspaceFolder.uri.fsPath);
      const { files, unreadable } = await readWorkspaceYaml(root, config.isExcluded);
      for (const document of vscode.workspace.textDocuments) {
        const file = relativePath(root, document.uri.fsPath);
        if (document.uri.scheme === 'file' && document.isDirty && files.has(file)) files.set(file, document.getText());
      }
      const { environments, inferredFrom } = workspaceEnvironments(config.environments, files.keys());
      const status = await environmentStatus({ environments, files, cache: this.cache });
      for (const problem of [...unreadable, ...status.problems]) this.log.warn(`Environments: ${problem.file}: ${problem.message}`);
      folders.push({ root, config, status: { ...status, problems: [...unreadable.map((item) => ({ environment: '', ...item })), ...status.problems] }, ...(inferredFrom ? { inferredFrom } : {}) });
    }
    return folders;
  }

  async getChildren(node?: EnvironmentNode): Promise<EnvironmentNode[]> {
    if (!node) {
      const folders = await this.folders().catch((error: Error): FolderEnvironments[] => {
        this.log.error(`Environments: ${error.message}`);
        return [];
      });
      // Empty: the welcome view says how to get environments.
      if (folders.every((folder) => folder.status.repositories.length === 0)) return [];
      return folders.flatMap((folder): EnvironmentNode[] => [
        { kind: 'environments', folder },
        ...folder.status.repositories.map((repository): EnvironmentNode => ({ kind: 'repository', folder, repository, drift: folder.status.drift.filter((item) => item.repository === repository.repository) })),
        ...folder.status.problems.map((problem): EnvironmentNode => ({ kind: 'problem', message: `${problem.file}: ${problem.message}`, file: join(folder.root, problem.file) })),
      ]);
    }
    if (node.kind !== 'repository') return [];
    const { folder, repository } = node;
    const names = folder.status.environments.map((environment) => environment.name);
    return repository.rows.map((row): EnvironmentNode => {
      const next = names[names.indexOf(row.environment) + 1];
      const child: EnvironmentNode = { kind: 'row', folder, repository, row, drift: rowDrift(node.drift, row), promotable: next !== undefined && repository.rows.some((other) => other.environment === next) };
      // Judged after the rows are shown: each row changes when its digest's gates are known.
      if (!this.gates.peek(folder.config.promotionRules, row, folder.root)) void this.gates.stateOf(folder.config.promotionRules, row, { configRoot: folder.root }).then(() => this.changed.fire(child));
      return child;
    });
  }

  /** A row's gate state, judging it if needed (the tests wait on it). */
  gateState(node: Extract<EnvironmentNode, { kind: 'row' }>): Promise<GateState> {
    return this.gates.stateOf(node.folder.config.promotionRules, node.row, { configRoot: node.folder.root });
  }

  getTreeItem(node: EnvironmentNode): vscode.TreeItem {
    if (node.kind === 'environments') {
      const names = node.folder.status.environments.map((environment) => environment.name).join(' → ');
      const item = new vscode.TreeItem(names || 'no environments');
      item.description = node.folder.inferredFrom ? `inferred from ${node.folder.inferredFrom.join(', ')}` : 'from .steward.yaml';
      item.tooltip = node.folder.inferredFrom ? 'Inferred from the layout: list them under environments: in .steward.yaml to set their order, files and registries.' : `Environments of ${node.folder.root}`;
      item.iconPath = new vscode.ThemeIcon('layers');
      return item;
    }
    if (node.kind === 'problem') {
      const item = new vscode.TreeItem(node.message);
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
      if (node.file) item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(node.file)] };
      return item;
    }
    if (node.kind === 'repository') {
      const item = new vscode.TreeItem(node.repository.repository, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `environments:${node.folder.root}:${node.repository.key}`;
      item.description = node.drift.length > 0 ? `${node.drift.length} drift: ${[...new Set(node.drift.map((drift) => drift.kind))].join(', ')}` : 'in step';
      item.iconPath = node.drift.length > 0 ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('package');
      item.tooltip = node.drift.map((drift) => drift.message).join('\n') || 'Every environment deploying it runs the same digest.';
      item.contextValue = 'environmentRepository';
      return item;
    }
    const { row, drift } = node;
    // Highlighted label: the differences are what the view is for.
    const item = new vscode.TreeItem(drift.length > 0 ? { label: row.environment, highlights: [[0, row.environment.length]] } : row.environment);
    item.id = `environments:${node.folder.root}:${row.repositoryKey}:${row.environment}:${row.file}:${row.line}`;
    const gates = this.gates.peek(node.folder.config.promotionRules, row, node.folder.root);
    // Undefined while being judged; `none`: no promotion target with gates matches, the icon says drift or not.
    const gateShown = gates?.state === 'none' ? undefined : gates?.state ?? 'judging';
    item.description = describeRow(row) + (drift.length > 0 ? ` · ${[...new Set(drift.map((entry) => entry.kind))].join(', ')}` : '') + (gateShown ? ` · ${GATE_WORDS[gateShown]}` : '');
    item.iconPath = gateShown ? GATE_ICONS[gateShown]()
      : drift.length > 0 ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${row.reference}\n${row.digest ?? 'digest not resolved'}${row.error ? ` (${row.error})` : ''}\n${row.created ? `created ${row.created}\n` : ''}${row.resolvedAt ? `asked the registry at ${row.resolvedAt}\n` : ''}${row.file}:${row.line} — ${row.origin}`);
    for (const entry of drift) tooltip.appendText(`\n⚠ ${entry.message}`);
    for (const line of gates ? describeGateState(gates) : ['gates: being judged…']) tooltip.appendText(`\n${line}`);
    item.tooltip = tooltip;
    item.contextValue = node.promotable ? 'environmentRow.promotable' : 'environmentRow';
    const line = Math.max(0, row.line - 1);
    item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(join(node.folder.root, row.file)), { selection: new vscode.Range(line, 0, line, 0) }] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
