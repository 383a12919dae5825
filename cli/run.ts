/** `rnnlab run NOTEBOOK.rnnlab [--out OUT]`: runs every code cell in a kernel worker. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KernelClient } from '../kernels/client';
import { displayItems } from '../kernels/outputs';
import type { Failed, Progress, RunStart } from '../kernels/protocol';
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
  out: string | null;
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

function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '--';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
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
  return `${start.model} epoch ${epoch}/${p.epochs} [${bar}] ${batch}/${p.batchesPerEpoch}  ${logs}  ETA ${formatMs(p.etaMs)}`;
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

/** Runs every code cell in order and writes the notebook with their outputs (as the editor saves). */
export async function runNotebook(opts: RunOptions, out: Output): Promise<number> {
  const { text, nb } = readInput(opts.path);
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
  const onSigint = () => {
    out.err('\nstopping after the current batch (Ctrl-C again to quit)');
    client.stop();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  let failed: { cell: number; result: Failed } | null = null;
  let count = 0;
  try {
    const ready = await client.start();
    if (ready.fallbackReason)
      out.err(`note: training on the ${ready.backend} backend: ${ready.fallbackReason}`);
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.kind !== 'code') continue;
      const outputs: CellOutput[] = [];
      let start: RunStart | null = null;
      let lastDraw = 0;
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
        onDisplay: (m) =>
          outputs.push({ items: displayItems(m.data), metadata: { outputType: 'display_data' } }),
        onRunStart: (m) => {
          start = m;
          out.err(
            `  fit ${m.model}: ${m.samples} samples, ${m.validationSamples} for validation, ${m.epochs} epochs of ${m.batchesPerEpoch} batches`,
          );
        },
        onProgress: (p) => {
          if (!start) return;
          if (opts.tty) {
            const now = Date.now();
            if (now - lastDraw > 100) {
              process.stderr.write(`\r\x1b[2K  ${progressLine(start, p)}`);
              lastDraw = now;
            }
          }
          for (const e of p.epochEnds) {
            const logs = Object.entries(e.logs)
              .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
              .join('  ');
            out.err(`${opts.tty ? '\r\x1b[2K' : ''}  epoch ${e.epoch + 1}/${p.epochs}: ${logs}`);
          }
        },
      });
      cell.executionCount = ++count;
      if (result.type === 'failed') {
        const error = { name: result.kind, message: result.message, stack: result.message };
        outputs.push({
          items: [{ mime: ERROR_MIME, value: JSON.stringify(error) }],
          metadata: { outputType: 'error' },
        });
        cell.outputs = outputs;
        failed = { cell: i + 1, result };
        break;
      }
      cell.outputs = outputs;
      out.err(
        `cell ${i + 1}: done in ${(result.ms / 1000).toFixed(1)} s${result.stopped ? ' (stopped)' : ''}`,
      );
      if (result.stopped) break;
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    await client.terminate();
  }
  const target = opts.out ?? opts.path;
  const tmp = `${target}.tmp-${process.pid}`;
  writeFileSync(tmp, writeNotebook(nb));
  renameSync(tmp, target);
  out.err(`wrote ${target}`);
  if (failed) {
    const r = failed.result;
    const where = r.line !== null ? `${r.line}:${r.column ?? 1}:` : '';
    out.err(`${opts.path}:cell${failed.cell}:${where} ${r.kind} error: ${r.message}`);
    return 1;
  }
  return 0;
}
