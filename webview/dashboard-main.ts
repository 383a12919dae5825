/**
 * The runs dashboard's entry (`dist/dashboard.js`, loaded by the webview panel with the CSP's
 * nonce): the panel's host over VS Code's `acquireVsCodeApi`, and the view in `#root` (or the
 * body). A test page defines its own `acquireVsCodeApi` before loading the bundle.
 */
import { Dashboard } from './dashboard';
import { panelHost, type VsCodeApi } from './hosts/panel';

declare function acquireVsCodeApi(): VsCodeApi;

const host = panelHost(() => acquireVsCodeApi());
new Dashboard(document.getElementById('root') ?? document.body, host);
