import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface PanelHtml {
  readonly webview: vscode.Webview;
  readonly extensionUri: vscode.Uri;
  /** The panel's bundle name: dist/webview/<entry>.js and .css. */
  readonly entry: string;
  readonly title: string;
  /** The initial state, read by the webview before its first paint. */
  readonly bootstrap: unknown;
}

/**
 * The one HTML page of every panel: a strict CSP with a fresh nonce, the panel's stylesheet and
 * module script, and the bootstrap state as JSON that can never close its script element.
 */
export function renderHtml({ webview, extensionUri, entry, title, bootstrap }: PanelHtml): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${asset(`${entry}.css`)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<script type="application/json" id="bootstrap" nonce="${nonce}">${jsonForScript(bootstrap)}</script>
<script type="module" nonce="${nonce}" src="${asset(`${entry}.js`)}"></script>
</body>
</html>`;
}

/** JSON that is safe inside a script element: `<` is escaped, so no `</script>` can end it early. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
