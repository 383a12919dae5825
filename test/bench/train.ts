/**
 * Training benchmark: `node --import tsx test/bench/train.ts` from the repo root.
 *
 * The PERF.md workloads (batch 64, 50 timesteps, 32 features, Adam, MSE):
 *   a) LSTM(128) → Dense(1)
 *   b) GRU(128) → Dense(1)                      (tfjs GRU is reset_after=False; sigmoid gates)
 *   c) LSTM(128, seq) → Dropout(0.5) → LSTM(128) → Dense(1)
 *   d) LSTM(128, dropout=0.2, recurrent_dropout=0.2) → Dense(1)
 *
 * In-process contenders are timed one training step at a time, interleaved (A B A B ...) after
 * their first step and WARMUP more steps; we report medians, min/max and the paired ratio to the
 * baseline (the first contender), plus model build time and first-step time. PyTorch (one thread)
 * runs in its own process when `import torch` works, and is skipped with a note otherwise.
 *
 * The stock tfjs models use recurrentInitializer 'glorotUniform' instead of Keras's default
 * 'orthogonal': tfjs's orthogonal init takes 0.5 to 1.8 s per layer on wasm (PERF.md), which
 * would swamp the build times and does not change the cost of a step.
 *
 * Environment: RNNLAB_BENCH_STEPS (measured steps per contender per model, default 5),
 * RNNLAB_BENCH_WARMUP (extra warm-up steps after the first, default 1), RNNLAB_BENCH_MODELS
 * (subset, e.g. "ab"), RNNLAB_BENCH_TORCH=0 to skip PyTorch.
 *
 * To add a contender, append to CONTENDERS: `create(model)` returns `{ step, dispose }`;
 * `activate()` (optional) runs before each of its timed calls, for global state such as which
 * kernels are registered. Results go to the table and to .bench/train.json.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../kernels/tfjs/backend';
import { setTransposedMatMulFix } from '../../kernels/tfjs/kernels-wasm';
import { Rng } from '../../kernels/random';
import { buildModel } from '../../kernels/tfjs/build';
import { computeLoss } from '../../kernels/train';
import { analyze } from '../../analyzer/python/evaluate';
import { median, writeReport } from './report';

// ---- workloads and contenders -------------------------------------------------------------------

export type ModelId = 'a' | 'b' | 'c' | 'd';

const MODELS: Record<ModelId, string> = {
  a: 'a LSTM',
  b: 'b GRU',
  c: 'c LSTM-Dropout-LSTM',
  d: 'd LSTM with dropouts',
};

const BATCH = 64;
const TIMESTEPS = 50;
const FEATURES = 32;
const UNITS = 128;

/** One model being trained by one contender. */
export interface TrainSession {
  /** One training step on the fixed batch (forward, backward, Adam update). */
  step(): Promise<void> | void;
  dispose(): void;
}

export interface Contender {
  name: string;
  /** Called before each timed call of this contender (create and every step). */
  activate?(): void;
  create(model: ModelId): Promise<TrainSession> | TrainSession;
}

/** The fixed batch every in-process contender trains on (seeded, so runs are comparable). */
function batch(): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const rng = new Rng(7);
  const xs = Float32Array.from({ length: BATCH * TIMESTEPS * FEATURES }, () => rng.normal());
  const ys = Float32Array.from({ length: BATCH }, () => rng.normal());
  return { x: tf.tensor3d(xs, [BATCH, TIMESTEPS, FEATURES]), y: tf.tensor2d(ys, [BATCH, 1]) };
}

/** A PERF.md workload built from stock tfjs-layers. */
function stockModel(model: ModelId): tfl.LayersModel {
  const rnn = { units: UNITS, recurrentInitializer: 'glorotUniform' } as const;
  const inputShape = [TIMESTEPS, FEATURES];
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
  layers.push(tfl.layers.dense({ units: 1 }));
  const m = tfl.sequential({ layers });
  m.compile({ optimizer: tf.train.adam(), loss: 'meanSquaredError' });
  return m;
}

function stockSession(model: ModelId): TrainSession {
  const m = stockModel(model);
  const { x, y } = batch();
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
};

function kernelSession(model: ModelId): TrainSession {
  const code = `import keras\nfrom keras import layers\nUNITS = ${UNITS}\nm = keras.Sequential([keras.Input(shape=(${TIMESTEPS}, ${FEATURES})), ${KERAS_CODE[model]}, layers.Dense(1)])`;
  const graph = analyze(code).models[0]!;
  const m = buildModel(graph, 7);
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  const { x, y } = batch();
  const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
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

/** The first contender is the baseline every ratio is paired against. */
const CONTENDERS: Contender[] = [
  {
    name: 'tfjs wasm, stock',
    activate: () => setTransposedMatMulFix(false),
    create: stockSession,
  },
  {
    name: 'tfjs wasm + matmul fix',
    activate: () => setTransposedMatMulFix(true),
    create: stockSession,
  },
  {
    name: 'rnnlab kernel (Keras layers)',
    activate: () => setTransposedMatMulFix(true),
    create: kernelSession,
  },
];

const STEPS = Math.max(1, Number(process.env['RNNLAB_BENCH_STEPS'] ?? 5));
const WARMUP = Math.max(0, Number(process.env['RNNLAB_BENCH_WARMUP'] ?? 1));
const MODEL_IDS = (Object.keys(MODELS) as ModelId[]).filter((m) =>
  (process.env['RNNLAB_BENCH_MODELS'] ?? 'abcd').includes(m),
);

// ---- PyTorch ------------------------------------------------------------------------------------

const TORCH_SCRIPT = String.raw`
import json, sys, time
import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(0)
B, T, F, H = ${BATCH}, ${TIMESTEPS}, ${FEATURES}, ${UNITS}
steps, warmup, wanted = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


class Last(nn.Module):
    """a / b: one recurrent layer, last output, Dense(1)."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn
        self.head = nn.Linear(H, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class Stacked(nn.Module):
    """c: LSTM(seq) -> Dropout(0.5) -> LSTM -> Dense(1)."""

    def __init__(self):
        super().__init__()
        self.rnn1 = nn.LSTM(F, H, batch_first=True)
        self.drop = nn.Dropout(0.5)
        self.rnn2 = nn.LSTM(H, H, batch_first=True)
        self.head = nn.Linear(H, 1)

    def forward(self, x):
        seq, _ = self.rnn1(x)
        out, _ = self.rnn2(self.drop(seq))
        return self.head(out[:, -1])


class KerasDropoutLSTM(nn.Module):
    """d: Keras LSTM(dropout=0.2, recurrent_dropout=0.2): one input mask and one recurrent mask
    per sequence, the same at every timestep (as tfjs-layers does), so a cell loop."""

    def __init__(self, p=0.2, rp=0.2):
        super().__init__()
        self.p, self.rp = p, rp
        self.w = nn.Linear(F, 4 * H)
        self.u = nn.Linear(H, 4 * H, bias=False)
        self.head = nn.Linear(H, 1)

    def forward(self, x):
        n = x.shape[0]
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
    "a": lambda: Last(nn.LSTM(F, H, batch_first=True)),
    "b": lambda: Last(nn.GRU(F, H, batch_first=True)),
    "c": Stacked,
    "d": KerasDropoutLSTM,
}

gen = torch.Generator().manual_seed(7)
x = torch.randn(B, T, F, generator=gen)
y = torch.randn(B, 1, generator=gen)
loss_fn = nn.MSELoss()
results = {}
for key in wanted:
    t0 = time.perf_counter()
    model = BUILD[key]()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    build_ms = (time.perf_counter() - t0) * 1000

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    t0 = time.perf_counter()
    step()
    first_ms = (time.perf_counter() - t0) * 1000
    for _ in range(warmup):
        step()
    samples = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t0) * 1000)
    results[key] = {"buildMs": build_ms, "firstStepMs": first_ms, "samplesMs": samples}

print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))
`;

interface Measured {
  buildMs: number;
  firstStepMs: number;
  samplesMs: number[];
}

interface TorchRun {
  version: string;
  results: Partial<Record<ModelId, Measured>>;
}

const TORCH_MISSING = 'PyTorch not installed (apt-get install python3-torch); skipped';

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

/** Runs the PyTorch contender, or returns why it was skipped. */
function runTorch(models: ModelId[]): TorchRun | string {
  if (process.env['RNNLAB_BENCH_TORCH'] === '0') return 'PyTorch skipped (RNNLAB_BENCH_TORCH=0)';
  const python = torchPython();
  if (python === null) return TORCH_MISSING;
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-bench-'));
  try {
    const script = join(dir, 'torch_train.py');
    writeFileSync(script, TORCH_SCRIPT);
    const args = [script, String(STEPS), String(Math.max(WARMUP, 3)), models.join('')];
    const r = spawnSync(python, args, { encoding: 'utf8', timeout: 30 * 60_000 });
    if (r.status !== 0) {
      return `PyTorch run failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').pop()}`;
    }
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      torch: string;
      threads: number;
      results: TorchRun['results'];
    };
    return { version: `${out.torch}, ${out.threads} thread`, results: out.results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- measurement --------------------------------------------------------------------------------

async function timed(f: () => unknown): Promise<number> {
  const start = performance.now();
  await f();
  return performance.now() - start;
}

interface Result extends Measured {
  model: ModelId;
  contender: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median over rounds of the baseline's time / this contender's time in the same round. */
  speedup: number | null;
  /** tf.memory().numTensors after the measured steps minus before them (0: no leak). */
  tensorDelta: number | null;
}

async function benchModel(model: ModelId): Promise<Result[]> {
  const sessions: TrainSession[] = [];
  const measured: Measured[] = [];
  for (const c of CONTENDERS) {
    c.activate?.();
    let session: TrainSession | undefined;
    const buildMs = await timed(async () => (session = await c.create(model)));
    sessions.push(session!);
    c.activate?.();
    const firstStepMs = await timed(() => session!.step());
    measured.push({ buildMs, firstStepMs, samplesMs: [] });
  }
  for (let w = 0; w < WARMUP; w++) {
    for (let i = 0; i < CONTENDERS.length; i++) {
      CONTENDERS[i]!.activate?.();
      await sessions[i]!.step();
    }
  }
  const before = tf.memory().numTensors;
  for (let round = 0; round < STEPS; round++) {
    for (let i = 0; i < CONTENDERS.length; i++) {
      CONTENDERS[i]!.activate?.();
      measured[i]!.samplesMs.push(await timed(() => sessions[i]!.step()));
    }
    process.stdout.write('.');
  }
  const tensorDelta = tf.memory().numTensors - before;
  for (const s of sessions) s.dispose();
  const base = measured[0]!.samplesMs;
  return CONTENDERS.map((c, i) => {
    const m = measured[i]!;
    return {
      model,
      contender: c.name,
      ...m,
      medianMs: median(m.samplesMs),
      minMs: Math.min(...m.samplesMs),
      maxMs: Math.max(...m.samplesMs),
      speedup: median(m.samplesMs.map((ms, r) => base[r]! / ms)),
      tensorDelta,
    };
  });
}

// ---- report -------------------------------------------------------------------------------------

function table(results: Result[]): string {
  const header = [
    'model',
    'contender',
    'build ms',
    'first step ms',
    'ms/step',
    'min–max',
    `× stock`,
  ];
  const f0 = (n: number) => n.toFixed(0);
  const rows = results.map((r) => [
    MODELS[r.model],
    r.contender,
    f0(r.buildMs),
    f0(r.firstStepMs),
    f0(r.medianMs),
    `${f0(r.minMs)}–${f0(r.maxMs)}`,
    r.speedup === null ? '–' : `${r.speedup.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const backend = await initBackend({ prefer: 'wasm', transposedMatMulFix: false });
  console.log(`backend: ${JSON.stringify(backend)}`);
  if (backend.name !== 'wasm')
    throw new Error(`wasm backend unavailable: ${backend.fallbackReason}`);
  console.log(
    `${STEPS} measured steps per contender per model, interleaved, after the first step and ` +
      `${WARMUP} warm-up step(s); batch ${BATCH}, ${TIMESTEPS} timesteps, ${FEATURES} features, ` +
      `${UNITS} units, Adam, MSE; stock models use recurrentInitializer 'glorotUniform'.`,
  );
  const results: Result[] = [];
  for (const model of MODEL_IDS) {
    process.stdout.write(`${MODELS[model]} `);
    const started = performance.now();
    results.push(...(await benchModel(model)));
    console.log(` ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  const torch = runTorch(MODEL_IDS);
  const torchName = typeof torch === 'string' ? 'PyTorch' : `PyTorch ${torch.version}`;
  if (typeof torch !== 'string') {
    for (const model of MODEL_IDS) {
      const m = torch.results[model];
      if (!m) continue;
      results.push({
        model,
        contender: torchName,
        ...m,
        medianMs: median(m.samplesMs),
        minMs: Math.min(...m.samplesMs),
        maxMs: Math.max(...m.samplesMs),
        speedup: null,
        tensorDelta: null,
      });
    }
  }
  results.sort((p, q) => MODEL_IDS.indexOf(p.model) - MODEL_IDS.indexOf(q.model));

  console.log(`\nms per training step (medians):\n`);
  console.log(table(results));
  console.log(`\n× stock: median over rounds of (stock ms / contender ms) in the same round.`);
  if (typeof torch === 'string') console.log(torch);
  else console.log(`${torchName} ran in its own process after the tfjs runs (not interleaved).`);
  const leaks = results.filter((r) => r.tensorDelta !== null && r.tensorDelta !== 0);
  if (leaks.length)
    console.log(
      `tensor count changed during steps: ${JSON.stringify(leaks.map((r) => [r.model, r.tensorDelta]))}`,
    );

  const path = writeReport('train.json', {
    tfjs: tf.version_core,
    backend,
    workload: { batch: BATCH, timesteps: TIMESTEPS, features: FEATURES, units: UNITS },
    steps: STEPS,
    warmupSteps: WARMUP,
    baseline: CONTENDERS[0]!.name,
    recurrentInitializer: 'glorotUniform',
    torch: typeof torch === 'string' ? { skipped: torch } : { version: torch.version },
    results,
  });
  console.log(`wrote ${path}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
