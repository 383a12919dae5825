/**
 * The runs dashboard: every run of a notebook in a comparison table (newest first), the
 * selected runs overlaid on shared axes (`dashboard-chart.ts`), and what can be done with the
 * selection (export as CSV or JSON, save the chart as PNG, delete) or with a running run (Stop).
 * It knows the extension only through its Host (`hosts/panel.ts` in the webview panel): it says
 * Ready, receives the runs and asks for the outputs of the runs it overlays; running runs
 * follow their live progress, redrawn once per animation frame.
 */
import uplotCss from 'uplot/dist/uPlot.min.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { RunEntry } from '../kernels/protocol';
import { h } from './chart';
import { KEY, OverlayChart, type OverlayEntry } from './dashboard-chart';
import {
  bestText,
  entryWithProgress,
  numberCells,
  runLabel,
  startedText,
  statusText,
} from './dashboard-entries';
import type { Host } from './host';
import type {
  DashboardRun,
  DashboardRuns,
  FromDashboard,
  NotebookChoice,
  RunProgress,
  ToDashboard,
} from './protocol';
import { applyProgress, metricNames, readRun, type Run } from './series';
import { DASHBOARD_CSS, RUN_COLOURS } from './style';

export const EMPTY_TEXT =
  'No runs yet: run a cell with model.fit(...) in a playground, its run appears here.';

/** A vscode-elements control as far as the view uses it. */
type Control = HTMLElement & { disabled?: boolean; checked?: boolean; value?: string };

/** One row of the table and the cells that change. */
interface Row {
  tr: HTMLTableRowElement;
  box: HTMLInputElement;
  swatch: HTMLElement;
  status: HTMLElement;
  statusText: HTMLElement;
  stop: Control | null;
  best: HTMLElement;
  epochMs: HTMLElement;
  seed: HTMLElement;
  params: HTMLElement;
}

const COLUMNS: ReadonlyArray<readonly [label: string, numeric: boolean]> = [
  ['Model', false],
  ['Description', false],
  ['Status', false],
  ['Best val loss', true],
  ['Time / epoch', true],
  ['Seed', true],
  ['Params', true],
  ['Started', false],
  ['Cell', true],
];

export class Dashboard {
  private readonly root: HTMLElement;
  private readonly notebookBox: HTMLElement;
  private readonly count: HTMLElement;
  private readonly buttons: Record<'csv' | 'json' | 'png' | 'delete', Control>;
  private readonly runsBox: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly selectAll: HTMLInputElement;
  private readonly overlay: HTMLElement;
  private readonly metricBox: HTMLElement;
  private readonly logBox: Control;
  private readonly note: HTMLElement;
  private readonly chart: OverlayChart;

  private received = false;
  private notebooks: NotebookChoice[] = [];
  private notebook: string | null;
  /** The runs of the notebook shown, newest first. */
  private entries: RunEntry[] = [];
  /** The runs overlaid, in the order they were selected. */
  private selected: string[];
  /** A selected run's colour (an index into RUN_COLOURS), kept while it stays selected. */
  private readonly colours = new Map<string, number>();
  private readonly loaded = new Map<string, Run>();
  private readonly requested = new Set<string>();
  /** Progress of running runs asked for and not yet here, applied when their output arrives. */
  private readonly early = new Map<string, RunProgress[]>();
  /** Runs whose output could not be read, and why. */
  private readonly unreadable = new Map<string, string>();
  private readonly stopping = new Set<string>();
  private readonly rows = new Map<string, Row>();
  private readonly dirtyRows = new Set<string>();
  private metric: string;
  private log: boolean;
  private metricsShown = '';
  private theme = 0;
  private frame: number | null = null;
  private readonly cleanup: Array<() => void> = [];

  constructor(
    private readonly element: HTMLElement,
    private readonly host: Host<ToDashboard, FromDashboard>,
  ) {
    const saved = (key: string) => host.getState(key);
    const notebook = saved('notebook');
    this.notebook = typeof notebook === 'string' ? notebook : null;
    const selected = saved('selected');
    this.selected = Array.isArray(selected)
      ? selected.filter((s): s is string => typeof s === 'string')
      : [];
    const metric = saved('metric');
    this.metric = typeof metric === 'string' ? metric : 'loss';
    this.log = saved('log') === true;

    const button = (label: string, aria: string) =>
      h('vscode-button', { secondary: '', disabled: '', 'aria-label': aria }, label) as Control;
    this.buttons = {
      csv: button('Export CSV', 'Export the selected runs as CSV'),
      json: button('Export JSON', 'Export the selected runs as JSON'),
      png: button('Save PNG', 'Save the overlay chart as a PNG image'),
      delete: button('Delete', 'Delete the selected runs'),
    };
    this.notebookBox = h('div', { class: 'rnnlab-field' });
    this.count = h('span', { class: 'rnnlab-count', role: 'status', 'aria-live': 'polite' });
    this.selectAll = h('input', { type: 'checkbox', 'aria-label': 'Select all runs' });
    this.tbody = h('tbody');
    this.runsBox = h(
      'section',
      { class: 'rnnlab-runs', 'aria-label': 'Runs' },
      h(
        'div',
        { class: 'rnnlab-toolbar' },
        this.count,
        this.buttons.csv,
        this.buttons.json,
        this.buttons.png,
        this.buttons.delete,
      ),
      h(
        'div',
        { class: 'rnnlab-table-wrap' },
        h(
          'table',
          { class: 'rnnlab-runs-table', 'aria-label': 'Runs, newest first' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col', class: 'rnnlab-select' }, this.selectAll),
              ...COLUMNS.map(([label, numeric]) =>
                h('th', { scope: 'col', class: numeric ? 'rnnlab-num' : undefined }, label),
              ),
            ),
          ),
          this.tbody,
        ),
      ),
    );
    this.metricBox = h('span', { class: 'rnnlab-field' });
    this.logBox = h('vscode-checkbox', {
      label: 'Log scale',
      'aria-label': 'Log scale',
    }) as Control;
    if (this.log) this.logBox.setAttribute('checked', '');
    this.note = h('div', { class: 'rnnlab-empty', role: 'status', 'aria-live': 'polite' });
    const chartBox = h('div', { class: 'rnnlab-overlay-chart', role: 'img' });
    this.overlay = h(
      'section',
      { class: 'rnnlab-overlay', 'aria-label': 'Selected runs on shared axes' },
      h(
        'div',
        { class: 'rnnlab-chart-bar' },
        h('h2', {}, 'Compare'),
        this.metricBox,
        this.logBox,
        h('span', { class: 'rnnlab-key' }, KEY),
      ),
      this.note,
      chartBox,
    );
    // A div: the panel's page gives the landmark (`<main id="root">`).
    this.root = h(
      'div',
      { class: 'rnnlab-dash', 'data-state': 'loading' },
      h('style', {}, uplotCss, DASHBOARD_CSS),
      h('header', { class: 'rnnlab-head' }, h('h1', {}, 'RNN Lab runs'), this.notebookBox),
      h('p', { class: 'rnnlab-empty rnnlab-status-text' }, 'Loading runs…'),
      this.runsBox,
      this.overlay,
    );
    element.replaceChildren(this.root);
    this.chart = new OverlayChart(chartBox, this.root);
    this.wire();
    this.render();
    host.post({ type: 'dashboardReady', notebook: this.notebook });
  }

  private wire(): void {
    const on = (el: EventTarget, type: string, fn: (e: Event) => void) => {
      el.addEventListener(type, fn);
      this.cleanup.push(() => el.removeEventListener(type, fn));
    };
    const action = (el: Control, fn: () => void) =>
      on(el, 'click', () => {
        if (!el.hasAttribute('disabled')) fn();
      });
    action(this.buttons.csv, () => this.export('csv'));
    action(this.buttons.json, () => this.export('json'));
    action(this.buttons.delete, () =>
      this.host.post({ type: 'delete', runIds: this.selectedInOrder() }),
    );
    action(this.buttons.png, () => this.savePng());
    on(this.selectAll, 'change', () => {
      this.selected = this.selectAll.checked ? this.entries.map((e) => e.runId) : [];
      this.selectionChanged();
    });
    on(this.logBox, 'change', () => {
      this.log = this.logBox.checked === true;
      this.host.setState('log', this.log);
      this.schedule();
    });
    // The table's checkboxes and Stop buttons, by delegation (rows come and go).
    on(this.tbody, 'change', (e) => {
      const box = e.target as HTMLInputElement;
      const id = box.closest('tr')?.dataset['runId'];
      if (id === undefined || box.type !== 'checkbox') return;
      this.selected = box.checked
        ? [...this.selected.filter((s) => s !== id), id]
        : this.selected.filter((s) => s !== id);
      this.selectionChanged();
    });
    on(this.tbody, 'click', (e) => {
      const stop = (e.target as Element).closest('vscode-button');
      const id = stop?.closest('tr')?.dataset['runId'];
      // A second click before the next render must not send a second stop.
      if (!stop || id === undefined || stop.hasAttribute('disabled') || this.stopping.has(id))
        return;
      stop.setAttribute('disabled', '');
      this.stopping.add(id);
      this.host.post({ type: 'stop', runId: id });
      this.markDirty(id);
    });
    this.cleanup.push(
      this.host.onMessage((msg) => this.onMessage(msg)),
      this.host.onThemeChange(() => {
        this.theme++;
        this.schedule();
      }),
    );
  }

  private onMessage(msg: ToDashboard): void {
    if (msg.type === 'runs') this.onRuns(msg);
    else if (msg.type === 'run') this.onRun(msg);
    else this.onProgress(msg);
  }

  /** The runs of a notebook: the table again, the selection kept where its runs remain. */
  private onRuns(msg: DashboardRuns): void {
    if (msg.notebook !== this.notebook) {
      this.selected = [];
      this.colours.clear();
      this.loaded.clear();
      this.requested.clear();
      this.early.clear();
      this.unreadable.clear();
      this.stopping.clear();
    }
    this.received = true;
    this.notebooks = msg.notebooks;
    this.notebook = msg.notebook;
    const before = new Map(this.entries.map((e) => [e.runId, e]));
    this.entries = [...msg.runs].reverse().map((e) => {
      const old = before.get(e.runId);
      // The host's entry of a running run may lag the progress this view has seen.
      return e.status === 'running' && old?.status === 'running' && old.epochsDone > e.epochsDone
        ? { ...e, epochsDone: old.epochsDone, best: old.best }
        : e;
    });
    const ids = new Set(this.entries.map((e) => e.runId));
    this.selected = this.selected.filter((id) => ids.has(id));
    const kept = [this.loaded, this.requested, this.early, this.unreadable, this.stopping];
    for (const set of [...kept, this.colours])
      for (const id of [...set.keys()]) if (!ids.has(id)) set.delete(id);
    for (const e of this.entries) {
      if (e.status === 'running') continue;
      this.stopping.delete(e.runId);
      // A run that ended: its final output replaces the live one.
      if (this.loaded.get(e.runId)?.status === 'running') this.loaded.delete(e.runId);
    }
    this.host.setState('notebook', this.notebook);
    this.selectionChanged();
    this.render();
  }

  /**
   * A run's output, in answer to Load. Progress that came first is applied on top (applying
   * progress again is harmless: values go to their batch and epoch, a reset starts over).
   */
  private onRun(msg: DashboardRun): void {
    const id = msg.output.runId;
    const entry = this.entries.find((e) => e.runId === id);
    if (msg.notebook !== this.notebook || !entry) return;
    this.requested.delete(id);
    const early = this.early.get(id) ?? [];
    this.early.delete(id);
    const run = readRun(msg.output);
    if (typeof run === 'string') {
      console.warn(`RNN Lab dashboard: cannot draw run ${id}: ${run}`);
      this.unreadable.set(id, run);
    } else if (run.status === 'running' && entry.status !== 'running') {
      // The live output of a run that has ended since it was asked for: ask for the final one.
      this.selectionChanged();
      return;
    } else {
      if (run.status === 'running') for (const p of early) applyProgress(run, p);
      this.loaded.set(id, run);
    }
    this.schedule();
  }

  /** Live progress of a running run: its row, and its curves when it is overlaid. */
  private onProgress(p: RunProgress): void {
    const i = this.entries.findIndex((e) => e.runId === p.runId);
    const entry = this.entries[i];
    if (!entry || entry.status !== 'running') return;
    this.entries[i] = entryWithProgress(entry, p);
    this.markDirty(p.runId);
    const run = this.loaded.get(p.runId);
    if (run?.status === 'running') applyProgress(run, p);
    else if (!run && this.requested.has(p.runId))
      this.early.set(p.runId, [...(this.early.get(p.runId) ?? []), p]);
  }

  private markDirty(runId: string): void {
    this.dirtyRows.add(runId);
    this.schedule();
  }

  /** The selection changed: colours, saved state, rows, loads of runs not yet here, the chart. */
  private selectionChanged(): void {
    for (const id of [...this.colours.keys()])
      if (!this.selected.includes(id)) this.colours.delete(id);
    for (const id of this.selected) {
      if (this.colours.has(id)) continue;
      const used = new Set(this.colours.values());
      let c = 0;
      // The first colour no selected run has (they repeat beyond RUN_COLOURS).
      while (used.has(c) && c < RUN_COLOURS.length) c++;
      this.colours.set(id, c % RUN_COLOURS.length);
    }
    this.host.setState('selected', [...this.selected]);
    const missing = this.selected.filter(
      (id) => !this.loaded.has(id) && !this.requested.has(id) && !this.unreadable.has(id),
    );
    if (missing.length) {
      for (const id of missing) this.requested.add(id);
      this.host.post({ type: 'load', runIds: missing });
    }
    for (const id of this.rows.keys()) this.dirtyRows.add(id);
    this.schedule();
  }

  /** The selected runs in table order (newest first), as the actions send them. */
  private selectedInOrder(): string[] {
    return this.entries.map((e) => e.runId).filter((id) => this.selected.includes(id));
  }

  private export(format: 'csv' | 'json'): void {
    this.host.post({ type: 'export', format, runIds: this.selectedInOrder() });
  }

  private savePng(): void {
    const drawn = this.overlayRuns();
    const label = this.notebooks.find((n) => n.uri === this.notebook)?.label;
    const title = `${this.metric} per epoch${label ? ` · ${label}` : ''}`;
    const url = this.chart.png(
      title,
      drawn.map((r) => ({ label: r.label, colour: r.colour })),
    );
    if (url) this.host.post({ type: 'savePng', dataUrl: url });
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      for (const id of this.dirtyRows) {
        const entry = this.entries.find((e) => e.runId === id);
        const row = this.rows.get(id);
        if (entry && row) this.updateRow(row, entry);
      }
      this.dirtyRows.clear();
      this.drawOverlay();
    });
  }

  /** The header, the table's rows (kept where their runs remain, so focus stays) and the state. */
  private render(): void {
    const state = !this.received ? 'loading' : this.entries.length ? 'runs' : 'empty';
    this.root.dataset['state'] = state;
    const status = this.root.querySelector<HTMLElement>('.rnnlab-status-text')!;
    status.textContent = state === 'loading' ? 'Loading runs…' : EMPTY_TEXT;
    status.hidden = state === 'runs';
    this.runsBox.hidden = state !== 'runs';
    this.overlay.hidden = state !== 'runs';
    this.renderNotebooks();
    for (const [id, row] of this.rows)
      if (!this.entries.some((e) => e.runId === id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    const trs = this.entries.map((e) => {
      let row = this.rows.get(e.runId);
      if (!row) {
        row = this.newRow(e);
        this.rows.set(e.runId, row);
      }
      this.updateRow(row, e);
      return row.tr;
    });
    const order = (els: Iterable<Element>) =>
      [...els].map((t) => (t as HTMLElement).dataset['runId']).join();
    if (order(this.tbody.children) !== order(trs)) {
      const focused = document.activeElement;
      this.tbody.replaceChildren(...trs);
      if (focused instanceof HTMLElement && this.tbody.contains(focused)) focused.focus();
    }
    this.schedule();
  }

  /** The notebook picker, when there is more than one notebook to choose from. */
  private renderNotebooks(): void {
    const current = this.notebooks.find((n) => n.uri === this.notebook);
    if (this.notebooks.length <= 1) {
      this.notebookBox.replaceChildren(
        ...(current ? [h('span', { class: 'rnnlab-notebook' }, current.label)] : []),
      );
      return;
    }
    const key = JSON.stringify([this.notebooks, this.notebook]);
    if (this.notebookBox.dataset['shown'] === key) return;
    this.notebookBox.dataset['shown'] = key;
    const select = h(
      'vscode-single-select',
      { id: 'rnnlab-notebook', 'aria-label': 'Notebook' },
      ...this.notebooks.map((n) =>
        h(
          'vscode-option',
          { value: n.uri, selected: n.uri === this.notebook ? '' : undefined, description: n.uri },
          n.label,
        ),
      ),
    );
    // vscode-single-select's change event does not bubble: listened to on the element.
    select.addEventListener('change', () => {
      const uri = (select as Control).value;
      if (uri && uri !== this.notebook) this.host.post({ type: 'show', notebook: uri });
    });
    this.notebookBox.replaceChildren(h('label', { for: 'rnnlab-notebook' }, 'Notebook'), select);
  }

  private newRow(e: RunEntry): Row {
    const td = (cls?: string, ...children: Array<Node | string>) =>
      h('td', { class: cls }, ...children);
    const box = h('input', { type: 'checkbox', 'aria-label': `Select run ${runLabel(e)}` });
    const swatch = h('span', { class: 'rnnlab-swatch', 'aria-hidden': 'true' });
    const statusText = h('span');
    const row: Row = {
      tr: h('tr', { 'data-run-id': e.runId }),
      box,
      swatch,
      status: td('rnnlab-status', statusText),
      statusText,
      stop: null,
      best: td('rnnlab-num rnnlab-best'),
      epochMs: td('rnnlab-num'),
      seed: td('rnnlab-num'),
      params: td('rnnlab-num'),
    };
    const n = numberCells(e);
    row.tr.append(
      td('rnnlab-select', box),
      td('rnnlab-model', swatch, e.model),
      td('rnnlab-desc', e.description),
      row.status,
      row.best,
      row.epochMs,
      row.seed,
      row.params,
      td('rnnlab-started', startedText(e)),
      td('rnnlab-num', n.cell),
    );
    return row;
  }

  /** The cells that change: selection, colour, status (with Stop), best, and the numbers. */
  private updateRow(row: Row, e: RunEntry): void {
    const selected = this.selected.includes(e.runId);
    row.box.checked = selected;
    row.tr.setAttribute('aria-selected', String(selected));
    row.tr.dataset['status'] = e.status;
    const colour = this.colours.get(e.runId);
    if (colour === undefined) delete row.swatch.dataset['colour'];
    else row.swatch.dataset['colour'] = String(colour);
    row.status.dataset['status'] = e.status;
    row.statusText.textContent = statusText(e);
    if (e.status === 'running' && !row.stop) {
      row.stop = h(
        'vscode-button',
        { secondary: '', class: 'rnnlab-stop', 'aria-label': `Stop training ${runLabel(e)}` },
        'Stop',
      ) as Control;
      row.status.append(row.stop);
    } else if (e.status !== 'running' && row.stop) {
      row.stop.remove();
      row.stop = null;
    }
    if (row.stop) {
      const stopping = this.stopping.has(e.runId);
      row.stop.toggleAttribute('disabled', stopping);
      row.stop.textContent = stopping ? 'Stopping…' : 'Stop';
    }
    const best = bestText(e);
    row.best.replaceChildren(
      best.value,
      ...(best.detail ? [h('span', { class: 'rnnlab-detail' }, best.detail)] : []),
    );
    const n = numberCells(e);
    row.epochMs.textContent = n.epochMs;
    row.seed.textContent = n.seed;
    row.params.textContent = n.params;
  }

  /** The loaded selected runs, in table order (as the legend lists them), named and coloured. */
  private overlayRuns(): OverlayEntry[] {
    const out: OverlayEntry[] = [];
    for (const id of this.selectedInOrder()) {
      const run = this.loaded.get(id);
      const entry = this.entries.find((e) => e.runId === id);
      if (run && entry)
        out.push({ run, label: runLabel(entry), colour: this.colours.get(id) ?? 0 });
    }
    return out;
  }

  /** The toolbar's state, the metric picker, and the overlay chart or what stands in for it. */
  private drawOverlay(): void {
    const n = this.selected.length;
    this.count.textContent = n
      ? `${n} of ${this.entries.length} run${this.entries.length === 1 ? '' : 's'} selected`
      : `${this.entries.length} run${this.entries.length === 1 ? '' : 's'}`;
    this.selectAll.checked = n > 0 && n === this.entries.length;
    this.selectAll.indeterminate = n > 0 && n < this.entries.length;
    for (const b of [this.buttons.csv, this.buttons.json, this.buttons.delete])
      b.toggleAttribute('disabled', n === 0);

    const runs = this.overlayRuns();
    const metrics = [...new Set(runs.flatMap((r) => metricNames(r.run)))].sort((a, b) =>
      a === 'loss' ? -1 : b === 'loss' ? 1 : 0,
    );
    const metric = metrics.includes(this.metric) ? this.metric : (metrics[0] ?? this.metric);
    this.renderMetrics(metrics, metric);
    const drawn = this.chart.draw(runs, metric, this.log, this.theme);
    this.buttons.png.toggleAttribute('disabled', !drawn);
    this.root.dataset['metric'] = metric;

    const pending = this.selected.filter((id) => this.requested.has(id)).length;
    const unreadable = this.selected.filter((id) => this.unreadable.has(id));
    const notes: string[] = [];
    if (!n) notes.push('Select runs in the table to overlay their curves on shared axes.');
    else if (pending) notes.push(`Loading ${pending} run${pending === 1 ? '' : 's'}…`);
    else if (!drawn) notes.push(`No finished epoch of ${metric} to draw yet.`);
    for (const id of unreadable) notes.push(`Cannot draw run ${id}: ${this.unreadable.get(id)}.`);
    this.note.textContent = notes.join(' ');
    this.note.hidden = !notes.length;
  }

  /** The metric picker: every metric the overlaid runs have (loss first). */
  private renderMetrics(metrics: string[], metric: string): void {
    const key = JSON.stringify(metrics);
    if (key === this.metricsShown) {
      const select = this.metricBox.querySelector<Control>('vscode-single-select');
      if (select && select.value !== metric) select.value = metric;
      return;
    }
    this.metricsShown = key;
    if (!metrics.length) {
      this.metricBox.replaceChildren();
      return;
    }
    const select = h(
      'vscode-single-select',
      { id: 'rnnlab-metric', 'aria-label': 'Metric' },
      ...metrics.map((m) =>
        h('vscode-option', { value: m, selected: m === metric ? '' : undefined }, m),
      ),
    );
    select.addEventListener('change', () => {
      const picked = (select as Control).value;
      if (!picked || picked === this.metric) return;
      this.metric = picked;
      this.host.setState('metric', picked);
      this.schedule();
    });
    this.metricBox.replaceChildren(h('label', { for: 'rnnlab-metric' }, 'Metric'), select);
  }

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    for (const c of this.cleanup) c();
    this.chart.dispose();
    this.element.replaceChildren();
  }
}
