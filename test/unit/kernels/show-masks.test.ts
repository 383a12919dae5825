/**
 * `rnnlab.show_masks(model, x)` in the kernel session: every spelling of the import, the three
 * display items, clear errors, and no effect on training (the weights and the next fit are the
 * same as without it).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend } from '../../../kernels/tfjs/backend';
import { KernelSession } from '../../../kernels/session';
import {
  RUN_MIME,
  type DisplayData,
  type Done,
  type Failed,
  type FromWorker,
  type RunOutput,
} from '../../../kernels/protocol';
import { MASKS_MIME, readMasks, type MasksOutput } from '../../../kernels/mask-output';
import { displayItems } from '../../../kernels/outputs';

const SETUP = `import keras
from keras import layers
from rnnlab import datasets
(x_train, y_train), (x_val, y_val) = datasets.sine(samples=96, timesteps=12, seed=3)
model = keras.Sequential([
    keras.Input(shape=(12, 1)),
    layers.GRU(8, return_sequences=True, dropout=0.3),
    layers.Dropout(0.5),
    layers.LSTM(4, recurrent_dropout=0.25),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")`;

function session(seed = 0) {
  const messages: FromWorker[] = [];
  const s = new KernelSession({ seed, emit: (m) => messages.push(m), shouldStop: () => false });
  let n = 0;
  return { messages, run: (code: string) => s.runCell(`c${++n}`, code) };
}

function ok(r: Done | Failed): void {
  assert.equal(
    r.type,
    'done',
    r.type === 'failed' ? `${r.kind}: ${r.message} (line ${r.line})` : '',
  );
}

const displays = (messages: FromWorker[]) =>
  messages.filter((m): m is DisplayData => m.type === 'display');

function masksOf(messages: FromWorker[]): MasksOutput[] {
  return displays(messages)
    .filter((m) => MASKS_MIME in m.data)
    .map((m) => m.data[MASKS_MIME] as MasksOutput);
}

before(async () => {
  assert.equal((await initBackend()).name, 'wasm');
});

describe('rnnlab.show_masks', () => {
  test('import rnnlab: the masks JSON, an SVG and a text line per mask, in that order', () => {
    const s = session();
    ok(s.run(SETUP));
    ok(s.run('import rnnlab\nrnnlab.show_masks(model, x_train)'));
    const [d] = displays(s.messages);
    assert.deepEqual(
      displayItems(d!.data).map((i) => i.mime),
      [MASKS_MIME, 'image/svg+xml', 'text/plain'],
    );
    const out = readMasks(JSON.parse(JSON.stringify(d!.data[MASKS_MIME])));
    assert.ok(typeof out !== 'string', String(out));
    assert.deepEqual(
      out.masks.map((m) => [m.layer, m.kind, m.gate, m.timesteps, m.units]),
      [
        ['gru', 'dropout', null, 12, 1],
        ['dropout', 'Dropout', null, 12, 8],
        ['lstm', 'recurrent_dropout', 'i', 12, 4],
        ['lstm', 'recurrent_dropout', 'f', 12, 4],
        ['lstm', 'recurrent_dropout', 'c', 12, 4],
        ['lstm', 'recurrent_dropout', 'o', 12, 4],
      ],
    );
    const text = d!.data['text/plain'] as string;
    assert.match(text, /^Dropout masks applied to sample 0/);
    assert.match(
      text,
      /dropout · Dropout \[12 timesteps × 8 units\]: a new mask at every timestep: \d+% of units dropped on average/,
    );
    assert.match(
      d!.data['image/svg+xml'] as string,
      /^<svg [^>]*>\n<title>Dropout masks of sample 0/,
    );
  });

  test('from rnnlab import show_masks, and from rnnlab import *', () => {
    const s = session();
    ok(s.run(SETUP));
    ok(s.run('from rnnlab import show_masks\nshow_masks(model, x=x_val)'));
    ok(
      s.run(
        'from rnnlab import *\nshow_masks(model, x_train)\nprint(datasets.sine(samples=4)[0][0].shape)',
      ),
    );
    assert.equal(masksOf(s.messages).length, 2);
  });

  test('a Sequential completed in the same cell is shown whole', () => {
    const s = session();
    ok(
      s.run(
        'import keras\nimport rnnlab\nfrom rnnlab import datasets\n(x, y), _ = datasets.sine(samples=8, timesteps=6)\nm = keras.Sequential()\nm.add(keras.Input(shape=(6, 1)))\nm.add(keras.layers.SpatialDropout1D(0.5))\nm.add(keras.layers.SimpleRNN(3, dropout=0.5))\nrnnlab.show_masks(m, x)',
      ),
    );
    const [out] = masksOf(s.messages);
    assert.deepEqual(
      out!.masks.map((m) => m.kind),
      ['SpatialDropout1D', 'dropout'],
    );
  });

  test('the next fit is as without it: the same weights, the same masks', () => {
    // Its first batch's loss depends on the weights, every batch's on the masks drawn.
    const fit = 'model.fit(x_train, y_train, epochs=2, batch_size=32)';
    const plain = session(5);
    ok(plain.run(SETUP));
    ok(plain.run(fit));
    const shown = session(5);
    ok(shown.run(SETUP));
    ok(
      shown.run(
        'import rnnlab\nrnnlab.show_masks(model, x_train)\nrnnlab.show_masks(model, x_val)',
      ),
    );
    ok(shown.run(fit));
    const losses = (ms: FromWorker[]) =>
      displays(ms).flatMap((m) =>
        RUN_MIME in m.data ? [(m.data[RUN_MIME] as RunOutput).batchLoss] : [],
      );
    assert.equal(losses(plain.messages).length, 1);
    assert.deepEqual(losses(shown.messages), losses(plain.messages));
  });

  test('clear errors: not a model, not an array, wrong shape, no dropout', () => {
    const s = session();
    ok(s.run(SETUP));
    const fail = (code: string) => {
      const r = s.run(`import rnnlab\n${code}`);
      assert.equal(r.type, 'failed', code);
      return (r as Failed).message;
    };
    assert.match(fail('rnnlab.show_masks(3, x_train)'), /model must be a Keras model, got 3/);
    assert.match(fail('rnnlab.show_masks(model, 3)'), /x must be a data array/);
    assert.match(fail('rnnlab.show_masks(model, x_train, 1)'), /too many positional arguments/);
    assert.match(
      fail('rnnlab.show_masks(model, datasets.parity(samples=8, timesteps=5)[0][0])'),
      /expects inputs of shape \(None, 12, 1\)/,
    );
    assert.match(
      fail(
        'm = keras.Sequential([keras.Input(shape=(12, 1)), layers.LSTM(2)])\nrnnlab.show_masks(m, x_train)',
      ),
      /applies no dropout mask in training/,
    );
  });
});
