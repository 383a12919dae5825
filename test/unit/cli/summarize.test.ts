/** `rnnlab summary` through `main(argv, out)`: JSON shape, files and folders, notebooks, bad input. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { main } from '../../../cli/main';
import { writeTree } from '../helpers';

interface Run {
  code: number;
  stdout: string;
  /** One entry per `out.err` call. */
  errors: string[];
}

function cli(...args: string[]): Run {
  const stdout: string[] = [];
  const errors: string[] = [];
  const code = main(args, { log: (t) => stdout.push(t), err: (t) => errors.push(t) }) as number;
  return { code, stdout: stdout.join('\n'), errors };
}

interface JsonLayer {
  name: string;
  type: string;
  outputShape: string;
  params: number | null;
  trainableParams: number | null;
  /** Why `params` is unknown; null when known. */
  reason: string | null;
}
interface JsonModel {
  name: string;
  file: string;
  cell?: number;
  line: number;
  layers: JsonLayer[];
  totalParams: number | null;
  trainableParams: number | null;
  nonTrainableParams: number | null;
  /** Why the totals are unknown; null when known. */
  reason: string | null;
  /** Keras 3 prints this model unbuilt (the figures come from a hint it ignores): why; else null. */
  unbuilt: string | null;
}

function json(...args: string[]): { run: Run; models: JsonModel[] } {
  const run = cli('summary', '--format', 'json', ...args);
  const parsed = JSON.parse(run.stdout) as { models: JsonModel[] };
  assert.deepEqual(Object.keys(parsed), ['models']);
  return { run, models: parsed.models };
}

// Every folder of these tests lives under one root, removed at the end (also after a failure).
const root = mkdtempSync(join(tmpdir(), 'rnnlab-summary-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A fresh temp folder holding the given files (string or raw bytes). */
const folder = (files: Record<string, string | Buffer>) => writeTree(root, files);

// Parameter counts by hand: LSTM 4u(in+u+1), Dense u*in+u, GRU (reset_after) 3u(in+u+2),
// SimpleRNN u(in+u+1).
const LSTM_MODEL = `from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential(name="tiny_lstm")
model.add(keras.Input(shape=(20, 3)))
model.add(layers.LSTM(16))
model.add(layers.Dense(4))

inputs = keras.Input(shape=(None, 8))
x = layers.LSTM(32, return_sequences=True)(inputs)
x = layers.LSTM(32)(x)
outputs = layers.Dense(1)(x)
stacked = keras.Model(inputs, outputs)
`;
const LSTM_16 = 4 * 16 * (3 + 16 + 1); // 1,280
const DENSE_4 = 16 * 4 + 4; // 68
const LSTM_32_A = 4 * 32 * (8 + 32 + 1); // 5,248
const LSTM_32_B = 4 * 32 * (32 + 32 + 1); // 8,320
const DENSE_1 = 32 * 1 + 1; // 33

const MODEL_KEYS = [
  'name',
  'file',
  'line',
  'layers',
  'totalParams',
  'trainableParams',
  'nonTrainableParams',
  'reason',
  'unbuilt',
];

describe('rnnlab summary', () => {
  test('--format json gives the documented shape with hand-computed parameter counts', () => {
    const dir = folder({ 'lstm.py': LSTM_MODEL });
    const file = join(dir, 'lstm.py');
    const { run, models } = json(file);
    assert.equal(run.code, 0);
    assert.deepEqual(run.errors, []);
    assert.equal(models.length, 2);

    const [seq, fn] = models as [JsonModel, JsonModel];
    assert.deepEqual(Object.keys(seq), MODEL_KEYS);
    for (const layer of [...seq.layers, ...fn.layers]) {
      assert.deepEqual(Object.keys(layer), [
        'name',
        'type',
        'outputShape',
        'params',
        'trainableParams',
        'reason',
      ]);
    }
    assert.deepEqual(seq, {
      name: 'tiny_lstm',
      file,
      line: 4,
      layers: [
        {
          name: 'lstm',
          type: 'LSTM',
          outputShape: '(None, 16)',
          params: LSTM_16,
          trainableParams: LSTM_16,
          reason: null,
        },
        {
          name: 'dense',
          type: 'Dense',
          outputShape: '(None, 4)',
          params: DENSE_4,
          trainableParams: DENSE_4,
          reason: null,
        },
      ],
      totalParams: 1_348,
      trainableParams: 1_348,
      nonTrainableParams: 0,
      reason: null,
      unbuilt: null,
    });
    assert.equal(LSTM_16 + DENSE_4, 1_348);

    assert.equal(fn.line, 13);
    assert.deepEqual(
      fn.layers.map((l) => [l.type, l.outputShape, l.params]),
      [
        ['InputLayer', '(None, None, 8)', 0],
        ['LSTM', '(None, None, 32)', LSTM_32_A],
        ['LSTM', '(None, 32)', LSTM_32_B],
        ['Dense', '(None, 1)', DENSE_1],
      ],
    );
    assert.equal(fn.totalParams, 13_601);
    assert.equal(fn.trainableParams, 13_601);
    assert.equal(LSTM_32_A + LSTM_32_B + DENSE_1, 13_601);
  });

  test('--format json says why each unknown count is unknown, per model and per row', () => {
    const dir = folder({
      'opaque.py': `import keras
from keras import layers

class Attention(layers.Layer):
    def call(self, x):
        return x

inputs = keras.Input(shape=(30, 8))
x = layers.LSTM(16, return_sequences=True)(inputs)
x = Attention()(x)
x = layers.GlobalAveragePooling1D()(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)

free = keras.Sequential([layers.LSTM(8), layers.Dense(1)])
`,
    });
    const { run, models } = json(join(dir, 'opaque.py'));
    assert.equal(run.code, 0);
    const [model, free] = models as [JsonModel, JsonModel];
    assert.equal(model.totalParams, null);
    assert.match(model.reason ?? '', /^attention \(Attention\): /);
    const attention = model.layers.find((l) => l.type === 'Attention')!;
    assert.equal(attention.params, null);
    assert.match(attention.reason ?? '', /custom layer|does not model/);
    // The LSTM before it is known: 4*16*(8+16+1) = 1,600.
    const lstm = model.layers.find((l) => l.type === 'LSTM')!;
    assert.deepEqual([lstm.params, lstm.reason], [1_600, null]);
    // No input shape at all: every count that needs one is unknown for that reason.
    assert.equal(free.totalParams, null);
    assert.equal(free.reason, 'an input size is unknown');
    assert.deepEqual(
      free.layers.map((l) => l.reason),
      ['an input size is unknown', 'an input size is unknown'],
    );
  });

  test('--format json carries the Keras 3 unbuilt note (input_length only), null under Keras 2', () => {
    const body = `model = Sequential()
model.add(Embedding(5000, 32, input_length=80))
model.add(LSTM(16))
model.add(Dense(1, activation="sigmoid"))
`;
    const dir = folder({
      'k3.py': `from keras.models import Sequential\nfrom keras.layers import Embedding, LSTM, Dense\n${body}`,
      'k2.py': `from keras.models import Sequential\nfrom keras.layers import Dense, LSTM\nfrom keras.layers.embeddings import Embedding\n${body}`,
    });
    const [k3] = json(join(dir, 'k3.py')).models as [JsonModel];
    const [k2] = json(join(dir, 'k2.py')).models as [JsonModel];
    assert.match(k3.unbuilt ?? '', /^Keras 3 prints this model unbuilt .*input_length=80/);
    assert.equal(k2.unbuilt, null);
    // Embedding 5000*32 = 160,000; LSTM 4*16*(32+16+1) = 3,136; Dense 17: 163,153 both ways.
    assert.equal(k3.totalParams, 163_153);
    assert.equal(k2.totalParams, 163_153);
  });

  test('--target keras2-multibackend (or [tool.rnnlab]) gives GRU reset_after=False counts', () => {
    const src = `from keras.models import Sequential
from keras.layers import GRU, Dense
model = Sequential([GRU(32, input_shape=(10, 8)), Dense(1)])
`;
    const dir = folder({ 'gru.py': src });
    const file = join(dir, 'gru.py');
    // GRU(32) on 8 features: reset_after=True 3*32*(8+32+2) = 4,032; False 3*32*(8+32+1) = 3,936.
    assert.equal(json(file).models[0]!.layers[0]!.params, 4_032);
    assert.equal(json('--target', 'keras2-multibackend', file).models[0]!.layers[0]!.params, 3_936);
    const project = folder({
      'pyproject.toml': '[tool.rnnlab]\ntarget = "keras2-multibackend"\n',
      'gru.py': src,
    });
    assert.equal(json(join(project, 'gru.py')).models[0]!.layers[0]!.params, 3_936);
    const bad = cli('summary', '--target', 'keras1', file);
    assert.equal(bad.code, 2);
    assert.match(
      bad.errors.join('\n'),
      /--target must be one of keras3, tf-keras2, keras2-multibackend, tfjs/,
    );
  });

  test('text format prints Keras-style tables with the same totals', () => {
    const dir = folder({ 'lstm.py': LSTM_MODEL });
    const run = cli('summary', join(dir, 'lstm.py'));
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Model: "tiny_lstm"$/m);
    assert.match(run.stdout, /│ lstm \(LSTM\) +│ \(None, 16\) +│ +1,280 │/);
    assert.match(run.stdout, /Total params: 1,348 \(5\.27 KB\)/);
    assert.match(run.stdout, /Total params: 13,601 /);
  });

  test('a folder finds .py and .ipynb files, skipping node_modules, .venv and virtualenvs', () => {
    const model = 'import keras\nm = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])\n';
    const notebook = JSON.stringify({
      cells: [{ cell_type: 'code', source: model, metadata: {}, outputs: [] }],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    });
    const dir = folder({
      'a.py': model,
      'sub/deeper/b.py': model,
      'c.ipynb': notebook,
      'notes.txt': model,
      'node_modules/pkg/d.py': model,
      '.venv/lib/e.py': model,
      'myenv/pyvenv.cfg': 'home = /usr/bin\n',
      'myenv/lib/f.py': model,
    });
    const { run, models } = json(dir);
    assert.equal(run.code, 0);
    assert.deepEqual(models.map((m) => m.file).sort(), [
      join(dir, 'a.py'),
      join(dir, 'c.ipynb'),
      join(dir, 'sub/deeper/b.py'),
    ]);
    for (const m of models) assert.equal(m.totalParams, 3 * 2 + 2);
  });

  test('a missing path exits 2 and names the path', () => {
    const missing = join(tmpdir(), 'rnnlab-no-such-dir', 'model.py');
    const run = cli('summary', missing);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.ok(run.errors.join('\n').includes(missing), run.errors.join('\n'));
  });

  test('an unknown option exits 2', () => {
    const dir = folder({ 'lstm.py': LSTM_MODEL });
    const run = cli('summary', '--colour', 'always', join(dir, 'lstm.py'));
    assert.equal(run.code, 2);
    assert.match(run.errors.join('\n'), /unknown option --colour/);
    const bad = cli('summary', '--format', 'yaml', join(dir, 'lstm.py'));
    assert.equal(bad.code, 2);
    assert.match(bad.errors.join('\n'), /--format must be one of text, json/);
  });

  test('notebooks report the 1-based cell and the line within it (list and string sources)', () => {
    const nb = {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Two models\n', 'Some prose.\n'] },
        {
          cell_type: 'code',
          metadata: {},
          outputs: [],
          source: [
            'import keras\n',
            'from keras import layers\n',
            '\n',
            'a = keras.Sequential([keras.Input((5, 2)), layers.SimpleRNN(3)], name="a")\n',
          ],
        },
        {
          cell_type: 'code',
          metadata: {},
          outputs: [],
          source:
            '%matplotlib inline\nb = keras.Sequential(name="b")\nb.add(keras.Input((10, 4)))\nb.add(layers.GRU(8))\n',
        },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    const dir = folder({ 'two.ipynb': JSON.stringify(nb, null, 1) });
    const { run, models } = json(join(dir, 'two.ipynb'));
    assert.equal(run.code, 0);
    assert.deepEqual(run.errors, []);
    assert.deepEqual(
      models.map((m) => [m.name, m.cell, m.line, m.totalParams]),
      [
        ['a', 2, 4, 3 * (2 + 3 + 1)],
        ['b', 3, 2, 3 * 8 * (4 + 8 + 2)],
      ],
    );
    assert.deepEqual(Object.keys(models[0]!), ['name', 'file', 'cell', ...MODEL_KEYS.slice(2)]);
  });

  describe('unreadable input: one line on stderr, no crash, exit 0', () => {
    const oneLine = (run: Run) => {
      assert.equal(run.code, 0, run.errors.join('\n'));
      assert.equal(run.errors.length, 1, run.errors.join('\n'));
      assert.doesNotMatch(run.errors[0]!.trimEnd(), /\n/);
      assert.doesNotMatch(run.errors[0]!, /internal error/);
    };

    test('a binary file', () => {
      const dir = folder({ 'weights.py': Buffer.from([0x89, 0x48, 0x44, 0x46, 0, 0, 1, 2, 0xff]) });
      const run = cli('summary', join(dir, 'weights.py'));
      oneLine(run);
      assert.match(run.errors[0]!, /weights\.py: skipped: binary file/);
      assert.equal(run.stdout, 'No Keras models found.');
    });

    test('a file that is not UTF-8 is still analysed, with a warning', () => {
      const latin1 = Buffer.concat([
        Buffer.from('# caf'),
        Buffer.from([0xe9]),
        Buffer.from('\nimport keras\nm = keras.Sequential([keras.layers.Dense(2, input_dim=3)])\n'),
      ]);
      const dir = folder({ 'latin1.py': latin1 });
      const { run, models } = json(join(dir, 'latin1.py'));
      oneLine(run);
      assert.match(run.errors[0]!, /latin1\.py: not valid UTF-8/);
      assert.equal(models.length, 1);
      assert.equal(models[0]!.totalParams, 8);
    });

    test('a notebook that is not valid JSON', () => {
      const dir = folder({ 'broken.ipynb': '{"cells": [{"cell_type": "code", "source": "x = 1' });
      const run = cli('summary', join(dir, 'broken.ipynb'));
      oneLine(run);
      assert.match(
        run.errors[0]!,
        /broken\.ipynb: skipped: the notebook is not valid JSON at line 1 column 44: a string is not closed/,
      );
    });

    test('JSON that is not a notebook', () => {
      const dir = folder({ 'list.ipynb': '[1, 2, 3]' });
      const run = cli('summary', join(dir, 'list.ipynb'));
      oneLine(run);
      assert.match(
        run.errors[0]!,
        /list\.ipynb: skipped: the notebook is not an nbformat 4 notebook: the top level is a list/,
      );
    });

    test('an empty notebook file', () => {
      const dir = folder({ 'empty.ipynb': '' });
      const run = cli('summary', join(dir, 'empty.ipynb'));
      oneLine(run);
      assert.match(run.errors[0]!, /empty\.ipynb: skipped/);
    });

    test('an empty .py file: nothing to report, no crash', () => {
      const dir = folder({ 'empty.py': '' });
      const { run, models } = json(join(dir, 'empty.py'));
      assert.equal(run.code, 0);
      assert.ok(run.errors.length <= 1, run.errors.join('\n'));
      assert.deepEqual(models, []);
    });

    test('bad files do not hide the good ones in the same folder', () => {
      const dir = folder({
        'a_binary.py': Buffer.from([0, 1, 2, 3]),
        'b_broken.ipynb': '{',
        'c_good.py': LSTM_MODEL,
      });
      const { run, models } = json(dir);
      assert.equal(run.code, 0);
      assert.equal(run.errors.length, 2, run.errors.join('\n'));
      assert.deepEqual(
        models.map((m) => m.totalParams),
        [1_348, 13_601],
      );
    });

    test('regression: a half-typed `LSTM(32, return` does not abort the whole run', () => {
      const dir = folder({
        'a_typing.py': 'from keras import layers\nx = layers.LSTM(32, return',
        'b_good.py': LSTM_MODEL,
      });
      const run = cli('summary', '--format', 'json', dir);
      assert.equal(run.code, 0, run.errors.join('\n'));
      assert.doesNotMatch(run.errors.join('\n'), /internal error/);
      const models = (JSON.parse(run.stdout) as { models: JsonModel[] }).models;
      assert.equal(models.length, 2);
    });
  });
});
