/** The notebook renderer's host: VS Code's RendererContext behind the Host interface. */
import { makeHost, type Host } from '../host';
import { parseToRenderer, type FromRenderer, type ToRenderer } from '../protocol';

/**
 * The part of VS Code's `RendererContext` used here (the `vscode-notebook-renderer` types are not
 * a dependency). `postMessage` and `onDidReceiveMessage` exist only with `requiresMessaging`
 * and a host extension that listens.
 */
export interface RendererContext {
  postMessage?(message: unknown): void;
  onDidReceiveMessage?(listener: (message: unknown) => void): { dispose(): void };
  getState(): unknown;
  setState(state: unknown): void;
}

export function notebookHost(ctx: RendererContext): Host<ToRenderer, FromRenderer> {
  const { host, deliver } = makeHost<ToRenderer, FromRenderer>({
    canMessage: typeof ctx.postMessage === 'function',
    post: (msg) => ctx.postMessage?.(msg),
    getState: () => ctx.getState(),
    setState: (s) => ctx.setState(s),
  });
  ctx.onDidReceiveMessage?.((raw) => {
    const msg = parseToRenderer(raw);
    if (typeof msg === 'string') {
      console.warn(`RNN Lab renderer: ignored a message from the extension: ${msg}`);
      return;
    }
    deliver(msg);
  });
  return host;
}
