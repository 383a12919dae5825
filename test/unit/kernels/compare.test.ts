/**
 * `rnnlab.compare` at toy sizes with real TensorFlow.js: every variant for every seed through the
 * fit path, the same initial weights where the shapes match, the output as the issue specifies
 * it, an interrupt that keeps the finished runs, clear errors, and the trivial baseline.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
// Before the backend, as in session.test.ts: the test runner then loads one tfjs-core.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../kernels/tfjs/backend';
import {
  baseline,
  compareText,
  DEFAULT_SEEDS,
  seedList,
  shareInitialWeights,
} from '../../../kernels/compare';
import {
  COMPARE_MIME,
  RUN_MIME,
  type CompareOutput,
  type DisplayData,
  type Done,
  type Failed,
  type FromWorker,
  type RunOutput,
  type RunStart,
} from '../../../kernels/protocol';
import { KernelSession } from '../../../kernels/session';
import { buildModel } from '../../../kernels/tfjs/build';
import { analyze } from '../../../analyzer/python/evaluate';
import { lint } from '../../../lint/index';
import type { ArrayData } from '../../../kernels/train';

before(async () => {
  await initBackend();
});

const SETUP = `import keras
from keras import layers
import rnnlab
from rnnlab import datasets, compare
(x_train, y_train), (x_val, y_val) = datasets.sine(samples=80, timesteps=8, seed=3)
a = keras.Sequential([keras.Input(shape=(8, 1)), layers.GRU(4), layers.Dense(1)], name="a")
a.compile(optimizer="adam", loss="mse")
twin = keras.Sequential([keras.Input(shape=(8, 1)), layers.GRU(4), layers.Dense(1)], name="twin")
twin.compile(optimizer="adam", loss="mse")
wide = keras.Sequential([keras.Input(shape=(8, 1)), layers.GRU(5), layers.Dense(1)], name="wide")
wide.compile(optimizer="adam", loss="mse")`;

interface Harness {
  messages: FromWorker[];
  run(code: string): Done | Failed;
  /** Stop after this many polls (one per batch), or never. */
  stopAfter: number | null;
}

function harness(): Harness {
  const messages: FromWorker[] = [];
  let polls = 0;
  const h: Harness = {
    messages,
    stopAfter: null,
    run: (code) => session.runCell(`x${messages.length}`, code),
  };
  const session = new KernelSession({
    seed: 0,
    emit: (m) => messages.push(m),
    shouldStop: () => h.stopAfter !== null && ++polls >= h.stopAfter,
  });
  return h;
}

function ok(r: Done | Failed): void {
  assert.equal(r.type, 'done', r.type === 'failed' ? `${r.kind}: ${r.message}` : '');
}

const displays = (h: Harness) => h.messages.filter((m): m is DisplayData => m.type === 'display');
const comparisons = (h: Harness) =>
  displays(h)
    .filter((m) => COMPARE_MIME in m.data)
    .map((m) => m.data[COMPARE_MIME] as CompareOutput);

test('two variants × two seeds × two epochs: every run through the fit path, then the output', () => {
  const h = harness();
  ok(h.run(SETUP));
  const tensors = tf.memory().numTensors;
  ok(
    h.run(
      `result = compare({"a": a, "wide": wide}, x_train, y_train, validation_data=(x_val, y_val), epochs=2, batch_size=32, seeds=2)
print(result["a"]["seeds"], len(result["wide"]["best_val_loss"]))`,
    ),
  );
  assert.equal(tf.memory().numTensors, tensors, 'every run model and optimizer is disposed');
  const starts = h.messages.filter((m): m is RunStart => m.type === 'runStart');
  assert.deepEqual(
    starts.map((s) => s.model),
    ['a (seed 0)', 'wide (seed 0)', 'a (seed 1)', 'wide (seed 1)'],
    'seed by seed, each variant',
  );
  assert.ok(
    starts.every((s) => h.messages.some((m) => m.type === 'progress' && m.runId === s.runId)),
    'every run streams its progress',
  );
  const runs = displays(h)
    .filter((m) => RUN_MIME in m.data)
    .map((m) => m.data[RUN_MIME] as RunOutput);
  assert.deepEqual(
    runs.map((r) => r.runId),
    starts.map((s) => s.runId),
    'every run reports its result, for the dashboard',
  );
  const outs = comparisons(h);
  assert.deepEqual(
    outs.map((o) => o.status),
    ['running', 'running', 'running', 'running', 'done'],
    'at the start, after each run but the last, and at the end',
  );
  assert.deepEqual(
    outs[0]!.plan.map((p) => p.run_id),
    starts.map((s) => s.runId),
    "the stub's plan names the run ids before they start",
  );
  const o = outs.at(-1)!;
  // The schema of the issue.
  assert.equal(o.version, 1);
  assert.deepEqual(o.seeds, [0, 1]);
  assert.equal(typeof o.baseline.val_loss, 'number');
  assert.deepEqual(
    o.variants.map((v) => [v.name, v.params, v.runs.map((r) => r.seed)]),
    [
      ['a', 89, [0, 1]],
      ['wide', 126, [0, 1]],
    ],
  );
  for (const v of o.variants) {
    for (const r of v.runs) {
      assert.equal(r.history['val_loss']!.length, 2);
      assert.equal(r.history['loss']!.length, 2);
    }
    for (const key of ['best_val_loss', 'final_val_loss', 'gap', 'epoch_ms'] as const) {
      assert.equal(typeof v[key].mean, 'number', `${v.name} ${key}.mean`);
      assert.equal(typeof v[key].std, 'number', `${v.name} ${key}.std`);
    }
    const best = v.runs.map((r) => Math.min(...r.history['val_loss']!));
    assert.equal(v.best_val_loss.mean, (best[0]! + best[1]!) / 2);
    const gaps = v.runs.map((r) => r.history['val_loss']![1]! - r.history['loss']![1]!);
    assert.equal(v.gap.mean, (gaps[0]! + gaps[1]!) / 2);
  }
  assert.equal(o.comparisons.length, 1);
  assert.equal(o.comparisons[0]!.n, 2);
  assert.ok(o.verdict.length > 20, o.verdict);
  assert.match(o.method, /paired t-test/);
  const final = displays(h).at(-1)!;
  assert.deepEqual(Object.keys(final.data).sort(), [COMPARE_MIME, 'image/svg+xml', 'text/plain']);
  assert.match(final.data['image/svg+xml'] as string, /^<svg /);
  assert.match(final.data['text/plain'] as string, /^Comparison of 2 variants × 2 seeds/);
  const printed = h.messages.find((m) => m.type === 'stream');
  assert.deepEqual(printed && printed.type === 'stream' && printed.text, '[0, 1] 2\n');
});

test('variants whose trainable weight shapes match start from the same weights, seed by seed', () => {
  const h = harness();
  ok(h.run(SETUP));
  ok(h.run('print(a.evaluate(x_val, y_val))'));
  ok(
    h.run(
      `rnnlab.compare({"a": a, "twin": twin, "wide": wide}, x_train, y_train, validation_data=(x_val, y_val), epochs=2, seeds=[3, 4])`,
    ),
  );
  ok(h.run('print(a.evaluate(x_val, y_val))'));
  const o = comparisons(h).at(-1)!;
  const history = (name: string, seed: number) =>
    o.variants.find((v) => v.name === name)!.runs.find((r) => r.seed === seed)!.history;
  // `a` and `twin` are different models (their layers have other ids, so other seeds): only
  // shared initial weights, the same batch order and no dropout give them the same curves.
  assert.deepEqual(history('twin', 3), history('a', 3));
  assert.deepEqual(history('twin', 4), history('a', 4));
  assert.notDeepEqual(history('a', 3), history('a', 4), 'another seed, other weights');
  assert.notDeepEqual(history('wide', 3)['val_loss'], history('a', 3)['val_loss']);
  // The variants' own weights are not trained by the comparison.
  const evaluated = h.messages.filter((m) => m.type === 'stream').map((m) => m.text);
  assert.equal(evaluated.length, 2);
  assert.equal(evaluated[0], evaluated[1]);
});

test('dropout placements train from the shared weights, each with its own masks', () => {
  const h = harness();
  ok(h.run(SETUP));
  ok(
    h.run(`none = keras.Sequential([keras.Input(shape=(8, 1)), layers.GRU(4, return_sequences=True), layers.GRU(4), layers.Dense(1)])
none.compile(optimizer="adam", loss="mse")
layer = keras.Sequential([keras.Input(shape=(8, 1)), layers.GRU(4, return_sequences=True), layers.Dropout(0.3), layers.GRU(4), layers.Dense(1)])
layer.compile(optimizer="adam", loss="mse")
arg = keras.Sequential([keras.Input(shape=(8, 1)), layers.GRU(4, return_sequences=True), layers.GRU(4, dropout=0.3), layers.Dense(1)])
arg.compile(optimizer="adam", loss="mse")
compare({"none": none, "layer": layer, "arg": arg}, x_train, y_train, validation_data=(x_val, y_val), epochs=1, seeds=1)`),
  );
  const o = comparisons(h).at(-1)!;
  const loss = (name: string) => o.variants.find((v) => v.name === name)!.runs[0]!.history;
  // The same start; dropout changes the training loss, each placement its own way.
  assert.notEqual(loss('layer')['loss']![0], loss('none')['loss']![0]);
  assert.notEqual(loss('arg')['loss']![0], loss('layer')['loss']![0]);
  for (const name of ['none', 'layer', 'arg'])
    assert.ok(Number.isFinite(loss(name)['val_loss']![0]), name);
});

test('shareInitialWeights copies the first model of each signature into the others', () => {
  const graphs = analyze(`import keras
from keras import layers
m1 = keras.Sequential([keras.Input(shape=(6, 2)), layers.LSTM(3), layers.Dense(1)])
m2 = keras.Sequential([keras.Input(shape=(6, 2)), layers.LSTM(3), layers.Dense(1)])
m3 = keras.Sequential([keras.Input(shape=(6, 2)), layers.LSTM(4), layers.Dense(1)])`).models;
  const models = graphs.map((g, i) => buildModel(g, 100 + i));
  const values = (i: number) => models[i]!.trainableWeights.map((w) => [...w.read().dataSync()]);
  const third = values(2);
  assert.notDeepEqual(values(0), values(1), 'built from different seeds');
  shareInitialWeights(models);
  assert.deepEqual(values(1), values(0));
  assert.deepEqual(values(2), third, 'other shapes keep their own weights');
  for (const m of models) m.dispose();
});

test('an interrupt stops after the current batch and keeps the finished runs', () => {
  const h = harness();
  ok(h.run(SETUP));
  // 64 training samples in batches of 32: 2 batches an epoch, 4 a run; poll 10 is the second
  // batch of the third run.
  h.stopAfter = 10;
  const r = h.run(
    `compare({"a": a, "wide": wide}, x_train, y_train, validation_data=(x_val, y_val), epochs=2, batch_size=32, seeds=2)
print("not reached")`,
  );
  assert.equal(r.type, 'failed');
  assert.equal((r as Failed).kind, 'interrupted');
  assert.match(
    (r as Failed).message,
    /^stopped during a seed 1 at epoch 1\/2, batch 2\/2; the comparison's output keeps the 2 of 4 runs that finished/,
  );
  assert.ok(!h.messages.some((m) => m.type === 'stream'), 'the rest of the cell did not run');
  const o = comparisons(h).at(-1)!;
  assert.equal(o.status, 'interrupted');
  assert.deepEqual(
    o.variants.map((v) => v.runs.map((run) => run.seed)),
    [[0], [0]],
  );
  assert.match(o.stopped!, /stopped by the user during a seed 1, epoch 1\/2, batch 2\/2/);
  assert.match(o.verdict, /^Interrupted during `a` seed 1: 2 runs of 4 finished/);
  // The interrupted run still reports itself (the dashboard records it as stopped).
  const stopped = displays(h)
    .filter((m) => RUN_MIME in m.data)
    .map((m) => m.data[RUN_MIME] as RunOutput)
    .at(-1)!;
  assert.equal(stopped.stopped, 'user');
  assert.match(compareText(o), /\(interrupted\)/);
});

test('mistakes in a comparison call are cell errors that say what to pass', () => {
  const h = harness();
  ok(h.run(SETUP));
  const fail = (code: string, message: RegExp) => {
    const r = h.run(code);
    assert.equal(r.type, 'failed', code);
    assert.match((r as Failed).message, message);
  };
  fail(
    'compare([a, wide], x_train, y_train, validation_data=(x_val, y_val))',
    /variants must be a dict/,
  );
  fail(
    'compare({"a": a, "b": 3}, x_train, y_train, validation_data=(x_val, y_val))',
    /must map names \(strings\) to models/,
  );
  fail('compare({"a": a}, x_train, y_train)', /needs validation_data=\(x_val, y_val\)/);
  fail(
    'compare({"a": a}, x_train, y_train, validation_data=(x_val, y_val), seeds=[1, 1])',
    /seeds must be a count .* or a list of distinct whole numbers/,
  );
  ok(
    h.run(
      'other = keras.Sequential([keras.Input(shape=(8, 1)), layers.GRU(4), layers.Dense(1)])\nother.compile(optimizer="adam", loss="mae")',
    ),
  );
  fail(
    'compare({"a": a, "other": other}, x_train, y_train, validation_data=(x_val, y_val))',
    /must share one loss: a has mse, other has mae/,
  );
  assert.ok(!h.messages.some((m) => m.type === 'runStart'), 'nothing trained');
});

test('seeds: a count, a list, or the default', () => {
  const span = { from: 0, to: 0 };
  assert.deepEqual(
    seedList(undefined, span),
    Array.from({ length: DEFAULT_SEEDS }, (_, i) => i),
  );
  assert.deepEqual(seedList({ kind: 'int', value: 4 }, span), [0, 1, 2, 3]);
  assert.deepEqual(
    seedList(
      {
        kind: 'list',
        items: [
          { kind: 'int', value: 7 },
          { kind: 'int', value: 2 },
        ],
      },
      span,
    ),
    [7, 2],
  );
  assert.throws(() => seedList({ kind: 'int', value: 0 }, span), /seeds must be/);
  assert.throws(() => seedList({ kind: 'float', value: 2.5 }, span), /seeds must be/);
});

const arr = (values: number[], shape: number[]): ArrayData => ({
  data: Float32Array.from(values),
  shape,
});

test('the trivial baseline: the training mean under mse and mae', () => {
  const yTrain = arr([1, 2, 3, 6], [4, 1]); // mean 3
  const yVal = arr([2, 5], [2, 1]);
  const mse = baseline({ name: 'mse', fromLogits: false }, yTrain, yVal, 1);
  assert.ok(Math.abs(mse.val_loss! - (1 + 4) / 2) < 1e-6, String(mse.val_loss));
  assert.equal(mse.predicts, "the training targets' mean");
  assert.equal('val_accuracy' in mse, false);
  const mae = baseline({ name: 'mae', fromLogits: false }, yTrain, yVal, 1);
  assert.ok(Math.abs(mae.val_loss! - 1.5) < 1e-6);
});

test('the trivial baseline of a classifier: the class frequencies, and the majority class', () => {
  const yTrain = arr([1, 1, 1, 0], [4, 1]); // p = 0.75
  const yVal = arr([1, 0], [2, 1]);
  const expected = -(Math.log(0.75) + Math.log(0.25)) / 2;
  const bce = baseline({ name: 'binary_crossentropy', fromLogits: false }, yTrain, yVal, 1);
  assert.ok(Math.abs(bce.val_loss! - expected) < 1e-5, String(bce.val_loss));
  assert.equal(bce.val_accuracy, 0.5);
  const logits = baseline({ name: 'binary_crossentropy', fromLogits: true }, yTrain, yVal, 1);
  assert.ok(Math.abs(logits.val_loss! - expected) < 1e-5, 'the same constant, as a logit');
  // Sparse labels 0..2 with frequencies 0.5, 0.25, 0.25.
  const sparse = baseline(
    { name: 'sparse_categorical_crossentropy', fromLogits: false },
    arr([0, 0, 1, 2], [4]),
    arr([0, 2], [2]),
    3,
  );
  assert.ok(Math.abs(sparse.val_loss! - -(Math.log(0.5) + Math.log(0.25)) / 2) < 1e-5);
  assert.equal(sparse.val_accuracy, 0.5);
  const onehot = baseline(
    { name: 'categorical_crossentropy', fromLogits: false },
    arr([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1], [4, 3]),
    arr([1, 0, 0, 0, 0, 1], [2, 3]),
    3,
  );
  assert.ok(Math.abs(onehot.val_loss! - sparse.val_loss!) < 1e-5);
  assert.equal(onehot.val_accuracy, 0.5);
});

test('the editor knows the names: a comparison cell gets no diagnostic of its own', () => {
  const code = `import keras
from keras import layers
import rnnlab
from rnnlab import compare, datasets
from rnnlab import *
(x_train, y_train), (x_val, y_val) = datasets.sine(samples=80, timesteps=8)
layer = keras.Sequential([keras.Input(shape=(8, 1)), layers.GRU(8, return_sequences=True), layers.Dropout(0.3), layers.GRU(8), layers.Dense(1)])
layer.compile(optimizer="adam", loss="mse")
arg = keras.Sequential([keras.Input(shape=(8, 1)), layers.GRU(8, return_sequences=True), layers.GRU(8, dropout=0.3), layers.Dense(1)])
arg.compile(optimizer="adam", loss="mse")
result = compare({"layer": layer, "arg": arg}, x_train, y_train, validation_data=(x_val, y_val), epochs=2, seeds=3)
rnnlab.compare(dict(layer=layer, arg=arg), x_train, y_train, validation_data=(x_val, y_val))
`;
  const findings = lint(analyze(code), code, { playground: true });
  // The Dropout layer in front of a GRU is still found: the models are analysed as ever.
  assert.deepEqual(
    findings.map((f) => f.code),
    ['DR101'],
  );
});
