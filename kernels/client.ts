/**
 * The host's side of the kernel: starts the worker with resource limits, runs cells, stops a
 * running fit through shared memory, and survives the worker's death (restart, clear message).
 * Used by the CLI (`rnnlab run`) and the extension; it never imports vscode.
 */
import { Worker } from 'node:worker_threads';
import {
  parseFromWorker,
  PROTOCOL_VERSION,
  type DisplayData,
  type Done,
  type Failed,
  type FromWorker,
  type KernelOptions,
  type Memory,
  type Progress,
  type Ready,
  type RunStart,
  type Stream,
  type Summary,
  type ToWorker,
} from './protocol';

export interface ClientOptions extends Omit<KernelOptions, 'stopFlag'> {
  /**
   * The bundled worker script (dist/worker.js). Bundling matters: it holds one copy of tfjs-core,
   * where running the TypeScript source would load two (the chained-ops import is ESM-only).
   */
  workerPath: string;
  /** JS heap limit of the worker in MB (resourceLimits.maxOldGenerationSizeMb). */
  heapMb?: number;
  /** How long the worker may take to initialise its backend. */
  startTimeoutMs?: number;
}

export interface CellListener {
  onStream?(msg: Stream): void;
  onSummary?(msg: Summary): void;
  onDisplay?(msg: DisplayData): void;
  onRunStart?(msg: RunStart): void;
  onProgress?(msg: Progress): void;
}

/** Shortest wait for a stop to take effect before the worker is terminated. */
export const STOP_GRACE_MS = 2000;

interface Pending {
  execId: string;
  listener: CellListener;
  resolve(result: Done | Failed): void;
  lastBatchMs: number;
}

/** What a restart loses, for the message users see. */
const LOST =
  'the namespace is lost (variables, data sets, models and their trained weights): run the cells again';

export class KernelClient {
  private worker: Worker | null = null;
  private ready: Promise<Ready> | null = null;
  private pending: Pending | null = null;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private stopTimer: NodeJS.Timeout | null = null;
  private memoryWaiters: Array<(m: Memory) => void> = [];
  private nextId = 0;
  /** Set when the worker died; the next run starts a fresh one. */
  lastExit: string | null = null;

  constructor(private readonly options: ClientOptions) {}

  /** Starts the worker (if needed) and waits for its backend. */
  start(): Promise<Ready> {
    if (this.ready) return this.ready;
    const worker = new Worker(this.options.workerPath, {
      workerData: {
        seed: this.options.seed,
        wasmDir: this.options.wasmDir,
        backend: this.options.backend,
        maxEpochs: this.options.maxEpochs,
        workspace: this.options.workspace,
        stopFlag: this.flag.buffer,
      } satisfies KernelOptions,
      resourceLimits: this.options.heapMb
        ? { maxOldGenerationSizeMb: this.options.heapMb }
        : undefined,
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    this.ready = new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `the kernel did not start within ${(this.options.startTimeoutMs ?? 60000) / 1000} s`,
          ),
        );
        void this.terminate('start timed out');
      }, this.options.startTimeoutMs ?? 60000);
      worker.on('message', (raw: unknown) => {
        const msg = parseFromWorker(raw);
        if (typeof msg === 'string')
          return this.settle({
            type: 'failed',
            execId: this.pending?.execId ?? '',
            kind: 'internal',
            message: `bad message from the kernel: ${msg}`,
            line: null,
            column: null,
          });
        if (msg.type === 'ready') {
          clearTimeout(timer);
          if (msg.protocol !== PROTOCOL_VERSION) {
            const message = `the kernel worker (${this.options.workerPath}) speaks protocol version ${msg.protocol}, but this host speaks version ${PROTOCOL_VERSION}: the worker is from another build of RNN Lab; rebuild it (npm run build) or reinstall the extension`;
            reject(new Error(message));
            void this.terminate(message);
            return;
          }
          resolve(msg);
          return;
        }
        if (msg.type === 'failed' && msg.execId === '' && !this.pending) {
          clearTimeout(timer);
          reject(new Error(msg.message));
          return;
        }
        this.dispatch(msg);
      });
      worker.on('error', (err: Error & { code?: string }) => {
        clearTimeout(timer);
        const heap = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
        const message = heap
          ? `the kernel ran out of JavaScript heap (limit ${this.options.heapMb ?? 'default'} MB) and was restarted; ${LOST}`
          : `the kernel crashed (${err.message}) and was restarted; ${LOST}`;
        this.died(message, heap ? 'memory' : 'restarted');
        reject(new Error(message));
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        if (this.worker !== worker) return;
        this.died(
          code === 70
            ? `the kernel restarted after running out of WebAssembly memory; ${LOST}`
            : `the kernel exited (code ${code}) and will restart; ${LOST}`,
          code === 70 ? 'memory' : 'internal',
        );
        reject(new Error(`kernel exited with code ${code}`));
      });
    });
    // Nobody may be awaiting `ready` when the worker dies; that rejection is reported via runs.
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /** Runs a cell's code; resolves with the closing message (never rejects for cell errors). */
  async run(code: string, listener: CellListener = {}): Promise<Done | Failed> {
    if (this.pending) throw new Error('a cell is already running in this kernel');
    const execId = `x${++this.nextId}`;
    try {
      await this.start();
    } catch (e) {
      const message = this.lastExit ?? (e instanceof Error ? e.message : String(e));
      this.reset();
      return { type: 'failed', execId, kind: 'internal', message, line: null, column: null };
    }
    Atomics.store(this.flag, 0, 0);
    return new Promise<Done | Failed>((resolve) => {
      this.pending = { execId, listener, resolve, lastBatchMs: 0 };
      this.worker!.postMessage({ type: 'run', execId, code } satisfies ToWorker);
    });
  }

  /**
   * Asks the running cell to stop after its current batch. If nothing arrives within
   * max(2 s, 3x the last batch), the worker is terminated and restarted.
   */
  stop(): void {
    if (!this.pending) return;
    Atomics.store(this.flag, 0, 1);
    this.armStopTimer();
  }

  private armStopTimer(): void {
    if (this.stopTimer) clearTimeout(this.stopTimer);
    const wait = Math.max(STOP_GRACE_MS, 3 * (this.pending?.lastBatchMs ?? 0));
    this.stopTimer = setTimeout(() => {
      void this.terminate(
        `the kernel did not stop within ${(wait / 1000).toFixed(1)} s and was restarted; ${LOST}`,
      );
    }, wait);
  }

  /** Current memory figures of the worker. */
  async memory(): Promise<Memory> {
    await this.start();
    return new Promise((resolve) => {
      this.memoryWaiters.push(resolve);
      this.worker!.postMessage({ type: 'memory' });
    });
  }

  /** Ends the worker; a pending run resolves with `message`. The next run starts a new one. */
  async terminate(message = 'the kernel was shut down'): Promise<void> {
    const worker = this.worker;
    this.died(message, 'restarted');
    if (worker) await worker.terminate();
  }

  /** Restarts the kernel now (a fresh namespace). */
  async restart(): Promise<Ready> {
    await this.terminate(`the kernel was restarted; ${LOST}`);
    this.lastExit = null;
    return this.start();
  }

  /** Lets go of a worker that is about to exit on its own; its events are ignored from now on. */
  private retire(): void {
    this.lastExit = null;
    this.worker = null;
    this.ready = null;
  }

  private died(message: string, kind: Failed['kind']): void {
    this.lastExit = message;
    const pending = this.pending;
    this.reset();
    if (pending)
      pending.resolve({
        type: 'failed',
        execId: pending.execId,
        kind,
        message,
        line: null,
        column: null,
      });
  }

  private reset(): void {
    this.worker = null;
    this.ready = null;
    this.pending = null;
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = null;
  }

  private settle(result: Done | Failed): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = null;
    pending.resolve(result);
  }

  private dispatch(msg: FromWorker): void {
    if (msg.type === 'memory') {
      this.memoryWaiters.shift()?.(msg);
      return;
    }
    const pending = this.pending;
    if (!pending || ('execId' in msg && msg.execId !== pending.execId)) return;
    switch (msg.type) {
      case 'stream':
        pending.listener.onStream?.(msg);
        break;
      case 'summary':
        pending.listener.onSummary?.(msg);
        break;
      case 'display':
        pending.listener.onDisplay?.(msg);
        break;
      case 'runStart':
        pending.listener.onRunStart?.(msg);
        break;
      case 'progress':
        pending.lastBatchMs = msg.lastBatchMs;
        // Progress while stopping: the worker is alive, the stop lands at the batch's end.
        if (this.stopTimer) this.armStopTimer();
        pending.listener.onProgress?.(msg);
        break;
      case 'done':
        this.settle(msg);
        break;
      case 'failed':
        // After a WebAssembly abort the worker exits: the next run must not reach it.
        if (msg.kind === 'memory') this.retire();
        this.settle(msg);
        break;
      default:
        break;
    }
  }
}
