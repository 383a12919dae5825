/**
 * Training benchmark: `npm run bench -- --training [--json FILE]`, or
 * `node --import tsx test/bench/train.ts [--json FILE]` from the repo root after `npm run build`.
 *
 * The PERF.md workloads (Adam, MSE):
 *   a) LSTM(128) → Dense(1)
 *   b) GRU(128) → Dense(1)                      (tfjs GRU is reset_after=False; sigmoid gates)
 *   c) LSTM(128, seq) → Dropout(0.5) → LSTM(128) → Dense(1)
 *   d) LSTM(128, dropout=0.2, recurrent_dropout=0.2) → Dense(1)
 *      a-d with batch 64, 50 timesteps, 32 features;
 *   e) the playground's size: GRU(32, seq) → Dropout(0.3) → GRU(32) → Dense(1), batch 64,
 *      40 timesteps, 2 features.
 *
 * Every contender is timed one training step at a time, interleaved round by round (A B C D, then
 * D C B A, ...) after its first step and WARMUP more steps; we report medians, min/max, the paired
 * ratio to the baseline (the first contender) and the kernel's paired ratio to PyTorch at the same
 * thread count. PyTorch runs in persistent processes of its own (one per thread count), stepped
 * in the same rounds as the in-process contenders; each times its own step, as they do.
 *
 * PyTorch is the reference only when it is done honestly (PERF.md): Debian's python3-torch is
 * built against the generic BLAS interface, and on a bare Debian that resolves to the reference
 * BLAS (netlib libblas3), 4-5x slower than OpenBLAS. So each PyTorch process reports the file
 * its sgemm_ comes from (dlsym in libtorch_cpu's scope, then dladdr), every BLAS-like library
 * mapped into it after a matmul (/proc/self/maps), a matmul's GFLOP/s, its thread counts (torch's
 * and OpenBLAS's own) and torch's build config, beside update-alternatives's choice for
 * libblas.so.3; on anything but OpenBLAS, MKL or BLIS we print no PyTorch figure and say how to
 * fix it. Threads
 * are pinned: OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=n and torch.set_num_threads(n), with
 * OMP_WAIT_POLICY=PASSIVE and an untimed pause after each step when n > 1 (see torchEnv). The
 * kernel's ratio to PyTorch is paired against the PyTorch process with the kernel's thread count.
 *
 * Then the example notebook as it was when this benchmark was written (test/bench/fixtures/
 * example-v1.rnnlab: three GRU fits of 10 epochs) runs end to end with `node dist/cli.js run`,
 * NOTEBOOK_RUNS times (wall time, median).
 *
 * The stock tfjs models use recurrentInitializer 'glorotUniform' instead of Keras's default
 * 'orthogonal': tfjs's orthogonal init takes 0.5 to 1.8 s per layer on wasm (PERF.md), which
 * would swamp the build times and does not change the cost of a step.
 *
 * Environment: RNNLAB_BENCH_STEPS (measured steps per contender per workload, default 7),
 * RNNLAB_BENCH_WARMUP (extra warm-up steps after the first, default 2), RNNLAB_BENCH_MODELS
 * (subset, e.g. "ae"), RNNLAB_BENCH_TORCH=0 to skip PyTorch, RNNLAB_BENCH_TORCH_THREADS (PyTorch
 * thread counts, default "1,2"), RNNLAB_BENCH_PYTHON (the Python that imports torch),
 * RNNLAB_BENCH_NOTEBOOK_RUNS (default 3; 0 skips the notebook), RNNLAB_BENCH_OPS=1 to add the
 * kernel on its per-step tfjs ops (the recurrent layers' path before the fused one),
 * RNNLAB_BENCH_THREADS (the kernel's threads, default 'auto': the cores available). With more
 * than one, `kernel` runs on the fused kernels' thread pool and `kernel-1thread` is the same
 * model on one thread (the wasm heap and XNNPACK products), stepped in the same rounds; the
 * summary gives their paired ratio and each against PyTorch at its thread count. The example
 * notebook's `rnnlab run` uses the CLI's default (RNNLAB_KERNEL_THREADS, kernels/worker.ts).
 *
 * To add a contender, append to inProcessContenders(): `create(model)` returns `{ step,
 * dispose }`; `activate()` (optional) runs before each of its timed calls, for global state such
 * as which kernels are registered. Results go to the table, to .bench/train.json and, with
 * `--json FILE`, to FILE in issue 11's contract: one row per workload and contender, and one
 * `env` row.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../kernels/tfjs/backend';
import { setTransposedMatMulFix } from '../../kernels/tfjs/kernels-wasm';
import { kernelThreads as fusedThreads, setRecurrentPath } from '../../kernels/tfjs/fused/index';
import { enableThreadPool } from '../../kernels/tfjs/fused/device';
import { nodeThreads } from '../../kernels/tfjs/fused/pool-node';
import { Rng } from '../../kernels/random';
import { buildModel } from '../../kernels/tfjs/build';
import { computeLoss } from '../../kernels/train';
import { analyze } from '../../analyzer/python/evaluate';
import { loadAverage, median, writeReport } from './report';

// ---- workloads and contenders -------------------------------------------------------------------

export type ModelId = 'a' | 'b' | 'c' | 'd' | 'e';

interface Workload {
  label: string;
  batch: number;
  timesteps: number;
  features: number;
  units: number;
}

const PERF_SIZE = { batch: 64, timesteps: 50, features: 32, units: 128 };

const MODELS: Record<ModelId, Workload> = {
  a: { label: 'a LSTM', ...PERF_SIZE },
  b: { label: 'b GRU', ...PERF_SIZE },
  c: { label: 'c LSTM-Dropout-LSTM', ...PERF_SIZE },
  d: { label: 'd LSTM with dropouts', ...PERF_SIZE },
  e: { label: 'e playground GRU-Dropout-GRU', batch: 64, timesteps: 40, features: 2, units: 32 },
};

/** One model being trained by one contender. */
export interface TrainSession {
  /**
   * One training step on the fixed batch (forward, backward, Adam update). A contender that times
   * itself (PyTorch, in its process) returns its ms; otherwise the call is timed here.
   */
  step(): Promise<number | void> | number | void;
  dispose(): void;
}

export interface Contender {
  name: string;
  /** The contender's name in the `--json` contract. */
  id: string;
  threads: number;
  /** A pause after each of its steps, untimed, so that threads it leaves spinning stop first. */
  settleMs?: number;
  /** Called before each timed call of this contender (create and every step). */
  activate?(): void;
  create(model: ModelId): Promise<TrainSession> | TrainSession;
}

/** The fixed batch every in-process contender trains on (seeded, so runs are comparable). */
function batch(w: Workload): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const rng = new Rng(7);
  const xs = Float32Array.from({ length: w.batch * w.timesteps * w.features }, () => rng.normal());
  const ys = Float32Array.from({ length: w.batch }, () => rng.normal());
  return {
    x: tf.tensor3d(xs, [w.batch, w.timesteps, w.features]),
    y: tf.tensor2d(ys, [w.batch, 1]),
  };
}

/** A PERF.md workload built from stock tfjs-layers. */
function stockModel(model: ModelId): tfl.LayersModel {
  const w = MODELS[model];
  const rnn = { units: w.units, recurrentInitializer: 'glorotUniform' } as const;
  const inputShape = [w.timesteps, w.features];
  const layers: tfl.layers.Layer[] = [];
  if (model === 'a') layers.push(tfl.layers.lstm({ ...rnn, inputShape }));
  if (model === 'b') {
    layers.push(tfl.layers.gru({ ...rnn, recurrentActivation: 'sigmoid', inputShape }));
  }
  if (model === 'c') {
    layers.push(tfl.layers.lstm({ ...rnn, returnSequences: true, inputShape }));
    layers.push(tfl.layers.dropout({ rate: 0.5 }));
    layers.push(tfl.layers.lstm(rnn));
  }
  if (model === 'd') {
    layers.push(tfl.layers.lstm({ ...rnn, dropout: 0.2, recurrentDropout: 0.2, inputShape }));
  }
  if (model === 'e') {
    const gru = { ...rnn, recurrentActivation: 'sigmoid' } as const;
    layers.push(tfl.layers.gru({ ...gru, returnSequences: true, inputShape }));
    layers.push(tfl.layers.dropout({ rate: 0.3 }));
    layers.push(tfl.layers.gru(gru));
  }
  layers.push(tfl.layers.dense({ units: 1 }));
  const m = tfl.sequential({ layers });
  m.compile({ optimizer: tf.train.adam(), loss: 'meanSquaredError' });
  return m;
}

function stockSession(model: ModelId): TrainSession {
  const m = stockModel(model);
  const { x, y } = batch(MODELS[model]);
  return {
    async step() {
      await m.trainOnBatch(x, y);
    },
    dispose() {
      m.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** The same workloads written as Keras code and built by the kernel (Keras defaults, seeded). */
const KERAS_CODE: Record<ModelId, string> = {
  a: 'layers.LSTM(UNITS)',
  b: 'layers.GRU(UNITS)',
  c: 'layers.LSTM(UNITS, return_sequences=True), layers.Dropout(0.5), layers.LSTM(UNITS)',
  d: 'layers.LSTM(UNITS, dropout=0.2, recurrent_dropout=0.2)',
  e: 'layers.GRU(UNITS, return_sequences=True), layers.Dropout(0.3), layers.GRU(UNITS)',
};

/** The kernel's own training step, as kernels/train.ts's fit runs it for one batch. */
function kernelSession(model: ModelId): TrainSession {
  const w = MODELS[model];
  const code = `import keras\nfrom keras import layers\nUNITS = ${w.units}\nm = keras.Sequential([keras.Input(shape=(${w.timesteps}, ${w.features})), ${KERAS_CODE[model]}, layers.Dense(1)])`;
  const graph = analyze(code).models[0]!;
  const m = buildModel(graph, 7);
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  const { x, y } = batch(w);
  const vars = m.trainableWeights.map((v) => v.read() as tf.Variable);
  return {
    step() {
      tf.tidy(() => {
        const cost = optimizer.minimize(
          () =>
            computeLoss(
              { name: 'mse', fromLogits: false },
              y,
              m.apply(x, { training: true }) as tf.Tensor,
            ),
          true,
          vars,
        );
        cost?.dataSync();
      });
    },
    dispose() {
      m.dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** tfjs's own thread count: its wasm backend runs single-threaded under Node (PERF.md). */
function tfjsThreads(): number {
  try {
    return Math.max(1, getThreadsCount());
  } catch {
    return 1;
  }
}

/** The fused kernels' threads (their pool over shared memory, started in main). */
function kernelThreads(): number {
  return fusedThreads().threads;
}

/** Threads asked of the kernel: RNNLAB_BENCH_THREADS, default 'auto' (the cores available). */
function threadsAsked(): number | 'auto' {
  const v = process.env['RNNLAB_BENCH_THREADS'];
  return v === undefined || v === 'auto' ? 'auto' : Math.max(1, Math.floor(Number(v)));
}

/** The in-process contenders; the first is the baseline of every `× stock` ratio. */
function inProcessContenders(): Contender[] {
  const threads = tfjsThreads();
  const kernel = kernelThreads();
  return [
    {
      name: 'tfjs wasm, stock',
      id: 'tfjs-wasm',
      threads,
      activate: () => setTransposedMatMulFix(false),
      create: stockSession,
    },
    {
      name: 'tfjs wasm + matmul fix',
      id: 'tfjs-wasm-fixed',
      threads,
      activate: () => setTransposedMatMulFix(true),
      create: stockSession,
    },
    {
      name: `rnnlab kernel (Keras layers), ${kernel} thread${kernel > 1 ? 's' : ''}`,
      id: 'kernel',
      threads: kernel,
      activate: () => {
        setTransposedMatMulFix(true);
        setRecurrentPath('auto');
        enableThreadPool(true);
      },
      create: kernelSession,
    },
    // The same on one thread (the wasm backend's heap and XNNPACK products), when the default
    // is more: the threads' speed-up, paired round by round.
    ...(kernel > 1
      ? [
          {
            name: 'rnnlab kernel (Keras layers), 1 thread',
            id: 'kernel-1thread',
            threads: 1,
            activate: () => {
              setTransposedMatMulFix(true);
              setRecurrentPath('auto');
              enableThreadPool(false);
            },
            create: kernelSession,
          },
        ]
      : []),
    // The kernel's layers on their per-step tfjs ops instead of the fused path: before/after in
    // one run (RNNLAB_BENCH_OPS=1; off by default, so the contract's contenders stay as listed).
    ...(process.env['RNNLAB_BENCH_OPS'] === '1'
      ? [
          {
            name: 'rnnlab kernel, per-step ops',
            id: 'kernel-ops',
            threads,
            activate: () => {
              setTransposedMatMulFix(true);
              setRecurrentPath('ops');
              enableThreadPool(false);
            },
            create: kernelSession,
          },
        ]
      : []),
  ];
}

const KERNEL_ID = 'kernel';
const MACHINE_CORES = cpus().length;

const STEPS = Math.max(1, Number(process.env['RNNLAB_BENCH_STEPS'] ?? 7));
const WARMUP = Math.max(0, Number(process.env['RNNLAB_BENCH_WARMUP'] ?? 2));
const MODEL_IDS = (Object.keys(MODELS) as ModelId[]).filter((m) =>
  (process.env['RNNLAB_BENCH_MODELS'] ?? 'abcde').includes(m),
);
const TORCH_THREADS = [
  ...new Set(
    (process.env['RNNLAB_BENCH_TORCH_THREADS'] ?? '1,2')
      .split(',')
      .map((s) => Math.floor(Number(s)))
      .filter((n) => n >= 1),
  ),
];
const NOTEBOOK_RUNS = Math.max(0, Number(process.env['RNNLAB_BENCH_NOTEBOOK_RUNS'] ?? 3));

// ---- PyTorch ------------------------------------------------------------------------------------

/**
 * A persistent PyTorch process: `python -u -c TORCH_SCRIPT THREADS`. It answers one JSON line per
 * request line: first a hello (versions, threads, BLAS), then `{"build": id, ...sizes}` and
 * `{"step": true}`, each with the ms it took in the process.
 */
const TORCH_SCRIPT = String.raw`
import ctypes, json, os, re, sys, time, traceback
import torch
from torch import nn

threads = int(sys.argv[1])
torch.set_num_threads(threads)


class Last(nn.Module):
    """a / b: one recurrent layer, last output, Dense(1)."""

    def __init__(self, rnn, H):
        super().__init__()
        self.rnn = rnn
        self.head = nn.Linear(H, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class Stacked(nn.Module):
    """c: LSTM(seq) -> Dropout(0.5) -> LSTM -> Dense(1); e: the same with GRUs and Dropout(0.3)."""

    def __init__(self, cell, F, H, p):
        super().__init__()
        self.rnn1 = cell(F, H, batch_first=True)
        self.drop = nn.Dropout(p)
        self.rnn2 = cell(H, H, batch_first=True)
        self.head = nn.Linear(H, 1)

    def forward(self, x):
        seq, _ = self.rnn1(x)
        out, _ = self.rnn2(self.drop(seq))
        return self.head(out[:, -1])


class KerasDropoutLSTM(nn.Module):
    """d: Keras LSTM(dropout=0.2, recurrent_dropout=0.2): one input mask and one recurrent mask
    per sequence, the same at every timestep (as tfjs-layers does), so a cell loop."""

    def __init__(self, F, H, p=0.2, rp=0.2):
        super().__init__()
        self.F, self.H, self.p, self.rp = F, H, p, rp
        self.w = nn.Linear(F, 4 * H)
        self.u = nn.Linear(H, 4 * H, bias=False)
        self.head = nn.Linear(H, 1)

    def forward(self, x):
        n, F, H = x.shape[0], self.F, self.H
        keep = 1 - self.p
        mask = torch.bernoulli(torch.full((n, 1, F), keep)) / keep
        rkeep = 1 - self.rp
        rmask = torch.bernoulli(torch.full((n, H), rkeep)) / rkeep
        zx = self.w(x * mask)
        h = x.new_zeros(n, H)
        c = x.new_zeros(n, H)
        for t in range(x.shape[1]):
            z = zx[:, t] + self.u(h * rmask)
            i, f, g, o = z.chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        return self.head(h)


BUILD = {
    "a": lambda F, H: Last(nn.LSTM(F, H, batch_first=True), H),
    "b": lambda F, H: Last(nn.GRU(F, H, batch_first=True), H),
    "c": lambda F, H: Stacked(nn.LSTM, F, H, 0.5),
    "d": KerasDropoutLSTM,
    "e": lambda F, H: Stacked(nn.GRU, F, H, 0.3),
}

BLAS_LIB = re.compile(r"blas|mkl|blis|lapack|atlas", re.I)


class DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


def sgemm_provider(mapped):
    """The file that torch's sgemm_ comes from: looked up in libtorch_cpu's scope, as its calls
    resolve, then named by dladdr. Several BLAS can be mapped at once (Debian's liblapack.so.3
    from OpenBLAS beside netlib's libblas.so.3, say): only this one does torch's matmuls."""
    try:
        torch_cpu = next(p for p in mapped if "libtorch_cpu" in p)
        addr = ctypes.cast(ctypes.CDLL(torch_cpu).sgemm_, ctypes.c_void_p).value
        info = DlInfo()
        if ctypes.CDLL(None).dladdr(ctypes.c_void_p(addr), ctypes.byref(info)):
            return os.path.realpath(info.dli_fname.decode())
    except (StopIteration, OSError, AttributeError):
        pass
    return None


def matmul_gflops():
    """A 512x512 float32 matmul's speed per CPU second (less sensitive to load than wall time)."""
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    a @ b
    n, t0 = 0, time.process_time()
    while time.process_time() - t0 < 0.3:
        a @ b
        n += 1
    return 2 * 512**3 * n / (time.process_time() - t0) / 1e9


def blas():
    """The BLAS really in use: sgemm_'s provider, and every BLAS-like library mapped into this
    process once a matmul has run (/proc/self/maps)."""
    gflops = matmul_gflops()
    mapped = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) >= 6 and parts[-1].startswith("/") and parts[-1] not in mapped:
                mapped.append(parts[-1])
    libs = [p for p in mapped if BLAS_LIB.search(p)]
    provider = sgemm_provider(mapped)
    openblas_threads = None
    for path in ([provider] if provider else []) + libs:
        if "openblas" in path:
            try:
                openblas_threads = ctypes.CDLL(path).openblas_get_num_threads()
                break
            except (OSError, AttributeError):
                pass
    config = torch.__config__.show()
    info = re.search(r"BLAS_INFO=(\w+)", config)
    return {
        "sgemm": provider,
        "libs": libs,
        "gflops": gflops,
        "openblasThreads": openblas_threads,
        "blasInfo": info.group(1) if info else None,
    }


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


reply({
    "torch": torch.__version__,
    "file": torch.__file__,
    "threads": torch.get_num_threads(),
    "blas": blas(),
})

gen = torch.Generator().manual_seed(7)
step = None
for line in sys.stdin:
    try:
        msg = json.loads(line)
        if "build" in msg:
            torch.manual_seed(0)
            B, T, F, H = msg["batch"], msg["timesteps"], msg["features"], msg["units"]
            t0 = time.perf_counter()
            model = BUILD[msg["build"]](F, H)
            model.train()
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            loss_fn = nn.MSELoss()
            x = torch.randn(B, T, F, generator=gen)
            y = torch.randn(B, 1, generator=gen)

            def step(model=model, opt=opt, loss_fn=loss_fn, x=x, y=y):
                opt.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()
                return loss.item()

            reply({"ms": (time.perf_counter() - t0) * 1000})
        elif "step" in msg:
            t0 = time.perf_counter()
            loss = step()
            reply({"ms": (time.perf_counter() - t0) * 1000, "loss": loss})
        else:
            reply({"error": "unknown request " + line.strip()})
    except Exception:
        reply({"error": traceback.format_exc()})
`;

interface TorchHello {
  torch: string;
  /** Where torch was imported from (Debian's package is under /usr/lib/python3/). */
  file: string;
  threads: number;
  blas: {
    /** The file torch's sgemm_ resolves to, or null when it cannot be found. */
    sgemm: string | null;
    /** Every BLAS-like library mapped into the process. */
    libs: string[];
    /** A 512x512 matmul's GFLOP/s per CPU second, in that process. */
    gflops: number;
    openblasThreads: number | null;
    blasInfo: string | null;
  };
}

/** One PyTorch process, spoken to by JSON lines (one request at a time). */
class TorchProcess {
  private readonly waiting: Array<{ resolve(v: unknown): void; reject(e: Error): void }> = [];
  private stderr = '';
  private exited: string | null = null;
  private closed = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const w = this.waiting.shift();
      if (!w) return;
      let msg: { error?: string };
      try {
        msg = JSON.parse(line) as { error?: string };
      } catch {
        w.reject(new Error(`PyTorch process wrote a line that is not JSON: ${line}`));
        return;
      }
      if (msg.error) w.reject(new Error(`PyTorch process: ${msg.error}`));
      else w.resolve(msg);
    });
    child.stderr.on(
      'data',
      (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)),
    );
    // A write after the process died fails with EPIPE; the exit handler below says why it died.
    child.stdin.on('error', () => {});
    child.on('error', (e) => {
      this.exited = `PyTorch process failed: ${e.message}`;
      for (const w of this.waiting.splice(0)) w.reject(new Error(this.exited));
    });
    child.on('exit', (code, signal) => {
      this.exited = `PyTorch process exited (${signal ?? `code ${code}`}): ${this.stderr.trim().split('\n').pop() ?? ''}`;
      for (const w of this.waiting.splice(0)) w.reject(new Error(this.exited));
    });
  }

  /** Starts a process pinned to `threads` threads and returns it with its hello. */
  static async start(
    python: string,
    threads: number,
  ): Promise<{ proc: TorchProcess; hello: TorchHello }> {
    const env = { ...process.env, ...torchEnv(threads) };
    const n = String(threads);
    const child = spawn(python, ['-u', '-c', TORCH_SCRIPT, n], { env, stdio: 'pipe' });
    const proc = new TorchProcess(child);
    const hello = (await proc.next()) as TorchHello;
    return { proc, hello };
  }

  private next(): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Sends one request and returns the process's answer. */
  request(msg: object): Promise<{ ms: number }> {
    const answer = this.next() as Promise<{ ms: number }>;
    this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    return answer;
  }

  /** Ends the process (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.child.stdin.end();
    if (!this.exited) this.child.kill();
  }
}

/**
 * The environment a PyTorch process is pinned with. With more than one thread, torch's OpenMP
 * workers busy-wait by default while Debian's pthread OpenBLAS wants the same cores: measured
 * here, a 2-thread LSTM(128) step took 1.1-1.4 s (15x the CPU of a 1-thread step); with
 * OMP_WAIT_POLICY=PASSIVE it took 55 ms against 70-100 ms on one thread.
 */
function torchEnv(threads: number): Record<string, string> {
  const n = String(threads);
  const env: Record<string, string> = {
    OPENBLAS_NUM_THREADS: n,
    OMP_NUM_THREADS: n,
    MKL_NUM_THREADS: n,
  };
  if (threads > 1) env['OMP_WAIT_POLICY'] = 'PASSIVE';
  return env;
}

/**
 * After a multi-threaded PyTorch step, OpenBLAS's idle threads spin before they sleep: measured
 * here, 100-130 ms of CPU in the 500 ms after a step. The next contender would pay for it.
 */
const TORCH_SETTLE_MS = 300;

/** Which BLAS a set of mapped libraries is; only the optimised ones give a PyTorch figure. */
export type BlasKind = 'openblas' | 'mkl' | 'blis' | 'atlas' | 'reference' | 'unknown';

const OPTIMISED_BLAS: readonly BlasKind[] = ['openblas', 'mkl', 'blis'];

/** The BLAS one library file is, or null when it is not one (a LAPACK outside a BLAS's folder). */
function libKind(path: string): BlasKind | null {
  if (/openblas/i.test(path)) return 'openblas';
  if (/libmkl/i.test(path)) return 'mkl';
  if (/blis/i.test(path)) return 'blis';
  if (/atlas/i.test(path)) return 'atlas';
  // Debian's netlib libblas3 lives in .../blas/; any other plain libblas.so is netlib too.
  if (/\/libblas\.so/.test(path)) return 'reference';
  return null;
}

/**
 * Which BLAS torch's matmuls run on: the provider of its sgemm_ when known; else the mapped
 * libraries, if they name one BLAS only (netlib's libblas beside OpenBLAS's liblapack is not
 * OpenBLAS: measured here, that process ran workload e at 4x its OpenBLAS time).
 */
export function blasKind(
  sgemm: string | null,
  libs: readonly string[],
  blasInfo: string | null,
): BlasKind {
  // pip's wheels link MKL statically: sgemm_ is then torch's own.
  if (blasInfo === 'mkl' && (sgemm === null || /libtorch/.test(sgemm))) return 'mkl';
  if (sgemm !== null) return libKind(sgemm) ?? 'unknown';
  const kinds = new Set(libs.map(libKind).filter((k) => k !== null));
  return kinds.size === 1 ? [...kinds][0]! : 'unknown';
}

const BLAS_FIX =
  'DEBIAN_FRONTEND=noninteractive apt-get install -y libopenblas0-pthread (as root; the BLAS ' +
  `alternatives then select OpenBLAS: check update-alternatives --display ${blasLink()})`;

/** The alternatives name of libblas.so.3 on Debian. */
function blasLink(): string {
  return `libblas.so.3-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
}

/** update-alternatives's current choice for libblas.so.3, or null where there is none. */
function blasAlternative(): string | null {
  const r = spawnSync('update-alternatives', ['--query', blasLink()], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return /^Value: (.*)$/m.exec(r.stdout)?.[1]?.trim() ?? null;
}

/** The version of Debian's python3-torch (e.g. 1.13.1+dfsg-4), or null when not installed. */
function torchPackage(): string | null {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'python3-torch'], {
    encoding: 'utf8',
  });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

const TORCH_MISSING =
  'PyTorch not installed: DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch ' +
  'libopenblas0-pthread (as root); no PyTorch figure';

/**
 * The first Python that imports torch. Debian's python3-torch installs for /usr/bin/python3, which
 * need not be the `python3` on PATH (a pyenv shim, say); RNNLAB_BENCH_PYTHON overrides both.
 */
function torchPython(): string | null {
  const candidates = [process.env['RNNLAB_BENCH_PYTHON'], 'python3', '/usr/bin/python3'];
  for (const py of new Set(candidates.filter((p): p is string => Boolean(p)))) {
    const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return py;
  }
  return null;
}

/** What the benchmark found out about PyTorch; `contenders` is empty when it printed no figure. */
interface TorchSetup {
  python: string | null;
  /** Torch's release: the Debian package's upstream version when torch is that package's. */
  version: string | null;
  /** torch.__version__ (Debian's 1.13.1 says 1.13.0a0). */
  moduleVersion: string | null;
  /** The python3-torch package's version when torch was imported from it, else null. */
  package: string | null;
  blas: BlasKind | null;
  /** The file torch's sgemm_ resolves to. */
  sgemm: string | null;
  blasLibs: string[];
  blasInfo: string | null;
  alternative: string | null;
  /**
   * Per process: threads asked for, its environment, torch's and OpenBLAS's own thread counts,
   * its BLAS and a 512x512 matmul's GFLOP/s per CPU second.
   */
  threads: Array<{
    asked: number;
    env: Record<string, string>;
    torch: number;
    openblas: number | null;
    blas: BlasKind;
    gflops: number;
  }>;
  /** Why there is no PyTorch figure, or null. */
  refused: string | null;
  contenders: Contender[];
  close(): void;
}

function torchContender(proc: TorchProcess, threads: number, version: string): Contender {
  return {
    name: `PyTorch ${version}, ${threads} thread${threads === 1 ? '' : 's'}`,
    id: threads === 1 ? 'pytorch' : `pytorch-${threads}threads`,
    threads,
    settleMs: threads > 1 ? TORCH_SETTLE_MS : 0,
    async create(model) {
      const w = MODELS[model];
      await proc.request({ build: model, ...w });
      return {
        step: async () => (await proc.request({ step: true })).ms,
        dispose() {},
      };
    },
  };
}

/** Starts the PyTorch processes and decides whether their figures may be printed. */
async function setUpTorch(): Promise<TorchSetup> {
  const setup: TorchSetup = {
    python: null,
    version: null,
    moduleVersion: null,
    package: null,
    blas: null,
    sgemm: null,
    blasLibs: [],
    blasInfo: null,
    alternative: null,
    threads: [],
    refused: null,
    contenders: [],
    close() {},
  };
  if (process.env['RNNLAB_BENCH_TORCH'] === '0') {
    setup.refused = 'PyTorch skipped (RNNLAB_BENCH_TORCH=0)';
    return setup;
  }
  setup.python = torchPython();
  if (setup.python === null) {
    setup.refused = TORCH_MISSING;
    return setup;
  }
  const debianVersion = torchPackage();
  setup.alternative = blasAlternative();
  const procs: TorchProcess[] = [];
  setup.close = () => procs.forEach((p) => p.close());
  try {
    for (const threads of TORCH_THREADS) {
      const { proc, hello } = await TorchProcess.start(setup.python, threads);
      procs.push(proc);
      setup.moduleVersion = hello.torch;
      setup.package = hello.file.startsWith('/usr/lib/python3/') ? debianVersion : null;
      setup.version = setup.package?.replace(/[+~-].*$/, '') ?? hello.torch;
      const { sgemm, libs, blasInfo } = hello.blas;
      const kind = blasKind(sgemm, libs, blasInfo);
      // One process not on an optimised BLAS is enough to refuse them all.
      if (setup.blas === null || !OPTIMISED_BLAS.includes(kind)) {
        Object.assign(setup, { blas: kind, sgemm, blasLibs: libs, blasInfo });
      }
      setup.threads.push({
        asked: threads,
        env: torchEnv(threads),
        torch: hello.threads,
        openblas: hello.blas.openblasThreads,
        blas: kind,
        gflops: hello.blas.gflops,
      });
      setup.contenders.push(torchContender(proc, threads, setup.version));
    }
  } catch (e) {
    setup.close();
    setup.contenders = [];
    setup.refused = `PyTorch did not start: ${(e as Error).message}`;
    return setup;
  }
  if (!OPTIMISED_BLAS.includes(setup.blas!)) {
    setup.close();
    setup.contenders = [];
    const where = setup.sgemm
      ? `sgemm_ from ${setup.sgemm}`
      : `sgemm_ not found; mapped: ${setup.blasLibs.join(', ') || 'no BLAS library'}`;
    setup.refused =
      `No PyTorch figure: torch ${setup.version} (${setup.python}) runs on ` +
      (setup.blas === 'reference'
        ? `the reference BLAS (netlib libblas3; ${where}), which makes it 4-5x slower than it is`
        : `${setup.blas === 'unknown' ? 'an unidentified' : setup.blas} BLAS (${where}), not OpenBLAS`) +
      (/openblas/.test(setup.alternative ?? '')
        ? `. The libblas.so.3 alternative already is OpenBLAS (${setup.alternative}): look for ` +
          'what makes this process load another (LD_LIBRARY_PATH, LD_PRELOAD, its own libblas).'
        : `. Fix: ${BLAS_FIX}.`);
  }
  return setup;
}

// ---- measurement --------------------------------------------------------------------------------

/** Times f; a contender that measured itself returns its own ms, which is used instead. */
async function timed(f: () => unknown): Promise<number> {
  const start = performance.now();
  const own = await f();
  const ms = performance.now() - start;
  return typeof own === 'number' ? own : ms;
}

interface Measured {
  buildMs: number;
  firstStepMs: number;
  samplesMs: number[];
}

interface Result extends Measured {
  model: ModelId;
  contender: string;
  id: string;
  threads: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median over rounds of the baseline's time / this contender's time in the same round. */
  speedup: number;
  /** tf.memory().numTensors after the measured steps minus before them (0: no leak). */
  tensorDelta: number;
}

function settle(c: Contender): Promise<void> {
  return c.settleMs ? new Promise((done) => setTimeout(done, c.settleMs)) : Promise.resolve();
}

async function benchModel(model: ModelId, contenders: Contender[]): Promise<Result[]> {
  const sessions: TrainSession[] = [];
  const measured: Measured[] = [];
  for (const c of contenders) {
    c.activate?.();
    let session: TrainSession | undefined;
    const buildMs = await timed(async () => {
      session = await c.create(model);
    });
    sessions.push(session!);
    c.activate?.();
    const firstStepMs = await timed(() => session!.step());
    await settle(c);
    measured.push({ buildMs, firstStepMs, samplesMs: [] });
  }
  const round = async (r: number, record: boolean) => {
    // Alternate the order (A B C, C B A, ...) so no contender always follows the same one.
    const order = contenders.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      contenders[i]!.activate?.();
      const ms = await timed(() => sessions[i]!.step());
      await settle(contenders[i]!);
      if (record) measured[i]!.samplesMs.push(ms);
    }
  };
  for (let w = 0; w < WARMUP; w++) await round(w, false);
  const before = tf.memory().numTensors;
  for (let r = 0; r < STEPS; r++) {
    await round(r, true);
    process.stdout.write('.');
  }
  const tensorDelta = tf.memory().numTensors - before;
  for (const s of sessions) s.dispose();
  const base = measured[0]!.samplesMs;
  return contenders.map((c, i) => {
    const m = measured[i]!;
    return {
      model,
      contender: c.name,
      id: c.id,
      threads: c.threads,
      ...m,
      medianMs: median(m.samplesMs),
      minMs: Math.min(...m.samplesMs),
      maxMs: Math.max(...m.samplesMs),
      speedup: median(m.samplesMs.map((ms, r) => base[r]! / ms)),
      tensorDelta,
    };
  });
}

/** Median over rounds of a's ms / b's ms in the same round (a and b of one workload). */
function pairedRatio(a: Result, b: Result): number {
  return median(a.samplesMs.map((ms, r) => ms / b.samplesMs[r]!));
}

// ---- the example notebook, end to end -----------------------------------------------------------

const NOTEBOOK_FIXTURE = 'test/bench/fixtures/example-v1.rnnlab';
const CLI = 'dist/cli.js';

interface NotebookRun {
  fixture: string;
  runsMs: number[];
  medianMs: number;
  loadAtStart: number[];
}

/** `node dist/cli.js run FIXTURE` NOTEBOOK_RUNS times (wall time), or why it could not run. */
function benchNotebook(): NotebookRun | string {
  if (NOTEBOOK_RUNS === 0) return 'example notebook skipped (RNNLAB_BENCH_NOTEBOOK_RUNS=0)';
  if (!existsSync(CLI)) return `example notebook skipped: ${CLI} missing (run npm run build)`;
  const loadAtStart = loadAverage();
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-bench-'));
  const env = { ...process.env };
  delete env['RNNLAB_MAX_EPOCHS']; // the fixture's real epochs
  const runsMs: number[] = [];
  try {
    for (let i = 0; i < NOTEBOOK_RUNS; i++) {
      const out = join(dir, `run${i}.out.rnnlab`);
      const start = performance.now();
      const r = spawnSync(process.execPath, [CLI, 'run', NOTEBOOK_FIXTURE, '--out', out], {
        env,
        encoding: 'utf8',
        timeout: 15 * 60_000,
      });
      const ms = performance.now() - start;
      if (r.status !== 0) {
        const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
        return `example notebook failed (exit ${r.status}): ${why}`;
      }
      runsMs.push(ms);
      process.stdout.write(` ${(ms / 1000).toFixed(1)} s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  return { fixture: NOTEBOOK_FIXTURE, runsMs, medianMs: median(runsMs), loadAtStart };
}

// ---- report -------------------------------------------------------------------------------------

function formatTable(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

const f0 = (n: number) => n.toFixed(0);

/** Every contender of every workload. */
function table(results: Result[]): string {
  const header = [
    'workload',
    'contender',
    'threads',
    'build ms',
    'first step ms',
    'ms/step',
    'min–max',
    '× stock',
  ];
  const rows = results.map((r) => [
    MODELS[r.model].label,
    r.contender,
    String(r.threads),
    f0(r.buildMs),
    f0(r.firstStepMs),
    f0(r.medianMs),
    `${f0(r.minMs)}–${f0(r.maxMs)}`,
    `${r.speedup.toFixed(2)}x`,
  ]);
  return formatTable(header, rows, 2);
}

/**
 * The README's table: medians per workload; each kernel contender against PyTorch at its thread
 * count; the kernel's speed-up from one thread to its default; the 1-minute load average when
 * the workload started.
 */
function summary(results: Result[], loads: Map<ModelId, number[]>): string {
  const ids = [...new Set(results.map((r) => r.id))];
  const names = ids.map((id) => results.find((r) => r.id === id)!.contender);
  const header = ['workload', ...names];
  const pairs: Array<[string, string]> = [];
  for (const id of [KERNEL_ID, `${KERNEL_ID}-1thread`]) {
    const k = results.find((r) => r.id === id);
    const t = k && results.find((r) => r.id.startsWith('pytorch') && r.threads === k.threads);
    if (k && t) {
      pairs.push([id, t.id]);
      header.push(`${id} ÷ PyTorch, ${k.threads} thread${k.threads > 1 ? 's' : ''}`);
    }
  }
  const threaded = ids.includes(`${KERNEL_ID}-1thread`);
  if (threaded) header.push('kernel 1 thread ÷ default');
  header.push('load');
  const rows = MODEL_IDS.map((model) => {
    const of = (id: string) => results.find((r) => r.model === model && r.id === id);
    const row = [MODELS[model].label, ...ids.map((id) => (of(id) ? f0(of(id)!.medianMs) : '–'))];
    for (const [k, t] of pairs) {
      const kr = of(k);
      const tr = of(t);
      row.push(kr && tr ? `${pairedRatio(kr, tr).toFixed(2)}x` : '–');
    }
    if (threaded) {
      const one = of(`${KERNEL_ID}-1thread`);
      const def = of(KERNEL_ID);
      row.push(one && def ? `${pairedRatio(one, def).toFixed(2)}x` : '–');
    }
    row.push((loads.get(model) ?? [])[0]?.toFixed(2) ?? '–');
    return row;
  });
  return formatTable(header, rows, 1);
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { json: { type: 'string' } } });
  const loadAtStart = loadAverage();
  const backend = await initBackend({
    prefer: 'wasm',
    transposedMatMulFix: false,
    threads: threadsAsked(),
    threadHost: nodeThreads,
  });
  console.log(`backend: ${JSON.stringify(backend)}`);
  if (backend.name !== 'wasm')
    throw new Error(`wasm backend unavailable: ${backend.fallbackReason}`);
  const threads = kernelThreads();
  console.log(`load average at start (1, 5, 15 min): ${loadAtStart.join(', ')}`);

  const torch = await setUpTorch();
  try {
    if (torch.python) {
      console.log(
        `PyTorch: ${torch.version} (${torch.package ? `python3-torch ${torch.package}` : 'not a Debian package'}, ` +
          `torch.__version__ ${torch.moduleVersion}) in ${torch.python}; ` +
          `BLAS ${torch.blas}: sgemm_ from ${torch.sgemm ?? 'unknown'}; mapped ` +
          `${torch.blasLibs.join(', ') || 'none'}; built with BLAS_INFO=${torch.blasInfo}; ` +
          `libblas.so.3 alternative: ${torch.alternative ?? 'none'}`,
      );
      for (const t of torch.threads) {
        const env = Object.entries(t.env).map(([k, v]) => `${k}=${v}`);
        console.log(
          `  process pinned to ${t.asked} thread(s) (${env.join(' ')}): ` +
            `torch.get_num_threads() = ${t.torch}, openblas_get_num_threads() = ` +
            `${t.openblas ?? 'n/a'}; ${t.blas}; 512x512 matmul ${t.gflops.toFixed(1)} GFLOP/s per CPU second`,
        );
      }
    }
    if (torch.refused) console.log(torch.refused);

    const contenders = [...inProcessContenders(), ...torch.contenders];
    console.log(
      `${STEPS} measured steps per contender per workload, interleaved in rounds (order ` +
        `alternating), after the first step and ${WARMUP} warm-up round(s); Adam, MSE; kernel ` +
        `threads ${threads}; stock models use recurrentInitializer 'glorotUniform'.`,
    );
    const results: Result[] = [];
    const loads = new Map<ModelId, number[]>();
    for (const model of MODEL_IDS) {
      loads.set(model, loadAverage());
      const w = MODELS[model];
      process.stdout.write(
        `${w.label} (batch ${w.batch}, ${w.timesteps} timesteps, ${w.features} features, ` +
          `${w.units} units) `,
      );
      const started = performance.now();
      results.push(...(await benchModel(model, contenders)));
      console.log(` ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    torch.close();

    process.stdout.write(`example notebook (${NOTEBOOK_FIXTURE}), rnnlab run:`);
    const notebook = benchNotebook();
    const loadAtEnd = loadAverage();

    console.log(`\nms per training step (medians):\n`);
    console.log(table(results));
    console.log(`\n× stock: median over rounds of (stock ms / contender ms) in the same round.`);
    console.log(`\nsummary, ms per step (medians), measured side by side in one run:\n`);
    console.log(summary(results, loads));
    if (typeof notebook === 'string') console.log(`\n${notebook}`);
    else {
      console.log(
        `\nexample notebook, rnnlab run: ${(notebook.medianMs / 1000).toFixed(1)} s (median of ` +
          `${notebook.runsMs.length}: ${notebook.runsMs.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s; ` +
          `load average at its start ${notebook.loadAtStart.join(', ')})`,
      );
    }
    if (torch.refused) console.log(torch.refused);
    console.log(
      `load average (1, 5, 15 min) at start ${loadAtStart.join(', ')}, at end ` +
        `${loadAtEnd.join(', ')}; ${MACHINE_CORES} cores`,
    );
    const leaks = results.filter((r) => r.tensorDelta !== 0 && !r.id.startsWith('pytorch'));
    if (leaks.length)
      console.log(
        `tensor count changed during steps: ${JSON.stringify(leaks.map((r) => [r.model, r.tensorDelta]))}`,
      );

    const env = {
      workload: 'env',
      blas: torch.blas ?? 'none',
      torch: torch.version,
      torchModuleVersion: torch.moduleVersion,
      torchPackage: torch.package,
      torchRefused: torch.refused,
      blasSgemm: torch.sgemm,
      blasLibs: torch.blasLibs,
      blasAlternative: torch.alternative,
      torchThreads: torch.threads,
      kernelThreads: threads,
      kernelThreadsInfo: backend.kernelThreads,
      loadByWorkload: Object.fromEntries(loads),
      load: loadAtStart,
      loadAtEnd,
      cores: MACHINE_CORES,
      exampleNotebook:
        typeof notebook === 'string'
          ? { skipped: notebook }
          : {
              fixture: notebook.fixture,
              median_ms: notebook.medianMs,
              runs: notebook.runsMs.length,
            },
    };
    const path = writeReport('train.json', {
      tfjs: tf.version_core,
      backend,
      loadAverageAtStart: loadAtStart,
      workloads: Object.fromEntries(MODEL_IDS.map((m) => [m, MODELS[m]])),
      steps: STEPS,
      warmupSteps: WARMUP,
      baseline: contenders[0]!.name,
      recurrentInitializer: 'glorotUniform',
      env,
      notebook,
      results,
    });
    console.log(`wrote ${path}`);
    if (args.json) {
      const rows = results.map((r) => ({
        workload: r.model,
        contender: r.id,
        median_ms: r.medianMs,
        runs: r.samplesMs.length,
        threads: r.threads,
      }));
      writeFileSync(resolve(args.json), `${JSON.stringify([...rows, env], null, 2)}\n`);
      console.log(`wrote ${resolve(args.json)}`);
    }
  } finally {
    torch.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
