/** Entry of the report panels' browser bundle: registers the toolkit components and renders what the extension sends. */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDropdown, vsCodeLink, vsCodeOption, vsCodePanels, vsCodePanelTab, vsCodePanelView, vsCodeTextField } from '@vscode/webview-ui-toolkit';
import type { HostMessage, ReportView } from '../src/shared/reportProtocol';
import { clear, h } from './dom';
import { renderDiff } from './diffView';
import { renderSbom } from './sbomView';
import { renderScan } from './scanView';
import { UiState } from './state';
import type { VsCodeApi } from './state';

declare function acquireVsCodeApi(): VsCodeApi;

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeLink(), vsCodeOption(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(), vsCodeTextField());

const api = acquireVsCodeApi();
const root = document.getElementById('root')!;

function show(view: ReportView): void {
  clear(root);
  const state = new UiState(api, view.source, view.kind);
  const openLink = (url: string) => api.postMessage({ type: 'openLink', url });
  if (view.kind === 'scan') renderScan(root, view, state, { openLink, exportAs: (format) => api.postMessage({ type: 'export', format }), configureGate: () => api.postMessage({ type: 'configureGate' }) });
  else if (view.kind === 'sbom') renderSbom(root, view, state, openLink);
  else renderDiff(root, view, state);
  root.setAttribute('data-rendered', view.kind);
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message?.type === 'show') show(message.view);
  else if (message?.type === 'error') {
    clear(root);
    root.append(h('div', { class: 'error', role: 'alert' }, message.message));
    root.setAttribute('data-rendered', 'error');
  }
});
api.postMessage({ type: 'ready' });
