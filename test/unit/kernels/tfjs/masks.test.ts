/**
 * Mask capture (kernels/tfjs/masks.ts) against the semantics of RULES.md facts 1-4 and 7, on
 * models built from Keras text as the playground builds them: a Dropout's mask is new at every
 * timestep, noise_shape (None, 1, F) and SpatialDropout1D keep one for all timesteps,
 * (None, None, 1) drops whole timesteps, a recurrent layer's dropout= and recurrent_dropout= keep
 * one per sequence (per gate with recurrent_dropout, Keras ≥ 3.8), Bidirectional has one set per
 * direction, TimeDistributed(Dropout) is per timestep. Every mask shown is the one applied: the
 * capture leaves the layers' counters as they were, so the next training call draws the same
 * masks, and its output is checked against them.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../../../../kernels/tfjs/backend';
import { buildModel } from '../../../../kernels/tfjs/build';
import {
  captureMasks,
  maskEntry,
  masksOutput,
  type AppliedMask,
  type CapturedMask,
} from '../../../../kernels/tfjs/masks';
import { Bidirectional, LSTM, RecurrentLayer } from '../../../../kernels/tfjs/layers/index';
import { setRecurrentPath } from '../../../../kernels/tfjs/fused/index';
import { analyze } from '../../../../analyzer/python/evaluate';
import { maskCaption, maskFacts, readMasks, type MaskEntry } from '../../../../kernels/mask-output';

before(async () => {
  assert.equal((await initBackend()).name, 'wasm');
});

/** The tfjs model of `keras.Sequential([keras.Input(shape), ...body])`. */
function build(shape: string, body: string, seed = 7): LayersModel {
  const code = `import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input(shape=${shape}), ${body}])`;
  const model = analyze(code).models[0]!;
  return buildModel(model, seed);
}

/** One sample of shape `shape` (no zeros, so a zero in an output is a drop). */
function sample(shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Array.from({ length: n }, (_, i) => 1 + (i % 7) / 10),
    [1, ...shape],
  );
}

function entries(model: LayersModel, x: tf.Tensor): MaskEntry[] {
  return masksOutput(captureMasks(model, x)).masks;
}

const rowsDistinct = (m: MaskEntry) => new Set(m.kept.map((r) => r.join(''))).size;
const dropFraction = (m: MaskEntry) => maskFacts(m).dropped / (m.timesteps * m.units);

describe('Dropout layers', () => {
  test('Dropout(0.5): a new mask at every timestep and unit, the one the layer applied', () => {
    const model = build('(40, 16)', 'layers.Dropout(0.5)');
    const x = sample([40, 16]);
    const [m, ...rest] = entries(model, x);
    assert.equal(rest.length, 0);
    assert.deepEqual(
      {
        layer: m!.layer,
        kind: m!.kind,
        gate: m!.gate,
        direction: m!.direction,
        noise: m!.noiseShape,
      },
      { layer: 'dropout', kind: 'Dropout', gate: null, direction: null, noise: null },
    );
    assert.equal(m!.timesteps, 40);
    assert.equal(m!.units, 16);
    assert.ok(rowsDistinct(m!) >= 39, `rows differ: ${rowsDistinct(m!)} distinct of 40`);
    assert.ok(Math.abs(dropFraction(m!) - 0.5) < 0.08, `drop fraction ${dropFraction(m!)}`);
    // The next training call draws the same mask: its output is zero exactly where it drops.
    const y = (model.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][];
    const zeros = y[0]!.map((row) => row.map((v) => (v === 0 ? 0 : 1)));
    assert.deepEqual(zeros, m!.kept);
    assert.match(
      maskCaption(m!),
      /^a new mask at every timestep: \d+% of units dropped on average$/,
    );
  });

  test('noise_shape=(None, 1, F): the same units dropped at every timestep', () => {
    const model = build('(30, 12)', 'layers.Dropout(0.4, noise_shape=(None, 1, 12))');
    const [m] = entries(model, sample([30, 12]));
    assert.equal(m!.kind, 'Dropout');
    assert.deepEqual(m!.noiseShape, [null, 1, 12]);
    assert.equal(m!.timesteps, 30);
    assert.equal(rowsDistinct(m!), 1);
    const n = m!.kept[0]!.filter((v) => v === 0).length;
    assert.ok(n > 0 && n < 12);
    assert.equal(maskCaption(m!), `the same ${n} of 12 units dropped at every timestep`);
  });

  test('SpatialDropout1D: one mask for all timesteps, noise shape (None, 1, F)', () => {
    const model = build('(25, 20)', 'layers.SpatialDropout1D(0.3)');
    const [m] = entries(model, sample([25, 20]));
    assert.equal(m!.kind, 'SpatialDropout1D');
    assert.deepEqual(m!.noiseShape, [null, 1, 20]);
    assert.equal(m!.timesteps, 25);
    assert.equal(m!.units, 20);
    assert.equal(rowsDistinct(m!), 1);
  });

  test('noise_shape=(None, None, 1): whole timesteps dropped', () => {
    const model = build('(50, 6)', 'layers.Dropout(0.3, noise_shape=(None, None, 1))');
    const [m] = entries(model, sample([50, 6]));
    assert.deepEqual(m!.noiseShape, [null, null, 1]);
    const whole = m!.kept.every((r) => r.every((v) => v === r[0]));
    assert.ok(whole, 'every timestep is kept or dropped as a whole');
    const dropped = m!.kept.filter((r) => r[0] === 0).length;
    assert.ok(dropped > 0 && dropped < 50);
    assert.equal(maskCaption(m!), `${dropped} of 50 timesteps dropped entirely`);
  });

  test('TimeDistributed(Dropout): per timestep, not shared (fact 7), named by the wrapper', () => {
    const model = build('(20, 10)', 'layers.TimeDistributed(layers.Dropout(0.5))');
    const x = sample([20, 10]);
    const [m, ...rest] = entries(model, x);
    assert.equal(rest.length, 0);
    assert.equal(m!.kind, 'TimeDistributed');
    assert.equal(m!.layer, 'time_distributed');
    assert.equal(m!.timesteps, 20);
    assert.equal(m!.units, 10);
    assert.ok(rowsDistinct(m!) >= 18);
    const y = (model.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][];
    assert.deepEqual(
      y[0]!.map((row) => row.map((v) => (v === 0 ? 0 : 1))),
      m!.kept,
    );
  });

  test('a variable-length input: the timesteps the sample has', () => {
    const model = build('(None, 4)', 'layers.SpatialDropout1D(0.5), layers.LSTM(3, dropout=0.5)');
    const ms = entries(model, sample([13, 4]));
    assert.deepEqual(
      ms.map((m) => [m.kind, m.timesteps, m.units]),
      [
        ['SpatialDropout1D', 13, 4],
        ['dropout', 13, 4],
      ],
    );
  });

  test('Dropout on a rank-2 input: one timestep', () => {
    const model = build('(8, 3)', 'layers.LSTM(16), layers.Dropout(0.5), layers.Dense(1)');
    const [m] = entries(model, sample([8, 3]));
    assert.equal(m!.timesteps, 1);
    assert.equal(m!.units, 16);
    assert.match(maskCaption(m!), /^\d+ of 16 units dropped$/);
  });

  test('rate 0 applies no mask; a model without dropout has none', () => {
    assert.deepEqual(
      entries(build('(5, 3)', 'layers.Dropout(0.0), layers.LSTM(2)'), sample([5, 3])),
      [],
    );
    assert.deepEqual(
      entries(build('(5, 3)', 'layers.GRU(2), layers.Dense(1)'), sample([5, 3])),
      [],
    );
  });
});

describe('recurrent dropout= and recurrent_dropout=', () => {
  test('LSTM(dropout=0.5): one input mask per sequence, shared by the gates', () => {
    const model = build('(30, 6)', 'layers.LSTM(8, dropout=0.5)');
    const x = sample([30, 6]);
    const ms = entries(model, x);
    assert.deepEqual(
      ms.map((m) => [m.layer, m.kind, m.gate, m.timesteps, m.units]),
      [['lstm', 'dropout', null, 30, 6]],
    );
    assert.equal(rowsDistinct(ms[0]!), 1);
    // The masks the layer applies at its next training call are the ones shown.
    model.apply(x, { training: true });
    const lstm = model.layers.find((l) => l instanceof LSTM) as LSTM;
    const applied = Array.from(lstm.lastMasks.input[0]!.values, (v) => (v === 0 ? 0 : 1));
    assert.deepEqual(ms[0]!.kept[0], applied);
  });

  test('recurrent_dropout= masks the state: units is the state size, one mask per sequence', () => {
    const model = build('(12, 5)', 'layers.SimpleRNN(9, recurrent_dropout=0.5)');
    const ms = entries(model, sample([12, 5]));
    assert.deepEqual(
      ms.map((m) => [m.kind, m.gate, m.timesteps, m.units, rowsDistinct(m)]),
      [['recurrent_dropout', null, 12, 9, 1]],
    );
  });

  test('LSTM with recurrent_dropout: a mask per gate (i, f, c, o) for inputs and state', () => {
    const model = build('(10, 24)', 'layers.LSTM(32, dropout=0.5, recurrent_dropout=0.5)');
    const ms = entries(model, sample([10, 24]));
    assert.deepEqual(
      ms.map((m) => `${m.kind}:${m.gate}:${m.units}`),
      [
        ...['i', 'f', 'c', 'o'].map((g) => `dropout:${g}:24`),
        ...['i', 'f', 'c', 'o'].map((g) => `recurrent_dropout:${g}:32`),
      ],
    );
    for (const m of ms) assert.equal(rowsDistinct(m), 1, 'each gate mask is per sequence');
    const inputs = new Set(ms.slice(0, 4).map((m) => m.kept[0]!.join('')));
    const states = new Set(ms.slice(4).map((m) => m.kept[0]!.join('')));
    assert.equal(inputs.size, 4, 'the gates draw different input masks');
    assert.equal(states.size, 4, 'the gates draw different state masks');
  });

  test('GRU with recurrent_dropout: gates z, r, h', () => {
    const model = build('(10, 4)', 'layers.GRU(16, dropout=0.2, recurrent_dropout=0.3)');
    const ms = entries(model, sample([10, 4]));
    assert.deepEqual(
      ms.map((m) => `${m.kind}:${m.gate}`),
      [
        'dropout:z',
        'dropout:r',
        'dropout:h',
        'recurrent_dropout:z',
        'recurrent_dropout:r',
        'recurrent_dropout:h',
      ],
    );
  });

  test('Bidirectional: one set per direction, named by the wrapper', () => {
    const model = build('(15, 40)', 'layers.Bidirectional(layers.GRU(4, dropout=0.5))');
    const ms = entries(model, sample([15, 40]));
    assert.deepEqual(
      ms.map((m) => [m.layer, m.kind, m.direction, m.gate]),
      [
        ['bidirectional', 'dropout', 'forward', null],
        ['bidirectional', 'dropout', 'backward', null],
      ],
    );
    assert.notDeepEqual(ms[0]!.kept[0], ms[1]!.kept[0], 'the directions draw their own masks');
  });
});

describe('no side effects', () => {
  test('weights (BatchNormalization moving statistics included) and the next masks are unchanged', () => {
    const model = build(
      '(20, 6)',
      'layers.BatchNormalization(), layers.Dropout(0.3), layers.LSTM(8, dropout=0.2, recurrent_dropout=0.2), layers.Dense(1)',
    );
    const x = sample([20, 6]);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const first = captureMasks(model, x);
    const after = model.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(after, before);
    const again = captureMasks(model, x);
    assert.deepEqual(
      again.map((m) => maskEntry(m).kept),
      first.map((m) => maskEntry(m).kept),
      'a second capture shows the same masks: the counters were put back',
    );
    const tensors = tf.memory().numTensors;
    captureMasks(model, x);
    assert.equal(tf.memory().numTensors, tensors, 'no tensor leaks');
    // What was put back: a plain training call does move the moving statistics.
    tf.tidy(() => void model.apply(x, { training: true }));
    const moved = model.getWeights().map((w) => Array.from(w.dataSync()));
    assert.notDeepEqual(moved, before, 'a training call moves BatchNormalization statistics');
  });
});

describe('the fused path feeds the capture through MaskSource', () => {
  test('a layer with appliedMasks() is asked first', () => {
    const model = build('(6, 3)', 'layers.LSTM(2, dropout=0.5)');
    const lstm = model.layers.find((l) => l instanceof LSTM)!;
    const reported: AppliedMask = {
      kind: 'dropout',
      gate: null,
      noiseShape: null,
      mask: { shape: [1, 1, 3], values: new Float32Array([2, 0, 2]) },
      appliedTo: [1, 6, 3],
    };
    Object.assign(lstm, { appliedMasks: () => [reported] });
    const [m] = entries(model, sample([6, 3]));
    assert.deepEqual(
      m!.kept,
      Array.from({ length: 6 }, () => [1, 0, 1]),
    );
    assert.equal(m!.layer, 'lstm');
  });
});

describe('maskEntry broadcasting', () => {
  const c = (mask: { shape: number[]; values: number[] }, appliedTo: number[]): CapturedMask => ({
    layer: 'l',
    kind: 'Dropout',
    gate: null,
    direction: null,
    noiseShape: null,
    mask: { shape: mask.shape, values: Float32Array.from(mask.values) },
    appliedTo,
  });

  test('axes of size 1 are shared; a shorter mask aligns from the right', () => {
    assert.deepEqual(maskEntry(c({ shape: [1, 1, 3], values: [0, 2, 2] }, [1, 2, 3])).kept, [
      [0, 1, 1],
      [0, 1, 1],
    ]);
    assert.deepEqual(maskEntry(c({ shape: [1, 2, 1], values: [0, 2] }, [1, 2, 3])).kept, [
      [0, 0, 0],
      [1, 1, 1],
    ]);
    assert.deepEqual(maskEntry(c({ shape: [3], values: [2, 0, 2] }, [1, 2, 3])).kept, [
      [1, 0, 1],
      [1, 0, 1],
    ]);
  });

  test('the row of the batch; axes after the second flatten into units', () => {
    const m = c({ shape: [2, 1, 2], values: [2, 2, 0, 2] }, [2, 3, 2]);
    assert.deepEqual(maskEntry(m, 1).kept, [
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    const r4 = maskEntry(
      c({ shape: [1, 2, 2, 2], values: [2, 0, 0, 2, 2, 2, 0, 0] }, [1, 2, 2, 2]),
    );
    assert.deepEqual(
      [r4.timesteps, r4.units, r4.kept],
      [
        2,
        4,
        [
          [1, 0, 0, 1],
          [1, 1, 0, 0],
        ],
      ],
    );
  });

  test('the output validates', () => {
    const model = build('(5, 3)', 'layers.Dropout(0.5), layers.LSTM(2, recurrent_dropout=0.5)');
    const out = masksOutput(captureMasks(model, sample([5, 3])));
    assert.equal(typeof readMasks(JSON.parse(JSON.stringify(out))), 'object');
  });
});

describe('on the fused recurrent path as on the per-step ops', () => {
  const CASES: Array<[string, string, number[]]> = [
    ['LSTM', 'layers.LSTM(6, dropout=0.4, recurrent_dropout=0.3, return_sequences=True)', [9, 5]],
    ['GRU', 'layers.GRU(6, dropout=0.4, recurrent_dropout=0.3)', [9, 5]],
    ['SimpleRNN', 'layers.SimpleRNN(6, dropout=0.4, recurrent_dropout=0.3)', [9, 5]],
    ['Bidirectional GRU', 'layers.Bidirectional(layers.GRU(4, dropout=0.5))', [9, 5]],
  ];
  for (const [name, body, shape] of CASES) {
    test(`${name}: the same masks captured, and the fused path applies them`, () => {
      const model = build(`(${shape.join(', ')})`, body);
      const x = sample(shape);
      const cores = model.layers.flatMap((l) =>
        l instanceof Bidirectional
          ? [l.forwardLayer, l.backwardLayer]
          : l instanceof RecurrentLayer
            ? [l]
            : [],
      );
      const run = (path: 'fused' | 'ops') => {
        setRecurrentPath(path);
        try {
          const masks = entries(model, x);
          const calls = cores.map((c) => c.trainingCalls);
          const y = tf.tidy(() => (model.apply(x, { training: true }) as tf.Tensor).arraySync());
          cores.forEach((c, i) => (c.trainingCalls = calls[i]!));
          return { masks, y, paths: cores.map((c) => c.lastPath) };
        } finally {
          setRecurrentPath('auto');
        }
      };
      const fused = run('fused');
      const ops = run('ops');
      assert.deepEqual(
        fused.paths,
        cores.map(() => 'fused'),
      );
      assert.deepEqual(
        ops.paths,
        cores.map(() => 'ops'),
      );
      assert.ok(fused.masks.length > 0);
      assert.deepEqual(fused.masks, ops.masks);
      // The same output from the same masks: the fused path multiplied by what was captured.
      const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
      const [a, b] = [flat(fused.y), flat(ops.y)];
      assert.equal(a.length, b.length);
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-5, `output ${i}: ${v} vs ${b[i]}`));
    });
  }
});
