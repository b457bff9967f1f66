// The report panels' page. No `vscode` import: the Chromium tests load the same page.

export interface PanelAssets {
  /** `webview.cspSource`: the origin the script and stylesheet are served from. */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** Fresh per page, from `crypto`: the only script allowed to run carries it. */
  readonly nonce: string;
  readonly title: string;
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A strict CSP: nothing by default, the stylesheet and fonts from the extension, the one script by
 * nonce. The toolkit (FAST) probes `:focus-visible` with a `<style>` element carrying the nonce it
 * reads from `meta[property=csp-nonce]`, so styles accept the same nonce.
 */
export function panelHtml(assets: PanelAssets): string {
  const csp = [`default-src 'none'`, `style-src ${assets.cspSource} 'nonce-${assets.nonce}'`, `font-src ${assets.cspSource}`, `img-src ${assets.cspSource}`, `script-src 'nonce-${assets.nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(csp)}">
<meta property="csp-nonce" content="${attribute(assets.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${attribute(assets.styleUri)}">
<title>${attribute(assets.title)}</title>
</head>
<body>
<main id="root" aria-busy="true"><p class="hint">Loading…</p></main>
<script nonce="${attribute(assets.nonce)}" src="${attribute(assets.scriptUri)}"></script>
</body>
</html>
`;
}
