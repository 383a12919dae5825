/**
 * Messages between the host (the notebook controller, later the dashboard panel) and the
 * renderer's views. One place defines them; each side validates what it receives
 * (`parseToRenderer` in the renderer, `parseFromRenderer` in the host).
 */
import type { BatchPoint, Progress, RunEntry, RunOutput, RunStart } from '../kernels/protocol';

// ---- host → renderer ------------------------------------------------------------------------

/**
 * Sent by the host: progress of the fit `runId` (every batch since the previous message, in
 * order). `reset`: the values start at the run's first batch (the backlog sent after Ready), so
 * the view drops what it had and takes these instead.
 */
export interface RunProgress {
  type: 'progress';
  runId: string;
  reset: boolean;
  epochs: number;
  batchesPerEpoch: number;
  batches: BatchPoint[];
  epochEnds: Progress['epochEnds'];
  etaMs: number | null;
}

export type ToRenderer = RunProgress;

/** The kernel's progress of a fit as the views take it (what the host forwards). */
export function runProgress(p: Progress): RunProgress {
  return {
    type: 'progress',
    runId: p.runId,
    reset: false,
    epochs: p.epochs,
    batchesPerEpoch: p.batchesPerEpoch,
    batches: p.batches,
    epochEnds: p.epochEnds,
    etaMs: p.etaMs,
  };
}

/** A fit's backlog at its start: empty, with `reset`, for the views that load late. */
export function emptyBacklog(start: RunStart): RunProgress {
  return {
    type: 'progress',
    runId: start.runId,
    reset: true,
    epochs: start.epochs,
    batchesPerEpoch: start.batchesPerEpoch,
    batches: [],
    epochEnds: [],
    etaMs: null,
  };
}

/** Adds the kernel's progress to a fit's backlog. */
export function addToBacklog(backlog: RunProgress, p: Progress): void {
  backlog.batches.push(...p.batches);
  backlog.epochEnds.push(...p.epochEnds);
  backlog.etaMs = p.etaMs;
}

// ---- renderer → host ------------------------------------------------------------------------

/** Sent by a view of a running fit once it is listening: the host replies with the backlog. */
export interface ViewReady {
  type: 'ready';
  runId: string;
}

/** Sent by a view when the user presses Stop: the host interrupts the kernel (Jupyter's Interrupt). */
export interface StopRun {
  type: 'stop';
  runId: string;
}

export type FromRenderer = ViewReady | StopRun;

// ---- validation -----------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
/** Metric values: numbers, or null where JSON turned a NaN or an infinity into null. */
const isLogs = (v: unknown): boolean =>
  isObject(v) && Object.values(v).every((x) => typeof x === 'number' || x === null);

function batchProblem(b: unknown, i: number): string | null {
  if (!isObject(b)) return `batches[${i}] should be object`;
  if (!isCount(b['epoch']) || !isCount(b['batch'])) return `batches[${i}] needs epoch and batch`;
  return isLogs(b['logs']) ? null : `batches[${i}].logs should map names to numbers`;
}

function epochEndProblem(e: unknown, i: number): string | null {
  if (!isObject(e) || !isCount(e['epoch'])) return `epochEnds[${i}] needs an epoch`;
  return isLogs(e['logs']) ? null : `epochEnds[${i}].logs should map names to numbers`;
}

/** Validates a message received by a view; a string says what is wrong with it. */
export function parseToRenderer(msg: unknown): ToRenderer | string {
  if (!isObject(msg)) return 'message is not an object';
  if (msg['type'] !== 'progress') return `unknown message type ${String(msg['type'])}`;
  if (typeof msg['runId'] !== 'string') return 'progress.runId should be string';
  if (typeof msg['reset'] !== 'boolean') return 'progress.reset should be boolean';
  if (!isCount(msg['epochs']) || !isCount(msg['batchesPerEpoch']))
    return 'progress needs epochs and batchesPerEpoch';
  if (msg['etaMs'] !== null && typeof msg['etaMs'] !== 'number')
    return 'progress.etaMs should be number|null';
  const batches = msg['batches'];
  const ends = msg['epochEnds'];
  if (!Array.isArray(batches)) return 'progress.batches should be array';
  if (!Array.isArray(ends)) return 'progress.epochEnds should be array';
  for (const [i, b] of batches.entries()) {
    const p = batchProblem(b, i);
    if (p) return `progress.${p}`;
  }
  for (const [i, e] of ends.entries()) {
    const p = epochEndProblem(e, i);
    if (p) return `progress.${p}`;
  }
  return msg as unknown as RunProgress;
}

/** Validates a message received by the host; a string says what is wrong with it. */
export function parseFromRenderer(msg: unknown): FromRenderer | string {
  if (!isObject(msg)) return 'message is not an object';
  const type = msg['type'];
  if (type !== 'ready' && type !== 'stop') return `unknown message type ${String(type)}`;
  if (typeof msg['runId'] !== 'string') return `${type}.runId should be string`;
  return { type, runId: msg['runId'] };
}

// ---- the runs dashboard (a webview panel) ---------------------------------------------------

/** A notebook that has stored runs, as the dashboard's picker lists it. */
export interface NotebookChoice {
  uri: string;
  /** Its file name (or `Untitled-1`), as the editor's tab shows it. */
  label: string;
}

/**
 * Sent by the host: the runs of the notebook shown (newest last) and the notebooks to choose
 * from. Sent after the view's Ready and again whenever a run starts, ends or is deleted.
 */
export interface DashboardRuns {
  type: 'runs';
  notebooks: NotebookChoice[];
  /** The notebook whose runs these are (null: no notebook has runs yet). */
  notebook: string | null;
  runs: RunEntry[];
}

/** Sent by the host in answer to Load: one run's whole output (series for the overlay). */
export interface DashboardRun {
  type: 'run';
  notebook: string;
  output: RunOutput;
}

/** What the dashboard view receives: its lists, loaded runs, and live progress of running ones. */
export type ToDashboard = DashboardRuns | DashboardRun | RunProgress;

/** The view is listening; `notebook` is the one it showed before (its saved state), if any. */
export interface DashboardReady {
  type: 'dashboardReady';
  notebook: string | null;
}

/** Show the runs of another notebook. */
export interface ShowNotebook {
  type: 'show';
  notebook: string;
}

/** Send the outputs of these runs (of the notebook shown) for the overlay and the table. */
export interface LoadRuns {
  type: 'load';
  runIds: string[];
}

/** Delete these runs (the host asks the user first). */
export interface DeleteRuns {
  type: 'delete';
  runIds: string[];
}

/** Export these runs to a file the user picks: CSV (one row per run and epoch) or JSON. */
export interface ExportRuns {
  type: 'export';
  format: 'csv' | 'json';
  runIds: string[];
}

/** Save the overlay chart as PNG: `dataUrl` is `data:image/png;base64,...` from the canvas. */
export interface SavePng {
  type: 'savePng';
  dataUrl: string;
}

export type FromDashboard =
  DashboardReady | ShowNotebook | LoadRuns | DeleteRuns | ExportRuns | SavePng | StopRun;

const RUN_STATUSES: ReadonlySet<unknown> = new Set([
  'running',
  'done',
  'stopped',
  'diverged',
  'lost',
]);
const isNumberOrNull = (v: unknown) => v === null || typeof v === 'number';
const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

function entryProblem(e: unknown, i: number): string | null {
  const at = `runs.runs[${i}]`;
  if (!isObject(e)) return `${at} should be object`;
  for (const k of ['runId', 'model', 'description'])
    if (typeof e[k] !== 'string') return `${at}.${k} should be string`;
  if (!RUN_STATUSES.has(e['status'])) return `${at}.status is not a run status`;
  for (const k of ['startedAt', 'epochs', 'epochsDone'])
    if (typeof e[k] !== 'number') return `${at}.${k} should be number`;
  for (const k of ['params', 'cell', 'epochMs', 'seed'])
    if (!isNumberOrNull(e[k])) return `${at}.${k} should be number|null`;
  const best = e['best'];
  if (
    best !== null &&
    !(
      isObject(best) &&
      typeof best['metric'] === 'string' &&
      typeof best['value'] === 'number' &&
      typeof best['epoch'] === 'number'
    )
  )
    return `${at}.best should be {metric, value, epoch} or null`;
  return typeof e['trimmed'] === 'boolean' ? null : `${at}.trimmed should be boolean`;
}

/** Validates a message received by the dashboard view; a string says what is wrong with it. */
export function parseToDashboard(msg: unknown): ToDashboard | string {
  if (!isObject(msg)) return 'message is not an object';
  switch (msg['type']) {
    case 'progress':
      return parseToRenderer(msg);
    case 'runs': {
      const notebooks = msg['notebooks'];
      if (
        !Array.isArray(notebooks) ||
        !notebooks.every(
          (n) => isObject(n) && typeof n['uri'] === 'string' && typeof n['label'] === 'string',
        )
      )
        return 'runs.notebooks should be a list of {uri, label}';
      if (msg['notebook'] !== null && typeof msg['notebook'] !== 'string')
        return 'runs.notebook should be string|null';
      const runs = msg['runs'];
      if (!Array.isArray(runs)) return 'runs.runs should be array';
      for (const [i, e] of runs.entries()) {
        const p = entryProblem(e, i);
        if (p) return p;
      }
      return msg as unknown as DashboardRuns;
    }
    case 'run': {
      if (typeof msg['notebook'] !== 'string') return 'run.notebook should be string';
      const output = msg['output'];
      if (!isObject(output) || typeof output['runId'] !== 'string')
        return 'run.output should be a run output';
      return msg as unknown as DashboardRun;
    }
    default:
      return `unknown message type ${String(msg['type'])}`;
  }
}

/** Validates a message received by the dashboard's host; a string says what is wrong with it. */
export function parseFromDashboard(msg: unknown): FromDashboard | string {
  if (!isObject(msg)) return 'message is not an object';
  const type = msg['type'];
  switch (type) {
    case 'dashboardReady':
      return msg['notebook'] === null || typeof msg['notebook'] === 'string'
        ? { type, notebook: msg['notebook'] }
        : 'dashboardReady.notebook should be string|null';
    case 'show':
      return typeof msg['notebook'] === 'string'
        ? { type, notebook: msg['notebook'] }
        : 'show.notebook should be string';
    case 'load':
    case 'delete':
      return isStrings(msg['runIds'])
        ? { type, runIds: msg['runIds'] }
        : `${type}.runIds should be a list of strings`;
    case 'export':
      if (msg['format'] !== 'csv' && msg['format'] !== 'json')
        return 'export.format should be csv or json';
      return isStrings(msg['runIds'])
        ? { type, format: msg['format'], runIds: msg['runIds'] }
        : 'export.runIds should be a list of strings';
    case 'savePng':
      return typeof msg['dataUrl'] === 'string' &&
        msg['dataUrl'].startsWith('data:image/png;base64,')
        ? { type, dataUrl: msg['dataUrl'] }
        : 'savePng.dataUrl should be a data:image/png;base64 URL';
    case 'stop':
      return typeof msg['runId'] === 'string'
        ? { type, runId: msg['runId'] }
        : 'stop.runId should be string';
    default:
      return `unknown message type ${String(type)}`;
  }
}
