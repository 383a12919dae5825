/**
 * The fused recurrent path (kernels/tfjs/fused) against the per-step tfjs ops of the same layers
 * (`path = 'ops'`): for random configurations, the outputs and the gradients of a loss with
 * respect to every weight, the input and the initial states agree within float32 rounding
 * (per element |fused − ops| ≤ 1e-5·max|ops| + 1e-4·|ops|), with the same dropout masks and the
 * same `lastMasks`; on the wasm backend (its heap, XNNPACK products) and on cpu (the local
 * device: a private memory, the kernels' own products), and on two threads (the shared device:
 * a pool's shared memory, every call split across the threads). A short training run gives the
 * same losses. The float64 references in layers.test.ts run on the default path, the fused one.
 * The kernels themselves (products, logistic function, strided rows, transpose) are checked
 * against plain JS at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../../../kernels/tfjs/backend';
import { Rng } from '../../../../kernels/random';
import { dropoutMaskValues } from '../../../../kernels/tfjs/layers/common';
import {
  Bidirectional,
  Dropout,
  GRU,
  LSTM,
  RecurrentLayer,
  SimpleRNN,
} from '../../../../kernels/tfjs/layers/index';
import { recurrentPath, setRecurrentPath } from '../../../../kernels/tfjs/fused/index';
import {
  currentDevice,
  LocalDevice,
  WasmDevice,
  sub,
  wasmHeap,
} from '../../../../kernels/tfjs/fused/device';
import { nodeThreads } from '../../../../kernels/tfjs/fused/pool-node';
import { setSplitThresholds } from '../../../../kernels/tfjs/fused/pool';
import {
  instantiate,
  relaxedSimdValidates,
  WebAssemblyApi,
} from '../../../../kernels/tfjs/fused/kernels';
import { setFlagsFromString } from 'node:v8';
import { SeededInitializer } from '../../../../kernels/tfjs/initializers';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

before(async () => {
  assert.equal((await initBackend()).name, 'wasm');
});

after(() => setRecurrentPath('auto'));

const CASES = Number(process.env['RNNLAB_FUSED_CASES'] ?? 40);

class Draw {
  readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + this.rng.int(hi - lo + 1);
  }
  bool(p = 0.5): boolean {
    return this.rng.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.rng.int(items.length)]!;
  }
  array(n: number, scale = 1): Float32Array {
    return Float32Array.from({ length: n }, () => scale * this.rng.normal());
  }
}

interface Case {
  kind: 'lstm' | 'gru' | 'simple';
  config: Record<string, unknown>;
  B: number;
  T: number;
  F: number;
  initial: boolean;
  seqMask: boolean;
}

function drawCase(d: Draw, i: number): Case {
  const kind = d.pick(['lstm', 'gru', 'simple'] as const);
  const act = () => d.pick(['tanh', 'tanh', 'sigmoid']);
  const config: Record<string, unknown> = {
    units: d.int(1, 9),
    activation: act(),
    use_bias: d.bool(0.85),
    return_sequences: d.bool(),
    return_state: d.bool(0.3),
    go_backwards: d.bool(0.3),
    dropout: d.pick([0, 0, 0.3]),
    recurrent_dropout: d.pick([0, 0, 0.4]),
    implementation: d.pick([1, 2, 2]),
    zero_output_for_mask: d.bool(),
    seed: 1000 + i,
  };
  if (kind !== 'simple') config['recurrent_activation'] = d.pick(['sigmoid', 'sigmoid', 'tanh']);
  if (kind === 'gru') config['reset_after'] = d.bool(0.6);
  return {
    kind,
    config,
    B: d.int(1, 5),
    T: d.int(1, 7),
    F: d.int(1, 6),
    initial: d.bool(0.25),
    seqMask: d.bool(0.3),
  };
}

/** Builds a layer the way a model does (so that it can be disposed). */
function build(layer: tfl.layers.Layer, batchShape: number[]): void {
  layer.apply(tfl.input({ batchShape }));
}

function makeLayer(c: Case): RecurrentLayer {
  if (c.kind === 'lstm') return new LSTM(c.config as never);
  if (c.kind === 'gru') return new GRU(c.config as never);
  return new SimpleRNN(c.config as never);
}

interface Run {
  outputs: Float32Array[];
  grads: Float32Array[];
  masks: string;
  path: string | null;
}

/** Outputs and gradients (weights, x, initial states) of a fixed random projection loss. */
function run(layer: RecurrentLayer, data: CaseData, path: 'fused' | 'ops'): Run {
  layer.path = path;
  layer.trainingCalls = 5;
  const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  const inputs = [data.x, ...data.states];
  const loss = (...ts: tf.Tensor[]): tf.Scalar => {
    const [x, ...states] = ts;
    const kwargs: Record<string, unknown> = { training: true };
    if (states.length) kwargs['initialState'] = states;
    if (data.mask) kwargs['mask'] = data.mask;
    const out = layer.call(x!, kwargs);
    const outs = Array.isArray(out) ? out : [out];
    data.outputs = outs.map((o) => o.dataSync() as Float32Array);
    return tf.addN(
      outs.map((o, i) => tf.sum(tf.mul(o, data.weights[i]!.slice(0, o.size).reshape(o.shape)))),
    ) as tf.Scalar;
  };
  const { value, grads: varGrads } = tf.variableGrads(() => loss(...inputs), vars);
  value.dispose();
  const grads = vars.map((v) => varGrads[v.name]!.dataSync() as Float32Array);
  const inputGrads = tf.grads(loss)(inputs);
  grads.push(...inputGrads.map((g) => g.dataSync() as Float32Array));
  tf.dispose([...Object.values(varGrads), ...inputGrads]);
  const masks = JSON.stringify({
    input: layer.lastMasks.input.map((m) => [m.shape, Array.from(m.values)]),
    recurrent: layer.lastMasks.recurrent.map((m) => [m.shape, Array.from(m.values)]),
  });
  assert.equal(layer.lastPath, path);
  return { outputs: data.outputs, grads, masks, path: layer.lastPath };
}

interface CaseData {
  x: tf.Tensor3D;
  states: tf.Tensor2D[];
  mask: tf.Tensor | null;
  weights: tf.Tensor1D[];
  outputs: Float32Array[];
}

function caseData(d: Draw, c: Case, layer: RecurrentLayer): CaseData {
  const { B, T, F } = c;
  const u = c.config['units'] as number;
  const x = tf.tensor3d(d.array(B * T * F), [B, T, F]);
  const states = c.initial
    ? Array.from({ length: layer.stateCount }, () => tf.tensor2d(d.array(B * u, 0.5), [B, u]))
    : [];
  let mask: tf.Tensor | null = null;
  if (c.seqMask) {
    // Ragged sequences (post- or pre-padding) and a few holes, so masked steps meet every path.
    const m = new Uint8Array(B * T);
    for (let b = 0; b < B; b++) {
      const len = d.int(0, T);
      const pre = d.bool();
      for (let t = 0; t < T; t++) m[b * T + t] = (pre ? t >= T - len : t < len) ? 1 : 0;
      if (T > 2 && d.bool(0.3)) m[b * T + d.int(0, T - 1)] = 0;
    }
    mask = tf.tensor2d(m, [B, T], 'bool');
  }
  const weights = Array.from({ length: 3 }, () => tf.tensor1d(d.array(B * T * u + B * u)));
  return { x, states, mask, weights, outputs: [] };
}

/** |a − b| ≤ 1e-5·max|b| + 1e-4·|b| element by element. */
function assertClose(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++) {
    assert.ok(Number.isFinite(a[i]!), `${what}: non-finite at ${i}`);
    const tol = 1e-5 * Math.max(scale, 1e-3) + 1e-4 * Math.abs(b[i]!);
    assert.ok(
      Math.abs(a[i]! - b[i]!) <= tol,
      `${what}[${i}]: fused ${a[i]} vs ops ${b[i]} (max |ops| ${scale})`,
    );
  }
}

function describeCase(c: Case): string {
  const opts = Object.entries(c.config)
    .filter(([k]) => k !== 'seed')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return `${c.kind}(${opts}) B=${c.B} T=${c.T} F=${c.F}${c.initial ? ' initial_state' : ''}${c.seqMask ? ' masked' : ''}`;
}

function property(backend: 'wasm' | 'cpu', seed: number, threads = 1): void {
  const on = threads > 1 ? `${backend}, ${threads} threads` : backend;
  test(`${CASES} random configurations: fused == ops on ${on}`, async () => {
    const info = await initBackend({ prefer: backend, threads, threadHost: nodeThreads });
    try {
      assert.equal(tf.getBackend(), backend);
      assert.equal(info.kernelThreads.threads, threads, info.kernelThreads.reason ?? '');
      const dev = currentDevice();
      assert.equal(dev.name, threads > 1 ? 'shared' : backend === 'wasm' ? 'wasm' : 'local');
      dev.release();
      // Every product and gate kernel split, however small (by rows, or columns when few).
      if (threads > 1) setSplitThresholds(0, 0);
      const d = new Draw(seed);
      for (let i = 0; i < CASES; i++) {
        const c = drawCase(d, i);
        const what = `case ${i}: ${describeCase(c)}`;
        const layer = makeLayer(c);
        build(layer, [c.B, c.T, c.F]);
        // Non-zero biases, so that every bias gradient path matters.
        if (layer.bias)
          layer.bias.write(tf.randomNormal(layer.bias.shape as number[], 0, 0.5, 'float32', i));
        const data = caseData(d, c, layer);
        const before = tf.memory().numTensors;
        const fused = run(layer, data, 'fused');
        const ops = run(layer, data, 'ops');
        assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked`);
        assert.equal(fused.masks, ops.masks, `${what}: lastMasks differ`);
        assert.equal(fused.outputs.length, ops.outputs.length);
        fused.outputs.forEach((o, k) => assertClose(o, ops.outputs[k]!, `${what}: output ${k}`));
        assert.equal(fused.grads.length, ops.grads.length);
        fused.grads.forEach((g, k) => assertClose(g, ops.grads[k]!, `${what}: gradient ${k}`));
        tf.dispose([data.x, ...data.states, ...data.weights]);
        if (data.mask) data.mask.dispose();
        layer.dispose();
      }
    } finally {
      setSplitThresholds();
      await initBackend();
    }
  });
}

describe('fused recurrent path = per-step ops', () => {
  property('wasm', 0xf05ed);
  property('cpu', 0xc0ffee);
  property('wasm', 0x7ead5, 2);

  test('the workload sizes (LSTM 128 with both dropouts, GRU 32 stacked) agree on wasm', () => {
    const d = new Draw(7);
    const sizes: Case[] = [
      {
        kind: 'lstm',
        config: { units: 128, dropout: 0.2, recurrent_dropout: 0.2, seed: 1 },
        B: 16,
        T: 20,
        F: 32,
        initial: false,
        seqMask: false,
      },
      {
        kind: 'gru',
        config: { units: 32, return_sequences: true, seed: 2 },
        B: 64,
        T: 40,
        F: 2,
        initial: false,
        seqMask: false,
      },
      {
        kind: 'gru',
        config: { units: 48, reset_after: false, recurrent_dropout: 0.3, seed: 3 },
        B: 8,
        T: 30,
        F: 5,
        initial: false,
        seqMask: false,
      },
    ];
    for (const c of sizes) {
      const layer = makeLayer(c);
      build(layer, [c.B, c.T, c.F]);
      const data = caseData(d, c, layer);
      const fused = run(layer, data, 'fused');
      const ops = run(layer, data, 'ops');
      assert.equal(fused.masks, ops.masks);
      fused.outputs.forEach((o, k) => assertClose(o, ops.outputs[k]!, `${c.kind} output ${k}`));
      fused.grads.forEach((g, k) => assertClose(g, ops.grads[k]!, `${c.kind} gradient ${k}`));
      tf.dispose([data.x, ...data.weights]);
      layer.dispose();
    }
  });

  test('Bidirectional(LSTM, return_sequences) with masks: same outputs and gradients', () => {
    const d = new Draw(11);
    const build = () =>
      new Bidirectional({
        layer: new LSTM({ units: 6, return_sequences: true, dropout: 0.2, seed: 5 }),
      });
    const x = tf.tensor3d(d.array(4 * 5 * 3), [4, 5, 3]);
    const mask = tf.tensor2d(
      [1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0],
      [4, 5],
      'bool',
    );
    const results = (['fused', 'ops'] as const).map((path) => {
      setRecurrentPath(path);
      const layer = build();
      layer.apply(x);
      const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      let out: Float32Array = new Float32Array();
      const { grads } = tf.variableGrads(() => {
        const y = layer.call(x, { training: true, mask }) as tf.Tensor;
        out = y.dataSync() as Float32Array;
        return tf.sum(tf.square(y)) as tf.Scalar;
      }, vars);
      const g = vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
      assert.equal(layer.forwardLayer.lastPath, path);
      layer.dispose();
      return { out, g };
    });
    setRecurrentPath('auto');
    assertClose(results[0]!.out, results[1]!.out, 'output');
    results[0]!.g.forEach((g, k) => assertClose(g, results[1]!.g[k]!, `gradient ${k}`));
    tf.dispose([x, mask]);
  });

  test('a short training run gives the same losses (Adam, 5 epochs)', async () => {
    const losses = async (path: 'fused' | 'ops'): Promise<number[]> => {
      setRecurrentPath(path);
      const model = tfl.sequential({
        layers: [
          new GRU({ units: 8, return_sequences: true, input_shape: [10, 3], seed: 1 }),
          new Dropout({ rate: 0.3, seed: 2 }),
          new LSTM({ units: 6, dropout: 0.1, recurrent_dropout: 0.2, seed: 3 }),
          tfl.layers.dense({
            units: 1,
            kernelInitializer: new SeededInitializer('glorot_uniform', 4),
          }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const d = new Draw(5);
      const x = tf.tensor3d(d.array(32 * 10 * 3), [32, 10, 3]);
      const y = tf.tensor2d(d.array(32), [32, 1]);
      const h = await model.fit(x, y, { epochs: 5, batchSize: 8, shuffle: false, verbose: 0 });
      tf.dispose([x, y]);
      model.dispose();
      return h.history['loss'] as number[];
    };
    const fused = await losses('fused');
    const ops = await losses('ops');
    setRecurrentPath('auto');
    assert.equal(fused.length, 5);
    for (let e = 0; e < 5; e++) {
      assert.ok(
        Math.abs(fused[e]! - ops[e]!) <= 1e-4 * Math.abs(ops[e]!),
        `epoch ${e + 1}: fused ${fused[e]} vs ops ${ops[e]}`,
      );
    }
    assert.ok(fused[4]! < fused[0]!, 'the model trains');
  });
});

describe('choosing the path', () => {
  test("'auto' takes the fused path for sigmoid/tanh and reports why it does not otherwise", () => {
    assert.equal(recurrentPath(), 'auto');
    const x = tf.ones([2, 3, 4]);
    const lstm = new LSTM({ units: 3, seed: 1 });
    lstm.apply(x);
    assert.equal(lstm.lastPath, 'fused');
    assert.equal(lstm.fallbackReason, null);
    const relu = new SimpleRNN({ units: 3, activation: 'relu', seed: 1 });
    relu.apply(x);
    assert.equal(relu.lastPath, 'ops');
    assert.match(relu.fallbackReason ?? '', /activation 'relu'/);
    const hard = new GRU({ units: 3, recurrent_activation: 'hard_sigmoid', seed: 1 });
    hard.apply(x);
    assert.equal(hard.lastPath, 'ops');
    assert.match(hard.fallbackReason ?? '', /recurrent_activation 'hard_sigmoid'/);
    hard.path = 'fused';
    assert.throws(() => hard.apply(x), /fused recurrent path cannot run/);
    lstm.path = 'ops';
    lstm.apply(x);
    assert.equal(lstm.lastPath, 'ops');
    assert.match(lstm.fallbackReason ?? '', /'ops'/);
    tf.dispose(x);
    [lstm, relu, hard].forEach((l) => l.dispose());
  });

  test('no tensor or wasm buffer leaks over training steps on the fused path', () => {
    const model = tfl.sequential({
      layers: [
        new GRU({ units: 8, return_sequences: true, input_shape: [6, 3], seed: 1 }),
        new LSTM({ units: 5, recurrent_dropout: 0.2, return_state: false, seed: 2 }),
        tfl.layers.dense({
          units: 1,
          kernelInitializer: new SeededInitializer('glorot_uniform', 3),
        }),
      ],
    });
    const d = new Draw(9);
    const x = tf.tensor3d(d.array(4 * 6 * 3), [4, 6, 3]);
    const y = tf.tensor2d(d.array(4), [4, 1]);
    const opt = tf.train.adam(0.01);
    const backend = tf.backend();
    const step = () =>
      tf.dispose(
        opt.minimize(
          () =>
            tf.losses.meanSquaredError(
              y,
              model.apply(x, { training: true }) as tf.Tensor,
            ) as tf.Scalar,
          true,
        ) ?? [],
      );
    for (let i = 0; i < 3; i++) step();
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    for (let i = 0; i < 10; i++) step();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), ids);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });
});

describe('devices and kernels', () => {
  /** out = a·b + bias in float64. */
  function reference(
    a: Float32Array,
    b: Float32Array,
    bias: Float32Array | null,
    m: number,
    k: number,
    n: number,
  ): Float32Array {
    const out = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = bias ? bias[j]! : 0;
        for (let p = 0; p < k; p++) acc += a[i * k + p]! * b[p * n + j]!;
        out[i * n + j] = acc;
      }
    }
    return out;
  }

  test('products: XNNPACK on the wasm heap and the local SIMD gemm, at odd offsets', () => {
    const wasm = new WasmDevice(
      tf.backend() as BackendWasm,
      wasmHeap(tf.backend() as BackendWasm)!,
    );
    const local = new LocalDevice();
    const d = new Draw(3);
    const backend = tf.backend();
    const ids = backend.numDataIds();
    for (const [m, k, n] of [
      [1, 1, 1],
      [5, 7, 3],
      [64, 32, 96],
      [17, 129, 33],
      [9, 300, 21],
      [6, 530, 13],
    ] as const) {
      const a = d.array(m * k);
      const b = d.array(k * n);
      const bias = d.array(n);
      for (const dev of [wasm, local]) {
        const ra = dev.scratch(m * k + 3);
        const rb = dev.scratch(k * n + 1);
        const rbias = dev.scratch(n + 2);
        const out = dev.scratch(m * n + 5);
        dev.f32().set(a, ra.off + 3);
        dev.f32().set(b, rb.off + 1);
        dev.f32().set(bias, rbias.off + 2);
        const o = sub(out, 5, m * n);
        dev.gemm(o, sub(ra, 3, m * k), sub(rb, 1, k * n), m, k, n, sub(rbias, 2, n));
        const what = `${dev.name} gemm ${m}x${k}x${n}`;
        assertClose(
          dev.f32().slice(o.off, o.off + m * n),
          reference(a, b, bias, m, k, n),
          `${what} + bias`,
        );
        // A frozen right operand is reused (XNNPACK caches its packing): still right.
        const frozen = dev.freeze(sub(rb, 1, k * n));
        dev.gemm(o, sub(ra, 3, m * k), frozen, m, k, n);
        dev.f32().set(d.array(m * k), ra.off + 3);
        const a2 = dev.f32().slice(ra.off + 3, ra.off + 3 + m * k);
        dev.gemm(o, sub(ra, 3, m * k), frozen, m, k, n);
        assertClose(dev.f32().slice(o.off, o.off + m * n), reference(a2, b, null, m, k, n), what);
      }
    }
    wasm.release();
    local.release();
    assert.equal(backend.numDataIds(), ids, 'scratch freed');
  });

  test('the logistic function and tanh of the kernels, across the float range', () => {
    const dev = new LocalDevice();
    const xs = [
      -1e30, -200, -88, -87.5, -30, -5, -1, -1e-3, -1e-8, 0, 1e-8, 1e-3, 1, 5, 30, 87.5, 88, 200,
      1e30,
    ];
    for (let v = -12; v <= 12; v += 0.01) xs.push(v);
    const n = xs.length;
    const p = dev.scratch(n);
    const z = dev.scratch(n);
    const h = dev.scratch(n);
    for (const [lo, span, f, tol] of [
      [0, 1, (x: number) => 1 / (1 + Math.exp(-x)), 3e-7],
      [-1, 2, Math.tanh, 3e-7],
    ] as const) {
      dev.f32().set(xs, p.off);
      dev.f32().fill(0, z.off, z.off + n);
      dev.k.row['simpleForward']!(1, n, p.off, 0, z.off, 0, h.off, 0, 0, 1, lo, span);
      const out = dev.f32().slice(h.off, h.off + n);
      xs.forEach((x, i) => {
        const want = f(Math.fround(x));
        // Relative for the logistic function (below 1e-30 absolute: it underflows there);
        // absolute for tanh (2σ(2x) − 1 near 0).
        const err = Math.abs(out[i]! - want) / (lo === 0 ? Math.max(want, 1e-30) : 1);
        assert.ok(err <= tol, `${lo === 0 ? 'sigmoid' : 'tanh'}(${x}) = ${out[i]}, want ${want}`);
      });
    }
    dev.release();
  });

  test('row kernels with strides and tails; the blocked transpose', () => {
    const dev = new LocalDevice();
    const d = new Draw(4);
    for (const [rows, cols] of [
      [1, 1],
      [3, 5],
      [7, 13],
      [2, 64],
    ] as const) {
      const [sy, sa, sb] = [cols + 2, cols + 5, cols + 1];
      const y = dev.scratch(rows * sy);
      const a = dev.scratch(rows * sa);
      const b = dev.scratch(rows * sb);
      const Y = d.array(rows * sy);
      const A = d.array(rows * sa);
      const Bv = d.array(rows * sb);
      dev.f32().set(Y, y.off);
      dev.f32().set(A, a.off);
      dev.f32().set(Bv, b.off);
      dev.k.row['fma']!(rows, cols, y.off, sy, a.off, sa, b.off, sb);
      const got = dev.f32().slice(y.off, y.off + rows * sy);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < sy; c++) {
          const want =
            c < cols
              ? Math.fround(Y[r * sy + c]! + Math.fround(A[r * sa + c]! * Bv[r * sb + c]!))
              : Y[r * sy + c]!;
          assert.equal(got[r * sy + c], want, `fma ${rows}x${cols} at ${r},${c}`);
        }
      }
      const t = dev.scratch(cols * (rows + 3));
      dev.k.transpose(t.off, a.off, rows, cols, sa, rows + 3);
      const T = dev.f32();
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) assert.equal(T[t.off + c * (rows + 3) + r], A[r * sa + c]);
      }
    }
    dev.release();
  });

  test('the relaxed-SIMD build (fused multiply-add) gives the plain build’s results', () => {
    // Node 20 has relaxed SIMD behind a flag; Node 24 and Electron have it on.
    if (!relaxedSimdValidates()) setFlagsFromString('--experimental-wasm-relaxed-simd');
    assert.ok(relaxedSimdValidates(), 'relaxed SIMD validates');
    const memory = new WebAssemblyApi.Memory({ initial: 64 });
    const plain = instantiate(memory, false);
    const relaxed = instantiate(memory, true);
    assert.equal(plain.relaxed, false);
    assert.equal(relaxed.relaxed, true);
    const M = new Float32Array(memory.buffer);
    const d = new Draw(21);
    let top = 16;
    const put = (v: Float32Array) => {
      const off = top;
      M.set(v, off);
      top += v.length + 8;
      return off;
    };
    let differs = 0;
    for (const [m, k, n] of [
      [64, 128, 512],
      [7, 300, 21],
      [64, 32, 96],
    ] as const) {
      const a = d.array(m * k);
      const b = d.array(k * n);
      const bias = d.array(n);
      const [ao, bo, biaso] = [put(a), put(b), put(bias)];
      const out = [put(new Float32Array(m * n)), put(new Float32Array(m * n))];
      plain.gemm(out[0]!, ao, bo, m, k, n, biaso, 0, m);
      relaxed.gemm(out[1]!, ao, bo, m, k, n, biaso, 0, m);
      const ref = reference(a, b, bias, m, k, n);
      const [p, r] = out.map((o) => M.slice(o, o + m * n));
      assertClose(p!, ref, `plain gemm ${m}x${k}x${n}`);
      assertClose(r!, ref, `relaxed gemm ${m}x${k}x${n}`);
      for (let i = 0; i < m * n; i++) if (p![i] !== r![i]) differs++;
    }
    // The LSTM step's gates, forward and backward, on both builds.
    const [B, u] = [16, 24];
    const GU = 4 * u;
    const inputs = [d.array(B * GU), d.array(B * GU), d.array(B * u, 0.5)].map(put);
    const results = [plain, relaxed].map((kern) => {
      const [p, z, cp] = inputs.map((off, i) => put(M.slice(off, off + (i < 2 ? B * GU : B * u))));
      const [c, tc, h] = [0, 1, 2].map(() => put(new Float32Array(B * u)));
      const gates = [0, 1, 2, 3].flatMap((g) => [p! + g * u, GU]);
      const zs = [0, 1, 2, 3].flatMap((g) => [z! + g * u, GU]);
      kern.row['lstmForward']!(B, u, ...gates, ...zs, cp!, u, c!, u, tc!, u, h!, u, 0, 1, -1, 2);
      return [p!, c!, h!].map((o, i) => M.slice(o, o + (i === 0 ? B * GU : B * u)));
    });
    results[0]!.forEach((ref, i) => assertClose(results[1]![i]!, ref, `lstmForward output ${i}`));
    assert.ok(differs > 0, 'the relaxed build really fuses (some products round differently)');
  });

  test('dropout masks from the kernel: the same draws as Rng.next(), and the stream goes on', () => {
    for (const [seed, n, rate] of [
      [1, 409600, 0.5],
      // A rate whose threshold has low bits too, so that every bit of the hash counts.
      [2, 409601, 0.3],
      [3, 259, 0.2],
      [4, 100, 0.9], // below the kernel's size: JavaScript
      [5, 4099, 1e-9],
      [6, 4099, 0.999999999],
      [0xffffffff, 777, 0.25],
    ] as const) {
      const a = new Rng(seed);
      const b = new Rng(seed);
      const got = dropoutMaskValues(a, n, rate);
      const keep = Math.fround(1 / (1 - rate));
      for (let i = 0; i < n; i++) {
        const want = b.next() >= rate ? keep : 0;
        if (got[i] !== want)
          assert.fail(`seed ${seed}, n ${n}, rate ${rate}: [${i}] ${got[i]} vs ${want}`);
      }
      assert.equal(a.next(), b.next(), `seed ${seed}: the stream after the mask`);
    }
  });
});
