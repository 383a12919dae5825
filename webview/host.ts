/**
 * What a view needs from the page it runs in: messages to and from the extension, state that
 * survives a re-render, and the colour theme. One adapter per host (`hosts/notebook.ts` for the
 * notebook renderer; a webview panel and a plain web page later), so no view touches a VS Code API.
 */
import type { FromRenderer, ToRenderer } from './protocol';

export type Theme = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Host {
  /** False where the page cannot talk to the extension (a saved chart in another viewer). */
  readonly canMessage: boolean;
  post(msg: FromRenderer): void;
  /** Validated messages only; returns the unsubscribe function. */
  onMessage(listener: (msg: ToRenderer) => void): () => void;
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
