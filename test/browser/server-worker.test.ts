/**
 * The built language server for the browser (dist/server-browser.js) in a Web Worker of a real
 * Chromium, spoken to the way monaco-editor's LSP client does: JSON-RPC objects over postMessage,
 * settings in initializationOptions (no workspace/configuration), one text document per model, a
 * notebook's cells through the `rnnlab/notebookCells` fallback. The page holds a minimal
 * hand-written JSON-RPC client; the assertions run here, on what page.evaluate returns.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Diagnostic, Hover, InitializeResult, MarkupContent } from 'vscode-languageserver';
import { openPage, type Harness } from './harness';

const BUNDLE = 'dist/server-browser.js';
/** How long the page waits for an answer or a notification (a hang is a failure, not a wait). */
const WAIT_MS = 20_000;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script>
const worker = new Worker('/server-browser.js');
const pending = new Map();
const published = [];
const logs = [];
const errors = [];
const waiters = [];
let nextId = 1;
const post = (m) => worker.postMessage({ jsonrpc: '2.0', ...m });
const settle = () => waiters.slice().forEach((w) => w());
const timeout = (what, reject) =>
  setTimeout(() => reject(new Error(what + ' timed out; worker errors: ' + JSON.stringify(errors) +
    '; logs: ' + JSON.stringify(logs))), ${WAIT_MS});
// An error that reaches the page (the bundle failed to load or threw): every wait fails now.
worker.onerror = (e) => {
  errors.push(e.message || String(e));
  for (const p of pending.values()) p.reject(new Error('worker error: ' + errors.join('; ')));
  pending.clear();
  settle();
};
worker.onmessageerror = () => errors.push('messageerror');
worker.onmessage = ({ data: m }) => {
  if (m.id !== undefined && m.method === undefined) {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (!p) return;
    if (m.error) p.reject(new Error(m.error.message));
    else p.resolve(m.result);
  } else if (m.id !== undefined) {
    // A request of the server (client/registerCapability, refreshes): monaco answers null.
    post({ id: m.id, result: null });
  } else if (m.method === 'textDocument/publishDiagnostics') {
    published.push(m.params);
    settle();
  } else if (m.method === 'window/logMessage' || m.method === 'window/showMessage') {
    logs.push(m.params.message);
  }
};
window.lsp = {
  published,
  errors,
  logs,
  request: (method, params) =>
    new Promise((resolve, reject) => {
      if (errors.length) return reject(new Error('worker error: ' + errors.join('; ')));
      const id = nextId++;
      const t = timeout(method, reject);
      pending.set(id, {
        resolve: (r) => (clearTimeout(t), resolve(r)),
        reject: (e) => (clearTimeout(t), reject(e)),
      });
      post({ id, method, params });
    }),
  notify: (method, params) => post({ method, params }),
  /** The first publishDiagnostics of uri (already arrived or to come) with a diagnostic of code. */
  diagnostics: (uri, code) =>
    new Promise((resolve, reject) => {
      const t = timeout('diagnostics of ' + uri, reject);
      const check = () => {
        const p = published.find((p) => p.uri === uri && p.diagnostics.some((d) => d.code === code));
        if (!p && !errors.length) return;
        clearTimeout(t);
        waiters.splice(waiters.indexOf(check), 1);
        if (p) resolve(p);
        else reject(new Error('worker error: ' + errors.join('; ')));
      };
      waiters.push(check);
      check();
    }),
};
</script></body></html>`;

/** A script as monaco would hold it: a Dropout between two LSTMs (DR101 on line 6). */
const PY = `import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(50, 8)),
    layers.LSTM(64, return_sequences=True),
    layers.Dropout(0.3),
    layers.LSTM(32),
    layers.Dense(1),
])
`;
const [IMPORTS, MODEL] = [PY.slice(0, PY.indexOf('model')), PY.slice(PY.indexOf('model'))];
const at = (line: number, character: number) => ({ line, character });

let harness: Harness | undefined;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let page: any;
/** What the page fetched besides itself and the bundle, and its errors (see harness.ts). */
let failed: string[] = [];

before(async () => {
  harness = await openPage({ html: PAGE, bundle: BUNDLE, at: '/server-browser.js' });
  page = harness.page;
  failed = harness.failed;
  await page.waitForFunction('window.lsp !== undefined');
});

after(async () => {
  await harness?.close();
});

const request = (method: string, params: unknown) =>
  page.evaluate(([m, p]: [string, unknown]) => window.lsp.request(m, p), [method, params]);
const notify = (method: string, params: unknown) =>
  page.evaluate(([m, p]: [string, unknown]) => window.lsp.notify(m, p), [method, params]);
const diagnostics = (
  uri: string,
  code: string,
): Promise<{ uri: string; version?: number; diagnostics: Diagnostic[] }> =>
  page.evaluate(([u, c]: [string, string]) => window.lsp.diagnostics(u, c), [uri, code]);

test('initialize as monaco does: settings in initializationOptions, no configuration', async () => {
  const init = (await request('initialize', {
    processId: null,
    rootUri: null,
    workspaceFolders: null,
    capabilities: {
      textDocument: {
        synchronization: { dynamicRegistration: false, didSave: false },
        publishDiagnostics: { relatedInformation: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
      },
      workspace: { configuration: false, workspaceFolders: false },
    },
    initializationOptions: { settings: { rules: { severity: { DR101: 'error' } } } },
  })) as InitializeResult;
  assert.equal(init.serverInfo?.name, 'rnnlab');
  assert.ok(init.capabilities.hoverProvider, 'hovers offered');
  await notify('initialized', {});
  assert.deepEqual(await page.evaluate(() => window.lsp.errors), [], 'the worker started');
  assert.deepEqual(failed, []);
});

test('didOpen of a Python model publishes DR101 on the Dropout, with the settings applied', async () => {
  const uri = 'inmemory://model/1';
  await notify('textDocument/didOpen', {
    textDocument: { uri, languageId: 'python', version: 1, text: PY },
  });
  const p = await diagnostics(uri, 'DR101');
  assert.equal(p.version, 1);
  assert.equal(p.diagnostics.length, 1);
  const d = p.diagnostics[0]!;
  assert.deepEqual(d.range, { start: at(6, 4), end: at(6, 23) });
  assert.equal(d.source, 'rnnlab');
  assert.equal(d.severity, 1, 'initializationOptions.settings: DR101 = "error"');
  assert.match(
    d.message as string,
    /Dropout\(0\.3\) on a \(None, 50, 64\) sequence draws a new mask/,
  );
  assert.equal(d.relatedInformation?.[0]?.location.range.start.line, 7, 'the LSTM it feeds');
  assert.equal(
    d.codeDescription?.href,
    'https://github.com/rnnlab/rnnlab/blob/main/docs/rules/DR101.md',
  );

  const h = (await request('textDocument/hover', {
    textDocument: { uri },
    position: at(5, 12),
  })) as Hover;
  assert.equal((h.contents as MarkupContent).kind, 'markdown');
  assert.match((h.contents as MarkupContent).value, /^`LSTM → \(None, 50, 64\) · 18,688 params`/);
  assert.deepEqual(h.range, { start: at(5, 4), end: at(5, 15) }, 'the callee layers.LSTM');
});

test('rnnlab/notebookCells: two cells analysed together, the finding on the second cell', async () => {
  const cell = (n: number) => `inmemory://model/notebook/cell-${n}`;
  for (const [n, text] of [IMPORTS, MODEL].entries())
    await notify('textDocument/didOpen', {
      textDocument: { uri: cell(n + 1), languageId: 'python', version: 1, text },
    });
  await notify('rnnlab/notebookCells', {
    notebook: 'inmemory://model/notebook.ipynb',
    notebookType: 'jupyter-notebook',
    cells: [cell(1), cell(2)],
  });
  const p = await diagnostics(cell(2), 'DR101');
  assert.deepEqual(
    p.diagnostics.map((d) => d.code),
    ['DR101'],
  );
  assert.deepEqual(p.diagnostics[0]!.range, { start: at(3, 4), end: at(3, 23) });
  const published = (await page.evaluate(() => window.lsp.published)) as (typeof p)[];
  assert.ok(
    !published.some((q) => q.uri === cell(1) && q.diagnostics.length > 0),
    'nothing on the imports cell',
  );
  const h = (await request('textDocument/hover', {
    textDocument: { uri: cell(2) },
    position: at(4, 12),
  })) as Hover;
  assert.match((h.contents as MarkupContent).value, /^`LSTM → \(None, 32\) · 12,416 params`/);
  assert.deepEqual(await page.evaluate(() => window.lsp.errors), []);
});

test('shutdown is answered', async () => {
  assert.equal(await request('shutdown', null), null);
  await notify('exit', null);
  assert.deepEqual(failed, [], 'the worker fetched nothing but its bundle');
});

// The page's client, as the evaluated functions see it.
declare const window: {
  lsp: {
    request(method: string, params: unknown): Promise<unknown>;
    notify(method: string, params: unknown): void;
    diagnostics(uri: string, code: string): Promise<unknown>;
    published: unknown[];
    errors: string[];
    logs: string[];
  };
};
