/**
 * The runs dashboard's table rows: what each cell says about a run (`RunEntry`), and how a
 * running run's row follows its live progress. Pure (no DOM), so unit-tested.
 */
import type { RunEntry } from '../kernels/protocol';
import type { RunProgress } from './protocol';
import { formatMs, formatValue } from './series';

/** The metric the table's "best" column prefers: the validation loss, else the loss. */
const BEST_METRICS = ['val_loss', 'loss'] as const;

/**
 * A running run's entry after live progress: finished epochs counted, the best epoch kept
 * (lowest validation loss; the training loss until a validation value arrives). Applying the
 * same progress again changes nothing (a backlog after `reset` repeats what was seen).
 */
export function entryWithProgress(entry: RunEntry, p: RunProgress): RunEntry {
  let { best, epochsDone } = entry;
  for (const e of p.epochEnds) {
    epochsDone = Math.max(epochsDone, e.epoch + 1);
    const metric = BEST_METRICS.find((m) => m in e.logs);
    if (!metric) continue;
    const value = e.logs[metric];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const better =
      !best ||
      (best.metric === metric && value < best.value) ||
      (best.metric === 'loss' && metric === 'val_loss');
    if (better) best = { metric, value, epoch: e.epoch };
  }
  return { ...entry, epochs: p.epochs, epochsDone, best };
}

/** The time a run started, local: the legend's part of its name. */
export function startTime(entry: RunEntry): string {
  return new Date(entry.startedAt).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** A run's name in the legend and in labels: its model and when it started (`gru 14:03:12`). */
export function runLabel(entry: RunEntry): string {
  return `${entry.model} ${startTime(entry)}`;
}

/** The start of a run, local date and time (the year only when it is not this year's). */
export function startedText(entry: RunEntry, now = Date.now()): string {
  const at = new Date(entry.startedAt);
  return at.toLocaleString(undefined, {
    ...(at.getFullYear() === new Date(now).getFullYear() ? {} : { year: 'numeric' }),
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** The status cell: the status and, while running or when it ended early, the epochs done. */
export function statusText(entry: RunEntry): string {
  const epochs = `${entry.epochsDone}/${entry.epochs}`;
  switch (entry.status) {
    case 'running':
      return `running ${epochs}`;
    case 'done':
      return entry.epochsDone < entry.epochs ? `done ${epochs} (early stopping)` : 'done';
    default:
      return `${entry.status} ${epochs}`;
  }
}

/** The best-epoch cell: value and 1-based epoch, naming the metric when it is not val_loss. */
export function bestText(entry: RunEntry): { value: string; detail: string } {
  const best = entry.best;
  if (!best) return { value: '–', detail: '' };
  const metric = best.metric === 'val_loss' ? '' : `${best.metric}, `;
  return { value: formatValue(best.value), detail: `${metric}epoch ${best.epoch + 1}` };
}

/** The other cells, in table order after status and best: time per epoch, seed, params, cell. */
export function numberCells(entry: RunEntry): {
  epochMs: string;
  seed: string;
  params: string;
  cell: string;
} {
  const or = (v: number | null, f: (v: number) => string) => (v === null ? '–' : f(v));
  return {
    epochMs: formatMs(entry.epochMs),
    seed: or(entry.seed, String),
    params: or(entry.params, (v) => v.toLocaleString('en-US')),
    cell: or(entry.cell, String),
  };
}
