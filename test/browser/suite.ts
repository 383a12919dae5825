/**
 * One harness page for a browser test file: opened before its tests (waiting for the page's
 * `window.harnessReady`), closed after them. Screenshots go to RNNLAB_SCREENSHOTS when it is set
 * (kept, and named at the end), else to a temp folder removed after. `h(fn, ...args)` calls
 * `window.harness.fn` on the page; `setTheme` switches the page to one of the test themes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { openPage, type Harness, type PageOptions } from './harness';
import { THEMES, themeCss, type ThemeName } from './themes';

export interface HarnessSuite {
  /** The open harness (after the suite's `before`). */
  harness(): Harness;
  shots: string;
  h(fn: string, ...args: unknown[]): Promise<unknown>;
  setTheme(name: ThemeName): Promise<unknown>;
}

export function harnessSuite(
  options: PageOptions & {
    /** The temp folder's name (`rnnlab-<name>-`). */
    name: string;
    /** Asserts that opening the page requested nothing else. */
    noFailedRequests: boolean;
    /** Receives the page once it is ready. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    onPage(page: any): void;
  },
): HarnessSuite {
  const keepShots = process.env['RNNLAB_SCREENSHOTS'];
  const shots = keepShots ?? mkdtempSync(join(tmpdir(), `rnnlab-${options.name}-`));
  let harness: Harness | undefined;
  before(async () => {
    harness = await openPage(options);
    await harness.page.waitForFunction('window.harnessReady === true');
    if (options.noFailedRequests) assert.deepEqual(harness.failed, []);
    options.onPage(harness.page);
  });
  after(async () => {
    await harness?.close();
    if (keepShots) console.log(`screenshots: ${shots}`);
    else rmSync(shots, { recursive: true, force: true });
  });
  const h = (fn: string, ...args: unknown[]): Promise<unknown> =>
    harness!.page.evaluate(`window.harness.${fn}(${args.map((a) => JSON.stringify(a)).join(',')})`);
  return {
    harness: () => harness!,
    shots,
    h,
    setTheme: (name) => h('theme', THEMES[name].bodyClass, themeCss(name)),
  };
}

/**
 * A page with the built notebook renderer (served at /renderer.js) and `window.harness`: render an
 * output item, post and receive messages as VS Code's renderer API does, set a theme, wait a frame;
 * `warnings` collects the renderer's console warnings.
 */
export function rendererPage(width = 860): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style id="theme"></style>
<style>body { margin: 0; padding: 12px 16px; background: var(--vscode-editor-background); width: ${width}px; }</style></head>
<body><div id="out"></div><script type="module">
import { activate } from '/renderer.js';
let state;
const posted = [];
const listeners = [];
const renderer = activate({
  postMessage: (m) => posted.push(m),
  onDidReceiveMessage: (l) => (listeners.push(l), { dispose() {} }),
  getState: () => state,
  setState: (s) => (state = s),
});
window.harness = {
  posted,
  send: (m) => listeners.forEach((l) => l(m)),
  render: (json, mime) => renderer.renderOutputItem({ id: 'out-1', mime, json: () => json }, document.getElementById('out')),
  theme(bodyClass, css) {
    document.getElementById('theme').textContent = css;
    document.body.className = bodyClass;
  },
  frame: () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
  warnings: [],
};
const warn = console.warn;
console.warn = (...a) => (window.harness.warnings.push(a.join(' ')), warn(...a));
window.harnessReady = true;
</script></body></html>`;
}
