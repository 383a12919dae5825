/**
 * The runs a notebook's fits leave behind, kept as files so that they outlive the kernel and
 * the window (the runs dashboard reads them). Pure: the files are reached through `RunFiles`,
 * which the VS Code host implements over `workspace.fs` in the extension's storage.
 *
 * Layout under the storage folder: `runs/<key>/index.json` (the notebook's URI, its label and
 * its entries, oldest first) and `runs/<key>/<runId>.json` (a run's output), where `<key>` is
 * a hash of the notebook's URI. The last RUNS_KEPT runs of a notebook are kept; a run's output
 * is cut to RUN_BYTES_LIMIT (its per-batch series first, then dropped; the per-epoch values
 * always stay).
 */
import { downsample } from '../analyzer/downsample';
import type { RunEntry, RunOutput, RunStart } from './protocol';
import { liveRunOutput } from './protocol';

/** The storage folder, as the host gives it: paths are relative, `/`-separated. */
export interface RunFiles {
  /** The file's bytes, or undefined when there is no such file. */
  read(path: string): Promise<Uint8Array | undefined>;
  write(path: string, data: Uint8Array): Promise<void>;
  /** Removes a file or a folder with its contents; no error when it does not exist. */
  remove(path: string): Promise<void>;
  /** The names of the folders in `path` ([] when it does not exist). */
  folders(path: string): Promise<string[]>;
}

/** How many runs a notebook keeps (the oldest go first). */
export const RUNS_KEPT = 50;
/** The most bytes of JSON a run's output is stored in. */
export const RUN_BYTES_LIMIT = 2_000_000;

interface Index {
  version: 1;
  notebook: string;
  label: string;
  runs: RunEntry[];
}

/** A notebook with stored runs. */
export interface StoredNotebook {
  uri: string;
  label: string;
  runs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** FNV-1a, twice with different bases: a 16-hex-digit folder name for a notebook's URI. */
export function notebookKey(uri: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** A run id as a file name (the kernel's ids are already safe; anything else is escaped). */
const runFile = (runId: string) => `${encodeURIComponent(runId)}.json`;

/** The epochs a run finished: its longest per-epoch series. */
function epochsDone(output: RunOutput): number {
  return Math.max(0, ...Object.values(output.history).map((v) => v.length));
}

/** The lowest finite value of the validation loss (or the loss) and its epoch (0-based). */
export function bestEpoch(output: RunOutput): RunEntry['best'] {
  for (const metric of ['val_loss', 'loss']) {
    const values = output.history[metric];
    if (!values) continue;
    let best: RunEntry['best'] = null;
    values.forEach((v, epoch) => {
      if (typeof v === 'number' && Number.isFinite(v) && (!best || v < best.value))
        best = { metric, value: v, epoch };
    });
    if (best) return best;
  }
  return null;
}

/** The dashboard's row of a run, from its output and what the host knows of it. */
export function entryOf(
  output: RunOutput,
  meta: { startedAt: number; cell: number | null; trimmed?: boolean },
): RunEntry {
  const status: RunEntry['status'] =
    output.status === 'running'
      ? 'running'
      : output.status === 'lost'
        ? 'lost'
        : output.stopped === 'user'
          ? 'stopped'
          : output.stopped === 'diverged'
            ? 'diverged'
            : 'done';
  const times = (output.epochMs ?? []).filter((t) => Number.isFinite(t));
  return {
    runId: output.runId,
    model: output.model,
    description: output.description ?? '',
    params: output.params,
    status,
    startedAt: meta.startedAt,
    cell: meta.cell,
    epochs: output.epochs,
    epochsDone: epochsDone(output),
    best: bestEpoch(output),
    epochMs: times.length ? times.reduce((a, b) => a + b, 0) / times.length : null,
    seed: output.seed,
    trimmed: meta.trimmed ?? false,
  };
}

/** Per-batch series downsampled to `points` values each (their batch numbers kept). */
function thinned(output: RunOutput, points: number): RunOutput {
  const steps: Record<string, number[]> = {};
  const logs: Record<string, number[]> = {};
  const buckets = Math.max(1, Math.floor((points - 2) / 2));
  for (const [k, ys] of Object.entries(output.batchLogs ?? {})) {
    if (ys.length <= points) {
      logs[k] = ys;
      const s = output.batchSteps?.[k];
      if (s) steps[k] = s;
      continue;
    }
    const xs = output.batchSteps?.[k] ?? ys.map((_, i) => i);
    const d = downsample(xs, ys, buckets);
    logs[k] = d.ys;
    steps[k] = d.xs;
  }
  return {
    ...output,
    batchLoss: logs['loss'] ?? [],
    batchLogs: logs,
    ...(Object.keys(steps).length ? { batchSteps: steps } : { batchSteps: undefined }),
  };
}

/**
 * The output as stored: as it is when its JSON fits `limit` bytes, else with fewer per-batch
 * points, else without per-batch series. `trimmed` says whether anything was cut.
 */
export function fitToSize(
  output: RunOutput,
  limit = RUN_BYTES_LIMIT,
): { output: RunOutput; bytes: Uint8Array; trimmed: boolean } {
  let bytes = encoder.encode(JSON.stringify(output));
  if (bytes.length <= limit) return { output, bytes, trimmed: false };
  for (const points of [2_000, 500, 100]) {
    const t = thinned(output, points);
    bytes = encoder.encode(JSON.stringify(t));
    if (bytes.length <= limit) return { output: t, bytes, trimmed: true };
  }
  const bare: RunOutput = { ...output, batchLoss: [], batchLogs: {}, batchSteps: undefined };
  return { output: bare, bytes: encoder.encode(JSON.stringify(bare)), trimmed: true };
}

function parseJson(bytes: Uint8Array | undefined): unknown {
  if (!bytes) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined; // a file cut short (a crash while writing) reads as no file
  }
}

function readIndex(raw: unknown): Index | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const i = raw as Partial<Index>;
  if (typeof i.notebook !== 'string' || !Array.isArray(i.runs)) return undefined;
  return {
    version: 1,
    notebook: i.notebook,
    label: typeof i.label === 'string' ? i.label : i.notebook,
    runs: i.runs.filter(
      (r): r is RunEntry => typeof r === 'object' && r !== null && typeof r.runId === 'string',
    ),
  };
}

/** The runs of every notebook in one storage folder. Operations run one at a time, in order. */
export class RunStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly files: RunFiles) {}

  /** Runs `op` after every operation queued before it (index files are read, changed, written). */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async index(notebook: string): Promise<Index | undefined> {
    return readIndex(parseJson(await this.files.read(`runs/${notebookKey(notebook)}/index.json`)));
  }

  private async writeIndex(index: Index): Promise<void> {
    const dir = `runs/${notebookKey(index.notebook)}`;
    if (index.runs.length === 0) return this.files.remove(dir);
    await this.files.write(`${dir}/index.json`, encoder.encode(JSON.stringify(index)));
  }

  /** Notebooks with stored runs. */
  notebooks(): Promise<StoredNotebook[]> {
    return this.serial(async () => {
      const out: StoredNotebook[] = [];
      for (const key of await this.files.folders('runs')) {
        const index = readIndex(parseJson(await this.files.read(`runs/${key}/index.json`)));
        if (index?.runs.length)
          out.push({ uri: index.notebook, label: index.label, runs: index.runs.length });
      }
      return out;
    });
  }

  /**
   * A notebook's runs, oldest first. A run stored as running that `isLive` does not know (the
   * window was reloaded or the kernel died during its fit) is listed as lost.
   */
  entries(notebook: string, isLive: (runId: string) => boolean = () => false): Promise<RunEntry[]> {
    return this.serial(async () =>
      ((await this.index(notebook))?.runs ?? []).map((e) =>
        e.status === 'running' && !isLive(e.runId) ? { ...e, status: 'lost' as const } : e,
      ),
    );
  }

  /** A stored run's output (the live stub while it runs). */
  output(notebook: string, runId: string): Promise<RunOutput | undefined> {
    return this.serial(async () => {
      const raw = parseJson(
        await this.files.read(`runs/${notebookKey(notebook)}/${runFile(runId)}`),
      );
      return typeof raw === 'object' && raw !== null && (raw as RunOutput).runId === runId
        ? (raw as RunOutput)
        : undefined;
    });
  }

  /** A fit started: its entry (running) and its live stub are stored; old runs beyond RUNS_KEPT go. */
  started(
    notebook: string,
    label: string,
    start: RunStart,
    meta: { startedAt: number; cell: number | null },
  ): Promise<RunEntry> {
    return this.put(notebook, label, liveRunOutput(start), meta);
  }

  /** A fit ended (done, stopped, diverged or lost): its output replaces the stub. */
  finished(
    notebook: string,
    label: string,
    output: RunOutput,
    meta: { startedAt: number; cell: number | null },
  ): Promise<RunEntry> {
    return this.put(notebook, label, output, meta);
  }

  private put(
    notebook: string,
    label: string,
    output: RunOutput,
    meta: { startedAt: number; cell: number | null },
  ): Promise<RunEntry> {
    return this.serial(async () => {
      const dir = `runs/${notebookKey(notebook)}`;
      const stored = fitToSize(output);
      await this.files.write(`${dir}/${runFile(output.runId)}`, stored.bytes);
      const index = (await this.index(notebook)) ?? { version: 1, notebook, label, runs: [] };
      index.label = label;
      const old = index.runs.find((r) => r.runId === output.runId);
      const entry = entryOf(stored.output, {
        startedAt: old?.startedAt ?? meta.startedAt,
        cell: meta.cell ?? old?.cell ?? null,
        trimmed: stored.trimmed,
      });
      index.runs = [...index.runs.filter((r) => r.runId !== output.runId), entry];
      const dropped = index.runs.splice(0, Math.max(0, index.runs.length - RUNS_KEPT));
      await this.writeIndex(index);
      for (const r of dropped) await this.files.remove(`${dir}/${runFile(r.runId)}`);
      return entry;
    });
  }

  /** Deletes runs of a notebook (their outputs and entries); returns how many were deleted. */
  delete(notebook: string, runIds: readonly string[]): Promise<number> {
    return this.serial(async () => {
      const index = await this.index(notebook);
      if (!index) return 0;
      const gone = new Set(runIds);
      const kept = index.runs.filter((r) => !gone.has(r.runId));
      const deleted = index.runs.length - kept.length;
      const dir = `runs/${notebookKey(notebook)}`;
      for (const r of index.runs)
        if (gone.has(r.runId)) await this.files.remove(`${dir}/${runFile(r.runId)}`);
      index.runs = kept;
      await this.writeIndex(index);
      return deleted;
    });
  }

  /**
   * A notebook's runs now belong to another URI (an untitled notebook saved to a file): they
   * join the runs the target already has, the oldest beyond RUNS_KEPT going.
   */
  move(from: string, to: string, label: string): Promise<number> {
    return this.serial(async () => {
      const source = await this.index(from);
      if (!source?.runs.length || from === to) return 0;
      const target = (await this.index(to)) ?? { version: 1, notebook: to, label, runs: [] };
      const fromDir = `runs/${notebookKey(from)}`;
      const toDir = `runs/${notebookKey(to)}`;
      for (const r of source.runs) {
        const bytes = await this.files.read(`${fromDir}/${runFile(r.runId)}`);
        if (bytes) await this.files.write(`${toDir}/${runFile(r.runId)}`, bytes);
      }
      const moved = new Set(source.runs.map((r) => r.runId));
      target.label = label;
      target.runs = [...target.runs.filter((r) => !moved.has(r.runId)), ...source.runs].sort(
        (a, b) => a.startedAt - b.startedAt,
      );
      const dropped = target.runs.splice(0, Math.max(0, target.runs.length - RUNS_KEPT));
      await this.writeIndex(target);
      for (const r of dropped) await this.files.remove(`${toDir}/${runFile(r.runId)}`);
      await this.files.remove(fromDir);
      return source.runs.length;
    });
  }
}

// ---- export -----------------------------------------------------------------------------------

/** A field of a CSV row (RFC 4180: quoted when it holds a comma, a quote or a line break). */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'nan') : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Metric names in a stable order: loss first, each metric before its val_ twin. */
export function metricColumns(outputs: readonly RunOutput[]): string[] {
  const names = new Set<string>();
  for (const o of outputs)
    for (const k of Object.keys(o.history)) names.add(k.replace(/^val_/, ''));
  const base = [...names].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a < b ? -1 : 1));
  const all = new Set<string>();
  for (const o of outputs) for (const k of Object.keys(o.history)) all.add(k);
  return base.flatMap((m) => [m, `val_${m}`]).filter((m) => all.has(m));
}

/**
 * Runs as CSV, one row per run and finished epoch (epochs counted from 0, as Keras's CSVLogger
 * writes them), with the run's id, model, seed and the epoch's time beside every metric.
 */
export function runsCsv(runs: ReadonlyArray<{ entry: RunEntry; output: RunOutput }>): string {
  const metrics = metricColumns(runs.map((r) => r.output));
  const rows = [['run_id', 'model', 'status', 'seed', 'epoch', ...metrics, 'epoch_ms']];
  for (const { entry, output } of runs) {
    for (let e = 0; e < epochsDone(output); e++) {
      rows.push(
        [
          entry.runId,
          entry.model,
          entry.status,
          entry.seed,
          e,
          ...metrics.map((m) => output.history[m]?.[e] ?? null),
          output.epochMs?.[e] ?? null,
        ].map((v) => csvField(v as string | number | null)),
      );
    }
  }
  return `${rows.map((r) => r.join(',')).join('\r\n')}\r\n`;
}

/** Runs as JSON: each run's entry and its whole output. */
export function runsJson(runs: ReadonlyArray<{ entry: RunEntry; output: RunOutput }>): string {
  return `${JSON.stringify({ version: 1, runs }, null, 2)}\n`;
}
