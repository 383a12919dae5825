/**
 * Light or dark: the page follows `prefers-color-scheme` until the user picks one with the toggle
 * (kept in localStorage). The theme is the body class VS Code puts on its webviews
 * (`vscode-light`, `vscode-dark`), so the views read it as they do in VS Code (webview/host.ts);
 * the theme variables they use are set for each class in playground.css; monaco gets its own
 * light or dark theme.
 */
import { editor } from 'monaco-editor/editor';

export type Choice = 'auto' | 'light' | 'dark';
const KEY = 'rnnlab.playground.theme';

export class ThemeSwitch {
  private readonly media = window.matchMedia('(prefers-color-scheme: dark)');
  choice: Choice;

  constructor(private readonly onChange: (dark: boolean) => void) {
    const saved = localStorage.getItem(KEY);
    this.choice = saved === 'light' || saved === 'dark' ? saved : 'auto';
    this.media.addEventListener('change', () => this.apply());
    this.apply();
  }

  get dark(): boolean {
    return this.choice === 'auto' ? this.media.matches : this.choice === 'dark';
  }

  /** auto → the other one than now → back to auto is not needed: light and dark alternate. */
  toggle(): void {
    this.set(this.dark ? 'light' : 'dark');
  }

  set(choice: Choice): void {
    this.choice = choice;
    if (choice === 'auto') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
    this.apply();
  }

  private apply(): void {
    const dark = this.dark;
    document.body.classList.toggle('vscode-dark', dark);
    document.body.classList.toggle('vscode-light', !dark);
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
    editor.setTheme(dark ? 'vs-dark' : 'vs');
    this.onChange(dark);
  }
}
