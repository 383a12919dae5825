/**
 * The analyzer and the playground kernel agree: for every layer the registry marks as built by
 * the kernel (`playground: true`) and seeded, generated configurations of it, the model built
 * from Keras text on TensorFlow.js has, layer by layer, the output shape and the trainable and
 * non-trainable parameter counts that `model.summary()` shows.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../../../kernels/tfjs/backend';
import { BuildError, buildModel } from '../../../../kernels/tfjs/build';
import { derive, Rng } from '../../../../kernels/random';
import { analyze } from '../../../../analyzer/python/evaluate';
import { formatShape } from '../../../../analyzer/format';
import { LAYERS } from '../../../../analyzer/layers/index';
import { summarize } from '../../../../analyzer/summary';

before(async () => {
  assert.equal((await initBackend()).name, 'wasm');
});

/** Configurations per layer: enough to meet each option in both states, a few seconds in all. */
const CASES = 16;
const SEED = 0x5eed;

/** Draws of one layer's configurations. */
class Draw {
  private readonly rng: Rng;
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
}

const py = (b: boolean) => (b ? 'True' : 'False');
const tuple = (dims: ReadonlyArray<number | null>) => {
  const s = dims.map((d) => (d === null ? 'None' : String(d)));
  return s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`;
};
const HEADER = 'import keras\nfrom keras import layers\n';
const sequential = (input: ReadonlyArray<number | null>, ...body: string[]) =>
  `${HEADER}m = keras.Sequential([keras.Input(shape=${tuple(input)}), ${body.join(', ')}])`;
/** A functional model of one layer call with several outputs: `a, b = layer(x)`. */
const unpacked = (input: ReadonlyArray<number | null>, layer: string, outputs: number) => {
  const names = Array.from({ length: outputs }, (_, i) => `y${i}`);
  return `${HEADER}x = keras.Input(shape=${tuple(input)})\n${names.join(', ')} = ${layer}(x)\nm = keras.Model(x, [${names.join(', ')}])`;
};

const ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax', 'elu', 'gelu'];
/** An input of rank 2 or 3 (features, or timesteps and features). */
const features = (d: Draw) => (d.bool() ? [d.int(1, 6)] : [d.int(1, 6), d.int(1, 5)]);
const sequence = (d: Draw) => [d.bool(0.2) ? null : d.int(2, 8), d.int(1, 5)];
const rate = (d: Draw) => d.pick([0, 0.1, 0.25, 0.5]);

function recurrent(type: 'SimpleRNN' | 'LSTM' | 'GRU') {
  return (d: Draw) => {
    const opts = [`${d.int(1, 8)}`, `return_sequences=${py(d.bool())}`];
    if (d.bool()) opts.push(`dropout=${rate(d)}`);
    if (d.bool()) opts.push(`recurrent_dropout=${rate(d)}`);
    if (d.bool()) opts.push(`use_bias=${py(d.bool())}`);
    if (d.bool(0.3)) opts.push('go_backwards=True');
    if (d.bool(0.3)) opts.push(`activation='${d.pick(['tanh', 'relu', 'sigmoid'])}'`);
    if (type === 'GRU' && d.bool()) opts.push(`reset_after=${py(d.bool())}`);
    if (type === 'LSTM' && d.bool()) opts.push(`unit_forget_bias=${py(d.bool())}`);
    if (d.bool(0.3)) {
      opts.push('return_state=True');
      return unpacked(sequence(d), `layers.${type}(${opts.join(', ')})`, type === 'LSTM' ? 3 : 2);
    }
    return sequential(sequence(d), `layers.${type}(${opts.join(', ')})`);
  };
}

function pooling(type: string) {
  return (d: Draw) => {
    const steps = d.int(2, 10);
    const pool = d.int(1, Math.min(3, steps));
    const opts = [d.bool() ? `${pool}` : `pool_size=(${pool},)`];
    const strides = d.pick([null, 1, 2, 3]);
    if (strides !== null || d.bool()) opts.push(`strides=${strides ?? 'None'}`);
    if (d.bool()) opts.push(`padding='${d.pick(['valid', 'same'])}'`);
    return sequential([steps, d.int(1, 4)], `layers.${type}(${opts.join(', ')})`);
  };
}

function globalPooling(type: string) {
  return (d: Draw) =>
    sequential(sequence(d), `layers.${type}(${d.bool() ? 'keepdims=False' : ''})`);
}

function merge(type: string) {
  return (d: Draw) => {
    const n = d.int(2, 3);
    const shape = features(d);
    const axis = type === 'Concatenate' && d.bool() ? d.pick([-1, 1]) : null;
    const inputs = Array.from({ length: n }, () => {
      // Concatenate's inputs may differ along the joined axis, and only there.
      const s = [...shape];
      const at = axis === null ? -1 : axis === -1 ? s.length - 1 : 0;
      if (type === 'Concatenate') s[at] = d.int(1, 6);
      return s;
    });
    const names = inputs.map((_, i) => `x${i}`);
    const args = axis === null ? '' : `axis=${axis}`;
    return `${HEADER}${inputs.map((s, i) => `x${i} = keras.Input(shape=${tuple(s)})`).join('\n')}\ny = layers.${type}(${args})([${names.join(', ')}])\nm = keras.Model([${names.join(', ')}], y)`;
  };
}

/** One generator of Keras source per kernel-built layer type; each defines the model `m`. */
const GENERATORS: Record<string, (d: Draw) => string> = {
  InputLayer: (d) => {
    const batch = d.bool() ? `, batch_size=${d.int(1, 8)}` : '';
    return `${HEADER}x = keras.Input(shape=${tuple(d.bool() ? sequence(d) : features(d))}${batch})\nm = keras.Model(x, layers.Dense(${d.int(1, 4)})(x))`;
  },
  Dense: (d) =>
    sequential(
      features(d),
      `layers.Dense(${d.int(1, 8)}, activation=${d.bool(0.2) ? 'None' : `'${d.pick(ACTIVATIONS)}'`}, use_bias=${py(d.bool())})`,
    ),
  Activation: (d) => sequential(features(d), `layers.Activation('${d.pick(ACTIVATIONS)}')`),
  // Known sizes only: tfjs cannot flatten an axis of unknown size (Keras gives (None, None)).
  Flatten: (d) =>
    sequential(
      d.bool() ? [d.int(1, 6), d.int(1, 5)] : [d.int(1, 4), d.int(1, 4), d.int(1, 4)],
      'layers.Flatten()',
    ),
  RepeatVector: (d) => sequential([d.int(1, 6)], `layers.RepeatVector(${d.int(1, 6)})`),
  Reshape: (d) => {
    const [t, f] = [d.int(1, 6), d.int(1, 5)];
    const target = d.pick([[t * f], [f, t], [-1, f], [t, -1], [t * f, 1], [1, t, f]]);
    return sequential([t, f], `layers.Reshape(${tuple(target)})`);
  },
  Permute: (d) => {
    if (d.bool())
      return sequential(
        sequence(d),
        `layers.Permute(${tuple(
          d.pick([
            [2, 1],
            [1, 2],
          ]),
        )})`,
      );
    const dims = d.pick([
      [1, 2, 3],
      [1, 3, 2],
      [2, 1, 3],
      [2, 3, 1],
      [3, 1, 2],
      [3, 2, 1],
    ]);
    return sequential([d.int(1, 4), d.int(1, 4), d.int(1, 4)], `layers.Permute(${tuple(dims)})`);
  },
  Masking: (d) =>
    sequential(
      sequence(d),
      `layers.Masking(mask_value=${d.pick(['0.0', '-1.0', '0.5'])})`,
      `layers.LSTM(${d.int(1, 4)}, return_sequences=${py(d.bool())})`,
    ),
  Embedding: (d) => {
    const emb = `layers.Embedding(${d.int(2, 40)}, ${d.int(1, 8)}, mask_zero=${py(d.bool())})`;
    // A known length: the kernel wants the last input axis known (for ids, the time axis).
    const input = [d.int(1, 8)];
    return d.bool() ? sequential(input, emb) : sequential(input, emb, `layers.GRU(${d.int(1, 4)})`);
  },
  SimpleRNN: recurrent('SimpleRNN'),
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  Bidirectional: (d) => {
    const inner = d.pick(['SimpleRNN', 'LSTM', 'GRU'] as const);
    const units = d.int(1, 6);
    const seq = `return_sequences=${py(d.bool())}`;
    const state = d.bool(0.3) ? ', return_state=True' : '';
    const mode = d.pick(["'concat'", "'sum'", "'mul'", "'ave'", 'None']);
    const backward = d.bool(0.3)
      ? `, backward_layer=layers.${inner}(${units}, ${seq}${state}, go_backwards=True)`
      : '';
    const layer = `layers.Bidirectional(layers.${inner}(${units}, ${seq}${state}), merge_mode=${mode}${backward})`;
    const outputs = (mode === 'None' ? 2 : 1) + (state ? 2 * (inner === 'LSTM' ? 2 : 1) : 0);
    return outputs === 1 ? sequential(sequence(d), layer) : unpacked(sequence(d), layer, outputs);
  },
  TimeDistributed: (d) => {
    const [t, f] = [d.int(1, 6), d.int(1, 5)];
    switch (d.int(0, 2)) {
      case 0:
        return sequential(
          [t, f],
          `layers.TimeDistributed(layers.Dense(${d.int(1, 6)}, use_bias=${py(d.bool())}))`,
        );
      case 1:
        return sequential([t, f, d.int(1, 4)], 'layers.TimeDistributed(layers.Flatten())');
      default:
        return sequential([t, f], `layers.TimeDistributed(layers.Dropout(${rate(d)}))`);
    }
  },
  Dropout: (d) => {
    const shape = features(d);
    const noise = shape.length === 2 && d.bool() ? `, noise_shape=(None, 1, ${shape[1]})` : '';
    return sequential(shape, `layers.Dropout(${rate(d)}${noise})`);
  },
  SpatialDropout1D: (d) => sequential(sequence(d), `layers.SpatialDropout1D(${rate(d)})`),
  GaussianNoise: (d) => sequential(features(d), `layers.GaussianNoise(${d.pick([0.01, 0.1, 1])})`),
  Conv1D: (d) => {
    const k = d.int(1, 4);
    const dilation = d.bool(0.3) ? 2 : 1;
    // Keras refuses strides > 1 together with dilation > 1.
    const strides = dilation > 1 ? 1 : d.int(1, 3);
    const steps = d.int(dilation * (k - 1) + 1, 12);
    const opts = [`${d.int(1, 6)}`, d.bool() ? `${k}` : `kernel_size=(${k},)`];
    if (strides > 1 || d.bool()) opts.push(`strides=${strides}`);
    if (d.bool()) opts.push(`padding='${d.pick(['valid', 'same'])}'`);
    if (dilation > 1) opts.push(`dilation_rate=${dilation}`);
    if (d.bool()) opts.push(`use_bias=${py(d.bool())}`);
    if (d.bool()) opts.push(`activation='${d.pick(ACTIVATIONS)}'`);
    return sequential([steps, d.int(1, 4)], `layers.Conv1D(${opts.join(', ')})`);
  },
  MaxPooling1D: pooling('MaxPooling1D'),
  AveragePooling1D: pooling('AveragePooling1D'),
  GlobalAveragePooling1D: globalPooling('GlobalAveragePooling1D'),
  GlobalMaxPooling1D: globalPooling('GlobalMaxPooling1D'),
  BatchNormalization: (d) => {
    const shape = features(d);
    const axis = shape.length === 2 && d.bool() ? 'axis=1, ' : '';
    return sequential(
      shape,
      `layers.BatchNormalization(${axis}center=${py(d.bool())}, scale=${py(d.bool())}, momentum=${d.pick([0.9, 0.99])})`,
    );
  },
  LayerNormalization: (d) =>
    sequential(
      features(d),
      `layers.LayerNormalization(center=${py(d.bool())}, scale=${py(d.bool())}, epsilon=${d.pick([0.001, 1e-6])})`,
    ),
  Concatenate: merge('Concatenate'),
  Add: merge('Add'),
  Multiply: merge('Multiply'),
  Average: merge('Average'),
};

const sizeOf = (weights: tfl.LayerVariable[]) =>
  weights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? NaN), 1), 0);

/** A tfjs layer's output shape(s) as `model.summary()` writes them. */
function shownShape(shape: tfl.Shape | tfl.Shape[]): string {
  const shapes = Array.isArray(shape[0]) ? (shape as tfl.Shape[]) : [shape as tfl.Shape];
  return shapes.length === 1
    ? formatShape(shapes[0]!)
    : `[${shapes.map((s) => formatShape(s)).join(', ')}]`;
}

/** Builds `code` both ways and compares every row of the summary with the tfjs layer. */
function compare(code: string, seed: number): void {
  const analysis = analyze(code);
  const graph = analysis.models.at(-1);
  assert.ok(graph, `no model in\n${code}`);
  assert.deepEqual(analysis.notes, [], code);
  const summary = summarize(graph);
  let model: tfl.LayersModel;
  try {
    model = buildModel(graph, seed);
  } catch (e) {
    assert.fail(`the kernel cannot build\n${code}\n${(e as Error).message}`);
  }
  try {
    graph.inputs.forEach((t, i) =>
      assert.equal(
        formatShape(model.inputs[i]!.shape),
        formatShape(t.shape),
        `input ${i}\n${code}`,
      ),
    );
    for (const row of summary.rows) {
      const where = `${row.name} (${row.type})\n${code}`;
      if (row.type === 'InputLayer') {
        // tfjs names its input layers itself; they are the model's inputs, in order.
        const node = graph.layers.find((l) => l.name === row.name)!;
        const i = graph.inputs.indexOf(node.calls[0]!.outputs[0]!);
        assert.equal(shownShape(model.inputs[i]!.shape), row.outputShape, `shape of ${where}`);
        assert.equal(row.params, 0, where);
        continue;
      }
      const layer = model.getLayer(row.name);
      assert.equal(shownShape(layer.outputShape), row.outputShape, `output shape of ${where}`);
      assert.equal(sizeOf(layer.trainableWeights), row.trainable, `trainable params of ${where}`);
      assert.equal(
        sizeOf(layer.nonTrainableWeights),
        row.nonTrainable,
        `non-trainable params of ${where}`,
      );
    }
    assert.equal(model.countParams(), summary.totalParams, code);
  } finally {
    model.dispose();
  }
}

test('the registry flag agrees with the builder: a generator per kernel layer, the rest refused', () => {
  const kernel = [...LAYERS.values()].filter((s) => s.playground).map((s) => s.type);
  assert.deepEqual(
    kernel.filter((t) => !(t in GENERATORS)),
    [],
    'layers marked playground: true without a generator here',
  );
  assert.deepEqual(
    Object.keys(GENERATORS).filter((t) => !LAYERS.get(t)?.playground),
    [],
    'generators of layers the registry does not mark as built by the kernel',
  );
  for (const spec of LAYERS.values()) {
    if (spec.playground) continue;
    const graph = analyze(sequential([5, 3], `layers.${spec.type}()`)).models[0]!;
    assert.throws(
      () => buildModel(graph, 0),
      (e: unknown) => e instanceof BuildError && /not available in the playground/.test(e.message),
      `${spec.type} is analyzer-only: the kernel must refuse it`,
    );
  }
});

for (const [i, [type, generate]] of Object.entries(GENERATORS).entries()) {
  test(`${type}: ${CASES} generated configurations have the analyzer's shapes and params on tfjs`, () => {
    const draw = new Draw(derive(SEED, i));
    for (let c = 0; c < CASES; c++) compare(generate(draw), derive(SEED, i, c));
  });
}
