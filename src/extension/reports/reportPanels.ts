import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { toCsv, toSarif } from '../../core/reports/export';
import type { ScanGate } from '../../core/reports/gate';
import type { ReadResult, Sbom } from '../../core/reports/model';
import { readLargeReport } from '../../core/reports/readLargeReport';
import { diffView, sbomView, scanView } from '../../core/reports/views';
import type { ScanReport } from '../../shared/reportModel';
import { parseWebviewMessage } from '../../shared/reportProtocol';
import type { HostMessage, PanelState, ReportSource, ReportView, WebviewMessage } from '../../shared/reportProtocol';
import { defaultGate } from '../../core/lint/config';
import type { LintConfigs } from '../lintConfigs';
import type { Logger } from '../log';
import { SETTINGS_SECTION } from '../settings';
import { panelHtml } from './panelHtml';

export const REPORT_PANEL_TYPE = 'artifactSteward.report';
export const SBOM_EDITOR_TYPE = 'artifactSteward.sbomViewer';

interface ReportSettings {
  readonly gate: ScanGate;
  readonly deniedLicenses: readonly string[];
}

function readReportSettings(): ReportSettings {
  const reports = vscode.workspace.getConfiguration(`${SETTINGS_SECTION}.reports`);
  return { gate: reports.get<ScanGate>('gate', {}), deniedLicenses: reports.get<string[]>('deniedLicenses', []) };
}

const GATE_SETTING = `${SETTINGS_SECTION}.reports.gate`;

function isPanelState(value: unknown): value is PanelState {
  const state = value as PanelState | undefined;
  return !!state && typeof state === 'object' && Array.isArray(state.source?.paths) && state.source.paths.every((path) => typeof path === 'string')
    && Array.isArray(state.source.labels) && state.source.paths.length >= 1 && state.source.paths.length <= 2;
}

/** A panel's last view, for export and for the extension-host tests. */
export interface OpenPanel {
  readonly panel: vscode.WebviewPanel;
  view?: ReportView;
}

/**
 * The scan and SBOM panels: one webview page for both, fed with views built in core. Reports are
 * read from files (a workspace file, a downloaded attachment, a trivy result kept in storage), so a
 * panel restored after a reload reads the same file again.
 */
export class ReportPanels implements vscode.Disposable {
  readonly open = new Set<OpenPanel>();
  /** Scan reports by the image digest they belong to: an SBOM of the same digest links them. */
  private readonly scansBySubject = new Map<string, { report: ScanReport; label: string }>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** A panel came to the front, left it, closed, or finished loading its view (the status bar follows). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Logger, private readonly configs: LintConfigs) {
    this.disposables.push(this.changed,
      vscode.window.registerWebviewPanelSerializer(REPORT_PANEL_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          if (!isPanelState(state)) {
            panel.dispose();
            return;
          }
          await this.show(panel, state.source);
        },
      }),
      vscode.window.registerCustomEditorProvider(SBOM_EDITOR_TYPE, {
        openCustomDocument: (uri) => ({ uri, dispose: () => undefined }),
        resolveCustomEditor: async (document, panel) => {
          await this.show(panel, { paths: [document.uri.fsPath], labels: [basename(document.uri.fsPath)] });
        },
      }, { webviewOptions: { retainContextWhenHidden: false } }),
    );
  }

  /** Opens a report or SBOM (one path) or the diff of two SBOMs (two paths) in a new panel. */
  async openFiles(source: ReportSource): Promise<OpenPanel> {
    const panel = vscode.window.createWebviewPanel(REPORT_PANEL_TYPE, source.labels.join(' → '), vscode.ViewColumn.Active, this.webviewOptions());
    return this.show(panel, source);
  }

  /** Remembers a scan of an image digest, so its SBOM panel can show the vulnerabilities per package. */
  rememberScan(subjectDigest: string, report: ScanReport, label: string): void {
    this.scansBySubject.set(subjectDigest, { report, label });
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    const root = this.context.extensionUri;
    // Only the built panel script and the media folder can be loaded.
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(root, 'dist', 'webview'), vscode.Uri.joinPath(root, 'media')] };
  }

  private async show(panel: vscode.WebviewPanel, source: ReportSource): Promise<OpenPanel> {
    const entry: OpenPanel = { panel };
    this.open.add(entry);
    const { webview } = panel;
    webview.options = this.webviewOptions();
    panel.title = source.labels.join(' → ');
    const post = (message: HostMessage) => void webview.postMessage(message);
    const loaded = this.load(source).then((view) => { entry.view = view; this.changed.fire(); return view; });
    loaded.catch(() => undefined); // shown in the panel when it asks; never an unhandled rejection
    panel.onDidChangeViewState(() => this.changed.fire());
    panel.onDidDispose(() => {
      this.open.delete(entry);
      this.changed.fire();
    });
    // Listening before the page exists, so its first `ready` is never missed.
    webview.onDidReceiveMessage(async (raw: unknown) => {
      const message = parseWebviewMessage(raw);
      if (!message) {
        this.log.warn(`Report panel: ignored a message that is not part of the protocol: ${JSON.stringify(raw).slice(0, 200)}`);
        return;
      }
      await this.handle(message, loaded, post);
    });
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...path)).toString();
    webview.html = panelHtml({ cspSource: webview.cspSource, scriptUri: asset('dist', 'webview', 'reportPanel.js'), styleUri: asset('media', 'reportPanel.css'), nonce: randomBytes(16).toString('base64'), title: panel.title });
    return entry;
  }

  private async handle(message: WebviewMessage, loaded: Promise<ReportView>, post: (message: HostMessage) => void): Promise<void> {
    switch (message.type) {
      case 'ready':
        try {
          post({ type: 'show', view: await loaded });
        } catch (error) {
          post({ type: 'error', message: (error as Error).message });
        }
        return;
      case 'openLink':
        await vscode.env.openExternal(vscode.Uri.parse(message.url, true));
        return;
      case 'export': {
        const view = await loaded;
        if (view.kind !== 'scan') return;
        await this.export(view.report, view.source, message.format);
        return;
      }
      case 'configureGate':
        await this.openGateConfig();
    }
  }

  private async export(report: ScanReport, source: ReportSource, format: 'csv' | 'json' | 'sarif'): Promise<void> {
    const stem = (source.labels[0] ?? 'report').replace(/\.json$/i, '').replace(/[^\w.@-]+/g, '_');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.context.globalStorageUri.fsPath), `${stem}.${format === 'sarif' ? 'sarif' : format}`),
      filters: { [format.toUpperCase()]: [format === 'sarif' ? 'sarif' : format] },
    });
    if (!target) return;
    const text = format === 'csv' ? toCsv(report.findings) : format === 'sarif' ? toSarif(report) : JSON.stringify(report, null, 2);
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    void vscode.window.showInformationMessage(`Exported ${report.findings.length} findings to ${target.fsPath}`);
  }

  private async read(path: string): Promise<ReadResult> {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(path));
    const text = Buffer.from(bytes).toString('utf8');
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading ${basename(path)}`, cancellable: false }, () =>
      readLargeReport(text, vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'reportWorker.js').fsPath));
    if (result.kind === 'error') throw new Error(`${path}: ${result.message}`);
    return result;
  }

  /** The `.steward.yaml` gate (`default`, or the only one) of the first workspace folder, else the setting. */
  private async gate(fallback: ScanGate): Promise<ScanGate> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return fallback;
    const { config } = await this.configs.forFolder(folder.uri.fsPath);
    return defaultGate(config) ?? fallback;
  }

  private async openGateConfig(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const { configFile } = folder ? await this.configs.forFolder(folder.uri.fsPath) : { configFile: undefined };
    if (configFile) await vscode.window.showTextDocument(vscode.Uri.file(configFile));
    else await vscode.commands.executeCommand('workbench.action.openSettings', GATE_SETTING);
  }

  private async load(source: ReportSource): Promise<ReportView> {
    const settings = readReportSettings();
    try {
      const results = await Promise.all(source.paths.map((path) => this.read(path)));
      if (results.length === 2) {
        const [before, after] = results.map((result, index) => {
          if (result.kind !== 'sbom') throw new Error(`${source.paths[index]} is a scan report, not an SBOM: only SBOMs can be compared`);
          return result.sbom;
        }) as [Sbom, Sbom];
        return diffView(before, after, source);
      }
      const result = results[0]!;
      if (result.kind === 'scan') {
        if (source.subject) this.rememberScan(digestOf(source.subject), result.report, source.labels[0] ?? 'a scan report');
        return scanView(result.report, source, await this.gate(settings.gate));
      }
      if (result.kind !== 'sbom') throw new Error('unreadable report');
      const sameImageScan = source.subject ? this.scansBySubject.get(digestOf(source.subject)) : undefined;
      return sbomView(result.sbom, source, settings.deniedLicenses, sameImageScan);
    } catch (error) {
      this.log.error(`Report panel: ${(error as Error).message}`);
      throw error;
    }
  }

  /** The panel in front, if a report panel is. */
  activePanel(): OpenPanel | undefined {
    return [...this.open].find((entry) => entry.panel.active);
  }

  dispose(): void {
    for (const { panel } of this.open) panel.dispose();
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

/** `host/repo@sha256:…` → `sha256:…` (the key scans and SBOMs of one image share). */
function digestOf(subject: string): string {
  return subject.slice(subject.lastIndexOf('@') + 1);
}
