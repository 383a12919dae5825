/**
 * Messages between the host (extension or CLI) and the kernel worker. One place defines them;
 * both sides validate what they receive (`parseToWorker`, `parseFromWorker`).
 */
import type { ModelSummary } from '../analyzer/summary';
import type { PairComparison, Spread } from './stats';

/**
 * The version of these messages. The worker announces it in Ready and the host refuses another
 * one: a stale dist/worker.js next to a newer host would otherwise fail in confusing ways.
 */
export const PROTOCOL_VERSION = 5;

/** Mime type of a training run's output, read by the notebook renderer. */
export const RUN_MIME = 'application/vnd.rnnlab.run+json';
/**
 * Schema version of the run output. 2 added `batchLogs`, `description`, `status`; 3 bounded the
 * per-batch series (`batchSteps`); 4 added `epochMs`. Readers still accept version 1 (per-batch
 * loss only).
 */
export const RUN_SCHEMA_VERSION = 4;

/** Options the host gives the worker at start (`workerData`). */
export interface KernelOptions {
  /** Seed for every initializer, dropout mask and shuffle. */
  seed: number;
  /** Where the .wasm files are (a folder; a trailing '/' is added if missing). */
  wasmDir?: string;
  /** 'cpu' to skip the WebAssembly backend (tests of backend-independent behaviour). */
  backend?: 'wasm' | 'cpu';
  /** Caps epochs of every fit (RNNLAB_MAX_EPOCHS), so tests and CI run examples quickly. */
  maxEpochs?: number;
  /** Folder that `datasets.csv(path)` may read from. */
  workspace?: string;
  /** Stop flag shared with the host: non-zero asks the running cell to stop after its batch. */
  stopFlag?: SharedArrayBuffer;
  /** Threads of the fused recurrent kernels ('auto': one per core, at most 4). */
  threads?: number | 'auto';
}

// ---- host → worker --------------------------------------------------------------------------

/** Sent by the host: run one cell's code in the persistent namespace. */
export interface RunCell {
  type: 'run';
  /** Identifies the execution; every reply about it carries it. */
  execId: string;
  code: string;
}

/** Sent by the host: reply with the current memory figures (tensor count, heaps). */
export interface MemoryQuery {
  type: 'memory';
}

export type ToWorker = RunCell | MemoryQuery;

// ---- worker → host --------------------------------------------------------------------------

/** Sent by the worker once the backend is ready. */
export interface Ready {
  type: 'ready';
  protocol: number;
  backend: string;
  /** Why the worker is not on WebAssembly, when it is not. */
  fallbackReason: string | null;
  /** The threads the fused kernels run on, and why fewer than asked (null when as asked). */
  threads: number;
  threadsReason: string | null;
}

/** The ready message of a worker whose backend started as `info` says (kernels/tfjs/backend). */
export function readyMessage(info: {
  name: string;
  fallbackReason: string | null;
  kernelThreads: { threads: number; reason: string | null };
}): Ready {
  return {
    type: 'ready',
    protocol: PROTOCOL_VERSION,
    backend: info.name,
    fallbackReason: info.fallbackReason,
    threads: info.kernelThreads.threads,
    threadsReason: info.kernelThreads.reason,
  };
}

/** Sent by the worker: text a cell printed (print()). */
export interface Stream {
  type: 'stream';
  execId: string;
  text: string;
}

/**
 * Sent by the worker when a cell calls `model.summary()`: the rows and totals as data; each
 * surface renders them (the notebook as an HTML table plus the text, the terminal as the text).
 */
export interface Summary {
  type: 'summary';
  execId: string;
  summary: ModelSummary;
}

/** Sent by the worker: a rich output of a cell (a finished run). */
export interface DisplayData {
  type: 'display';
  execId: string;
  /** mime type → data (strings, or JSON values for `+json` types). */
  data: Record<string, unknown>;
}

/** Per-batch values, coalesced: one message carries every batch since the previous one. */
export interface BatchPoint {
  epoch: number;
  batch: number;
  /** Metric name (`loss`, `mae`, ...) → value for this batch. */
  logs: Record<string, number>;
}

/** Sent by the worker during fit: at most ~20 per second, no batch value dropped. */
export interface Progress {
  type: 'progress';
  execId: string;
  runId: string;
  epochs: number;
  batchesPerEpoch: number;
  batches: BatchPoint[];
  /** Finished epochs since the previous message, with their logs (incl. val_*). */
  epochEnds: Array<{ epoch: number; logs: Record<string, number> }>;
  /** Milliseconds remaining, estimated from the recent batches (null until enough are measured). */
  etaMs: number | null;
  /** Duration of the last batch, for the host's stop timeout. */
  lastBatchMs: number;
}

/** Sent by the worker when a fit starts (the renderer shows its header from it). */
export interface RunStart {
  type: 'runStart';
  execId: string;
  runId: string;
  model: string;
  /** One line: the layers with their units and dropout settings (`GRU(32, dropout=0.2) → Dense(1)`). */
  description: string;
  params: number | null;
  epochs: number;
  batchesPerEpoch: number;
  samples: number;
  validationSamples: number;
  config: Record<string, unknown>;
}

/** Sent by the worker when a cell ran to its end (an interrupted cell is Failed, 'interrupted'). */
export interface Done {
  type: 'done';
  execId: string;
  ok: true;
  ms: number;
}

/**
 * cell: code outside the subset or a Python-level mistake; data: a data set or array problem;
 * build: the graph cannot become a model; diverged: the loss became NaN/inf; interrupted: the
 * user's stop ended a fit (Jupyter's KeyboardInterrupt: the rest of the cell did not run, the
 * weights trained so far are kept); memory: the JS or WebAssembly heap is exhausted (the worker
 * restarts); restarted: the worker was terminated (a stop that did not land in time, a crash);
 * internal: a bug in RNN Lab.
 */
export type ErrorKind =
  'cell' | 'diverged' | 'data' | 'build' | 'interrupted' | 'memory' | 'restarted' | 'internal';

/** Sent by the worker when a cell failed; the namespace keeps what ran before the failure. */
export interface Failed {
  type: 'failed';
  execId: string;
  kind: ErrorKind;
  message: string;
  /** 1-based line and column within the cell, where known. */
  line: number | null;
  column: number | null;
}

/** Sent by the worker in reply to MemoryQuery. */
export interface Memory {
  type: 'memory';
  numTensors: number;
  numBytes: number;
  jsHeapUsed: number;
  wasmHeapBytes: number | null;
}

export type FromWorker =
  Ready | Stream | Summary | DisplayData | Progress | RunStart | Done | Failed | Memory;

// ---- validation -----------------------------------------------------------------------------

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'number|null' | 'string|null';
/** A field's kind, or the shape of a nested object, or the shape of every item of a list. */
type Check = Kind | { object: Shape } | { items: Shape };
type Shape = Record<string, Check>;

const TO_WORKER: Record<ToWorker['type'], Shape> = {
  run: { execId: 'string', code: 'string' },
  memory: {},
};

// The host renders summaries from these fields, so they are checked down to each row.
const SUMMARY_ROW: Shape = {
  name: 'string',
  type: 'string',
  outputShape: 'string',
  params: 'number|null',
  trainable: 'number|null',
  nonTrainable: 'number|null',
};
const MODEL_SUMMARY: Shape = {
  name: 'string',
  kind: 'string',
  rows: { items: SUMMARY_ROW },
  totalParams: 'number|null',
  trainableParams: 'number|null',
  nonTrainableParams: 'number|null',
};

const FROM_WORKER: Record<FromWorker['type'], Shape> = {
  ready: {
    protocol: 'number',
    backend: 'string',
    fallbackReason: 'string|null',
    threads: 'number',
    threadsReason: 'string|null',
  },
  stream: { execId: 'string', text: 'string' },
  summary: { execId: 'string', summary: { object: MODEL_SUMMARY } },
  display: { execId: 'string', data: 'object' },
  progress: {
    execId: 'string',
    runId: 'string',
    epochs: 'number',
    batchesPerEpoch: 'number',
    batches: 'array',
    epochEnds: 'array',
    etaMs: 'number|null',
    lastBatchMs: 'number',
  },
  runStart: {
    execId: 'string',
    runId: 'string',
    model: 'string',
    description: 'string',
    params: 'number|null',
    epochs: 'number',
    batchesPerEpoch: 'number',
    samples: 'number',
    validationSamples: 'number',
    config: 'object',
  },
  done: { execId: 'string', ok: 'boolean', ms: 'number' },
  failed: {
    execId: 'string',
    kind: 'string',
    message: 'string',
    line: 'number|null',
    column: 'number|null',
  },
  memory: {
    numTensors: 'number',
    numBytes: 'number',
    jsHeapUsed: 'number',
    wasmHeapBytes: 'number|null',
  },
};

function fits(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'number|null':
      return value === null || typeof value === 'number';
    case 'string|null':
      return value === null || typeof value === 'string';
    default:
      return typeof value === kind;
  }
}

/** What is wrong with `value` at `path` (`summary.rows[2].params should be ...`), or null. */
function problem(value: unknown, check: Check, path: string): string | null {
  if (typeof check === 'string') return fits(value, check) ? null : `${path} should be ${check}`;
  if ('object' in check) {
    if (!fits(value, 'object')) return `${path} should be object`;
    return fieldsProblem(value as Record<string, unknown>, check.object, path);
  }
  if (!Array.isArray(value)) return `${path} should be array`;
  for (const [i, item] of value.entries()) {
    const p = problem(item, { object: check.items }, `${path}[${i}]`);
    if (p) return p;
  }
  return null;
}

function fieldsProblem(value: Record<string, unknown>, shape: Shape, path: string): string | null {
  for (const [field, check] of Object.entries(shape)) {
    const p = problem(value[field], check, `${path}.${field}`);
    if (p) return p;
  }
  return null;
}

function parse<T extends { type: string }>(table: Record<string, Shape>, msg: unknown): T | string {
  if (typeof msg !== 'object' || msg === null) return 'message is not an object';
  const type = (msg as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in table)) return `unknown message type ${String(type)}`;
  return fieldsProblem(msg as Record<string, unknown>, table[type]!, type) ?? (msg as T);
}

/** Validates a message received by the worker; a string says what is wrong with it. */
export function parseToWorker(msg: unknown): ToWorker | string {
  return parse<ToWorker>(TO_WORKER, msg);
}

/** Validates a message received by the host; a string says what is wrong with it. */
export function parseFromWorker(msg: unknown): FromWorker | string {
  return parse<FromWorker>(FROM_WORKER, msg);
}

/**
 * The most values a saved run keeps per per-batch series (a fit of 100k batches saves 10,000
 * points a metric: about 200 KB of JSON instead of 2 MB). The live chart has every batch.
 */
export const SAVED_BATCH_POINTS = 10_000;

/** The output of one training run, saved in the notebook under RUN_MIME. */
export interface RunOutput {
  version: number;
  runId: string;
  model: string;
  /** The one-line model description of RunStart (version 2). */
  description?: string;
  params: number | null;
  /** As Keras's History.history: metric name → one value per finished epoch. */
  history: Record<string, number[]>;
  /** Per-batch loss, for version 1 readers (bounded as `batchLogs.loss`). */
  batchLoss: number[];
  /**
   * The per-batch values (loss and each compiled metric; version 2), one per batch up to
   * SAVED_BATCH_POINTS batches; beyond that min/max-downsampled to at most that many (version 3),
   * spikes and the first and last batches kept, and `batchSteps` says which batches they are.
   */
  batchLogs?: Record<string, number[]>;
  /**
   * For each downsampled series of `batchLogs` (and `batchLoss`, under `loss`): the 0-based
   * batch number of the run of each saved value (version 3). Absent: one value per batch.
   */
  batchSteps?: Record<string, number[]>;
  batchesPerEpoch: number;
  epochs: number;
  /** Why training ended before `epochs`, if it did. */
  stopped: 'early-stopping' | 'user' | 'diverged' | null;
  /**
   * `running`: written at the fit's start, the renderer takes live progress for `runId`;
   * `done`: the final series; `lost`: the fit ended without reporting (the worker died).
   * Absent in version 1 (done).
   */
  status?: 'running' | 'done' | 'lost';
  config: Record<string, unknown>;
  /** The kernel's seed (null while running: the host does not know it). */
  seed: number | null;
  /** Wall time of each finished epoch in ms, its validation included (version 4). */
  epochMs?: number[];
}

/**
 * One run as the runs dashboard lists it: what the host keeps of a run beside its output, and
 * what the comparison table shows. Built by `kernels/runs.ts` from the run output.
 */
export interface RunEntry {
  runId: string;
  model: string;
  description: string;
  params: number | null;
  /** running; done (all epochs, or early stopping); stopped by the user; diverged (NaN); lost. */
  status: 'running' | 'done' | 'stopped' | 'diverged' | 'lost';
  /** When the fit started, in ms since 1970. */
  startedAt: number;
  /** The cell that ran it, counted from 1 among all cells (null when unknown). */
  cell: number | null;
  epochs: number;
  epochsDone: number;
  /** The lowest validation loss (the training loss when there is no validation) and its epoch. */
  best: { metric: string; value: number; epoch: number } | null;
  /** Mean wall time of a finished epoch (null when none finished or the output predates it). */
  epochMs: number | null;
  seed: number | null;
  /** The stored output had its per-batch series cut to fit the size limit of a run. */
  trimmed: boolean;
}

/** Mime type of a comparison's output (`rnnlab.compare`), read by the notebook renderer. */
export const COMPARE_MIME = 'application/vnd.rnnlab.compare+json';
/** Schema version of the comparison output. */
export const COMPARE_SCHEMA_VERSION = 1;

/** One finished run of a comparison: a variant at a seed. */
export interface CompareRun {
  seed: number;
  run_id: string;
  /** done: every epoch; diverged: the loss became NaN (left out of the statistics). */
  status: 'done' | 'diverged';
  /** As Keras's History.history: metric name → one value per finished epoch. */
  history: Record<string, number[]>;
  /** Wall time of each epoch in ms, its validation included. */
  epoch_ms: number[];
}

/** One variant of a comparison: its runs and their statistics over seeds. */
export interface CompareVariant {
  /** Its key in the `variants` dict. */
  name: string;
  /** The Keras model's name and its one-line description. */
  model: string;
  description: string;
  params: number | null;
  runs: CompareRun[];
  /** Over its finished runs: the lowest val_loss of a run, and its last. */
  best_val_loss: Spread;
  final_val_loss: Spread;
  /** The generalisation gap at the last epoch: val_loss − loss. */
  gap: Spread;
  /** Mean wall time of an epoch. */
  epoch_ms: Spread;
}

/**
 * The output of `rnnlab.compare(...)`, saved in the notebook under COMPARE_MIME. Written at the
 * comparison's start (`running`, no runs: the renderer takes live progress of the runs of
 * `plan`), again as each run finishes, and at the end (`done`, or `interrupted` with the runs that
 * finished); `lost` when the cell ended without the final one.
 */
export interface CompareOutput {
  version: number;
  status: 'running' | 'done' | 'interrupted' | 'lost';
  seeds: number[];
  epochs: number;
  batch_size: number;
  /** The compiled loss all variants share (`mse`, `binary_crossentropy`...). */
  loss: string;
  /** A constant prediction's validation loss; `val_accuracy` (the majority class) for classifiers. */
  baseline: { val_loss: number | null; predicts: string; val_accuracy?: number | null };
  variants: CompareVariant[];
  /** Every run in the order it trains (seed by seed, each variant), with its run id. */
  plan: Array<{ variant: string; seed: number; run_id: string }>;
  /** Every pair of variants tested on the per-seed differences of best validation loss. */
  comparisons: PairComparison[];
  /** The variant the verdict names best (null: none beats every other beyond the noise). */
  best: string | null;
  /** The verdict sentence (empty while running). */
  verdict: string;
  /** How the verdict is reached. */
  method: string;
  /** Why the comparison ended early, if it did (`stopped by the user during ...`). */
  stopped: string | null;
}

/** The run output written when a fit starts: no values yet, live progress follows. */
export function liveRunOutput(start: RunStart): RunOutput {
  return {
    version: RUN_SCHEMA_VERSION,
    runId: start.runId,
    model: start.model,
    description: start.description,
    params: start.params,
    history: {},
    batchLoss: [],
    batchLogs: {},
    batchesPerEpoch: start.batchesPerEpoch,
    epochs: start.epochs,
    stopped: null,
    status: 'running',
    config: {
      ...start.config,
      samples: start.samples,
      validation_samples: start.validationSamples,
    },
    seed: null,
  };
}
