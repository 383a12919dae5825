/**
 * Messages between the host (the notebook controller, later the dashboard panel) and the
 * renderer's views. One place defines them; each side validates what it receives
 * (`parseToRenderer` in the renderer, `parseFromRenderer` in the host).
 */
import type { BatchPoint, Progress } from '../kernels/protocol';

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
