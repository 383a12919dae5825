import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeededInitializer } from '../../../../kernels/tfjs/initializers';
import { Rng } from '../../../../kernels/random';
import {
  Bidirectional,
  Dropout,
  GaussianNoise,
  GRU,
  LSTM,
  RecurrentLayer,
  SimpleRNN,
  SpatialDropout1D,
  TimeDistributed,
  type DropoutMask,
} from '../../../../kernels/tfjs/layers/index';

before(async () => {
  await tf.setBackend('cpu');
});

// ---------------------------------------------------------------------------------------------
// A plain-JS, float64 reference of the Keras cell equations (written from the Keras 3 sources,
// independently of the layers under test).

type Kind = 'simple' | 'lstm' | 'gru';

interface RefSpec {
  kind: Kind;
  units: number;
  act?: string;
  recAct?: string;
  resetAfter?: boolean;
  goBackwards?: boolean;
  /** Input masks (batch·in each): none, one shared, or one per gate. */
  inMasks?: Float64Array[];
  /** Recurrent masks (batch·u each): none, one shared, or one per gate. */
  recMasks?: Float64Array[];
  h0?: Float64Array;
  c0?: Float64Array;
  /** Sequence mask (batch·T) of 0/1. */
  seqMask?: Float64Array;
  zeroOutput?: boolean;
}

interface RefOut {
  /** Outputs in processing order, (batch, T, u). */
  seq: Float64Array;
  last: Float64Array;
  h: Float64Array;
  c: Float64Array;
}

const ACT: Record<string, (v: number) => number> = {
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  linear: (v) => v,
  relu: (v) => Math.max(0, v),
  hard_sigmoid: (v) => Math.min(1, Math.max(0, v / 6 + 0.5)),
};

const GATES: Record<Kind, number> = { simple: 1, lstm: 4, gru: 3 };

/** weights = [kernel (in, G·u), recurrent_kernel (u, G·u), bias?] as Keras lays them out. */
function refRnn(
  x: Float64Array,
  [B, T, F]: [number, number, number],
  weights: Float64Array[],
  s: RefSpec,
): RefOut {
  const u = s.units;
  const G = GATES[s.kind];
  const GU = G * u;
  const [W, U] = [weights[0]!, weights[1]!];
  const bias = weights[2] ?? null;
  const bIn = bias ? bias.subarray(0, GU) : null;
  const bRec =
    bias && s.kind === 'gru' && s.resetAfter !== false ? bias.subarray(GU, 2 * GU) : null;
  const act = ACT[s.act ?? 'tanh']!;
  const ra = ACT[s.recAct ?? 'sigmoid']!;
  const pick = (masks: Float64Array[] | undefined, g: number, idx: number): number => {
    if (!masks || masks.length === 0) return 1;
    return masks[masks.length === 1 ? 0 : g]![idx]!;
  };
  const seq = new Float64Array(B * T * u);
  const last = new Float64Array(B * u);
  const hOut = new Float64Array(B * u);
  const cOut = new Float64Array(B * u);
  for (let b = 0; b < B; b++) {
    let h: Float64Array = s.h0 ? s.h0.slice(b * u, b * u + u) : new Float64Array(u);
    let c: Float64Array = s.c0 ? s.c0.slice(b * u, b * u + u) : new Float64Array(u);
    let prevOut: Float64Array = new Float64Array(u);
    for (let step = 0; step < T; step++) {
      const t = s.goBackwards ? T - 1 - step : step;
      const xp = new Float64Array(GU);
      for (let g = 0; g < G; g++) {
        for (let j = 0; j < u; j++) {
          let sum = bIn ? bIn[g * u + j]! : 0;
          for (let f = 0; f < F; f++) {
            sum += x[(b * T + t) * F + f]! * pick(s.inMasks, g, b * F + f) * W[f * GU + g * u + j]!;
          }
          xp[g * u + j] = sum;
        }
      }
      const hp = (g: number, j: number, hv: Float64Array): number => {
        let sum = 0;
        for (let i = 0; i < u; i++)
          sum += hv[i]! * pick(s.recMasks, g, b * u + i) * U[i * GU + g * u + j]!;
        return sum;
      };
      const hn = new Float64Array(u);
      const cn = new Float64Array(u);
      if (s.kind === 'simple') {
        for (let j = 0; j < u; j++) hn[j] = act(xp[j]! + hp(0, j, h));
      } else if (s.kind === 'lstm') {
        for (let j = 0; j < u; j++) {
          const i = ra(xp[j]! + hp(0, j, h));
          const f = ra(xp[u + j]! + hp(1, j, h));
          const g = act(xp[2 * u + j]! + hp(2, j, h));
          const o = ra(xp[3 * u + j]! + hp(3, j, h));
          cn[j] = f * c[j]! + i * g;
          hn[j] = o * act(cn[j]!);
        }
      } else {
        const z = new Float64Array(u);
        const r = new Float64Array(u);
        for (let j = 0; j < u; j++) {
          z[j] = ra(xp[j]! + hp(0, j, h) + (bRec ? bRec[j]! : 0));
          r[j] = ra(xp[u + j]! + hp(1, j, h) + (bRec ? bRec[u + j]! : 0));
        }
        for (let j = 0; j < u; j++) {
          let hh: number;
          if (s.resetAfter !== false) {
            hh = act(xp[2 * u + j]! + r[j]! * (hp(2, j, h) + (bRec ? bRec[2 * u + j]! : 0)));
          } else {
            const rh = h.map((v, i) => v * r[i]!);
            hh = act(xp[2 * u + j]! + hp(2, j, rh));
          }
          hn[j] = z[j]! * h[j]! + (1 - z[j]!) * hh;
        }
      }
      const m = s.seqMask ? s.seqMask[b * T + t]! : 1;
      let out: Float64Array;
      if (m) {
        h = hn;
        c = cn;
        out = hn;
      } else {
        out = s.zeroOutput ? new Float64Array(u) : prevOut;
      }
      prevOut = out;
      seq.set(out, (b * T + step) * u);
    }
    last.set(prevOut, b * u);
    hOut.set(h, b * u);
    cOut.set(c, b * u);
  }
  return { seq, last, h: hOut, c: cOut };
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/** Uniform values in (-scale, scale), rounded to float32 so tfjs and the reference see the same. */
function randArray(rng: Rng, n: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround((2 * rng.next() - 1) * scale);
  return out;
}

/** tfjs takes no Float64Array: convert. */
function tensor(
  v: Float64Array,
  shape: number[],
  dtype: 'float32' | 'bool' = 'float32',
): tf.Tensor {
  return tf.tensor(dtype === 'bool' ? Uint8Array.from(v) : Float32Array.from(v), shape, dtype);
}

function f64(t: tf.Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function list(y: unknown): tf.Tensor[] {
  return Array.isArray(y) ? (y as tf.Tensor[]) : [y as tf.Tensor];
}

/** Builds `layer` for input (B, T, F) and gives it random weights (biases included). */
function randomize(
  layer: tfl.layers.Layer,
  shape: number[],
  rng: Rng,
  scale = 0.6,
): Float64Array[] {
  if (!layer.built) {
    layer.build(shape);
    layer.built = true;
  }
  const values = layer.weights.map((w) =>
    randArray(
      rng,
      w.shape.reduce((a, b) => a! * b!, 1)!,
      scale,
    ),
  );
  tf.tidy(() =>
    layer.setWeights(values.map((v, i) => tensor(v, layer.weights[i]!.shape as number[]))),
  );
  return values;
}

function masks64(m: DropoutMask[]): Float64Array[] {
  return m.map((x) => Float64Array.from(x.values));
}

function refKind(layer: RecurrentLayer): Kind {
  return layer instanceof LSTM ? 'lstm' : layer instanceof GRU ? 'gru' : 'simple';
}

function refSpecOf(layer: RecurrentLayer, extra: Partial<RefSpec> = {}): RefSpec {
  return {
    kind: refKind(layer),
    units: layer.units,
    act: layer.activation,
    recAct: layer.recurrentActivation,
    resetAfter: layer instanceof GRU ? layer.resetAfter : undefined,
    goBackwards: layer.goBackwards,
    inMasks: masks64(layer.lastMasks.input),
    recMasks: masks64(layer.lastMasks.recurrent),
    ...extra,
  };
}

const TOL = 1e-5;

// ---------------------------------------------------------------------------------------------

describe('forward pass vs the plain-JS reference', () => {
  const B = 3;
  const T = 5;
  const F = 4;
  const cases: Array<[string, () => RecurrentLayer]> = [
    ['SimpleRNN', () => new SimpleRNN({ units: 3, return_sequences: true, seed: 1 })],
    [
      'SimpleRNN relu go_backwards',
      () =>
        new SimpleRNN({
          units: 3,
          activation: 'relu',
          return_sequences: true,
          go_backwards: true,
          seed: 1,
        }),
    ],
    ['LSTM', () => new LSTM({ units: 3, return_sequences: true, return_state: true, seed: 2 })],
    [
      'LSTM go_backwards',
      () =>
        new LSTM({
          units: 4,
          return_sequences: true,
          return_state: true,
          go_backwards: true,
          seed: 2,
        }),
    ],
    [
      'GRU reset_after=True',
      () => new GRU({ units: 3, return_sequences: true, return_state: true, seed: 3 }),
    ],
    [
      'GRU reset_after=False',
      () =>
        new GRU({
          units: 3,
          reset_after: false,
          return_sequences: true,
          return_state: true,
          seed: 4,
        }),
    ],
    [
      'GRU reset_after=True go_backwards',
      () => new GRU({ units: 2, return_sequences: true, go_backwards: true, seed: 5 }),
    ],
    [
      'GRU hard_sigmoid, no bias',
      () =>
        new GRU({
          units: 3,
          recurrent_activation: 'hard_sigmoid',
          use_bias: false,
          return_sequences: true,
          seed: 6,
        }),
    ],
    [
      'LSTM no bias',
      () => new LSTM({ units: 3, use_bias: false, return_sequences: true, seed: 7 }),
    ],
  ];
  for (const [name, make] of cases) {
    test(name, () => {
      const rng = new Rng(1000 + name.length);
      const layer = make();
      const weights = randomize(layer, [B, T, F], rng);
      const xv = randArray(rng, B * T * F, 1.5);
      const x = tensor(xv, [B, T, F]);
      const outs = list(layer.apply(x));
      const ref = refRnn(xv, [B, T, F], weights, refSpecOf(layer));
      assert.deepEqual(outs[0]!.shape, [B, T, layer.units]);
      assert.ok(
        maxDiff(f64(outs[0]!), ref.seq) < TOL,
        `${name} sequence: ${maxDiff(f64(outs[0]!), ref.seq)}`,
      );
      if (layer.returnState) {
        assert.ok(maxDiff(f64(outs[1]!), ref.h) < TOL, `${name} h`);
        if (layer instanceof LSTM) assert.ok(maxDiff(f64(outs[2]!), ref.c) < TOL, `${name} c`);
      }
      tf.dispose([x, ...outs]);
    });
  }

  test('return_sequences=False returns the last output', () => {
    const rng = new Rng(5);
    const layer = new LSTM({ units: 3, seed: 8 });
    const weights = randomize(layer, [B, T, F], rng);
    const xv = randArray(rng, B * T * F);
    const y = layer.apply(tensor(xv, [B, T, F])) as tf.Tensor;
    assert.deepEqual(y.shape, [B, 3]);
    assert.ok(maxDiff(f64(y), refRnn(xv, [B, T, F], weights, refSpecOf(layer)).last) < TOL);
  });

  test('initial states passed as initialState', () => {
    const rng = new Rng(6);
    const layer = new LSTM({ units: 3, return_sequences: true, seed: 9 });
    const weights = randomize(layer, [B, T, F], rng);
    const xv = randArray(rng, B * T * F);
    const h0 = randArray(rng, B * 3);
    const c0 = randArray(rng, B * 3);
    const y = layer.apply(tensor(xv, [B, T, F]), {
      initialState: [tensor(h0, [B, 3]), tensor(c0, [B, 3])],
    }) as tf.Tensor;
    assert.ok(
      maxDiff(f64(y), refRnn(xv, [B, T, F], weights, refSpecOf(layer, { h0, c0 })).seq) < TOL,
    );
  });

  for (const zeroOutput of [false, true]) {
    test(`sequence masks (zero_output_for_mask=${zeroOutput}) follow Keras`, () => {
      const rng = new Rng(7);
      for (const make of [
        () =>
          new LSTM({
            units: 3,
            return_sequences: true,
            return_state: true,
            zero_output_for_mask: zeroOutput,
            seed: 10,
          }),
        () =>
          new GRU({
            units: 3,
            return_sequences: true,
            return_state: true,
            go_backwards: true,
            zero_output_for_mask: zeroOutput,
            seed: 11,
          }),
      ]) {
        const layer = make();
        const weights = randomize(layer, [B, T, F], rng);
        const xv = randArray(rng, B * T * F);
        const mv = Float64Array.from([1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1]);
        const outs = list(layer.apply(tensor(xv, [B, T, F]), { mask: tensor(mv, [B, T], 'bool') }));
        const ref = refRnn(xv, [B, T, F], weights, refSpecOf(layer, { seqMask: mv, zeroOutput }));
        assert.ok(maxDiff(f64(outs[0]!), ref.seq) < TOL);
        assert.ok(maxDiff(f64(outs[1]!), ref.h) < TOL);
      }
    });
  }

  test('Embedding(mask_zero) → LSTM: padded steps do not change the result', async () => {
    const emb = tfl.layers.embedding({
      inputDim: 10,
      outputDim: 3,
      maskZero: true,
      inputShape: [null],
    });
    const lstm = new LSTM({ units: 4, seed: 12 });
    const model = tfl.sequential({ layers: [emb, lstm] });
    const padded = model.predict(tf.tensor2d([[1, 2, 3, 0, 0]], [1, 5])) as tf.Tensor;
    const tokens = tf.tensor2d([[1, 2, 3]], [1, 3]);
    const unpadded = lstm.apply(emb.apply(tokens) as tf.Tensor) as tf.Tensor;
    assert.ok(maxDiff(f64(padded), f64(unpadded)) < 1e-6);
  });
  test('a stale mask of another length (tfjs reuses kwargs across layers) is ignored', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true, inputShape: [5] }),
        new LSTM({ units: 4, seed: 13 }),
        tfl.layers.repeatVector({ n: 3 }),
        new LSTM({ units: 2, return_sequences: true, seed: 14 }),
      ],
    });
    const y = model.predict(tf.tensor2d([[1, 2, 0, 0, 0]], [1, 5])) as tf.Tensor;
    assert.deepEqual(y.shape, [1, 3, 2]);
    model.dispose();
  });
});

// ---------------------------------------------------------------------------------------------

describe('gradients vs central differences of the float64 reference', () => {
  const B = 2;
  const T = 4;
  const F = 3;
  const cases: Array<[string, () => RecurrentLayer]> = [
    ['SimpleRNN', () => new SimpleRNN({ units: 3, return_sequences: true, seed: 21 })],
    [
      'SimpleRNN with dropouts',
      () =>
        new SimpleRNN({
          units: 3,
          return_sequences: true,
          dropout: 0.3,
          recurrent_dropout: 0.3,
          seed: 22,
        }),
    ],
    ['LSTM', () => new LSTM({ units: 3, return_sequences: true, seed: 23 })],
    [
      'LSTM with input dropout (one shared mask)',
      () => new LSTM({ units: 3, return_sequences: true, dropout: 0.3, seed: 24 }),
    ],
    [
      'LSTM with both dropouts (per-gate masks)',
      () =>
        new LSTM({
          units: 3,
          return_sequences: true,
          dropout: 0.3,
          recurrent_dropout: 0.3,
          seed: 25,
        }),
    ],
    ['GRU reset_after=True', () => new GRU({ units: 3, return_sequences: true, seed: 26 })],
    [
      'GRU reset_after=True, both dropouts',
      () =>
        new GRU({
          units: 3,
          return_sequences: true,
          dropout: 0.3,
          recurrent_dropout: 0.3,
          seed: 27,
        }),
    ],
    [
      'GRU reset_after=False',
      () => new GRU({ units: 3, reset_after: false, return_sequences: true, seed: 28 }),
    ],
    [
      'GRU reset_after=False, both dropouts',
      () =>
        new GRU({
          units: 3,
          reset_after: false,
          return_sequences: true,
          dropout: 0.3,
          recurrent_dropout: 0.3,
          seed: 29,
        }),
    ],
    [
      'LSTM go_backwards',
      () => new LSTM({ units: 2, return_sequences: true, go_backwards: true, seed: 30 }),
    ],
  ];
  for (const [name, make] of cases) {
    test(name, () => {
      const rng = new Rng(2000 + name.length);
      const layer = make();
      const weights = randomize(layer, [B, T, F], rng);
      const xv = randArray(rng, B * T * F, 1.5);
      const rv = randArray(rng, B * T * layer.units);
      const x = tensor(xv, [B, T, F]);
      const r = tensor(rv, [B, T, layer.units]);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, r)) as tf.Scalar,
        vars,
      );
      const spec = refSpecOf(layer);
      if (layer.dropout > 0) assert.ok(spec.inMasks!.length > 0);
      const loss = (ws: Float64Array[]): number => {
        const seq = refRnn(xv, [B, T, F], ws, spec).seq;
        let s = 0;
        for (let i = 0; i < seq.length; i++) s += seq[i]! * rv[i]!;
        return s;
      };
      assert.ok(Math.abs(value.dataSync()[0]! - loss(weights)) < 1e-4);
      const eps = 1e-6;
      vars.forEach((v, k) => {
        const g = f64(grads[v.name]!);
        for (let i = 0; i < weights[k]!.length; i++) {
          const plus = weights.map((w) => w.slice());
          const minus = weights.map((w) => w.slice());
          plus[k]![i]! += eps;
          minus[k]![i]! -= eps;
          const num = (loss(plus) - loss(minus)) / (2 * eps);
          assert.ok(
            Math.abs(g[i]! - num) <= 1e-4 + 1e-3 * Math.abs(num),
            `${name}: d/d${v.name}[${i}] autodiff ${g[i]} vs numeric ${num}`,
          );
        }
      });
      tf.dispose([x, r, value, ...Object.values(grads)]);
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('parameter counts (Keras formulas)', () => {
  const count = (layer: tfl.layers.Layer, inputDim: number): number => {
    layer.build([null, 7, inputDim]);
    layer.built = true;
    return layer.countParams();
  };
  test('SimpleRNN u(in+u+1), LSTM 4u(in+u+1), GRU 3u(in+u+2) / 3u(in+u+1)', () => {
    for (const [inp, u] of [
      [32, 128],
      [5, 7],
    ] as const) {
      assert.equal(count(new SimpleRNN({ units: u }), inp), u * (inp + u + 1));
      assert.equal(count(new LSTM({ units: u }), inp), 4 * u * (inp + u + 1));
      assert.equal(count(new GRU({ units: u }), inp), 3 * u * (inp + u + 2));
      assert.equal(count(new GRU({ units: u, reset_after: false }), inp), 3 * u * (inp + u + 1));
      assert.equal(count(new LSTM({ units: u, use_bias: false }), inp), 4 * u * (inp + u));
      assert.equal(count(new GRU({ units: u, use_bias: false }), inp), 3 * u * (inp + u));
      assert.equal(count(new SimpleRNN({ units: u, use_bias: false }), inp), u * (inp + u));
      assert.equal(RecurrentLayer.paramCount('GRU', inp, u), 3 * u * (inp + u + 2));
      assert.equal(
        RecurrentLayer.paramCount('LSTM', inp, u, { useBias: false }),
        4 * u * (inp + u),
      );
    }
  });

  test('Bidirectional doubles the wrapped layer', () => {
    assert.equal(
      count(new Bidirectional({ layer: new LSTM({ units: 6 }) }), 4),
      2 * 4 * 6 * (4 + 6 + 1),
    );
    assert.equal(
      count(new Bidirectional({ layer: new GRU({ units: 6 }), merge_mode: 'sum' }), 4),
      2 * 3 * 6 * (4 + 6 + 2),
    );
  });

  test('the Keras "Bidirectional LSTM on IMDB" example has 2,757,761 parameters', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 20000, outputDim: 128, inputShape: [null] }),
        new Bidirectional({ layer: new LSTM({ units: 64, return_sequences: true }) }),
        new Bidirectional({ layer: new LSTM({ units: 64 }) }),
        tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    assert.equal(model.countParams(), 2757761);
    assert.deepEqual(model.outputs[0]!.shape, [null, 1]);
    model.dispose();
  });

  test('weight shapes and names follow Keras', () => {
    const shapes = (l: RecurrentLayer): number[][] => l.weights.map((w) => w.shape as number[]);
    const gru = new GRU({ units: 5, name: 'g' });
    gru.build([null, 3, 4]);
    assert.deepEqual(shapes(gru), [
      [4, 15],
      [5, 15],
      [2, 15],
    ]);
    assert.deepEqual(
      gru.weights.map((w) => w.originalName),
      ['kernel', 'recurrent_kernel', 'bias'],
    );
    const gru1 = new GRU({ units: 5, reset_after: false });
    gru1.build([null, 3, 4]);
    assert.deepEqual(shapes(gru1), [[4, 15], [5, 15], [15]]);
    const lstm = new LSTM({ units: 5 });
    lstm.build([null, 3, 4]);
    assert.deepEqual(shapes(lstm), [[4, 20], [5, 20], [20]]);
    // unit_forget_bias: ones on the forget-gate slice only.
    const bias = Array.from(lstm.weights[2]!.read().dataSync());
    assert.deepEqual(bias, [...Array(5).fill(0), ...Array(5).fill(1), ...Array(10).fill(0)]);
    const noForget = new LSTM({ units: 2, unit_forget_bias: false });
    noForget.build([null, 3, 4]);
    assert.deepEqual(Array.from(noForget.weights[2]!.read().dataSync()), Array(8).fill(0));
  });

  test('default initializers: orthogonal recurrent kernel, glorot_uniform kernel, seeded', () => {
    const a = new LSTM({ units: 8, seed: 77 });
    const b = new LSTM({ units: 8, seed: 77 });
    const c = new LSTM({ units: 8, seed: 78 });
    for (const l of [a, b, c]) l.build([null, 3, 6]);
    const u = a.weights[1]!.read().dataSync();
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        let s = 0;
        for (let k = 0; k < 32; k++) s += u[i * 32 + k]! * u[j * 32 + k]!;
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-5);
      }
    }
    const k = a.weights[0]!.read().dataSync();
    const limit = Math.sqrt(6 / (6 + 32));
    assert.ok(k.every((v) => Math.abs(v) <= limit));
    assert.ok(sameBits(a.weights[0]!.read().dataSync(), b.weights[0]!.read().dataSync()));
    assert.ok(sameBits(a.weights[1]!.read().dataSync(), b.weights[1]!.read().dataSync()));
    assert.ok(!sameBits(a.weights[1]!.read().dataSync(), c.weights[1]!.read().dataSync()));
  });
});

// ---------------------------------------------------------------------------------------------

describe('recurrent dropout masks, inspected', () => {
  const B = 8;
  const T = 6;
  const F = 10;

  /**
   * Per (b, f): is the input feature dropped at timestep t, read from d(sum out)/dx. The initial
   * states are non-zero: from zero states a gate can be inert at the first step (LSTM's forget
   * gate multiplies c0, GRU's reset gate multiplies h0·U + b_rec), which would hide its mask.
   */
  function inputZeroPattern(layer: RecurrentLayer): boolean[][][] {
    const x = tf.ones([B, T, F]);
    const initialState: tf.Tensor[] = [];
    for (let i = 0; i < layer.stateCount; i++) initialState.push(tf.fill([B, layer.units], 0.5));
    const g = tf.grad((xx: tf.Tensor) =>
      tf.sum(layer.apply(xx, { training: true, initialState }) as tf.Tensor),
    )(x);
    const v = g.dataSync();
    const out: boolean[][][] = [];
    for (let b = 0; b < B; b++) {
      out.push([]);
      for (let t = 0; t < T; t++) {
        out[b]!.push([]);
        for (let f = 0; f < F; f++) out[b]![t]!.push(v[(b * T + t) * F + f] === 0);
      }
    }
    tf.dispose([x, g, ...initialState]);
    return out;
  }

  function checkInputMaskConstantOverTime(layer: RecurrentLayer, rate: number): void {
    const pattern = inputZeroPattern(layer);
    const masks = layer.lastMasks.input;
    for (let b = 0; b < B; b++) {
      for (let t = 1; t < T; t++)
        assert.deepEqual(pattern[b]![t], pattern[b]![0], `sequence ${b}: step ${t} differs`);
      // A feature's gradient is zero at every step exactly when every gate's mask drops it.
      for (let f = 0; f < F; f++) {
        const droppedEverywhere = masks.every((m) => m.values[b * F + f] === 0);
        assert.equal(pattern[b]![0]![f], droppedEverywhere);
      }
    }
    // Different sequences of the batch get different masks.
    const rows = new Set(pattern.map((p) => JSON.stringify(p[0])));
    assert.ok(rows.size > 1, 'all sequences share one mask');
    for (const m of masks) {
      assert.deepEqual(m.shape, [B, F]);
      assert.ok(m.values.every((v) => v === 0 || Math.abs(v - 1 / (1 - rate)) < 1e-6));
    }
  }

  test('LSTM dropout=0.5: one input mask per sequence, the same at every timestep', () => {
    const layer = new LSTM({ units: 5, dropout: 0.5, return_sequences: true, seed: 31 });
    checkInputMaskConstantOverTime(layer, 0.5);
    assert.equal(layer.lastMasks.input.length, 1);
    assert.equal(layer.lastMasks.recurrent.length, 0);
  });

  test('GRU and SimpleRNN dropout=0.4: same checks', () => {
    for (const layer of [
      new GRU({ units: 5, dropout: 0.4, seed: 32 }),
      new GRU({ units: 5, dropout: 0.4, reset_after: false, seed: 33 }),
      new SimpleRNN({ units: 5, dropout: 0.4, seed: 34 }),
    ]) {
      checkInputMaskConstantOverTime(layer, 0.4);
      assert.equal(layer.lastMasks.input.length, 1);
    }
  });

  test('with recurrent_dropout, LSTM and GRU draw one mask per gate (Keras ≥ 3.8, implementation 1)', () => {
    const lstm = new LSTM({ units: 5, dropout: 0.5, recurrent_dropout: 0.5, seed: 35 });
    assert.equal(lstm.implementation, 1);
    checkInputMaskConstantOverTime(lstm, 0.5);
    assert.equal(lstm.lastMasks.input.length, 4);
    assert.equal(lstm.lastMasks.recurrent.length, 4);
    const distinct = new Set(lstm.lastMasks.input.map((m) => Array.from(m.values).join()));
    assert.equal(distinct.size, 4);
    const gru = new GRU({ units: 5, dropout: 0.5, recurrent_dropout: 0.5, seed: 36 });
    checkInputMaskConstantOverTime(gru, 0.5);
    assert.equal(gru.lastMasks.input.length, 3);
    assert.equal(gru.lastMasks.recurrent.length, 3);
    const simple = new SimpleRNN({ units: 5, dropout: 0.5, recurrent_dropout: 0.5, seed: 37 });
    simple.apply(tf.ones([B, T, F]), { training: true });
    assert.equal(simple.lastMasks.input.length, 1);
    assert.equal(simple.lastMasks.recurrent.length, 1);
  });

  test('LSTM recurrent mask: d out / d h0 is zero exactly where every gate mask drops the unit', () => {
    const u = 10;
    const layer = new LSTM({ units: u, recurrent_dropout: 0.5, seed: 38 });
    const x = tf.ones([B, T, F]);
    const c0 = tf.ones([B, u]); // non-zero, or the forget gate's mask has no effect at step 0
    const h0 = tf.ones([B, u]);
    const g = tf.grad((h: tf.Tensor) =>
      tf.sum(layer.apply(x, { training: true, initialState: [h, c0] }) as tf.Tensor),
    )(h0);
    const v = g.dataSync();
    const masks = layer.lastMasks.recurrent;
    assert.equal(masks.length, 4);
    let zeros = 0;
    for (let i = 0; i < B * u; i++) {
      const dropped = masks.every((m) => m.values[i] === 0);
      assert.equal(v[i] === 0, dropped);
      if (dropped) zeros++;
    }
    assert.ok(zeros > 0);
    tf.dispose([x, c0, h0, g]);
  });

  test('SimpleRNN made transparent shows both masks directly, identical at every step', () => {
    // units = F, linear, no bias, kernel = I: with U = 0 the output is x ⊙ input mask; with
    // U = I and constant x = 1, h_t = 1 + m ⊙ h_{t-1}, so m = (h_t − 1) / h_{t−1} at each step.
    const eye = tf.eye(F);
    const zero = tf.zeros([F, F]);
    const inLayer = new SimpleRNN({
      units: F,
      activation: 'linear',
      use_bias: false,
      dropout: 0.5,
      return_sequences: true,
      seed: 39,
    });
    inLayer.build([B, T, F]);
    inLayer.setWeights([eye, zero]);
    const out1 = (inLayer.apply(tf.ones([B, T, F]), { training: true }) as tf.Tensor).dataSync();
    const inMask = inLayer.lastMasks.input[0]!.values;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let f = 0; f < F; f++) assert.equal(out1[(b * T + t) * F + f], inMask[b * F + f]);
      }
    }

    const recLayer = new SimpleRNN({
      units: F,
      activation: 'linear',
      use_bias: false,
      recurrent_dropout: 0.5,
      return_sequences: true,
      seed: 40,
    });
    recLayer.build([B, T, F]);
    recLayer.setWeights([eye, eye]);
    const out2 = (recLayer.apply(tf.ones([B, T, F]), { training: true }) as tf.Tensor).dataSync();
    const recMask = recLayer.lastMasks.recurrent[0]!.values;
    const seen = new Set<string>();
    for (let b = 0; b < B; b++) {
      const row: number[] = [];
      for (let f = 0; f < F; f++) {
        for (let t = 1; t < T; t++) {
          const m = (out2[(b * T + t) * F + f]! - 1) / out2[(b * T + t - 1) * F + f]!;
          assert.ok(
            Math.abs(m - recMask[b * F + f]!) < 1e-5,
            `b${b} f${f} t${t}: implied mask ${m}`,
          );
        }
        row.push(recMask[b * F + f]!);
      }
      seen.add(row.join());
    }
    assert.ok(seen.size > 1);
    tf.dispose([eye, zero]);
  });

  test('the reported masks are the masks used (reference with those masks matches)', () => {
    const rng = new Rng(41);
    for (const layer of [
      new LSTM({
        units: 4,
        dropout: 0.4,
        recurrent_dropout: 0.3,
        return_sequences: true,
        seed: 42,
      }),
      new GRU({ units: 4, dropout: 0.4, recurrent_dropout: 0.3, return_sequences: true, seed: 43 }),
      new GRU({
        units: 4,
        reset_after: false,
        dropout: 0.4,
        recurrent_dropout: 0.3,
        return_sequences: true,
        seed: 44,
      }),
      new LSTM({ units: 4, dropout: 0.4, return_sequences: true, go_backwards: true, seed: 45 }),
    ]) {
      const weights = randomize(layer, [4, T, 3], rng);
      const xv = randArray(rng, 4 * T * 3);
      const y = layer.apply(tensor(xv, [4, T, 3]), { training: true }) as tf.Tensor;
      const ref = refRnn(xv, [4, T, 3], weights, refSpecOf(layer));
      assert.ok(maxDiff(f64(y), ref.seq) < TOL);
      // The same computation with other masks would not match (the masks matter).
      const other = refRnn(xv, [4, T, 3], weights, refSpecOf(layer, { inMasks: [], recMasks: [] }));
      assert.ok(maxDiff(f64(y), other.seq) > 1e-3);
    }
  });

  test('mask statistics: drop fraction close to the rate', () => {
    const layer = new LSTM({ units: 64, dropout: 0.3, recurrent_dropout: 0.2, seed: 46 });
    layer.apply(tf.ones([64, 2, 64]), { training: true });
    const frac = (m: DropoutMask): number =>
      m.values.filter((v) => v === 0).length / m.values.length;
    for (const m of layer.lastMasks.input) assert.ok(Math.abs(frac(m) - 0.3) < 0.04);
    for (const m of layer.lastMasks.recurrent) assert.ok(Math.abs(frac(m) - 0.2) < 0.04);
  });

  test('no dropout at inference: output equals the same weights without dropout', () => {
    const rng = new Rng(47);
    const a = new GRU({
      units: 4,
      dropout: 0.5,
      recurrent_dropout: 0.5,
      return_sequences: true,
      seed: 48,
    });
    const b = new GRU({ units: 4, return_sequences: true, seed: 49 });
    const w = randomize(a, [2, T, 3], rng);
    randomize(b, [2, T, 3], new Rng(0));
    tf.tidy(() => b.setWeights(w.map((v, i) => tensor(v, a.weights[i]!.shape as number[]))));
    const x = tensor(randArray(rng, 2 * T * 3), [2, T, 3]);
    const calls = a.trainingCalls;
    for (const kwargs of [{}, { training: false }]) {
      const ya = a.apply(x, kwargs) as tf.Tensor;
      const yb = b.apply(x) as tf.Tensor;
      assert.ok(sameBits(ya.dataSync(), yb.dataSync()));
      assert.equal(a.lastMasks.input.length + a.lastMasks.recurrent.length, 0);
    }
    assert.equal(a.trainingCalls, calls);
    const yt = a.apply(x, { training: true }) as tf.Tensor;
    assert.ok(!sameBits(yt.dataSync(), (b.apply(x) as tf.Tensor).dataSync()));
  });

  test('seeded: same seed → identical masks per call; new masks each call; other seed differs', () => {
    const run = (seed: number, calls: number): string[] => {
      const layer = new LSTM({ units: 6, dropout: 0.3, recurrent_dropout: 0.3, seed });
      const x = tf.ones([4, 3, 5]);
      const out: string[] = [];
      for (let i = 0; i < calls; i++) {
        tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
        out.push(
          [...layer.lastMasks.input, ...layer.lastMasks.recurrent]
            .map((m) => Array.from(m.values).join())
            .join('|'),
        );
      }
      x.dispose();
      return out;
    };
    const a = run(50, 3);
    assert.deepEqual(a, run(50, 3));
    assert.equal(new Set(a).size, 3);
    assert.notDeepEqual(a, run(51, 3));
  });

  test('rates are clamped into [0, 1]; rate 1 applies no mask (Keras 0 < rate < 1)', () => {
    const l = new LSTM({ units: 3, dropout: 1.5, recurrent_dropout: -0.2 });
    assert.equal(l.dropout, 1);
    assert.equal(l.recurrentDropout, 0);
    tf.dispose(l.apply(tf.ones([2, 3, 4]), { training: true }) as tf.Tensor);
    assert.equal(l.lastMasks.input.length, 0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('Dropout, SpatialDropout1D, GaussianNoise', () => {
  const B = 6;
  const T = 8;
  const F = 12;
  const ones = (): tf.Tensor => tf.ones([B, T, F]);
  const at = (v: ArrayLike<number>, b: number, t: number, f: number): number =>
    v[(b * T + t) * F + f]!;
  const droppedFeatures = (v: ArrayLike<number>, b: number, t: number): string => {
    const out: number[] = [];
    for (let f = 0; f < F; f++) if (at(v, b, t, f) === 0) out.push(f);
    return out.join();
  };

  test('plain Dropout: a different set of features at every timestep, scaled by 1/(1-rate)', () => {
    const d = new Dropout({ rate: 0.5, seed: 60 });
    const y = (d.apply(ones(), { training: true }) as tf.Tensor).dataSync();
    assert.ok(y.every((v) => v === 0 || v === 2));
    for (let b = 0; b < B; b++) {
      const perStep = new Set<string>();
      for (let t = 0; t < T; t++) perStep.add(droppedFeatures(y, b, t));
      assert.ok(perStep.size > 1, 'plain dropout repeated one mask over time');
    }
    assert.deepEqual(d.lastMask!.shape, [B, T, F]);
    assert.ok(sameBits(d.lastMask!.values, y));
  });

  test('noise_shape (None, 1, F): the same features at every timestep, different per sequence', () => {
    const d = new Dropout({ rate: 0.5, noise_shape: [null, 1, F], seed: 61 });
    const y = (d.apply(ones(), { training: true }) as tf.Tensor).dataSync();
    const rows = new Set<string>();
    for (let b = 0; b < B; b++) {
      for (let t = 1; t < T; t++) assert.equal(droppedFeatures(y, b, t), droppedFeatures(y, b, 0));
      rows.add(droppedFeatures(y, b, 0));
    }
    assert.ok(rows.size > 1);
    assert.deepEqual(d.lastMask!.shape, [B, 1, F]);
  });

  test('SpatialDropout1D: mask (batch, 1, features), needs rank 3', () => {
    const d = new SpatialDropout1D({ rate: 0.4, seed: 62 });
    const y = (d.apply(ones(), { training: true }) as tf.Tensor).dataSync();
    for (let b = 0; b < B; b++)
      for (let t = 1; t < T; t++) assert.equal(droppedFeatures(y, b, t), droppedFeatures(y, b, 0));
    assert.deepEqual(d.lastMask!.shape, [B, 1, F]);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.6) < 1e-6));
    assert.throws(() => new SpatialDropout1D({ rate: 0.4 }).apply(tf.ones([2, 3])), /ndim=3/);
  });

  test('noise_shape (None, None, 1) drops whole timesteps; batch entry 1 shares the mask', () => {
    const d = new Dropout({ rate: 0.5, noise_shape: [null, null, 1], seed: 63 });
    const y = (d.apply(ones(), { training: true }) as tf.Tensor).dataSync();
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const dropped = droppedFeatures(y, b, t).split(',').filter(Boolean).length;
        assert.ok(dropped === 0 || dropped === F);
      }
    }
    const shared = new Dropout({ rate: 0.5, noise_shape: [1, 1, F], seed: 64 });
    const z = (shared.apply(ones(), { training: true }) as tf.Tensor).dataSync();
    for (let b = 1; b < B; b++) assert.equal(droppedFeatures(z, b, 0), droppedFeatures(z, 0, 0));
  });

  test('identity at inference and at rate 0; rate 1 zeroes in training; bad rates rejected', () => {
    const x = tensor(randArray(new Rng(1), B * T * F), [B, T, F]);
    const d = new Dropout({ rate: 0.5, seed: 65 });
    assert.ok(sameBits((d.apply(x) as tf.Tensor).dataSync(), x.dataSync()));
    assert.ok(sameBits((d.apply(x, { training: false }) as tf.Tensor).dataSync(), x.dataSync()));
    assert.equal(d.lastMask, null);
    assert.equal(d.trainingCalls, 0);
    const zero = new Dropout({ rate: 0 });
    assert.ok(sameBits((zero.apply(x, { training: true }) as tf.Tensor).dataSync(), x.dataSync()));
    const all = new Dropout({ rate: 1 });
    assert.ok((all.apply(x, { training: true }) as tf.Tensor).dataSync().every((v) => v === 0));
    assert.throws(() => new Dropout({ rate: 1.2 }), /between 0 and 1/);
    assert.throws(() => new Dropout({ rate: -0.1 }), /between 0 and 1/);
  });

  test('seeded: same seed → same masks, successive calls differ, other seeds differ', () => {
    const masks = (seed: number): string[] => {
      const d = new Dropout({ rate: 0.3, seed });
      const x = ones();
      const out: string[] = [];
      for (let i = 0; i < 3; i++) {
        tf.dispose(d.apply(x, { training: true }) as tf.Tensor);
        out.push(Array.from(d.lastMask!.values).join());
      }
      return out;
    };
    const a = masks(70);
    assert.deepEqual(a, masks(70));
    assert.equal(new Set(a).size, 3);
    assert.notDeepEqual(a, masks(71));
  });

  test('the gradient through Dropout is the mask', () => {
    const d = new Dropout({ rate: 0.25, seed: 72 });
    const g = tf.grad((x: tf.Tensor) => tf.sum(d.apply(x, { training: true }) as tf.Tensor))(
      ones(),
    );
    assert.ok(sameBits(g.dataSync(), d.lastMask!.values));
  });

  test('GaussianNoise: seeded noise of the right scale while training, identity otherwise', () => {
    const n = new GaussianNoise({ stddev: 0.5, seed: 73 });
    const x = tf.zeros([64, 10, 16]);
    const y = (n.apply(x, { training: true }) as tf.Tensor).dataSync();
    let ss = 0;
    for (const v of y) ss += v * v;
    assert.ok(Math.abs(Math.sqrt(ss / y.length) - 0.5) < 0.02);
    assert.ok((n.apply(x) as tf.Tensor).dataSync().every((v) => v === 0));
    const m = new GaussianNoise({ stddev: 0.5, seed: 73 });
    assert.ok(sameBits((m.apply(x, { training: true }) as tf.Tensor).dataSync(), y));
  });
});

// ---------------------------------------------------------------------------------------------

describe('Bidirectional', () => {
  const B = 3;
  const T = 5;
  const F = 4;

  function setup(
    merge: 'concat' | 'sum' | 'mul' | 'ave' | null,
    inner: () => RecurrentLayer,
    seed: number,
  ) {
    const rng = new Rng(seed);
    const bi = new Bidirectional({ layer: inner(), merge_mode: merge });
    randomize(bi, [B, T, F], rng);
    const xv = randArray(rng, B * T * F);
    const fw = bi.forwardLayer.weights.map((w) => f64(w.read()));
    const bw = bi.backwardLayer.weights.map((w) => f64(w.read()));
    const ref = {
      f: refRnn(xv, [B, T, F], fw, refSpecOf(bi.forwardLayer)),
      b: refRnn(xv, [B, T, F], bw, refSpecOf(bi.backwardLayer)),
    };
    return { bi, x: tensor(xv, [B, T, F]), ref };
  }

  /** The backward sequence (processing order) put back in input order. */
  function reversed(seq: Float64Array, u: number): Float64Array {
    const out = new Float64Array(seq.length);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        out.set(
          seq.subarray((b * T + (T - 1 - t)) * u, (b * T + (T - 1 - t)) * u + u),
          (b * T + t) * u,
        );
      }
    }
    return out;
  }

  test('concat of forward and (re-reversed) backward sequences', () => {
    const u = 3;
    const { bi, x, ref } = setup(
      'concat',
      () => new LSTM({ units: u, return_sequences: true, seed: 80 }),
      1,
    );
    const y = bi.apply(x) as tf.Tensor;
    assert.deepEqual(y.shape, [B, T, 2 * u]);
    const v = y.dataSync();
    const back = reversed(ref.b.seq, u);
    for (let i = 0; i < B * T; i++) {
      for (let j = 0; j < u; j++) {
        assert.ok(Math.abs(v[i * 2 * u + j]! - ref.f.seq[i * u + j]!) < TOL);
        assert.ok(Math.abs(v[i * 2 * u + u + j]! - back[i * u + j]!) < TOL);
      }
    }
  });

  for (const mode of ['sum', 'mul', 'ave'] as const) {
    test(`merge_mode ${mode}`, () => {
      const { bi, x, ref } = setup(
        mode,
        () => new GRU({ units: 3, return_sequences: true, seed: 81 }),
        2,
      );
      const y = f64(bi.apply(x) as tf.Tensor);
      const back = reversed(ref.b.seq, 3);
      const f = ref.f.seq;
      const want = f.map((v, i) =>
        mode === 'sum' ? v + back[i]! : mode === 'mul' ? v * back[i]! : (v + back[i]!) / 2,
      );
      assert.ok(maxDiff(y, want) < TOL);
    });
  }

  test('merge_mode None and return_state: [fwd out, bwd out, fwd h, fwd c, bwd h, bwd c]', () => {
    const { bi, x, ref } = setup(
      null,
      () => new LSTM({ units: 3, return_state: true, seed: 82 }),
      3,
    );
    const outs = list(bi.apply(x));
    assert.equal(outs.length, 6);
    assert.ok(maxDiff(f64(outs[0]!), ref.f.last) < TOL);
    assert.ok(maxDiff(f64(outs[1]!), ref.b.last) < TOL);
    assert.ok(maxDiff(f64(outs[2]!), ref.f.h) < TOL);
    assert.ok(maxDiff(f64(outs[3]!), ref.f.c) < TOL);
    assert.ok(maxDiff(f64(outs[4]!), ref.b.h) < TOL);
    assert.ok(maxDiff(f64(outs[5]!), ref.b.c) < TOL);
    const shapes = bi.computeOutputShape([null, T, F]) as Array<Array<number | null>>;
    assert.deepEqual(shapes, [
      [null, 3],
      [null, 3],
      [null, 3],
      [null, 3],
      [null, 3],
      [null, 3],
    ]);
  });

  test('concat with return_state, symbolic shapes in a functional model', () => {
    const input = tfl.input({ shape: [T, F] });
    const outs = new Bidirectional({
      layer: new GRU({ units: 4, return_sequences: true, return_state: true }),
    }).apply(input) as tfl.SymbolicTensor[];
    assert.deepEqual(
      outs.map((o) => o.shape),
      [
        [null, T, 8],
        [null, 4],
        [null, 4],
      ],
    );
  });

  test('the backward copy is separately initialised; the forward copy keeps the seed', () => {
    const inner = new LSTM({ units: 4, seed: 83 });
    inner.build([null, T, F]);
    const bi = new Bidirectional({ layer: new LSTM({ units: 4, seed: 83 }) });
    bi.build([null, T, F]);
    assert.ok(
      sameBits(bi.forwardLayer.weights[0]!.read().dataSync(), inner.weights[0]!.read().dataSync()),
    );
    assert.ok(
      !sameBits(
        bi.backwardLayer.weights[0]!.read().dataSync(),
        inner.weights[0]!.read().dataSync(),
      ),
    );
    assert.ok(
      !sameBits(
        bi.backwardLayer.weights[1]!.read().dataSync(),
        inner.weights[1]!.read().dataSync(),
      ),
    );
    assert.equal(bi.forwardLayer.goBackwards, false);
    assert.equal(bi.backwardLayer.goBackwards, true);
    const names = bi.weights.map((w) => w.originalName);
    assert.equal(new Set(names).size, 6);
    assert.ok(names.every((n) => /(forward|backward)_lstm/.test(n)));
  });

  test('dropout masks differ between the two directions', () => {
    const bi = new Bidirectional({ layer: new GRU({ units: 4, dropout: 0.5, seed: 84 }) });
    tf.dispose(bi.apply(tf.ones([B, T, F]), { training: true }) as tf.Tensor);
    const f = bi.forwardLayer.lastMasks.input[0]!.values;
    const b = bi.backwardLayer.lastMasks.input[0]!.values;
    assert.ok(!sameBits(f, b));
  });

  test('masked padding: zeros at padded steps of a returned sequence (as Keras)', () => {
    const emb = tfl.layers.embedding({
      inputDim: 10,
      outputDim: 3,
      maskZero: true,
      inputShape: [5],
    });
    const bi = new Bidirectional({
      layer: new LSTM({ units: 2, return_sequences: true, seed: 85 }),
    });
    const model = tfl.sequential({ layers: [emb, bi] });
    const y = (model.predict(tf.tensor2d([[1, 2, 3, 0, 0]], [1, 5])) as tf.Tensor).dataSync();
    assert.ok(Array.from(y.slice(3 * 4)).every((v) => v === 0));
    assert.ok(Array.from(y.slice(0, 3 * 4)).some((v) => v !== 0));
  });
});

// ---------------------------------------------------------------------------------------------

describe('TimeDistributed', () => {
  test('TimeDistributed(Dense) equals tfjs its own', () => {
    const dense = tfl.layers.dense({
      units: 3,
      kernelInitializer: new SeededInitializer('glorot_uniform', 1),
      biasInitializer: 'ones',
    });
    const mine = new TimeDistributed({ layer: dense });
    const x = tensor(randArray(new Rng(2), 2 * 4 * 5), [2, 4, 5]);
    const y = mine.apply(x) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 4, 3]);
    const theirs = tfl.layers.timeDistributed({ layer: dense }).apply(x) as tf.Tensor;
    assert.ok(maxDiff(y.dataSync(), theirs.dataSync()) < 1e-6);
    assert.equal(mine.countParams(), 5 * 3 + 3);
  });

  test('TimeDistributed(Dropout) does not share a mask across timesteps (fact 7)', () => {
    const td = new TimeDistributed({ layer: new Dropout({ rate: 0.5, seed: 90 }) });
    const y = (td.apply(tf.ones([2, 8, 10]), { training: true }) as tf.Tensor).dataSync();
    const steps = new Set<string>();
    for (let t = 0; t < 8; t++) steps.add(Array.from(y.slice(t * 10, t * 10 + 10)).join());
    assert.ok(steps.size > 1);
    assert.ok((td.apply(tf.ones([2, 8, 10])) as tf.Tensor).dataSync().every((v) => v === 1));
  });
});

// ---------------------------------------------------------------------------------------------

describe('training: memory, determinism, serialization', () => {
  function smallModel(seed: number): tfl.Sequential {
    return tfl.sequential({
      layers: [
        new LSTM({
          units: 8,
          input_shape: [6, 4],
          return_sequences: true,
          dropout: 0.2,
          recurrent_dropout: 0.2,
          seed,
        }),
        new Dropout({ rate: 0.3, seed: seed + 1 }),
        new SpatialDropout1D({ rate: 0.2, seed: seed + 2 }),
        new GaussianNoise({ stddev: 0.1, seed: seed + 3 }),
        new Bidirectional({
          layer: new GRU({ units: 5, return_sequences: true, dropout: 0.1, seed: seed + 4 }),
        }),
        new TimeDistributed({
          layer: tfl.layers.dense({
            units: 3,
            kernelInitializer: new SeededInitializer('glorot_uniform', seed + 5),
          }),
        }),
        new SimpleRNN({ units: 4, recurrent_dropout: 0.1, seed: seed + 6 }),
        tfl.layers.dense({
          units: 1,
          kernelInitializer: new SeededInitializer('glorot_uniform', seed + 7),
        }),
      ],
    });
  }

  function data(): { x: tf.Tensor; y: tf.Tensor } {
    const rng = new Rng(3);
    return {
      x: tensor(randArray(rng, 16 * 6 * 4), [16, 6, 4]),
      y: tensor(randArray(rng, 16), [16, 1]),
    };
  }

  test('no tensor leak over 50 optimizer.minimize steps', () => {
    const model = smallModel(100);
    const { x, y } = data();
    const opt = tf.train.adam(0.01);
    const step = (): void => {
      opt.minimize(
        () =>
          tf.losses.meanSquaredError(
            y,
            model.apply(x, { training: true }) as tf.Tensor,
          ) as tf.Scalar,
      );
    };
    for (let i = 0; i < 5; i++) step();
    const start = tf.memory().numTensors;
    for (let i = 0; i < 45; i++) step();
    assert.equal(tf.memory().numTensors, start);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });

  test('no tensor leak over model.fit epochs, and fit trains with dropout on', async () => {
    const model = smallModel(200);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const { x, y } = data();
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const start = tf.memory().numTensors;
    const first = model.layers[0] as LSTM;
    const calls = first.trainingCalls;
    await model.fit(x, y, { epochs: 10, batchSize: 8, verbose: 0 });
    assert.equal(tf.memory().numTensors, start);
    assert.equal(first.trainingCalls, calls + 20);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('same seeds → bitwise-identical training runs', () => {
    const train = (): Float32Array[] => {
      const model = smallModel(300);
      const { x, y } = data();
      const opt = tf.train.adam(0.01);
      for (let i = 0; i < 8; i++) {
        opt.minimize(
          () =>
            tf.losses.meanSquaredError(
              y,
              model.apply(x, { training: true }) as tf.Tensor,
            ) as tf.Scalar,
        );
      }
      const w = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
      tf.dispose([x, y]);
      opt.dispose();
      model.dispose();
      return w;
    };
    const a = train();
    const b = train();
    assert.equal(a.length, b.length);
    a.forEach((w, i) => assert.ok(sameBits(w, b[i]!), `weight ${i} differs`));
  });

  test('model JSON round trip through tfjs serialization (registered classes)', async () => {
    const model = smallModel(400);
    const json = model.toJSON(null, false) as Record<string, unknown>;
    const text = JSON.stringify(json);
    assert.ok(
      text.includes('RnnLabLSTM') &&
        text.includes('RnnLabBidirectional') &&
        text.includes('"reset_after":true'),
    );
    const copy = await tfl.models.modelFromJSON(JSON.parse(text));
    assert.deepEqual(
      copy.layers.map((l) => l.getClassName()),
      model.layers.map((l) => l.getClassName()),
    );
    assert.equal(copy.countParams(), model.countParams());
    // Same seeds in the config → the same initial weights.
    const a = model.getWeights();
    const b = copy.getWeights();
    for (let i = 0; i < a.length; i++) {
      if (model.weights[i]!.originalName.includes('dense')) continue; // tfjs's own Dense
      assert.ok(
        sameBits(a[i]!.dataSync(), b[i]!.dataSync()),
        `weight ${model.weights[i]!.originalName}`,
      );
    }
    copy.setWeights(a);
    const x = data().x;
    assert.ok(
      maxDiff(
        (model.predict(x) as tf.Tensor).dataSync(),
        (copy.predict(x) as tf.Tensor).dataSync(),
      ) < 1e-6,
    );
    const g = copy.layers[4] as Bidirectional;
    assert.equal(g.forwardLayer.recurrentActivation, 'sigmoid');
    assert.equal(g.mergeMode, 'concat');
  });

  test('fromConfig accepts tfjs camelCase keys and values', () => {
    const gru = GRU.fromConfig(GRU, {
      units: 3,
      recurrentActivation: 'hardSigmoid',
      resetAfter: false,
      returnSequences: true,
      kernelInitializer: 'glorotUniform',
    }) as GRU;
    assert.equal(gru.recurrentActivation, 'hard_sigmoid');
    assert.equal(gru.resetAfter, false);
    assert.equal(gru.returnSequences, true);
    assert.equal(gru.kernelInitializer, 'glorot_uniform');
  });

  test('rank-2 input is rejected like Keras (expected ndim=3, found ndim=2)', () => {
    assert.throws(
      () => new LSTM({ units: 3 }).apply(tf.ones([2, 4])),
      /expected ndim=3, found ndim=2/,
    );
    assert.throws(
      () =>
        tfl.sequential({
          layers: [new LSTM({ units: 3, input_shape: [5, 2] }), new LSTM({ units: 3 })],
        }),
      /expected ndim=3, found ndim=2/,
    );
  });
});
