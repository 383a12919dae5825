/**
 * The playground kernel controller: one KernelClient (a worker thread) per notebook, started on
 * the first run. Cells run one at a time in the order they were queued; a failed cell skips the
 * rest of its run. Output logic lives in outputs.ts; this file only talks to VS Code.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { KernelClient } from '../../kernels/client';
import {
  liveRunOutput,
  type Done,
  type Failed,
  type Progress,
  type Ready,
  type RunOutput,
  type RunStart,
} from '../../kernels/protocol';
import type { RnnLab } from '../ctx';
import { CELL_LANGUAGE } from '../../notebook/nbformat';
import { CellOutputs, OpQueue, type OutputOp } from '../../kernels/outputs';
import { RUN_MIME } from '../../kernels/protocol';
import { LiveRuns } from './live';

export const NOTEBOOK_TYPE = 'rnnlab';
export const CONTROLLER_ID = 'rnnlab-kernel';

/**
 * What happens to the fits of a notebook, for the runs dashboard: a fit started (in cell `cell`,
 * counted from 1), made progress, or ended with its final output (done, stopped, diverged, or
 * `lost` when the cell ended without reporting it).
 */
export type RunEvent =
  | { kind: 'start'; notebook: vscode.NotebookDocument; start: RunStart; cell: number }
  | { kind: 'progress'; notebook: vscode.NotebookDocument; progress: Progress }
  | { kind: 'end'; notebook: vscode.NotebookDocument; output: RunOutput };

/** One Run / Run All: its executions, in order. */
interface Batch {
  executions: vscode.NotebookCellExecution[];
  /**
   * Set by a failure (an interrupted fit is one: Jupyter's KeyboardInterrupt), an interrupt or a
   * restart: the cells not started yet are skipped.
   */
  aborted: boolean;
}

/** A notebook's kernel and its queue of runs. */
interface Session {
  notebook: vscode.NotebookDocument;
  client: KernelClient | null;
  /** The Ready the user was last told about (a fallback backend is reported once per worker). */
  seen: Ready | null;
  /** Runs chain here so that one cell runs at a time. */
  queue: Promise<void>;
  batches: Set<Batch>;
  /** Execution order of the next cell (Jupyter's counter; a restart resets it). */
  order: number;
  /** The execution in flight. */
  running: vscode.NotebookCellExecution | null;
  /** Executions whose token was cancelled (VS Code interrupts instead while we have a handler). */
  cancelled: WeakSet<vscode.NotebookCellExecution>;
}

const UNTRUSTED =
  'running playground cells needs a trusted workspace (cells can read files of the workspace): ' +
  'use "Workspaces: Manage Workspace Trust" to trust this folder, then run the cell again';

/** A whole number ≥ 1 from RNNLAB_MAX_EPOCHS (as for `rnnlab run`), for quick test runs. */
function envMaxEpochs(): number | undefined {
  const n = Number(process.env['RNNLAB_MAX_EPOCHS']);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

export class PlaygroundKernel implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly sessions = new Map<string, Session>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Live progress to the renderer's views (and their Ready and Stop). */
  readonly live: LiveRuns;
  private readonly runEvents = new vscode.EventEmitter<RunEvent>();
  /** Fits starting, progressing and ending, in every notebook. */
  readonly onRun = this.runEvents.event;

  constructor(private readonly lab: RnnLab) {
    // The chart's Stop is the notebook's Interrupt.
    this.live = new LiveRuns((notebook) => this.interrupt(notebook), lab.log);
    this.controller = vscode.notebooks.createNotebookController(
      CONTROLLER_ID,
      NOTEBOOK_TYPE,
      'RNN Lab Kernel',
    );
    this.controller.supportedLanguages = [CELL_LANGUAGE];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'TensorFlow.js in a worker thread';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.interrupt(notebook);
    this.disposables.push(
      this.controller,
      this.live,
      this.runEvents,
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.prefer(nb)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.close(nb)),
    );
    for (const nb of vscode.workspace.notebookDocuments) this.prefer(nb);
  }

  dispose(): void {
    for (const s of this.sessions.values()) this.end(s, 'RNN Lab was shut down');
    this.sessions.clear();
    for (const d of this.disposables) d.dispose();
  }

  /** The only kernel for playgrounds: VS Code should pick it without asking. */
  private prefer(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType === NOTEBOOK_TYPE)
      this.controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  }

  private session(notebook: vscode.NotebookDocument): Session {
    const key = notebook.uri.toString();
    let s = this.sessions.get(key);
    if (!s) {
      s = {
        notebook,
        client: null,
        seen: null,
        queue: Promise.resolve(),
        batches: new Set(),
        order: 0,
        running: null,
        cancelled: new WeakSet(),
      };
      this.sessions.set(key, s);
    }
    return s;
  }

  /** The kernel of a notebook: created on first use with the settings of that moment. */
  private client(s: Session): KernelClient {
    if (s.client) return s.client;
    const uri = s.notebook.uri;
    const cfg = vscode.workspace.getConfiguration('rnnlab', uri);
    const folder =
      uri.scheme === 'file'
        ? dirname(uri.fsPath)
        : vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    const maxEpochs = cfg.get<number | null>('kernel.maxEpochs', null) ?? envMaxEpochs();
    s.client = new KernelClient({
      workerPath: this.lab.context.asAbsolutePath('dist/worker.js'),
      seed: cfg.get<number>('kernel.seed', 0),
      heapMb: cfg.get<number>('kernel.heapMb', 2048),
      threads: cfg.get<number>('kernel.threads', 0) || 'auto',
      maxEpochs,
      workspace: folder,
    });
    this.lab.log.appendLine(
      `kernel for ${uri.toString(true)}: seed ${cfg.get('kernel.seed', 0)}, heap ${cfg.get('kernel.heapMb', 2048)} MB, max epochs ${maxEpochs ?? 'none'}, workspace ${folder ?? '(none)'}`,
    );
    return s.client;
  }

  private execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const s = this.session(notebook);
    const batch: Batch = { executions: [], aborted: false };
    for (const cell of cells) {
      if (cell.kind !== vscode.NotebookCellKind.Code) continue;
      try {
        const exec = this.controller.createNotebookCellExecution(cell);
        exec.token.onCancellationRequested(() => {
          s.cancelled.add(exec);
          if (s.running === exec) s.client?.stop();
        });
        batch.executions.push(exec);
      } catch (e) {
        // The cell is already queued or running.
        this.lab.log.appendLine(`cell ${cell.index + 1} not queued: ${(e as Error).message}`);
      }
    }
    s.batches.add(batch);
    const run = s.queue.then(() => this.runBatch(s, batch));
    s.queue = run.catch((e: unknown) =>
      this.lab.log.appendLine(
        `run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      ),
    );
    return s.queue;
  }

  private async runBatch(s: Session, batch: Batch): Promise<void> {
    try {
      for (const exec of batch.executions) {
        if (batch.aborted || s.cancelled.has(exec) || exec.cell.document.isClosed) {
          try {
            exec.end(undefined);
          } catch {
            // The notebook is gone.
          }
          continue;
        }
        s.running = exec;
        const ok = await this.runCell(s, exec);
        s.running = null;
        if (!ok) batch.aborted = true;
      }
    } finally {
      s.running = null;
      s.batches.delete(batch);
    }
  }

  /** Runs one cell; true when it succeeded and the run may go on. Never throws. */
  private async runCell(s: Session, exec: vscode.NotebookCellExecution): Promise<boolean> {
    let started = false;
    try {
      exec.executionOrder = ++s.order;
      exec.start(Date.now());
      started = true;
      // An interrupted fit fails its cell, as a KeyboardInterrupt in Jupyter: the run ends there.
      const ok = await this.runStarted(s, exec);
      exec.end(ok, Date.now());
      return ok;
    } catch (e) {
      this.lab.log.appendLine(
        `cell ${exec.cell.index + 1}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      try {
        exec.end(started ? false : undefined, Date.now());
      } catch {
        // Already ended, or the notebook is gone.
      }
      return false;
    }
  }

  /** Runs a started cell and shows its outputs; true when it ran to its end. */
  private async runStarted(s: Session, exec: vscode.NotebookCellExecution): Promise<boolean> {
    await exec.clearOutput();
    const cellNumber = exec.cell.index + 1;
    if (!vscode.workspace.isTrusted) {
      await exec.appendOutput(
        new vscode.NotebookCellOutput([errorItemOf({ name: 'untrusted', message: UNTRUSTED })], {
          outputType: 'error',
        }),
      );
      return false;
    }
    const client = this.client(s);
    this.noteBackend(s, client);
    const outputs = new CellOutputs();
    const sink = new OutputSink(exec, this.lab.log);
    const apply = (ops: OutputOp[]) => sink.push(ops);
    // Fits of this cell: their live progress goes to the renderer until their output is final.
    const runs = new Map<string, RunStart>();
    const notebook = s.notebook;
    let result: Done | Failed;
    try {
      result = await client.run(exec.cell.document.getText(), {
        onStream: (m) => apply(outputs.onStream(m.text)),
        onSummary: (m) => apply(outputs.onSummary(m.summary)),
        onDisplay: (m) => {
          const run = m.data[RUN_MIME] as RunOutput | undefined;
          if (typeof run?.runId === 'string') {
            this.live.end(run.runId);
            if (runs.delete(run.runId)) this.runEvents.fire({ kind: 'end', notebook, output: run });
          }
          apply(outputs.onDisplay(m.data));
        },
        onRunStart: (m) => {
          this.live.start(notebook, m);
          runs.set(m.runId, m);
          this.runEvents.fire({ kind: 'start', notebook, start: m, cell: cellNumber });
          apply(outputs.onRunStart(m));
        },
        onProgress: (m) => {
          this.live.progress(m);
          if (runs.has(m.runId)) this.runEvents.fire({ kind: 'progress', notebook, progress: m });
          apply(outputs.onProgress(m));
        },
      });
    } catch (e) {
      result = {
        type: 'failed',
        execId: '',
        kind: 'internal',
        message: e instanceof Error ? e.message : String(e),
        line: null,
        column: null,
      };
    } finally {
      for (const [id, start] of runs) {
        this.live.end(id);
        // The cell ended without the fit's results (the worker died, or a restart).
        const output: RunOutput = { ...liveRunOutput(start), status: 'lost' };
        this.runEvents.fire({ kind: 'end', notebook, output });
      }
    }
    sink.push(outputs.onEnd(result, cellNumber));
    await sink.idle();
    if (result.type === 'failed') {
      const where = result.line !== null ? ` (line ${result.line})` : '';
      this.lab.log.appendLine(`cell ${cellNumber}: ${result.kind}: ${result.message}${where}`);
      return false;
    }
    return true;
  }

  /** Says once per worker when training runs on the slower cpu backend. */
  private noteBackend(s: Session, client: KernelClient): void {
    client.start().then(
      (ready) => {
        if (ready === s.seen) return;
        s.seen = ready;
        this.lab.log.appendLine(`kernel ready on the ${ready.backend} backend`);
        if (ready.fallbackReason) {
          void vscode.window.showWarningMessage(
            `RNN Lab trains on the ${ready.backend} backend (slower): ${ready.fallbackReason}`,
          );
        }
      },
      () => undefined, // the run reports why the kernel did not start
    );
  }

  /**
   * Stops the running fit after its batch (its cell fails with a KeyboardInterrupt) and skips
   * every queued cell of the notebook.
   */
  private interrupt(notebook: vscode.NotebookDocument): void {
    const s = this.sessions.get(notebook.uri.toString());
    if (!s) return;
    for (const b of s.batches) b.aborted = true;
    s.client?.stop();
  }

  /** Restarts the notebook's kernel: a fresh namespace. Queued cells are skipped. */
  async restart(notebook: vscode.NotebookDocument): Promise<void> {
    const s = this.session(notebook);
    for (const b of s.batches) b.aborted = true;
    s.order = 0;
    if (s.client) await s.client.restart();
  }

  private close(notebook: vscode.NotebookDocument): void {
    const key = notebook.uri.toString();
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    this.end(s, 'the notebook was closed');
  }

  private end(s: Session, why: string): void {
    for (const b of s.batches) b.aborted = true;
    const client = s.client;
    s.client = null;
    if (client) {
      client
        .terminate(`the kernel was shut down: ${why}`)
        .catch((e: unknown) => this.lab.log.appendLine(`kernel shutdown: ${(e as Error).message}`));
    }
  }
}

function errorItemOf(error: { name: string; message: string; stack?: string }) {
  return vscode.NotebookCellOutputItem.error(error);
}

const encoder = new TextEncoder();

/**
 * Applies output operations to an execution in order, one at a time (each is an async call into
 * the editor); replaces that a later one supersedes are dropped while they wait.
 */
class OutputSink {
  private readonly queue = new OpQueue();
  private readonly outputs = new Map<number, vscode.NotebookCellOutput>();
  private draining: Promise<void> | null = null;

  constructor(
    private readonly exec: vscode.NotebookCellExecution,
    private readonly log: vscode.OutputChannel,
  ) {}

  push(ops: OutputOp[]): void {
    if (ops.length === 0) return;
    this.queue.push(ops);
    this.draining ??= this.drain().finally(() => (this.draining = null));
  }

  /** Resolves when every pushed operation is applied. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    for (let op = this.queue.shift(); op; op = this.queue.shift()) {
      try {
        await this.apply(op);
      } catch (e) {
        this.log.appendLine(`could not update a cell output: ${(e as Error).message}`);
      }
    }
  }

  private async apply(op: OutputOp): Promise<void> {
    switch (op.op) {
      case 'append': {
        const output = new vscode.NotebookCellOutput(op.items.map(toItem), { ...op.metadata });
        this.outputs.set(op.id, output);
        await this.exec.appendOutput(output);
        return;
      }
      case 'replace': {
        const output = this.outputs.get(op.id);
        if (output) await this.exec.replaceOutputItems(op.items.map(toItem), output);
        return;
      }
      case 'error': {
        const output = new vscode.NotebookCellOutput([errorItemOf(op.error)], {
          outputType: 'error',
        });
        this.outputs.set(op.id, output);
        await this.exec.appendOutput(output);
        return;
      }
    }
  }
}

function toItem(item: { mime: string; value: string }): vscode.NotebookCellOutputItem {
  return new vscode.NotebookCellOutputItem(encoder.encode(item.value), item.mime);
}
