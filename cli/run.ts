/**
 * `rnnlab run NOTEBOOK.rnnlab [--out OUT | --inplace]`: runs every code cell in a kernel worker
 * and writes the notebook with its outputs, as `jupyter nbconvert --execute` does: beside the
 * input as NOTEBOOK.out.rnnlab unless told otherwise.
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { KernelClient } from '../kernels/client';
import { displayItems, errorName, errorValue, formatDuration, plural } from '../kernels/outputs';
import {
  COMPARE_MIME,
  RUN_MIME,
  type CompareOutput,
  type Failed,
  type Progress,
  type RunOutput,
  type RunStart,
} from '../kernels/protocol';
import { formatSummary } from '../analyzer/summary';
import {
  ERROR_MIME,
  NotebookFormatError,
  readNotebook,
  STDOUT_MIME,
  writeNotebook,
  type CellOutput,
  type Notebook,
} from '../notebook/nbformat';
import { lint } from '../lint/index';
import { analyze } from '../analyzer/python/evaluate';
import { SourceDoc } from '../notebook/cells';
import { UsageError } from './files';
import type { Output } from './output';

export interface RunOptions {
  path: string;
  /** `--out`: where to write; null writes NOTEBOOK.out.rnnlab beside the input. */
  out: string | null;
  /** `--inplace`: overwrite the input instead. */
  inplace: boolean;
  seed: number;
  maxEpochs: number | undefined;
  /** JS heap limit of the kernel worker, MB. */
  heapMb: number;
  /** Whether stderr is a terminal (a redrawn progress bar) or a log (a line per epoch). */
  tty: boolean;
}

/** The bundled kernel worker: next to the bundled CLI, or in dist/ when running from source. */
export function workerLocation(): { workerPath: string } {
  for (const candidate of [join(__dirname, 'worker.js'), resolve(__dirname, '../dist/worker.js')]) {
    if (existsSync(candidate)) return { workerPath: candidate };
  }
  throw new UsageError('the training kernel is not built: run `npm run build` first');
}

/** Where a run is written: `--out`, the input with `--inplace`, else NAME.out.rnnlab beside it. */
export function outputPath(path: string, out: string | null, inplace: boolean): string {
  if (inplace) return path;
  if (out !== null) return out;
  const ext = extname(path);
  return `${ext ? path.slice(0, -ext.length) : path}.out${ext || '.rnnlab'}`;
}

/** Fails before anything runs when the notebook could not be written where it should go. */
function checkWritable(target: string): void {
  const folder = dirname(resolve(target));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(
      `cannot write ${target}: the folder ${folder} does not exist; create it or give another --out`,
    );
  if (existsSync(target) && statSync(target).isDirectory())
    throw new UsageError(`cannot write ${target}: it is a folder; give a file name with --out`);
}

/** The terminal progress line: epoch, batch, loss, ETA. */
export function progressLine(start: RunStart, p: Progress): string {
  const last = p.batches.at(-1);
  const epoch = (last?.epoch ?? p.epochEnds.at(-1)?.epoch ?? 0) + 1;
  const batch = (last?.batch ?? p.batchesPerEpoch - 1) + 1;
  const width = 24;
  const done = Math.round((batch / p.batchesPerEpoch) * width);
  const bar = '#'.repeat(done) + '-'.repeat(width - done);
  const logs = Object.entries(last?.logs ?? {})
    .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
    .join('  ');
  return `${start.model} epoch ${epoch}/${p.epochs} [${bar}] ${batch}/${p.batchesPerEpoch}  ${logs}  ETA ${formatDuration(p.etaMs)}`;
}

/** Reads the notebook as the editor does; what is wrong with it is a usage error. */
function readInput(path: string): { text: string; nb: Notebook } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read this notebook (${(e as Error).message})`);
  }
  // The editor opens an empty file as an empty notebook; running one is a mistake.
  if (text.trim() === '') throw new UsageError(`${path}: the file is empty, not a notebook`);
  try {
    return { text, nb: readNotebook(text, path) };
  } catch (e) {
    if (e instanceof NotebookFormatError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * Runs every code cell in order and writes the notebook with their outputs (as the editor saves).
 * Resolves to the exit code: 0, 1 when a cell failed, 130 when Ctrl-C interrupted the run.
 */
export async function runNotebook(opts: RunOptions, out: Output): Promise<number> {
  const { text, nb } = readInput(opts.path);
  const target = outputPath(opts.path, opts.out, opts.inplace);
  checkWritable(target);
  // The analyzer's findings come first: they are known before anything runs.
  const doc = SourceDoc.notebook(text);
  const index = doc;
  for (const f of lint(analyze(doc.text), doc.text, { playground: true })) {
    const p = index.position(f.span.from);
    out.err(`${opts.path}:cell${p.cell}:${p.line}:${p.column}: ${f.code} ${f.message}`);
  }
  const client = new KernelClient({
    ...workerLocation(),
    seed: opts.seed,
    maxEpochs: opts.maxEpochs,
    workspace: dirname(resolve(opts.path)),
    heapMb: opts.heapMb,
  });
  // Ctrl-C is Jupyter's interrupt: the running fit stops after its batch and its cell fails with
  // a KeyboardInterrupt; no later cell runs, and the notebook is still written.
  let interrupted = false;
  const quit = () => process.exit(130);
  const onSigint = () => {
    interrupted = true;
    out.err(
      `\ninterrupting: stopping after the current batch (Ctrl-C again to quit without writing ${target})`,
    );
    client.stop();
    process.once('SIGINT', quit);
  };
  process.once('SIGINT', onSigint);
  let failed: { cell: number; result: Failed } | null = null;
  let lastRun = 0;
  let count = 0;
  try {
    const ready = await client.start();
    if (ready.fallbackReason)
      out.err(`note: training on the ${ready.backend} backend: ${ready.fallbackReason}`);
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.kind !== 'code') continue;
      if (interrupted) break;
      const outputs: CellOutput[] = [];
      /** The runs of this cell's comparisons: saved in the comparison's output, not each alone. */
      const comparing = new Set<string>();
      let start: RunStart | null = null;
      let lastDraw = 0;
      /** A progress bar is on the terminal's last line (drawn without a newline). */
      let barShown = false;
      const print = (text: string) => {
        out.log(text.replace(/\n$/, ''));
        const prev = outputs.at(-1);
        if (prev?.metadata.outputType === 'stream') prev.items[0]!.value += text;
        else
          outputs.push({
            items: [{ mime: STDOUT_MIME, value: text }],
            metadata: { outputType: 'stream' },
          });
      };
      out.err(`cell ${i + 1}: running`);
      const result = await client.run(cell.source, {
        onStream: (m) => print(m.text),
        // The terminal has no table widget: the summary is printed, and saved, as its text.
        onSummary: (m) => print(`${formatSummary(m.summary)}\n`),
        onDisplay: (m) => {
          const compare = m.data[COMPARE_MIME] as CompareOutput | undefined;
          const run = m.data[RUN_MIME] as RunOutput | undefined;
          if (compare) {
            for (const p of compare.plan) comparing.add(p.run_id);
            // A comparison is saved, and its table printed, once: at its end.
            if (compare.status === 'running') return;
          } else if (run && comparing.has(run.runId)) return; // the comparison's output has it
          outputs.push({ items: displayItems(m.data), metadata: { outputType: 'display_data' } });
          // A finished fit is told by its epoch lines; other rich outputs (masks) by their text.
          const text = m.data['text/plain'];
          if (!(RUN_MIME in m.data) && typeof text === 'string') out.log(text);
        },
        onRunStart: (m) => {
          start = m;
          out.err(
            `  fit ${m.model}: ${plural(m.samples, 'sample')}, ${m.validationSamples} for validation, ${plural(m.epochs, 'epoch')} of ${plural(m.batchesPerEpoch, 'batch', 'batches')}`,
          );
        },
        onProgress: (p) => {
          if (!start) return;
          if (opts.tty) {
            const now = Date.now();
            if (now - lastDraw > 100) {
              process.stderr.write(`\r\x1b[2K  ${progressLine(start, p)}`);
              lastDraw = now;
              barShown = true;
            }
          }
          for (const e of p.epochEnds) {
            const logs = Object.entries(e.logs)
              .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
              .join('  ');
            out.err(`${opts.tty ? '\r\x1b[2K' : ''}  epoch ${e.epoch + 1}/${p.epochs}: ${logs}`);
            barShown = false;
          }
        },
      });
      if (barShown) process.stderr.write('\n');
      cell.executionCount = ++count;
      lastRun = i + 1;
      if (result.type === 'failed') {
        // The error the editor would save for this cell (a KeyboardInterrupt for an interrupt).
        outputs.push({
          items: [{ mime: ERROR_MIME, value: JSON.stringify(errorValue(result, i + 1)) }],
          metadata: { outputType: 'error' },
        });
        cell.outputs = outputs;
        failed = { cell: i + 1, result };
        break;
      }
      cell.outputs = outputs;
      out.err(`cell ${i + 1}: done in ${(result.ms / 1000).toFixed(1)} s`);
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    await client.terminate();
  }
  const written = write(target, writeNotebook(nb), out);
  process.removeListener('SIGINT', quit);
  if (!written) return 2;
  if (failed) {
    const r = failed.result;
    const where = r.line !== null ? `${r.line}:${r.column ?? 1}:` : '';
    const what = r.kind === 'interrupted' ? errorName(r.kind) : `${r.kind} error`;
    out.err(`${opts.path}:cell${failed.cell}:${where} ${what}: ${r.message}`);
  }
  if (interrupted || failed?.result.kind === 'interrupted') {
    const at = failed
      ? `in cell ${failed.cell}`
      : lastRun
        ? `after cell ${lastRun}`
        : 'before the first cell';
    const rest = nb.cells.slice(lastRun).some((c) => c.kind === 'code');
    out.err(`rnnlab: interrupted ${at}${rest ? '; the cells after it did not run' : ''}`);
    return 130;
  }
  return failed ? 1 : 0;
}

/** Writes the notebook through a temporary file (never half a notebook); false when it failed. */
function write(target: string, text: string, out: Output): boolean {
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    out.err(
      `rnnlab: cannot write ${target} (${(e as Error).message}): the outputs of this run are not saved; give a writable --out`,
    );
    return false;
  }
  out.err(`wrote ${target}`);
  return true;
}
