/**
 * Threads for the fused kernels: a pool of workers that run the kernels' WebAssembly module
 * over one shared memory, on chunks of each call (rows of a product, rows or columns of a gate
 * kernel), the calling thread among them.
 *
 * Why our own pool: tfjs's threaded wasm build does not start under Node (PERF.md), and the
 * fused path needs only its own kernels in parallel. The workers are started by a `ThreadHost`
 * (./pool-node: worker_threads; ./pool-browser: Web Workers, which need a cross-origin isolated
 * page for SharedArrayBuffer), so this file uses no platform API but WebAssembly and Atomics.
 *
 * Synchronisation: a control block at the start of the shared memory. The caller writes the
 * call (function index) and each chunk's arguments, publishes the chunk count in TICKET, bumps
 * GEN and notifies; a worker spins on GEN for a while (a training step calls the pool hundreds
 * of times with microseconds between calls), then sleeps in Atomics.wait. Every thread, the
 * caller included, claims chunks from TICKET until none is left and counts each it finishes in
 * DONE; the caller then spins and waits on DONE. So a worker the system has not scheduled
 * leaves its share to the others. Atomics' sequentially consistent operations order the
 * kernels' plain stores on both sides.
 *
 * A worker that throws writes its message into the block; the caller then throws a
 * `PoolFailure`, and ../fused/index reruns the op on one thread and closes the pool.
 */
import {
  compiledModule,
  instantiate,
  ROW_KERNEL_NAMES,
  ROW_KERNEL_OPERANDS,
  WebAssemblyApi,
  type KernelFn,
  type Kernels,
  type WasmMemory,
} from './kernels';

/** Starts the pool's workers on one platform. */
export interface ThreadHost {
  /** The platform's name for reports ('worker_threads', 'Web Workers'). */
  readonly name: string;
  /** Logical cores available to this process (os.availableParallelism, hardwareConcurrency). */
  cores(): number;
  /** Null when threads can run here, else why not (no SharedArrayBuffer, say). */
  unavailable(): string | null;
  /** Starts a thread that runs `run(data)`; `run` is the source of a function expression. */
  start(run: string, data: WorkerData, onError: (message: string) => void): WorkerHandle;
}

export interface WorkerHandle {
  terminate(): void;
}

/** What a worker gets: the memory, the compiled module and its place in the control block. */
export interface WorkerData {
  memory: WasmMemory;
  module: object;
  index: number;
  names: readonly string[];
  spin: number;
}

/** Thrown when a worker failed or stopped answering; the call's results are not to be used. */
export class PoolFailure extends Error {}

// ---- the control block --------------------------------------------------------------------------

/** Int32 indices of the control block's header. */
const GEN = 0; // bumped for every call (workers wait on it)
const TICKET = 1; // (chunks << 8) | next chunk to claim
const DONE = 2; // chunks finished
const FN = 3; // the call's function index
const NARGS = 4;
const ERROR = 5; // worker index + 1 of a failure, else 0
const READY = 6; // workers that have instantiated the module
const QUIT = 7;
const MESSAGE = 64; // byte offset of an error message (UTF-16, MESSAGE_CHARS code units)
const MESSAGE_CHARS = 240;
const SLOTS = 1024; // byte offset of the chunks' arguments
/** Arguments of one chunk, float64. */
const SLOT_ARGS = 46;
const SLOT_BYTES = 8 * SLOT_ARGS;
/** Most threads a pool runs (the calling thread included). */
export const MAX_THREADS = 16;
/** Chunks a call is cut into, at most (below 256: they share TICKET's low byte). */
const MAX_CHUNKS = 64;
const CHUNKS_PER_THREAD = 4;
/** Bytes the control block takes at the start of the shared memory. */
export const CONTROL_BYTES = SLOTS + MAX_CHUNKS * SLOT_BYTES;

/**
 * Spins on the control block before sleeping (about 5-20 µs: the gaps between a time loop's
 * calls). Longer spins (20,000) measured no better on this shared machine and take a core from
 * the caller when the system is oversubscribed.
 */
const SPIN = 2000;
/** A call whose workers have not all answered after this long fails the pool. */
const STALL_MS = 30000;

/**
 * The worker's code, as the source of a function of its `WorkerData` (hosts wrap it in their
 * platform's start-up). Self-contained: it runs in a fresh thread.
 *
 * A call is cut into chunks that every thread claims from TICKET, the caller too: a thread the
 * system has not scheduled yet (a loaded machine) leaves its chunks to the others instead of
 * holding up the call. A claim is valid when its chunk number is below the call's chunk count,
 * both read in one atomic add, so a late claim can never take a chunk of another call twice.
 */
export const WORKER_SOURCE = `function run(d) {
  const I = new Int32Array(d.memory.buffer, 0, ${CONTROL_BYTES / 4});
  const fail = (e) => {
    const m = String((e && e.message) || e).slice(0, ${MESSAGE_CHARS});
    const U = new Uint16Array(d.memory.buffer, ${MESSAGE}, ${MESSAGE_CHARS});
    for (let i = 0; i < ${MESSAGE_CHARS}; i++) U[i] = i < m.length ? m.charCodeAt(i) : 0;
    Atomics.store(I, ${ERROR}, d.index + 1);
  };
  let fns = null;
  try {
    const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
    fns = d.names.map((n) => inst.exports[n]);
  } catch (e) {
    fail(e);
  }
  const args = new Float64Array(d.memory.buffer, ${SLOTS}, ${MAX_CHUNKS * SLOT_ARGS});
  let gen = Atomics.load(I, ${GEN});
  Atomics.add(I, ${READY}, 1);
  Atomics.notify(I, ${READY});
  for (;;) {
    let spins = 0;
    while (Atomics.load(I, ${GEN}) === gen) {
      if (++spins > d.spin) {
        Atomics.wait(I, ${GEN}, gen);
        spins = 0;
      }
    }
    gen = Atomics.load(I, ${GEN});
    if (Atomics.load(I, ${QUIT}) !== 0) return;
    for (;;) {
      const t = Atomics.add(I, ${TICKET}, 1);
      const c = t & 255;
      const n = (t >> 8) & 255;
      if (c >= n) break;
      try {
        if (!fns) throw new Error('the kernels did not instantiate');
        const fn = fns[Atomics.load(I, ${FN})];
        const na = Atomics.load(I, ${NARGS});
        const a = [];
        for (let i = 0; i < na; i++) a.push(args[c * ${SLOT_ARGS} + i]);
        fn.apply(null, a);
      } catch (e) {
        fail(e);
      }
      if (Atomics.add(I, ${DONE}, 1) === n - 1) Atomics.notify(I, ${DONE});
    }
  }
}`;

// ---- splitting calls ----------------------------------------------------------------------------

/** Parts of [0, n) for `w` chunks, boundaries rounded to `align`. */
function bounds(n: number, w: number, align: number): number[] {
  const out = [0];
  for (let i = 1; i < w; i++) {
    out.push(Math.min(n, Math.ceil(Math.floor((n * i) / w) / align) * align));
  }
  out.push(n);
  return out;
}

/** Below these, a call runs on the calling thread alone (a part must outweigh the sync). */
const MIN_ROW_ELEMENTS = 4096;
const MIN_GEMM_MACS = 262144; // about 10 µs of product: a chunk must outweigh a ~2 µs sync
let minRowElements = MIN_ROW_ELEMENTS;
let minGemmMacs = MIN_GEMM_MACS;

/**
 * The shared memory's maximum, in 64 KiB pages: 16,384 (1 GB). An op that needs more runs on one
 * thread (../fused/index). Settable for tests, before a pool starts.
 */
let sharedPages = 16384;
export function setSharedMemoryPages(pages = 16384): void {
  sharedPages = pages;
}

/**
 * The smallest row kernel (elements) and product (multiply-adds) that are split across threads;
 * no arguments restores the defaults. Tests set 0 so that every call of small layers is split.
 */
export function setSplitThresholds(rowElements = MIN_ROW_ELEMENTS, gemmMacs = MIN_GEMM_MACS): void {
  minRowElements = rowElements;
  minGemmMacs = gemmMacs;
}

/**
 * Moves (copies, fills, products and sums of rows) cost a few cycles an element against a gate
 * kernel's tens: they are split only when this many times larger (a step's (B, u) copy is not).
 */
const MOVES = new Set(['copy', 'fill', 'mul', 'add', 'acc', 'fma']);
const MOVE_COST = 1 / 16;

const GEMM = ROW_KERNEL_NAMES.length + 1;
const TRANSPOSE = ROW_KERNEL_NAMES.length;
const NAMES = [...ROW_KERNEL_NAMES, 'transpose', 'gemm'];

/** A pool of `threads` − 1 workers and the calling thread over one shared memory. */
export class ThreadPool {
  readonly memory: WasmMemory;
  /** The kernels, each call split across the threads. */
  readonly kernels: Kernels;
  /** Null while the pool works; why it stopped otherwise. */
  failed: string | null = null;
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly own: Kernels;
  private readonly ownFns: KernelFn[];
  private readonly workers: WorkerHandle[] = [];
  private asyncError: string | null = null;

  private constructor(
    readonly threads: number,
    readonly host: ThreadHost,
    memory: WasmMemory,
  ) {
    this.memory = memory;
    this.ctrl = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
    this.args = new Float64Array(memory.buffer, SLOTS, MAX_CHUNKS * SLOT_ARGS);
    this.own = instantiate(memory);
    this.ownFns = [
      ...ROW_KERNEL_NAMES.map((name) => this.own.row[name]!),
      this.own.transpose as KernelFn,
      this.own.gemm as KernelFn,
    ];
    const row: Record<string, KernelFn> = {};
    ROW_KERNEL_NAMES.forEach((name, fn) => {
      const operands = ROW_KERNEL_OPERANDS[name]!;
      const cost = MOVES.has(name) ? MOVE_COST : 1;
      row[name] = (...args: number[]) => this.rowCall(fn, operands, cost, args);
    });
    this.kernels = {
      row,
      relaxed: this.own.relaxed,
      dropoutMask: this.own.dropoutMask,
      transpose: (dst, src, rows, cols, ss, ds) => {
        const parts = this.parts(rows * cols, minRowElements);
        if (parts === 1) {
          this.own.transpose(dst, src, rows, cols, ss, ds);
          return;
        }
        const b = bounds(rows, parts, 4);
        this.run(TRANSPOSE, parts, (w) => [
          dst + b[w]!,
          src + b[w]! * ss,
          b[w + 1]! - b[w]!,
          cols,
          ss,
          ds,
        ]);
      },
      gemm: (out, a, b, m, k, n, bias, r0, r1) => {
        const rows = r1 - r0;
        const parts = Math.min(this.parts(rows * k * n, minGemmMacs), Math.max(1, rows >> 2));
        if (parts === 1) {
          this.own.gemm(out, a, b, m, k, n, bias, r0, r1);
          return;
        }
        const p = bounds(rows, parts, 4);
        this.run(GEMM, parts, (w) => [out, a, b, m, k, n, bias, r0 + p[w]!, r0 + p[w + 1]!]);
      },
    };
  }

  /**
   * Starts a pool of `threads` (the caller included) over a new shared memory, or says why not.
   * Resolves once every worker has instantiated the kernels.
   */
  static async start(threads: number, host: ThreadHost): Promise<ThreadPool | string> {
    const why = host.unavailable();
    if (why) return why;
    const n = Math.min(MAX_THREADS, Math.max(1, Math.floor(threads)));
    let memory: WasmMemory;
    try {
      memory = new WebAssemblyApi.Memory({ initial: 17, maximum: sharedPages, shared: true });
    } catch (e) {
      return `no shared WebAssembly memory here: ${(e as Error).message}`;
    }
    const pool = new ThreadPool(n, host, memory);
    const data = (index: number): WorkerData => ({
      memory,
      module: compiledModule({ shared: true, relaxed: pool.own.relaxed }),
      index,
      names: NAMES,
      spin: SPIN,
    });
    try {
      for (let w = 1; w < n; w++) {
        pool.workers.push(
          host.start(WORKER_SOURCE, data(w), (message) => {
            pool.asyncError ??= `fused kernel thread ${w} failed: ${message}`;
          }),
        );
      }
    } catch (e) {
      pool.close();
      return `${host.name} did not start: ${(e as Error).message}`;
    }
    const deadline = Date.now() + 10000;
    while (Atomics.load(pool.ctrl, READY) < n - 1) {
      const err = pool.workerError() ?? pool.asyncError;
      if (err || Date.now() > deadline) {
        pool.close();
        return err ?? `${n - 1 - Atomics.load(pool.ctrl, READY)} thread(s) did not start in 10 s`;
      }
      await new Promise((done) => setTimeout(done, 2));
    }
    const err = pool.workerError();
    if (err) {
      pool.close();
      return err;
    }
    return pool;
  }

  /** Chunks for a call of `work` units: 1 (no split) below `min`, else up to 4 per thread. */
  private parts(work: number, min: number): number {
    if (this.failed !== null || this.threads < 2 || work < min) return 1;
    const most = Math.min(MAX_CHUNKS, this.threads * CHUNKS_PER_THREAD);
    return Math.max(this.threads, Math.min(most, min > 0 ? Math.floor(work / min) : most));
  }

  private rowCall(fn: number, operands: number, cost: number, args: number[]): void {
    const rows = args[0]!;
    const cols = args[1]!;
    const parts = this.parts(rows * cols * cost, minRowElements);
    if (parts === 1) {
      this.ownFns[fn]!(...args);
      return;
    }
    if (rows >= parts) {
      // By rows: operand k's base moves by r0·stride_k.
      const b = bounds(rows, parts, 1);
      this.run(fn, parts, (w) => {
        const a = args.slice();
        a[0] = b[w + 1]! - b[w]!;
        for (let k = 0; k < operands; k++) {
          a[2 + 2 * k] = args[2 + 2 * k]! + b[w]! * args[3 + 2 * k]!;
        }
        return a;
      });
    } else {
      // By columns: every base moves by c0.
      const b = bounds(cols, parts, 8);
      this.run(fn, parts, (w) => {
        const a = args.slice();
        a[1] = b[w + 1]! - b[w]!;
        for (let k = 0; k < operands; k++) a[2 + 2 * k] = args[2 + 2 * k]! + b[w]!;
        return a;
      });
    }
  }

  /** Runs function `fn` on `parts` chunks, chunk c with `argsOf(c)`, and waits for all. */
  private run(fn: number, parts: number, argsOf: (c: number) => number[]): void {
    const I = this.ctrl;
    const chunks: number[][] = [];
    for (let c = 0; c < parts; c++) {
      const a = argsOf(c);
      chunks.push(a);
      this.args.set(a, c * SLOT_ARGS);
    }
    Atomics.store(I, FN, fn);
    Atomics.store(I, NARGS, chunks[0]!.length);
    Atomics.store(I, DONE, 0);
    Atomics.store(I, TICKET, parts << 8); // publishes the call
    Atomics.add(I, GEN, 1);
    Atomics.notify(I, GEN);
    const f = this.ownFns[fn]!;
    let ownError: unknown = null;
    for (;;) {
      const c = Atomics.add(I, TICKET, 1) & 255;
      if (c >= parts) break;
      try {
        f(...chunks[c]!);
      } catch (e) {
        ownError ??= e;
      }
      Atomics.add(I, DONE, 1);
    }
    this.wait(parts);
    if (ownError) throw ownError;
  }

  private wait(parts: number): void {
    const I = this.ctrl;
    let spins = 0;
    let started = 0;
    for (;;) {
      const done = Atomics.load(I, DONE);
      if (done === parts) break;
      if (++spins < SPIN) continue;
      started ||= Date.now();
      Atomics.wait(I, DONE, done, 100);
      if (Date.now() - started > STALL_MS) {
        this.fail(`a fused kernel thread did not answer in ${STALL_MS / 1000} s`);
      }
    }
    const err = this.workerError();
    if (err) this.fail(err);
  }

  private fail(message: string): never {
    this.failed = message;
    this.close();
    throw new PoolFailure(message);
  }

  private workerError(): string | null {
    const w = Atomics.load(this.ctrl, ERROR);
    if (w === 0) return null;
    const U = new Uint16Array(this.memory.buffer, MESSAGE, MESSAGE_CHARS);
    let m = '';
    for (const c of U) {
      if (c === 0) break;
      m += String.fromCharCode(c);
    }
    return `fused kernel thread ${w - 1} failed: ${m}`;
  }

  /** Stops the workers (idempotent); the pool runs everything on the calling thread after. */
  close(): void {
    this.failed ??= 'closed';
    Atomics.store(this.ctrl, QUIT, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
