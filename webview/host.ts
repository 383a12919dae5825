/**
 * What a view needs from the page it runs in: messages to and from the extension, state that
 * survives a re-render, and the colour theme. One adapter per host (`hosts/notebook-renderer.ts`
 * for the notebook renderer, `hosts/panel.ts` for a webview panel; a plain web page later), so no
 * view touches a VS Code API.
 */
import type { FromRenderer, ToRenderer } from './protocol';

export type Theme = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/**
 * A view's host, typed by what the view receives (`In`) and sends (`Out`): the renderer's
 * protocol by default, the dashboard's for the panel.
 */
export interface Host<In = ToRenderer, Out = FromRenderer> {
  /** False where the page cannot talk to the extension (a saved chart in another viewer). */
  readonly canMessage: boolean;
  post(msg: Out): void;
  /** Validated messages only; returns the unsubscribe function. */
  onMessage(listener: (msg: In) => void): () => void;
  getState(key: string): unknown;
  setState(key: string, value: unknown): void;
  theme(): Theme;
  /** Called after the theme changed (the views re-read their colours); returns the unsubscribe. */
  onThemeChange(listener: () => void): () => void;
}

/** The theme VS Code announces on the webview's body (`vscode-dark`, `vscode-high-contrast`...). */
export function bodyTheme(body: HTMLElement = document.body): Theme {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-dark') ? 'dark' : 'light';
}

/** Calls `listener` when the body's theme classes change (VS Code swaps them in place). */
export function watchBodyTheme(
  listener: () => void,
  body: HTMLElement = document.body,
): () => void {
  let theme = bodyTheme(body);
  const observer = new MutationObserver(() => {
    const next = bodyTheme(body);
    if (next === theme) return;
    theme = next;
    listener();
  });
  observer.observe(body, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}

/** What an adapter brings: posting, the host's one state object, and the page's body. */
export interface HostParts<Out> {
  canMessage: boolean;
  post(msg: Out): void;
  getState(): unknown;
  setState(state: unknown): void;
  body?: HTMLElement;
}

/**
 * A Host over an adapter's parts: the state keyed inside the host's one state object, the theme
 * from the body. The adapter validates what arrives and gives it to `deliver`.
 */
export function makeHost<In, Out>(
  parts: HostParts<Out>,
): { host: Host<In, Out>; deliver(msg: In): void } {
  const listeners = new Set<(msg: In) => void>();
  const body = parts.body ?? document.body;
  const state = (): Record<string, unknown> => {
    const s = parts.getState();
    return typeof s === 'object' && s !== null ? (s as Record<string, unknown>) : {};
  };
  return {
    host: {
      canMessage: parts.canMessage,
      post: (msg) => parts.post(msg),
      onMessage(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      getState: (key) => state()[key],
      setState: (key, value) => parts.setState({ ...state(), [key]: value }),
      theme: () => bodyTheme(body),
      onThemeChange: (listener) => watchBodyTheme(listener, body),
    },
    deliver(msg) {
      for (const l of listeners) l(msg);
    },
  };
}
