/** The webview's persisted state: the source to reload from (read by the extension's serializer) and the filters. */
import type { PanelState, ReportSource, ReportView, WebviewMessage } from '../src/shared/reportProtocol';

export interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: PanelState): void;
}

export class UiState {
  private ui: Record<string, string | boolean>;

  constructor(private readonly api: VsCodeApi, private readonly source: ReportSource, private readonly kind: ReportView['kind']) {
    const saved = api.getState() as PanelState | undefined;
    // Filters survive a reload of the same report only.
    const sameReport = saved?.kind === kind && JSON.stringify(saved.source?.paths) === JSON.stringify(source.paths);
    this.ui = sameReport && saved.ui ? { ...saved.ui } : {};
    this.save();
  }

  text(key: string, fallback = ''): string {
    const value = this.ui[key];
    return typeof value === 'string' ? value : fallback;
  }

  flag(key: string): boolean {
    return this.ui[key] === true;
  }

  set(key: string, value: string | boolean): void {
    this.ui[key] = value;
    this.save();
  }

  private save(): void {
    this.api.setState({ source: this.source, kind: this.kind, ui: this.ui });
  }
}
