/**
 * The kernel session as a playground user meets it: cells in one namespace, real training on
 * TensorFlow.js (WebAssembly), clear errors, determinism, stop, divergence and no leaks.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../kernels/tfjs/backend';
import type {
  DisplayData,
  Done,
  Failed,
  FromWorker,
  Progress,
  RunOutput,
  Summary,
} from '../../../kernels/protocol';
import { RUN_MIME } from '../../../kernels/protocol';
import { KernelSession } from '../../../kernels/session';
import { formatSummary } from '../../../analyzer/summary';

const SETUP = `import keras
from keras import layers
from rnnlab import datasets
(x_train, y_train), (x_val, y_val) = datasets.sine(samples=320, timesteps=20, seed=3)`;

const MODEL = `model = keras.Sequential([keras.Input(shape=(20, 1)), layers.LSTM(16), layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])`;

interface Harness {
  session: KernelSession;
  messages: FromWorker[];
  run(code: string): Done | Failed;
  stopAfter: number | null;
}

function harness(seed = 0): Harness {
  const messages: FromWorker[] = [];
  // shouldStop is polled once after every batch: count the polls.
  let polls = 0;
  const h: Harness = {
    messages,
    stopAfter: null,
    session: new KernelSession({
      seed,
      emit: (m) => messages.push(m),
      shouldStop: () => h.stopAfter !== null && ++polls >= h.stopAfter,
    }),
    run: (code) => h.session.runCell(`x${messages.length}`, code),
  };
  return h;
}

function ok(r: Done | Failed): Done {
  assert.equal(
    r.type,
    'done',
    r.type === 'failed' ? `${r.kind}: ${r.message} (line ${r.line})` : '',
  );
  return r as Done;
}

function runs(h: Harness): RunOutput[] {
  return h.messages
    .filter((m): m is DisplayData => m.type === 'display' && RUN_MIME in m.data)
    .map((m) => m.data[RUN_MIME] as RunOutput);
}

/** What a terminal shows of the cells: printed text, and summaries rendered as their text. */
function stdout(h: Harness): string {
  return h.messages
    .map((m) =>
      m.type === 'stream' ? m.text : m.type === 'summary' ? `${formatSummary(m.summary)}\n` : '',
    )
    .join('');
}

before(async () => {
  const info = await initBackend();
  assert.equal(info.name, 'wasm', info.fallbackReason ?? '');
});

describe('training', () => {
  test('a small LSTM on datasets.sine cuts validation loss by at least half within 6 epochs', () => {
    const h = harness();
    ok(h.run(SETUP));
    ok(h.run(MODEL));
    ok(
      h.run(
        'history = model.fit(x_train, y_train, epochs=6, batch_size=32, validation_data=(x_val, y_val))',
      ),
    );
    const [run] = runs(h);
    const val = run!.history['val_loss']!;
    assert.equal(val.length, 6);
    assert.ok(val.at(-1)! <= val[0]! / 2, `val_loss ${val.join(', ')}`);
    assert.deepEqual(Object.keys(run!.history).sort(), ['loss', 'mae', 'val_loss', 'val_mae']);
    assert.equal(run!.batchLoss.length, 6 * 8, 'every batch recorded (256 samples / 32)');
  });

  test('same seed, same data, same model: bitwise-identical loss curves', () => {
    const curves = [0, 1].map(() => {
      const h = harness(42);
      ok(h.run(SETUP));
      ok(
        h.run(
          MODEL.replace(
            'layers.LSTM(16)',
            'layers.GRU(8, dropout=0.2, return_sequences=True), layers.Dropout(0.3), layers.LSTM(8, recurrent_dropout=0.1)',
          ),
        ),
      );
      ok(h.run('model.fit(x_train, y_train, epochs=2, batch_size=32, validation_split=0.25)'));
      return runs(h)[0]!;
    });
    assert.deepEqual(curves[0]!.batchLoss, curves[1]!.batchLoss);
    assert.deepEqual(curves[0]!.history, curves[1]!.history);
    const other = harness(43);
    ok(other.run(SETUP));
    ok(other.run(MODEL));
    ok(other.run('model.fit(x_train, y_train, epochs=1, batch_size=32)'));
    assert.notDeepEqual(runs(other)[0]!.batchLoss, curves[0]!.batchLoss.slice(0, 10));
  });

  test('the namespace persists: fit continues training, evaluate and predict use it', () => {
    const h = harness();
    ok(h.run(SETUP));
    ok(h.run(MODEL));
    ok(h.run('model.fit(x_train, y_train, epochs=1)'));
    ok(h.run('model.fit(x_train, y_train, epochs=1)'));
    const [first, second] = runs(h);
    assert.ok(
      second!.history['loss']![0]! < first!.history['loss']![0]!,
      'the second fit starts from trained weights',
    );
    ok(
      h.run(
        'score = model.evaluate(x_val, y_val)\nprint(score)\npred = model.predict(x_val)\nprint(pred.shape)',
      ),
    );
    assert.match(stdout(h), /\[\d\.\d+(e-\d+)?, \d\.\d+(e-\d+)?\]\n\(64, 1\)\n$/);
  });

  test('summary() prints the Keras table and print() prints values', () => {
    const h = harness();
    ok(h.run(SETUP));
    ok(h.run(`${MODEL}\nmodel.summary()\nprint(x_train.shape, len([1, 2]), 0.5, "done")`));
    const out = stdout(h);
    assert.match(out, /lstm \(LSTM\)\s+│ \(None, 16\)\s+│\s+1,152 │/);
    assert.match(out, /Total params: 1,169/);
    assert.match(out, /\(256, 20, 1\) 2 0\.5 done\n$/);
    // The summary travels as rows, for each surface to render its own way.
    const [summary] = h.messages.filter((m): m is Summary => m.type === 'summary');
    assert.deepEqual(
      summary!.summary.rows.map((r) => [r.name, r.type, r.outputShape, r.params]),
      [
        ['lstm', 'LSTM', '(None, 16)', 1152],
        ['dense', 'Dense', '(None, 1)', 17],
      ],
    );
  });

  test('EarlyStopping stops when val_loss stops improving and restores the best weights', () => {
    const h = harness();
    ok(h.run(SETUP));
    ok(h.run(MODEL.replace('learning_rate=0.01', 'learning_rate=0.5')));
    ok(
      h.run(
        'cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)\nmodel.fit(x_train, y_train, epochs=30, validation_data=(x_val, y_val), callbacks=[cb])',
      ),
    );
    const run = runs(h)[0]!;
    assert.equal(run.stopped, 'early-stopping');
    assert.ok(run.history['loss']!.length < 30);
  });
});

describe('stop, divergence, errors', () => {
  test('a stop lands at the end of the current batch and ends the cell as a KeyboardInterrupt', () => {
    const h = harness();
    ok(h.run(SETUP));
    ok(h.run(MODEL));
    // evaluate() returns [loss, mae]: the loss is the first number printed.
    const loss = (printed: string) => Number(/^\[([^,]+),/.exec(printed)?.[1]);
    ok(h.run('print(model.evaluate(x_val, y_val))'));
    const printedBefore = stdout(h);
    const untrained = loss(printedBefore);
    // 256 samples in batches of 32: 8 batches an epoch; the 11th is the 3rd of the 2nd epoch.
    h.stopAfter = 11;
    const r = h.run(
      'print("before")\nhistory = model.fit(x_train, y_train, epochs=50, batch_size=32)\nprint("after the fit")',
    );
    assert.equal(r.type, 'failed', JSON.stringify(r));
    const f = r as Failed;
    assert.equal(f.kind, 'interrupted');
    assert.match(
      f.message,
      /^stopped at epoch 2\/50, batch 3\/8; the weights trained so far are kept/,
    );
    assert.deepEqual([f.line, f.column], [2, 11], 'the fit call, where Python would point');
    assert.equal(stdout(h), `${printedBefore}before\n`, 'nothing after the fit ran');
    const batches = h.messages
      .filter((m): m is Progress => m.type === 'progress')
      .flatMap((m) => m.batches);
    assert.equal(batches.length, 11, 'the stop lands at the end of the eleventh batch');
    // The partial run is still shown, as in Keras the History of an interrupted fit is not kept.
    assert.equal(runs(h)[0]!.stopped, 'user');
    assert.equal(runs(h)[0]!.history['loss']!.length, 1, 'one finished epoch');
    h.stopAfter = null;
    assert.match((h.run('print(history)') as Failed).message, /name 'history' is not defined/);
    // The weights trained so far stay: the next cell evaluates the partly trained model.
    const before = stdout(h).length;
    ok(h.run('print(model.evaluate(x_val, y_val))'));
    const trained = loss(stdout(h).slice(before));
    assert.ok(trained < untrained, `val loss ${trained} after 11 batches, ${untrained} before`);
  });

  test("the run's text line counts epochs in good English", () => {
    const h = harness();
    ok(h.run(SETUP));
    ok(h.run(MODEL));
    ok(h.run('model.fit(x_train, y_train, epochs=1)\nmodel.fit(x_train, y_train, epochs=2)'));
    const lines = h.messages
      .filter((m): m is DisplayData => m.type === 'display' && RUN_MIME in m.data)
      .map((m) => m.data['text/plain'] as string);
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^sequential: 1 epoch: loss \d/);
    assert.match(lines[1]!, /^sequential: 2 epochs: loss \d/);
  });

  test('a loss that becomes NaN stops training and says where and why', () => {
    const h = harness();
    ok(h.run(SETUP));
    ok(
      h.run(
        'model = keras.Sequential([keras.Input(shape=(20, 1)), layers.LSTM(8), layers.Dense(1)])\nmodel.compile(optimizer=keras.optimizers.SGD(learning_rate=1e12), loss="mse")',
      ),
    );
    const r = h.run('model.fit(x_train, y_train, epochs=5)');
    assert.equal(r.type, 'failed');
    const f = r as Failed;
    assert.equal(f.kind, 'diverged');
    assert.match(f.message, /the loss became (NaN|Infinity|-Infinity) at epoch \d+, batch \d+/);
    assert.match(f.message, /learning rate 1000000000000 is high for sgd/);
    assert.equal(runs(h)[0]!.stopped, 'diverged');
  });

  const errors: Array<[string, string, RegExp, number]> = [
    [
      'def is outside the subset',
      'def f():\n    return 1',
      /`def` is not supported .*declarative Keras subset/,
      1,
    ],
    ['unknown names', 'x = 1\ny = undefined_thing + 1', /name 'undefined_thing' is not defined/, 2],
    [
      'numpy calls',
      'import numpy as np\nz = np.zeros(3)',
      /`numpy.zeros\(...\)` is not available/,
      2,
    ],
    ['modules outside the playground', 'import pandas', /module 'pandas' is not available/, 1],
    [
      'fit before compile',
      `${SETUP}\nm = keras.Sequential([keras.Input(shape=(20, 1)), layers.Dense(1)])\nm.fit(x_train, y_train)`,
      /is not compiled/,
      6,
    ],
    [
      'data that does not fit the model',
      `${SETUP}\nm = keras.Sequential([keras.Input(shape=(30, 1)), layers.LSTM(4), layers.Dense(1)])\nm.compile(optimizer="adam", loss="mse")\nm.fit(x_train, y_train)`,
      /expects inputs of shape \(None, 30, 1\) but x has shape \(256, 20, 1\)/,
      7,
    ],
    [
      'an unknown dataset argument',
      'from rnnlab import datasets\nd = datasets.sine(sample=10)',
      /unexpected argument 'sample'; accepted arguments: samples/,
      2,
    ],
    [
      'inputs and targets of different lengths',
      `${SETUP}\n(x1, y1), _ = datasets.sine(samples=2, timesteps=20, validation_split=0.5)\nm = keras.Sequential([keras.Input(shape=(20, 1)), layers.LSTM(4), layers.Dense(1)])\nm.compile(optimizer="adam", loss="mse")\nm.fit(x1, y_train)`,
      /^x has 1 sample but y has 256 samples: pass as many targets as inputs$/,
      8,
    ],
    ['a syntax error', 'x = (1,', /syntax error/, 1],
  ];
  for (const [name, code, message, line] of errors) {
    test(`clear error: ${name}`, () => {
      const r = harness().run(code);
      assert.equal(r.type, 'failed');
      assert.match((r as Failed).message, message);
      assert.equal((r as Failed).line, line);
    });
  }
});

describe('memory', () => {
  test('no tensor leaks: flat across 100 training steps and across re-running a cell', () => {
    const h = harness();
    ok(h.run(SETUP));
    ok(h.run(MODEL));
    ok(h.run('model.fit(x_train, y_train, epochs=1)'));
    const afterWarmup = tf.memory().numTensors;
    ok(h.run('model.fit(x_train, y_train, epochs=10)'));
    assert.equal(tf.memory().numTensors, afterWarmup, '100 more steps');
    const cell = `${MODEL}\nmodel.fit(x_train, y_train, epochs=1)`;
    ok(h.run(cell));
    const once = tf.memory().numTensors;
    ok(h.run(cell));
    ok(h.run(cell));
    assert.equal(tf.memory().numTensors, once, 're-running the cell replaces the model');
  });
});
