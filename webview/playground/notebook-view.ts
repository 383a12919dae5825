/**
 * The notebook of the page: one monaco editor per cell (markdown cells drawn, and edited on
 * double-click), each code cell's outputs under it, Run cell / Run All / Interrupt / Restart, and
 * Shift+Enter to run a cell and move to the next one, as in Jupyter. Every change is reported
 * (`onChange`) so the page can keep the work; the cells' order goes to the language server.
 */
import { editor, KeyCode, KeyMod, Uri } from 'monaco-editor/editor';
import { CellOutputs, type OutputOp } from '../../kernels/outputs';
import { RUN_MIME, type Done, type Failed, type RunOutput } from '../../kernels/protocol';
import {
  CELL_LANGUAGE,
  emptyNotebook,
  ERROR_MIME,
  type Cell,
  type CellOutput,
  type Notebook,
} from '../../notebook/nbformat';
import type { LiveRuns } from './live-runs';
import type { PageKernel } from './kernel';
import { markdownHtml } from './markdown';
import { renderOutput, type Renderer } from './output-view';

/** The notebook's URI for the language server (cell URIs sit under it; lower case, see lsp.ts). */
export const NOTEBOOK_URI = 'inmemory://playground/notebook.rnnlab';

interface ShownOutput {
  output: CellOutput;
  element: HTMLElement;
  dispose(): void;
}

interface PageCell {
  id: number;
  kind: 'code' | 'markdown';
  /** nbformat keys the page does not use, written back as read. */
  metadata: Cell['metadata'];
  model: editor.ITextModel;
  editor: editor.IStandaloneCodeEditor;
  root: HTMLElement;
  count: HTMLElement;
  outputsEl: HTMLElement;
  rendered: HTMLElement | null;
  outputs: Map<number, ShownOutput>;
  executionCount: number | null;
}

const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
};

export class NotebookView {
  private cells: PageCell[] = [];
  private nextId = 0;
  private executions = 0;
  private runAllStopped = false;
  private running: PageCell | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly kernel: PageKernel,
    private readonly live: LiveRuns,
    private readonly renderer: Renderer,
    private readonly onChange: (structural: boolean) => void,
  ) {}

  /** Cell document URIs in order, for rnnlab/notebookCells. */
  cellUris(): string[] {
    return this.cells.map((c) => c.model.uri.toString(true));
  }

  get size(): number {
    return this.cells.length;
  }

  /** Replaces the notebook (its outputs included). */
  load(nb: Notebook): void {
    for (const c of this.cells) this.disposeCell(c);
    this.cells = [];
    this.root.replaceChildren();
    for (const cell of nb.cells)
      this.addCell(cell.kind === 'markdown' ? 'markdown' : 'code', cell.source, null, cell);
    if (this.cells.length === 0) this.addCell('code', '', null);
    this.onChange(true);
  }

  /** The notebook as nbformat (what Save writes and the page keeps). */
  toNotebook(base: Notebook = emptyNotebook()): Notebook {
    return {
      metadata: base.metadata,
      cells: this.cells.map((c) => ({
        kind: c.kind,
        source: c.model.getValue(),
        metadata: c.metadata,
        executionCount: c.kind === 'code' ? c.executionCount : null,
        outputs: c.kind === 'code' ? [...c.outputs.values()].map((o) => o.output) : [],
      })),
    };
  }

  /** Sources only (share links). */
  sources(): Array<{ kind: 'code' | 'markdown'; source: string }> {
    return this.cells.map((c) => ({ kind: c.kind, source: c.model.getValue() }));
  }

  /** A new cell after `after` (or at the end), focused. */
  addCell(
    kind: 'code' | 'markdown',
    source: string,
    after: PageCell | null,
    from?: Cell,
  ): PageCell {
    const id = ++this.nextId;
    const uri = Uri.parse(`inmemory://playground/cell-${id}${kind === 'code' ? '.rnnlab' : '.md'}`);
    const model = editor.createModel(source, kind === 'code' ? CELL_LANGUAGE : 'plaintext', uri);
    const count = h(
      'span',
      { class: 'count' },
      from?.executionCount ? `[${from.executionCount}]` : '[ ]',
    );
    const run = h(
      'button',
      { class: 'run', title: 'Run cell (Shift+Enter)', 'aria-label': 'Run cell' },
      '▶',
    );
    const tools = h(
      'span',
      { class: 'cell-tools' },
      this.tool('↑', 'Move up', () => this.move(cell, -1)),
      this.tool('↓', 'Move down', () => this.move(cell, 1)),
      this.tool('+ Code', 'Add a code cell below', () =>
        this.addCell('code', '', cell).editor.focus(),
      ),
      this.tool('+ Text', 'Add a markdown cell below', () => this.addCell('markdown', '', cell)),
      this.tool('✕', 'Delete cell', () => this.remove(cell)),
    );
    const host = h('div', { class: 'editor' });
    const outputsEl = h('div', { class: 'outputs', 'aria-live': 'polite' });
    const root = h(
      'section',
      { class: `cell ${kind}`, 'data-cell': String(id) },
      h(
        'div',
        { class: 'cell-head' },
        kind === 'code' ? run : '',
        kind === 'code' ? count : '',
        tools,
      ),
      host,
      outputsEl,
    );
    const ed = editor.create(host, {
      model,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      lineNumbers: kind === 'code' ? 'on' : 'off',
      folding: false,
      fontSize: 13,
      automaticLayout: true,
      fixedOverflowWidgets: true,
      // A model on one line is how forum answers write it: wrap it rather than scroll sideways.
      wordWrap: 'on',
      scrollbar: { alwaysConsumeMouseWheel: false, vertical: 'hidden' },
      overviewRulerLanes: 0,
      renderLineHighlight: 'none',
      padding: { top: 6, bottom: 6 },
      // Shape hints are short, but a line of layers has several: never cut them.
      inlayHints: { enabled: 'on', maximumLength: 0 },
    });
    const cell: PageCell = {
      id,
      kind,
      metadata: from?.metadata ?? { metadata: {} },
      model,
      editor: ed,
      root,
      count,
      outputsEl,
      rendered: null,
      outputs: new Map(),
      executionCount: from?.executionCount ?? null,
    };
    const fit = () => {
      host.style.height = `${Math.min(ed.getContentHeight(), 2000)}px`;
    };
    ed.onDidContentSizeChange(fit);
    fit();
    // Actions, not addCommand: a command's keybinding goes to the last editor created.
    ed.addAction({
      id: 'rnnlab.runAndAdvance',
      label: 'Run Cell and Select Below',
      keybindings: [KeyMod.Shift | KeyCode.Enter],
      run: () => void this.runAndAdvance(cell),
    });
    ed.addAction({
      id: 'rnnlab.runCell',
      label: 'Run Cell',
      keybindings: [KeyMod.CtrlCmd | KeyCode.Enter],
      run: () => void this.runCell(cell),
    });
    model.onDidChangeContent(() => this.onChange(false));
    run.addEventListener('click', () => void this.runCell(cell));
    if (kind === 'markdown') {
      cell.rendered = h('div', { class: 'markdown-body', title: 'Double-click to edit' });
      root.insertBefore(cell.rendered, host);
      cell.rendered.addEventListener('dblclick', () => this.editMarkdown(cell, true));
      ed.onDidBlurEditorText(() => this.editMarkdown(cell, false));
      this.editMarkdown(cell, source.trim() === '');
    }
    for (const o of from?.outputs ?? []) this.show(cell, this.nextOutputId(cell), o);
    const i = after ? this.cells.indexOf(after) + 1 : this.cells.length;
    this.cells.splice(i, 0, cell);
    this.root.insertBefore(root, this.cells[i + 1]?.root ?? null);
    if (!from) this.onChange(true);
    return cell;
  }

  private tool(label: string, title: string, fn: () => void): HTMLButtonElement {
    const b = h('button', { class: 'tool', title, 'aria-label': title }, label);
    b.addEventListener('click', fn);
    return b;
  }

  private editMarkdown(cell: PageCell, editing: boolean): void {
    if (!cell.rendered) return;
    if (!editing) cell.rendered.innerHTML = markdownHtml(cell.model.getValue());
    cell.rendered.hidden = editing;
    cell.root.classList.toggle('editing', editing);
    if (editing) queueMicrotask(() => cell.editor.focus());
  }

  private move(cell: PageCell, by: number): void {
    const i = this.cells.indexOf(cell);
    const j = i + by;
    if (j < 0 || j >= this.cells.length) return;
    this.cells.splice(i, 1);
    this.cells.splice(j, 0, cell);
    this.root.insertBefore(
      cell.root,
      by < 0 ? this.cells[j + 1]!.root : (this.cells[j + 1]?.root ?? null),
    );
    this.onChange(true);
  }

  private remove(cell: PageCell): void {
    if (this.running === cell) return;
    this.cells.splice(this.cells.indexOf(cell), 1);
    this.disposeCell(cell);
    cell.root.remove();
    if (this.cells.length === 0) this.addCell('code', '', null);
    this.onChange(true);
  }

  private disposeCell(cell: PageCell): void {
    for (const o of cell.outputs.values()) o.dispose();
    cell.editor.dispose();
    cell.model.dispose();
  }

  private async runAndAdvance(cell: PageCell): Promise<void> {
    const i = this.cells.indexOf(cell);
    const next = this.cells[i + 1] ?? this.addCell('code', '', cell);
    next.editor.focus();
    if (next.kind === 'markdown') next.root.focus();
    if (cell.kind === 'markdown') this.editMarkdown(cell, false);
    else await this.runCell(cell);
  }

  /** Runs the code cells in order; stops at the first failure or an Interrupt. */
  async runAll(): Promise<void> {
    this.runAllStopped = false;
    for (const cell of [...this.cells]) {
      if (this.runAllStopped) return;
      if (cell.kind !== 'code') continue;
      const result = await this.runCell(cell);
      if (result?.type === 'failed') return;
    }
  }

  interrupt(): void {
    this.runAllStopped = true;
    this.kernel.stop();
  }

  private nextOutputId(cell: PageCell): number {
    return Math.max(0, ...cell.outputs.keys()) + 1;
  }

  private show(cell: PageCell, id: number, output: CellOutput): void {
    const old = cell.outputs.get(id);
    const shown = renderOutput(this.renderer, output);
    if (old) {
      old.dispose();
      old.element.replaceWith(shown.element);
    } else cell.outputsEl.append(shown.element);
    cell.outputs.set(id, { output, ...shown });
  }

  private apply(cell: PageCell, ops: OutputOp[]): void {
    for (const op of ops) {
      if (op.op === 'append') this.show(cell, op.id, { items: op.items, metadata: op.metadata });
      else if (op.op === 'replace') {
        const old = cell.outputs.get(op.id);
        if (old) this.show(cell, op.id, { items: op.items, metadata: old.output.metadata });
      } else
        this.show(cell, op.id, {
          items: [{ mime: ERROR_MIME, value: JSON.stringify(op.error) }],
          metadata: { outputType: 'error' },
        });
    }
  }

  /** Runs one code cell in the kernel; its outputs replace the previous ones. */
  async runCell(cell: PageCell): Promise<Done | Failed | null> {
    if (cell.kind !== 'code' || this.running) return null;
    this.running = cell;
    for (const o of cell.outputs.values()) {
      o.dispose();
      o.element.remove();
    }
    cell.outputs.clear();
    cell.root.classList.add('running');
    cell.count.textContent = '[*]';
    const outputs = new CellOutputs();
    const apply = (ops: OutputOp[]) => this.apply(cell, ops);
    const runs = new Set<string>();
    const number = this.cells.indexOf(cell) + 1;
    const result = await this.kernel.run(cell.model.getValue(), {
      onStream: (m) => apply(outputs.onStream(m.text)),
      onSummary: (m) => apply(outputs.onSummary(m.summary)),
      onDisplay: (m) => {
        const run = m.data[RUN_MIME] as RunOutput | undefined;
        if (typeof run?.runId === 'string') {
          this.live.end(run.runId);
          runs.delete(run.runId);
        }
        apply(outputs.onDisplay(m.data));
      },
      onRunStart: (m) => {
        this.live.start(m);
        runs.add(m.runId);
        apply(outputs.onRunStart(m));
      },
      onProgress: (m) => {
        this.live.progress(m);
        apply(outputs.onProgress(m));
      },
    });
    for (const id of runs) this.live.end(id);
    apply(outputs.onEnd(result, number));
    cell.executionCount = ++this.executions;
    cell.count.textContent = `[${cell.executionCount}]`;
    cell.root.classList.remove('running');
    cell.root.classList.toggle('failed', result.type === 'failed');
    this.running = null;
    this.onChange(false);
    return result;
  }

  /** Clears every execution count (a restarted kernel). */
  restarted(): void {
    this.executions = 0;
  }

  /** The cell with this 1-based number (tests, and links to a cell). */
  cell(n: number): PageCell | undefined {
    return this.cells[n - 1];
  }
}
