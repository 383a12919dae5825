/**
 * What a running cell shows, without VS Code: kernel messages (stream, display, runStart,
 * progress, done/failed) become output operations (append an output, replace an output's items)
 * that the controller applies to its NotebookCellExecution.
 *
 * - printed text accumulates in one stdout output (its item is replaced, not one output a print);
 * - a `model.summary()` becomes an HTML table (theme colours) plus the text, both from its rows;
 * - a fit appends one run output when it starts (a live RUN_MIME stub, so that the renderer's
 *   element exists, and a text line for other viewers); its progress goes to the renderer by
 *   messaging, not through the output (each replace rewrites the document and re-renders); the
 *   run's display items (the run JSON, an SVG picture and a text line) replace it at the end;
 * - a comparison (`rnnlab.compare`) is one output, appended at its start and replaced as each of
 *   its runs finishes; its runs get no output of their own (the renderer streams them into the
 *   comparison's chart, and the controller still tells the dashboard about every one);
 * - a failure becomes an error whose message names the line.
 */
import {
  COMPARE_MIME,
  liveRunOutput,
  RUN_MIME,
  type CompareOutput,
  type Failed,
  type Progress,
  type RunOutput,
  type RunStart,
} from './protocol';
import { formatDuration } from '../analyzer/format';
import { MASKS_MIME } from './mask-output';
import { STDOUT_MIME, type OutputMetadata } from '../notebook/nbformat';
import {
  formatSummary,
  paramText,
  totalLines,
  type ModelSummary,
  type SummaryRow,
} from '../analyzer/summary';

export interface Item {
  mime: string;
  value: string;
}

export interface ErrorValue {
  name: string;
  message: string;
  stack?: string;
}

export type OutputOp =
  | { op: 'append'; id: number; items: Item[]; metadata: OutputMetadata }
  | { op: 'replace'; id: number; items: Item[] }
  | { op: 'error'; id: number; error: ErrorValue };

// ---- model summaries --------------------------------------------------------------------------

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const SUMMARY_CSS = `
.rnnlab-summary { color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); line-height: 1.4; }
.rnnlab-summary .rnnlab-title { margin: 2px 0 4px; }
.rnnlab-summary table { border-collapse: collapse; margin: 0 0 6px; }
.rnnlab-summary th, .rnnlab-summary td { padding: 3px 14px 3px 6px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border, rgba(128, 128, 128, 0.35))); }
.rnnlab-summary th { font-weight: 600; border-bottom-width: 2px; }
.rnnlab-summary .rnnlab-num { text-align: right; font-variant-numeric: tabular-nums; }
.rnnlab-summary code { font-family: var(--vscode-editor-font-family, monospace); font-size: var(--vscode-editor-font-size, 13px); color: var(--vscode-editor-foreground); background: none; }
.rnnlab-summary .rnnlab-type, .rnnlab-summary .rnnlab-totals { color: var(--vscode-descriptionForeground); }
.rnnlab-summary .rnnlab-totals strong { color: var(--vscode-editor-foreground); }
`.trim();

/** The column headers, as Keras prints them. */
const SUMMARY_HEADER = ['Layer (type)', 'Output Shape', 'Param #'];

/** The summary as an HTML table styled with the editor theme's CSS variables. */
export function summaryHtml(s: ModelSummary): string {
  const th = (h: string, i: number) =>
    `<th${i === 2 ? ' class="rnnlab-num"' : ''}>${escapeHtml(h)}</th>`;
  const row = (r: SummaryRow) =>
    `<tr><td><code>${escapeHtml(r.name)}</code> <span class="rnnlab-type">(${escapeHtml(r.type)})</span></td><td><code>${escapeHtml(r.outputShape)}</code></td><td class="rnnlab-num">${escapeHtml(paramText(r))}</td></tr>`;
  // The figures in bold, the size or the reason after them, as in the text table.
  const totals = [
    ...totalLines(s).map(
      (t) =>
        `${escapeHtml(t.label)}: <strong>${escapeHtml(t.figure)}</strong>${escapeHtml(t.rest)}`,
    ),
    ...(s.unbuilt ? [escapeHtml(s.unbuilt)] : []),
  ].join('<br>\n');
  return [
    '<div class="rnnlab-summary">',
    `<style>\n${SUMMARY_CSS}\n</style>`,
    `<div class="rnnlab-title">Model: <strong>${escapeHtml(s.name)}</strong></div>`,
    `<table>\n<thead><tr>${SUMMARY_HEADER.map(th).join('')}</tr></thead>\n<tbody>\n${s.rows.map(row).join('\n')}\n</tbody>\n</table>`,
    `<div class="rnnlab-totals">\n${totals}\n</div>`,
    '</div>',
  ].join('\n');
}

// ---- training progress ------------------------------------------------------------------------

/** A count and its noun in good English: `1 epoch`, `2 epochs`, `1 batch`, `0 batches`. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

/** Durations as an ETA reads (`59s`, `1m 01s`); one implementation, shared with the renderer. */
export { formatDuration };

const number = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));
const logsText = (logs: Record<string, number>) =>
  Object.entries(logs)
    .map(([k, v]) => `${k} ${number(v)}`)
    .join('  ');

/** What the progress output remembers of a fit. */
export interface ProgressState {
  start: RunStart;
  epoch: number;
  batch: number;
  logs: Record<string, number>;
  etaMs: number | null;
  lastEpoch: { epoch: number; logs: Record<string, number> } | null;
}

export function progressState(start: RunStart): ProgressState {
  return { start, epoch: 0, batch: 0, logs: {}, etaMs: null, lastEpoch: null };
}

/** Folds a progress message into the state. */
export function advance(state: ProgressState, p: Progress): void {
  const last = p.batches.at(-1);
  if (last) {
    state.epoch = last.epoch;
    state.batch = last.batch + 1;
    state.logs = last.logs;
  }
  const end = p.epochEnds.at(-1);
  if (end) state.lastEpoch = end;
  state.etaMs = p.etaMs;
}

/** Two lines: where the fit is (epoch, batch, bar, loss, ETA) and the last finished epoch. */
export function progressText(state: ProgressState): string {
  const { start } = state;
  const total = start.batchesPerEpoch;
  const width = 20;
  const filled = total > 0 ? Math.min(width, Math.round((state.batch / total) * width)) : 0;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const logs = logsText(state.logs);
  const lines = [
    `${start.model}: epoch ${state.epoch + 1}/${start.epochs}  batch ${state.batch}/${total}  ${bar}${logs ? `  ${logs}` : ''}  ETA ${formatDuration(state.etaMs)}`,
  ];
  if (state.lastEpoch)
    lines.push(
      `epoch ${state.lastEpoch.epoch + 1}/${start.epochs} done: ${logsText(state.lastEpoch.logs)}`,
    );
  return lines.join('\n');
}

// ---- failures ---------------------------------------------------------------------------------

/** The error's name: Jupyter's `KeyboardInterrupt` for an interrupt, else the kind of failure. */
export function errorName(kind: Failed['kind']): string {
  return kind === 'interrupted' ? 'KeyboardInterrupt' : kind;
}

/** A failed cell as the error VS Code shows: the message names the line when one is known. */
export function errorValue(result: Failed, cell?: number): ErrorValue {
  const name = errorName(result.kind);
  if (result.line === null) return { name, message: result.message };
  const at = `line ${result.line}${result.column !== null ? `, column ${result.column}` : ''}`;
  const message = `${at}: ${result.message}`;
  // VS Code's error renderer shows the stack alone when there is one: it repeats the message.
  return {
    name,
    message,
    stack: `${name}: ${message}\n    at ${cell !== undefined ? `cell ${cell}, ` : ''}line ${result.line}`,
  };
}

/** A fit's run output at its start: the live stub for the renderer, the text for other viewers. */
function runStartItems(state: ProgressState): Item[] {
  return [
    { mime: RUN_MIME, value: JSON.stringify(liveRunOutput(state.start)) },
    { mime: 'text/plain', value: progressText(state) },
  ];
}

// ---- one cell's outputs -----------------------------------------------------------------------

/** Display items in the order a viewer should prefer them: the run or masks, the picture, the text. */
export function displayItems(data: Record<string, unknown>): Item[] {
  const order = [RUN_MIME, MASKS_MIME, COMPARE_MIME, 'image/svg+xml', 'text/html', 'text/plain'];
  const mimes = Object.keys(data).sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib);
  });
  return mimes.map((mime) => {
    const v = data[mime];
    return { mime, value: typeof v === 'string' ? v : JSON.stringify(v) };
  });
}

/** Turns one cell's kernel messages into output operations. */
export class CellOutputs {
  private next = 0;
  /** The stdout output being appended to, while it is the last output. */
  private stream: { id: number; text: string } | null = null;
  /** The run output of the fit in flight. */
  private fit: { id: number; state: ProgressState } | null = null;
  /**
   * The output of the comparison in flight (`rnnlab.compare`): written at its start, replaced as
   * its runs finish; its runs get no output of their own (the dashboard still records them).
   */
  private comparison: { id: number; runIds: Set<string>; last: CompareOutput } | null = null;

  private append(items: Item[], metadata: OutputMetadata): OutputOp {
    this.stream = null;
    return { op: 'append', id: ++this.next, items, metadata };
  }

  /** A `model.summary()`: its own output, the table as HTML and as the text Keras prints. */
  onSummary(summary: ModelSummary): OutputOp[] {
    return [
      this.append(
        [
          { mime: 'text/html', value: summaryHtml(summary) },
          { mime: 'text/plain', value: formatSummary(summary) },
        ],
        { outputType: 'display_data' },
      ),
    ];
  }

  /** Printed text (print()). */
  onStream(text: string): OutputOp[] {
    if (this.stream) {
      this.stream.text += text;
      return [
        {
          op: 'replace',
          id: this.stream.id,
          items: [{ mime: STDOUT_MIME, value: this.stream.text }],
        },
      ];
    }
    const op = this.append([{ mime: STDOUT_MIME, value: text }], { outputType: 'stream' });
    this.stream = { id: op.id, text };
    return [op];
  }

  /** A rich output; a finished run replaces its progress output. */
  onDisplay(data: Record<string, unknown>): OutputOp[] {
    const items = displayItems(data);
    const compare = data[COMPARE_MIME] as CompareOutput | undefined;
    if (compare) return this.onComparison(compare, items);
    const run = data[RUN_MIME] as RunOutput | undefined;
    if (run && this.comparison?.runIds.has(run.runId)) return [];
    if (RUN_MIME in data && this.fit) {
      const id = this.fit.id;
      this.fit = null;
      this.stream = null;
      return [{ op: 'replace', id, items }];
    }
    return [this.append(items, { outputType: 'display_data' })];
  }

  /** A comparison's output: its first appends, the next ones replace it. */
  private onComparison(compare: CompareOutput, items: Item[]): OutputOp[] {
    const ops: OutputOp[] = [];
    if (this.comparison) ops.push({ op: 'replace', id: this.comparison.id, items });
    else {
      const op = this.append(items, { outputType: 'display_data' });
      this.comparison = { id: op.id, runIds: new Set(), last: compare };
      ops.push(op);
    }
    this.stream = null;
    for (const p of compare.plan ?? []) this.comparison.runIds.add(p.run_id);
    this.comparison.last = compare;
    if (compare.status !== 'running') this.comparison = null;
    return ops;
  }

  /** A fit started: its run output, which the renderer fills from live progress messages. */
  onRunStart(start: RunStart): OutputOp[] {
    if (this.comparison?.runIds.has(start.runId)) return [];
    const state = progressState(start);
    const op = this.append(runStartItems(state), { outputType: 'display_data' });
    this.fit = { id: op.id, state };
    return [op];
  }

  /** Progress of the fit: remembered (for a fit cut short); the renderer draws it, not an output. */
  onProgress(p: Progress): OutputOp[] {
    const fit = this.fit;
    if (fit && p.runId === fit.state.start.runId) advance(fit.state, p);
    return [];
  }

  /** The cell ended: an error output for a failure; a fit cut short says so in its progress. */
  onEnd(result: { type: 'done' } | Failed, cell?: number): OutputOp[] {
    const ops: OutputOp[] = [];
    if (this.fit) {
      const text = `${progressText(this.fit.state)}\n(the fit ended before its results were reported)`;
      const run = { ...liveRunOutput(this.fit.state.start), status: 'lost' };
      ops.push({
        op: 'replace',
        id: this.fit.id,
        items: [
          { mime: RUN_MIME, value: JSON.stringify(run) },
          { mime: 'text/plain', value: text },
        ],
      });
      this.fit = null;
    }
    if (this.comparison) {
      // The cell ended before the comparison's final output (the worker died, a restart).
      const lost: CompareOutput = { ...this.comparison.last, status: 'lost' };
      ops.push({
        op: 'replace',
        id: this.comparison.id,
        items: [
          { mime: COMPARE_MIME, value: JSON.stringify(lost) },
          { mime: 'text/plain', value: 'the comparison ended before its results were reported' },
        ],
      });
      this.comparison = null;
    }
    if (result.type === 'failed') {
      this.stream = null;
      ops.push({ op: 'error', id: ++this.next, error: errorValue(result, cell) });
    }
    return ops;
  }
}

/**
 * Output operations waiting to be applied. Replacing an output's items replaces all of them, so a
 * replace that a later replace of the same output supersedes is dropped (prints in a tight loop
 * cost one redraw, not hundreds).
 */
export class OpQueue {
  private readonly ops: OutputOp[] = [];

  push(ops: OutputOp[]): void {
    this.ops.push(...ops);
  }

  get size(): number {
    return this.ops.length;
  }

  /** The next operation to apply, or undefined when none is waiting. */
  shift(): OutputOp | undefined {
    for (;;) {
      const op = this.ops.shift();
      if (!op || op.op !== 'replace') return op;
      if (!this.ops.some((o) => o.op === 'replace' && o.id === op.id)) return op;
    }
  }
}
