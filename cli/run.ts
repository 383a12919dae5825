/** `rnnlab run NOTEBOOK.rnnlab [--out OUT]`: runs every code cell in a kernel worker. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KernelClient } from '../kernels/client';
import type { Failed, Progress, RunStart } from '../kernels/protocol';
import { lint } from '../lint/index';
import { analyze } from '../analyzer/python/evaluate';
import { LineIndex, notebookSource } from '../analyzer/lines';
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

interface NbCell {
  cell_type?: unknown;
  source?: unknown;
  outputs?: unknown[];
  execution_count?: unknown;
  metadata?: unknown;
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

function cellSource(cell: NbCell): string {
  if (Array.isArray(cell.source)) return cell.source.filter((s) => typeof s === 'string').join('');
  return typeof cell.source === 'string' ? cell.source : '';
}

/** Splits text into nbformat's list-of-lines form. */
function lines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((l) => l.length > 0);
}

export async function runNotebook(opts: RunOptions, out: Output): Promise<number> {
  let text: string;
  let nb: { cells?: NbCell[] };
  try {
    text = readFileSync(opts.path, 'utf8');
    nb = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${opts.path}: cannot read this notebook (${(e as Error).message})`);
  }
  if (!nb || !Array.isArray(nb.cells))
    throw new UsageError(`${opts.path}: not a notebook (no "cells" list)`);
  // The analyzer's findings come first: they are known before anything runs.
  const doc = notebookSource(text);
  const index = new LineIndex(doc);
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
      if (cell.cell_type !== 'code') continue;
      const code = cellSource(cell);
      const outputs: unknown[] = [];
      let start: RunStart | null = null;
      let lastDraw = 0;
      out.err(`cell ${i + 1}: running`);
      const result = await client.run(code, i + 1, {
        onStream: (m) => {
          out.log(m.text.replace(/\n$/, ''));
          const prev = outputs.at(-1) as { output_type?: string; text?: string[] } | undefined;
          if (prev?.output_type === 'stream') prev.text!.push(...lines(m.text));
          else outputs.push({ output_type: 'stream', name: 'stdout', text: lines(m.text) });
        },
        onDisplay: (m) => outputs.push({ output_type: 'display_data', data: m.data, metadata: {} }),
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
      cell.execution_count = ++count;
      if (result.type === 'failed') {
        outputs.push({
          output_type: 'error',
          ename: result.kind,
          evalue: result.message,
          traceback: [result.message],
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
  writeFileSync(tmp, `${JSON.stringify(nb, null, 1)}\n`);
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
