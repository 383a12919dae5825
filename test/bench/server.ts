/**
 * Language-server latency: `node --import tsx test/bench/server.ts` (part of `npm run bench`).
 *
 * Starts `rnnlab server --stdio`, opens the benchmark's ~2,000-line Keras file and its 200-cell
 * notebook (LSP notebook sync), then times RUNS single-keystroke edits of each: from sending the
 * didChange notification to the publishDiagnostics of the new version (for the notebook: until
 * every cell's fresh diagnostics have arrived). No debounce on either side. Prints median and p95
 * and writes the samples to .bench/server.json.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { readNotebook } from '../../notebook/nbformat';
import { kerasFile, notebook } from './inputs';
import { median, writeReport } from './report';

const RUNS = Number(process.env['BENCH_ROUNDS'] ?? 30);
const WARMUP_RUNS = 5;
/** The target for the median, protocol included. */
const TARGET_MS = 60;

/** The value below which `p` of the samples lie (nearest rank). */
function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/index.ts', 'server', '--stdio'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const c = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  let onPublish: (p: PublishDiagnosticsParams) => void = () => {};
  c.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) =>
    onPublish(p),
  );
  c.onRequest('workspace/inlayHint/refresh', () => null);
  c.listen();
  await c.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { notebookDocument: { synchronization: {} } },
    // Latency without the typing pause the server waits for by default (lint.delay, 300 ms).
    initializationOptions: { settings: { lint: { delay: 0 } } },
  });
  await c.sendNotification('initialized', {});

  /** Resolves when `done` says the publishes seen since the call are complete. */
  const until = (done: (p: PublishDiagnosticsParams) => boolean) =>
    new Promise<void>((resolve) => {
      onPublish = (p) => {
        if (done(p)) resolve();
      };
    });

  // The file: a one-character edit at the start of a line, then its undo, alternating.
  const file = kerasFile();
  const fileUri = 'file:///bench/experiments.py';
  let fileVersion = 1;
  let opened = until((p) => p.uri === fileUri);
  await c.sendNotification('textDocument/didOpen', {
    textDocument: { uri: fileUri, languageId: 'python', version: fileVersion, text: file },
  });
  await opened;
  const fileEdit = async (): Promise<number> => {
    const v = ++fileVersion;
    const insert = v % 2 === 0;
    const range = insert
      ? { start: { line: 20, character: 0 }, end: { line: 20, character: 0 } }
      : { start: { line: 20, character: 0 }, end: { line: 20, character: 1 } };
    const fresh = until((p) => p.uri === fileUri && p.version === v);
    const start = performance.now();
    await c.sendNotification('textDocument/didChange', {
      textDocument: { uri: fileUri, version: v },
      contentChanges: [{ range, text: insert ? ' ' : '' }],
    });
    await fresh;
    return performance.now() - start;
  };

  // The notebook: code cells through notebook sync; a keystroke in a middle code cell.
  const nbUri = 'file:///bench/experiments.ipynb';
  const cells = readNotebook(notebook()).cells.map((cell, i) => ({
    uri: `vscode-notebook-cell:/bench/experiments.ipynb#${i}`,
    code: cell.kind === 'code',
    text: cell.source,
  }));
  const codeCells = cells.filter((x) => x.code);
  const edited = codeCells[codeCells.length >> 1]!;
  const lastCode = codeCells[codeCells.length - 1]!;
  let nbVersion = 1;
  let cellVersion = 1;
  opened = until((p) => p.uri === lastCode.uri);
  await c.sendNotification('notebookDocument/didOpen', {
    notebookDocument: {
      uri: nbUri,
      notebookType: 'jupyter-notebook',
      version: nbVersion,
      cells: cells.map((x) => ({ kind: x.code ? 2 : 1, document: x.uri })),
    },
    cellTextDocuments: cells.map((x) => ({
      uri: x.uri,
      languageId: x.code ? 'python' : 'markdown',
      version: 1,
      text: x.text,
    })),
  });
  await opened;
  const notebookEdit = async (): Promise<number> => {
    const v = ++cellVersion;
    const insert = v % 2 === 0;
    const range = insert
      ? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }
      : { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
    let editedFresh = false;
    // Cells are published in order: the last code cell closes the batch of the new version.
    const fresh = until((p) => {
      if (p.uri === edited.uri && p.version === v) editedFresh = true;
      return editedFresh && p.uri === lastCode.uri;
    });
    const start = performance.now();
    await c.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: nbUri, version: ++nbVersion },
      change: {
        cells: {
          textContent: [
            {
              document: { uri: edited.uri, version: v },
              changes: [{ range, text: insert ? ' ' : '' }],
            },
          ],
        },
      },
    });
    await fresh;
    return performance.now() - start;
  };

  const inputs = [
    { name: `keras file, ${file.split('\n').length} lines`, edit: fileEdit },
    { name: `notebook, ${cells.length} cells (${codeCells.length} code)`, edit: notebookEdit },
  ];
  const results = [];
  for (const input of inputs) {
    for (let i = 0; i < WARMUP_RUNS; i++) await input.edit();
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await input.edit());
    results.push({
      input: input.name,
      runs: RUNS,
      medianMs: median(samples),
      p95Ms: percentile(samples, 0.95),
      minMs: Math.min(...samples),
      maxMs: Math.max(...samples),
      samplesMs: samples,
    });
  }

  await c.sendRequest('shutdown');
  await c.sendNotification('exit');
  c.dispose();

  console.log(
    `\nlanguage server over stdio: didChange → fresh publishDiagnostics, ${RUNS} runs after ${WARMUP_RUNS} warm-up runs (target: median under ${TARGET_MS} ms)\n`,
  );
  const header = ['input', 'median ms', 'p95 ms', 'min ms', 'max ms'];
  const rows = results.map((r) => [
    r.input,
    r.medianMs.toFixed(1),
    r.p95Ms.toFixed(1),
    r.minMs.toFixed(1),
    r.maxMs.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(fmt(r));
  const path = writeReport('server.json', { runs: RUNS, warmupRuns: WARMUP_RUNS, results });
  console.log(`\nwrote ${path}`);
}

void main();
