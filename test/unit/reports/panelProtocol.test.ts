import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { describeGate, sbomView, scanView } from '../../../src/core/reports/views';
import type { Sbom } from '../../../src/core/reports/model';
import { panelHtml } from '../../../src/extension/reports/panelHtml';
import { isWebLink, parseWebviewMessage } from '../../../src/shared/reportProtocol';
import type { ScanReport } from '../../../src/shared/reportModel';

describe('report panel protocol', () => {
  it('accepts exactly the protocol messages and drops anything else', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'export', format: 'sarif', extra: 1 }), { type: 'export', format: 'sarif' });
    assert.deepEqual(parseWebviewMessage({ type: 'openLink', url: 'https://avd.aquasec.com/nvd/cve-2021-44906' }), { type: 'openLink', url: 'https://avd.aquasec.com/nvd/cve-2021-44906' });
    for (const hostile of [null, 'ready', 42, {}, { type: 'export', format: 'exe' }, { type: 'openLink', url: 'javascript:alert(1)' }, { type: 'openLink', url: 'command:workbench.action.terminal.new' },
      { type: 'openLink', url: 'file:///etc/passwd' }, { type: 'openLink', url: 'not a url' }, { type: 'openLink', url: 42 }, { type: 'runCommand', command: 'rm' }]) {
      assert.equal(parseWebviewMessage(hostile), undefined, JSON.stringify(hostile));
    }
  });

  it('treats only http and https as web links', () => {
    assert.deepEqual(['https://x.org', 'http://x.org/a?b', 'HTTPS://X.ORG', 'javascript:x', 'data:text/html,x', 'vscode://x', 'ftp://x'].map(isWebLink), [true, true, true, false, false, false, false]);
  });

  it('serves a page with a strict CSP: nothing by default, the script only by nonce', () => {
    const html = panelHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://x/panel.js', styleUri: 'https://x/panel.css', nonce: 'abc123', title: '<img src=x>' });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    assert.equal(csp, "default-src 'none'; style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-abc123'; font-src https://file+.vscode-resource.vscode-cdn.net; img-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-abc123'");
    assert.match(html, /<script nonce="abc123" src="https:\/\/x\/panel\.js"><\/script>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
    assert.match(html, /<title>&lt;img src=x&gt;<\/title>/);
  });
});

describe('report views', () => {
  const report: ScanReport = {
    format: 'trivy', tool: 'Trivy',
    findings: [
      { kind: 'vulnerability', status: 'fail', id: 'CVE-1', severity: 'CRITICAL', packageName: 'openssl', purl: 'pkg:deb/debian/openssl@3', urls: [] },
      { kind: 'misconfiguration', status: 'fail', id: 'DS002', severity: 'HIGH', urls: [] },
    ],
  };
  it('describes the gate in words and judges the report by it', () => {
    assert.equal(describeGate({}), undefined);
    assert.equal(describeGate({ blockOn: 'HIGH', maxHigh: 0, ignoreUnfixed: true, allow: [{ id: 'CVE-1', reason: 'r' }] }), 'block on HIGH and above, at most 0 HIGH, unfixed ignored, 1 allowed id(s)');
    const view = scanView(report, { paths: ['/r.json'], labels: ['r.json'] }, { blockOn: 'CRITICAL' });
    assert.deepEqual([view.verdict.pass, view.verdict.reasons], [false, ['1 CRITICAL at or above CRITICAL']]);
  });

  it('links the vulnerabilities of a scan of the same image to an SBOM that has none, as plain data', () => {
    const sbom: Sbom = {
      format: 'spdx', specVersion: '2.3', packages: [{ id: 'p', name: 'openssl', purl: 'pkg:deb/debian/openssl@3', licenses: ['Apache-2.0', 'GPL-2.0-only'] }],
      dependencies: new Map([['root', ['p']]]), vulnerabilities: [], scanned: false,
    };
    const view = sbomView(sbom, { paths: ['/s.json'], labels: ['s.json'] }, ['GPL-2.0-only'], { report, label: 'the scan of this digest' });
    assert.deepEqual(view.vulnerabilities.map((finding) => finding.id), ['CVE-1'], 'misconfigurations are not package vulnerabilities');
    assert.equal(view.vulnerabilitySource, 'the scan of this digest');
    assert.deepEqual(view.dependencies, [['root', ['p']]]);
    assert.deepEqual(view.licenses, [{ license: 'Apache-2.0', packages: 1, denied: false }, { license: 'GPL-2.0-only', packages: 1, denied: true }]);
    assert.deepEqual(view.deniedPackages, ['p']);
    assert.deepEqual(JSON.parse(JSON.stringify(view)), view, 'the view survives the JSON the webview channel uses');
  });
});
