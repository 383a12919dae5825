/**
 * The web playground's page (dist/web/playground.js): RNN Lab without VS Code. monaco editors
 * for the cells, the language server and the kernel in Web Workers loaded by URL (server.js,
 * kernel.js), RNN Lab's renderer for the outputs. The page itself holds no analyser and no
 * kernel: it imports protocol types and pure helpers only.
 */
import './playground.css';
import { editor, languages } from 'monaco-editor/editor';
import { conf, language } from 'monaco-editor/languages/definitions/python/python';
import {
  CELL_LANGUAGE,
  readNotebook,
  writeNotebook,
  emptyNotebook,
  type Notebook,
} from '../../notebook/nbformat';
import { playgroundTemplate } from '../../notebook/template';
import dropoutPlacement from '../../examples/dropout-placement.rnnlab';
import sine from '../../examples/sine.rnnlab';
import { activate } from '../renderer';
import { PageKernel } from './kernel';
import { LiveRuns } from './live-runs';
import { startLanguageClient, type Published } from './lsp';
import { NotebookView, NOTEBOOK_URI } from './notebook-view';
import { readShareFragment, shareFragment, SHARE_PREFIX } from './share';
import { NotebookFiles, uploadCsv } from './files';
import { ThemeSwitch } from './theme';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(id: string, label: string): Worker };
    /** What the browser tests read (markers, live progress); not an API. */
    playground?: unknown;
  }
}

/** Where the page keeps the notebook between visits. */
const STORAGE_KEY = 'rnnlab.playground.notebook';
const EXAMPLES: Record<string, string> = {
  'dropout-placement.rnnlab': dropoutPlacement,
  'sine.rnnlab': sine,
};

const here = (file: string) => new URL(`./${file}`, import.meta.url);
window.MonacoEnvironment = {
  getWorker: () => new Worker(here('editor.worker.js'), { name: 'monaco-editor' }),
};
languages.register({ id: CELL_LANGUAGE, aliases: ['Keras (RNN Lab)'], extensions: ['.rnnlab'] });
languages.setMonarchTokensProvider(CELL_LANGUAGE, language);
languages.setLanguageConfiguration(CELL_LANGUAGE, conf);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const kernelStatus = $('kernel-status');
const say = (text: string, error = false) => {
  status.textContent = text;
  status.classList.toggle('error', error);
};

const published: Published[] = [];
const lsp = startLanguageClient(here('server.js'), {}, (p) => {
  published.push(p);
  updateProblems();
});

const STATES = { starting: 'starting', idle: 'idle', busy: 'busy', stopped: 'not started' };
const kernel: PageKernel = new PageKernel(here('kernel.js'), { seed: 0 }, (state) => {
  const interrupt = kernel.interruptKeepsState
    ? 'Interrupt stops after the batch'
    : 'Interrupt restarts the kernel (the page is not cross-origin isolated)';
  kernelStatus.textContent = `Kernel: ${STATES[state]} · ${interrupt}`;
});
const live = new LiveRuns(() => view.interrupt());
const renderer = activate(live.context());
let base: Notebook = emptyNotebook();
const files = new NotebookFiles();
let saveTimer: ReturnType<typeof setTimeout> | null = null;

const view: NotebookView = new NotebookView($('cells'), kernel, live, renderer, (structural) => {
  if (structural) lsp.setCells({ notebook: NOTEBOOK_URI, cells: view.cellUris() });
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(keep, 400);
});

/** The problems line: how many markers the language server set on the cells. */
function updateProblems(): void {
  const markers = editor.getModelMarkers({ owner: 'lsp' });
  const errors = markers.filter((m) => m.severity === 8).length;
  $('problems').textContent =
    `${markers.length} problem${markers.length === 1 ? '' : 's'}${errors ? ` (${errors} error${errors === 1 ? '' : 's'})` : ''}`;
}
editor.onDidChangeMarkers(updateProblems);

/** Keeps the work in localStorage; outputs are dropped when they do not fit. */
function keep(): void {
  const nb = view.toNotebook(base);
  try {
    localStorage.setItem(STORAGE_KEY, writeNotebook(nb));
  } catch {
    try {
      localStorage.setItem(
        STORAGE_KEY,
        writeNotebook({ ...nb, cells: nb.cells.map((c) => ({ ...c, outputs: [] })) }),
      );
      say('The outputs are too large for the browser storage: only the cells are kept.', true);
    } catch (e) {
      say(`The notebook could not be kept in the browser storage: ${(e as Error).message}`, true);
    }
  }
}

function open(nb: Notebook, name: string): void {
  base = nb;
  view.load(nb);
  document.title = `${name} · RNN Lab playground`;
  $('name').textContent = name;
}

function openText(text: string, name: string): boolean {
  try {
    open(readNotebook(text, name), name);
    return true;
  } catch (e) {
    say((e as Error).message, true);
    return false;
  }
}

/** Opens the notebook of a share link in the URL's fragment; false when there is none. */
async function openLink(): Promise<boolean> {
  const hash = location.hash;
  if (!hash.startsWith(SHARE_PREFIX)) return false;
  {
    try {
      const cells = await readShareFragment(hash);
      const nb = emptyNotebook();
      nb.cells = cells.map((c) => ({
        kind: c.kind,
        source: c.source,
        metadata: { metadata: {} },
        executionCount: null,
        outputs: [],
      }));
      open(nb, 'shared.rnnlab');
      files.detach('shared.rnnlab');
      // The link's notebook is now the kept work; a reload keeps what the user changes.
      history.replaceState(null, '', location.pathname + location.search);
      say('Opened the notebook of the link.');
      keep();
      return true;
    } catch (e) {
      say(`This link cannot be opened: ${(e as Error).message}.`, true);
      return false;
    }
  }
}

async function start(): Promise<void> {
  if (await openLink()) return;
  const kept = localStorage.getItem(STORAGE_KEY);
  if (kept && openText(kept, 'playground.rnnlab')) return;
  open(playgroundTemplate(), 'playground.rnnlab');
}

const button = (id: string, fn: () => unknown) =>
  $(id).addEventListener('click', () => {
    Promise.resolve(fn()).catch((e: unknown) =>
      say(e instanceof Error ? e.message : String(e), true),
    );
  });

button('new', () => {
  files.detach('playground.rnnlab');
  open(playgroundTemplate(), 'playground.rnnlab');
});
button('open', async () => {
  const f = await files.open();
  if (f && openText(f.text, f.name)) say(`Opened ${f.name}.`);
});
button('save', async () => {
  const name = await files.save(writeNotebook(view.toNotebook(base)));
  if (name) say(`Saved ${name}.`);
});
button('share', async () => {
  const r = await shareFragment(view.sources());
  if ('error' in r) return say(r.error, true);
  const url = `${location.origin}${location.pathname}${r.fragment}`;
  ($('share-url') as HTMLInputElement).value = url;
  $('share-box').hidden = false;
  try {
    await navigator.clipboard.writeText(url);
    say('Link copied: it holds the cells (no outputs).');
  } catch {
    say('Copy the link below: it holds the cells (no outputs).');
  }
});
button('data', async () => {
  const csv = await uploadCsv();
  if (!csv.length) return;
  const all = new Map(uploads.map((f) => [f.name, f]));
  for (const f of csv) all.set(f.name, f);
  uploads = [...all.values()];
  kernel.setFiles(uploads);
  $('uploads').textContent = uploads.map((f) => f.name).join(', ');
  say(
    `Uploaded ${csv.map((f) => f.name).join(', ')}: datasets.csv('${csv[0]!.name}', ...) reads it.`,
  );
});
button('run-all', () => view.runAll());
button('interrupt', () => view.interrupt());
button('restart', async () => {
  view.interrupt();
  await kernel.restart();
  view.restarted();
  say('The kernel restarted: run the cells again.');
});
button('theme', () => theme.toggle());
$('examples').addEventListener('change', (e) => {
  const select = e.target as HTMLSelectElement;
  const name = select.value;
  select.value = '';
  const text = EXAMPLES[name];
  if (text && openText(text, name)) {
    files.detach(name);
    say(`Opened the example ${name}.`);
  }
});

let uploads: Array<{ name: string; text: string }> = [];
const theme = new ThemeSwitch((dark) => {
  $('theme').textContent = dark ? '☀ Light' : '☾ Dark';
});

window.playground = {
  published,
  live,
  lsp,
  markers: () =>
    editor.getModelMarkers({ owner: 'lsp' }).map((m) => ({
      uri: m.resource.toString(true),
      code: typeof m.code === 'object' ? m.code.value : m.code,
      line: m.startLineNumber,
      column: m.startColumn,
      message: m.message,
    })),
  cellText: (n: number) => view.cell(n)?.model.getValue(),
  theme,
  crossOriginIsolated: globalThis.crossOriginIsolated,
};

// A link pasted into the address bar of an open playground changes only the fragment.
window.addEventListener('hashchange', () => void openLink());
void start();
