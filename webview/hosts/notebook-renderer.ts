/** The notebook renderer's host: VS Code's RendererContext behind the Host interface. */
import { bodyTheme, watchBodyTheme, type Host } from '../host';
import { parseToRenderer, type ToRenderer } from '../protocol';

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

export function notebookHost(ctx: RendererContext): Host {
  const listeners = new Set<(msg: ToRenderer) => void>();
  ctx.onDidReceiveMessage?.((raw) => {
    const msg = parseToRenderer(raw);
    if (typeof msg === 'string') {
      console.warn(`RNN Lab renderer: ignored a message from the extension: ${msg}`);
      return;
    }
    for (const l of listeners) l(msg);
  });
  const state = (): Record<string, unknown> => {
    const s = ctx.getState();
    return typeof s === 'object' && s !== null ? (s as Record<string, unknown>) : {};
  };
  return {
    canMessage: typeof ctx.postMessage === 'function',
    post: (msg) => ctx.postMessage?.(msg),
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getState: (key) => state()[key],
    setState: (key, value) => ctx.setState({ ...state(), [key]: value }),
    theme: () => bodyTheme(),
    onThemeChange: (listener) => watchBodyTheme(listener),
  };
}
