/**
 * The host's side of a kernel worker, whatever starts the worker: one cell at a time, Ready and
 * its protocol version checked, the cell's messages routed to its listener, a stop through the
 * shared stop flag (with a grace time, then the worker is ended), a clear message when the worker
 * dies. `KernelClient` (./client.ts) starts a Node worker thread for the extension and the CLI;
 * the web playground starts a Web Worker (webview/playground/kernel.ts). Pure: no Node APIs.
 */
import {
  parseFromWorker,
  PROTOCOL_VERSION,
  type DisplayData,
  type Done,
  type Failed,
  type FromWorker,
  type Memory,
  type Progress,
  type Ready,
  type RunStart,
  type Stream,
  type Summary,
  type ToWorker,
} from './protocol';

export interface CellListener {
  onStream?(msg: Stream): void;
  onSummary?(msg: Summary): void;
  onDisplay?(msg: DisplayData): void;
  onRunStart?(msg: RunStart): void;
  onProgress?(msg: Progress): void;
}

/** Shortest wait for a stop to take effect before the worker is terminated. */
export const STOP_GRACE_MS = 2000;

/** What a restart loses, for the message users see. */
export const LOST =
  'the namespace is lost (variables, data sets, models and their trained weights): run the cells again';

/** A started worker, as the connection uses it. */
export interface WorkerLink {
  post(msg: ToWorker): void;
  terminate(): unknown;
}

/** What a subclass's worker reports: its messages, and its death (with the message users see). */
export interface WorkerEvents {
  message(raw: unknown): void;
  died(message: string, kind: Failed['kind']): void;
}

/** The connection's state, for a status line. */
export type KernelState = 'starting' | 'idle' | 'busy' | 'stopped';

interface Pending {
  execId: string;
  listener: CellListener;
  resolve(result: Done | Failed): void;
  lastBatchMs: number;
}

/** The protocol version of a `ready` message from another build, else null. */
function otherProtocol(raw: unknown): number | null {
  const m = raw as { type?: unknown; protocol?: unknown } | null;
  if (typeof m !== 'object' || m === null || m.type !== 'ready') return null;
  return typeof m.protocol === 'number' && m.protocol !== PROTOCOL_VERSION ? m.protocol : null;
}

export abstract class KernelConnection {
  private link: WorkerLink | null = null;
  private ready: Promise<Ready> | null = null;
  private pending: Pending | null = null;
  private stopTimer: ReturnType<typeof setTimeout> | null = null;
  private memoryWaiters: Array<(m: Memory) => void> = [];
  private nextId = 0;
  /** Set when the worker died; the next run starts a fresh one. */
  lastExit: string | null = null;

  /**
   * `flag`: the stop flag shared with the worker (null where there is no shared memory: a stop
   * then ends the worker at once, `stopWithoutFlag`).
   */
  constructor(
    protected readonly flag: Int32Array | null,
    private readonly startTimeoutMs = 60000,
  ) {}

  /** Starts a worker whose messages and death go to `events`. */
  protected abstract launch(events: WorkerEvents): WorkerLink;

  /** The message of a worker that speaks another protocol version (how to get a matching one). */
  protected abstract versionMismatch(protocol: number): string;

  /** Called before each cell is sent (the page sends its uploads). */
  protected beforeRun?(): void;

  /** Called when the state changes (a status line). */
  protected changed?(state: KernelState): void;

  /** The message of an interrupt without a stop flag (the worker is ended). */
  protected stopWithoutFlag(): string {
    return `interrupted: the kernel could not be signalled, so it was ended; ${LOST}`;
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  /** Starts the worker (if needed) and waits for its backend. */
  start(): Promise<Ready> {
    if (this.ready) return this.ready;
    this.changed?.('starting');
    this.ready = new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the kernel did not start within ${this.startTimeoutMs / 1000} s`));
        void this.terminate('start timed out');
      }, this.startTimeoutMs);
      const link: WorkerLink = this.launch({
        message: (raw) => {
          if (this.link !== link) return;
          // A worker of another build may shape its messages differently: its version is read
          // before anything else is validated.
          const other = otherProtocol(raw);
          if (other !== null) {
            clearTimeout(timer);
            const message = this.versionMismatch(other);
            reject(new Error(message));
            void this.terminate(message);
            return;
          }
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
              const message = this.versionMismatch(msg.protocol);
              reject(new Error(message));
              void this.terminate(message);
              return;
            }
            this.changed?.(this.pending ? 'busy' : 'idle');
            resolve(msg);
            return;
          }
          if (msg.type === 'failed' && msg.execId === '' && !this.pending) {
            clearTimeout(timer);
            reject(new Error(msg.message));
            return;
          }
          this.dispatch(msg);
        },
        died: (message, kind) => {
          clearTimeout(timer);
          if (this.link !== link) return;
          this.died(message, kind);
          reject(new Error(message));
        },
      });
      this.link = link;
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
    if (this.flag) Atomics.store(this.flag, 0, 0);
    const link = this.link!;
    this.beforeRun?.();
    this.changed?.('busy');
    return new Promise<Done | Failed>((resolve) => {
      this.pending = { execId, listener, resolve, lastBatchMs: 0 };
      link.post({ type: 'run', execId, code });
    });
  }

  /**
   * Asks the running cell to stop after its current batch. If nothing arrives within
   * max(2 s, 3x the last batch), the worker is terminated and restarted. Without a stop flag the
   * worker is terminated at once.
   */
  stop(): void {
    if (!this.pending) return;
    if (!this.flag) {
      void this.terminate(this.stopWithoutFlag(), 'interrupted');
      return;
    }
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
      this.link!.post({ type: 'memory' });
    });
  }

  /** Ends the worker; a pending run resolves with `message`. The next run starts a new one. */
  async terminate(message = 'the kernel was shut down', kind: Failed['kind'] = 'restarted') {
    const link = this.link;
    this.died(message, kind);
    if (link) await link.terminate();
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
    this.link = null;
    this.ready = null;
  }

  private died(message: string, kind: Failed['kind']): void {
    this.lastExit = message;
    const pending = this.pending;
    this.reset();
    this.changed?.('stopped');
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
    this.link = null;
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
    this.changed?.(this.link ? 'idle' : 'stopped');
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
