/**
 * A webview panel's host (the runs dashboard): the API `acquireVsCodeApi()` returns behind the
 * Host interface. Messages from the extension arrive as the window's `message` events and are
 * validated before a view sees them; the state is the webview's, which VS Code keeps while the
 * panel is hidden and gives to the panel serializer across a reload.
 */
import { makeHost, type Host } from '../host';
import { parseToDashboard, type FromDashboard, type ToDashboard } from '../protocol';

/** The part of the webview API used here (the `vscode-webview` types are not a dependency). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/**
 * The panel's host over `acquire` (VS Code's global `acquireVsCodeApi`, which a page may call
 * only once; a test page provides its own).
 */
export function panelHost(
  acquire: () => VsCodeApi,
  win: Window = window,
): Host<ToDashboard, FromDashboard> {
  const api = acquire();
  const { host, deliver } = makeHost<ToDashboard, FromDashboard>({
    canMessage: true,
    post: (msg) => api.postMessage(msg),
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
    body: win.document.body,
  });
  win.addEventListener('message', (event: MessageEvent) => {
    const msg = parseToDashboard(event.data);
    if (typeof msg === 'string') {
      console.warn(`RNN Lab dashboard: ignored a message from the extension: ${msg}`);
      return;
    }
    deliver(msg);
  });
  return host;
}
