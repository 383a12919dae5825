/** SH201-SH204: shape problems Keras reports when the model is built (fact 8), or Keras 3 before. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import {
  checkFixes,
  checkNoqa,
  codes,
  findings,
  IMPORTS,
  lineAt,
  lineOf,
  one,
  seq,
  show,
  silent,
  spanText,
  threeWays,
  type Opts,
  includesAll,
  TF,
} from './lint-helpers';

/** The only findings are the given codes (in position order). */
function onlyCodes(src: string, expected: string[], opts: Opts = {}): void {
  const fs = findings(src, opts);
  assert.deepEqual(
    fs.map((f) => f.code),
    expected,
    show(fs, src),
  );
}

describe('SH201 recurrent-input-not-sequence', () => {
  const bad = threeWays('(50, 16)', ['layers.LSTM(64)', 'layers.LSTM(32)', 'layers.Dense(1)']);
  for (const [spelling, src] of bad) {
    test(`LSTM on LSTM without return_sequences (${spelling})`, () => {
      const f = one(src, 'SH201');
      assert.equal(f.severity, 'error');
      assert.equal(spanText(src, f), 'layers.LSTM(32)');
      includesAll(f.message, ['expected ndim=3, found ndim=2', '(None, 64)', 'lstm', 'LSTM']);
      assert.ok(
        f.related.some((r) => spanText(src, r) === 'layers.LSTM(64)'),
        'the layer that dropped the time axis is a related range',
      );
      onlyCodes(src, ['SH201']);
    });
    test(`fix adds return_sequences=True to the layer that dropped the time axis (${spelling})`, () => {
      const [r, ...rest] = checkFixes(src, 'SH201');
      assert.equal(rest.length, 0);
      assert.equal(r!.isPreferred, true);
      assert.ok(r!.text.includes('layers.LSTM(64, return_sequences=True)'), r!.text);
      assert.ok(r!.text.includes('layers.LSTM(32)'), 'the receiving layer is left alone');
    });
  }

  const receivers: Array<[string, string]> = [
    ['layers.GRU(8)', 'GRU'],
    ['layers.SimpleRNN(8)', 'SimpleRNN'],
    ['layers.Bidirectional(layers.LSTM(8))', 'Bidirectional'],
    ["layers.Conv1D(8, 3, activation='relu')", 'Conv1D'],
    ['layers.MaxPooling1D(2)', 'MaxPooling1D'],
    ['layers.AveragePooling1D(2)', 'AveragePooling1D'],
    ['layers.GlobalAveragePooling1D()', 'GlobalAveragePooling1D'],
    ['layers.GlobalMaxPooling1D()', 'GlobalMaxPooling1D'],
    ['layers.TimeDistributed(layers.Dense(8))', 'TimeDistributed'],
  ];
  for (const [call, type] of receivers) {
    test(`${type} receiving rank 2 after GRU(64)`, () => {
      const src = seq('(50, 16)', ['layers.GRU(64)', call, 'layers.Flatten()', 'layers.Dense(1)']);
      const f = one(src, 'SH201');
      assert.equal(spanText(src, f), call);
      includesAll(f.message, [type, 'expected ndim=3, found ndim=2', '(None, 64)', 'gru']);
      const [r] = checkFixes(src, 'SH201');
      assert.ok(r!.text.includes('layers.GRU(64, return_sequences=True)'), r!.text);
    });
  }

  test('an explicit return_sequences=False is replaced, not duplicated', () => {
    const src = seq('(50, 16)', ['layers.LSTM(64, return_sequences=False)', 'layers.LSTM(8)']);
    const [r] = checkFixes(src, 'SH201');
    assert.ok(r!.text.includes('layers.LSTM(64, return_sequences=True)'), r!.text);
  });

  test('Bidirectional dropper: the fix edits the wrapped call', () => {
    const src = seq('(50, 16)', [
      'layers.Bidirectional(layers.LSTM(64))',
      'layers.LSTM(8)',
      'layers.Dense(1)',
    ]);
    includesAll(one(src, 'SH201').message, ['(None, 128)', 'bidirectional']);
    const [r] = checkFixes(src, 'SH201');
    assert.ok(
      r!.text.includes('layers.Bidirectional(layers.LSTM(64, return_sequences=True))'),
      r!.text,
    );
  });

  test('the search for the dropper passes through shape-preserving layers', () => {
    const src = seq('(50, 16)', [
      'layers.LSTM(64)',
      'layers.BatchNormalization()',
      'layers.LSTM(32)',
      'layers.Dense(1)',
    ]);
    const f = one(src, 'SH201');
    assert.ok(f.related.some((r) => spanText(src, r) === 'layers.LSTM(64)'));
    checkFixes(src, 'SH201');
    const viaDropout = seq('(50, 16)', [
      'layers.GRU(64)',
      'layers.Dropout(0.2)',
      'layers.GRU(32)',
      'layers.Dense(1)',
    ]);
    includesAll(one(viaDropout, 'SH201').message, ['gru']);
  });

  test('after SH201, no cascade downstream', () => {
    onlyCodes(
      seq('(50, 16)', [
        'layers.LSTM(64)',
        'layers.LSTM(32)',
        'layers.LSTM(16)',
        'layers.Dropout(0.2)',
        'layers.SpatialDropout1D(0.2)',
        'layers.GRU(8)',
        'layers.Conv1D(4, 3)',
        'layers.Dense(1)',
      ]),
      ['SH201'],
    );
    onlyCodes(
      seq('(50, 16)', [
        'layers.GRU(64)',
        'layers.Conv1D(8, 3)',
        'layers.Dropout(0.5)',
        'layers.LSTM(8)',
        'layers.Dense(1)',
      ]),
      ['SH201'],
    );
  });

  test('a loop adding the same layer three times reports once', () => {
    const src = `${IMPORTS}\ndef build(n):\n    model = keras.Sequential([keras.Input(shape=(50, 16))])\n    for _ in range(n):\n        model.add(layers.LSTM(32))\n    model.add(layers.Dense(1))\n    return model\n\nmodel = build(3)\n`;
    onlyCodes(src, ['SH201']);
  });

  describe('silent on good forms', () => {
    const good: Record<string, string> = {
      'return_sequences=True stack': seq('(50, 16)', [
        'layers.LSTM(64, return_sequences=True)',
        'layers.LSTM(32)',
        'layers.Dense(1)',
      ]),
      'Conv1D on the input sequence': seq('(50, 16)', [
        "layers.Conv1D(32, 5, activation='relu')",
        'layers.MaxPooling1D(2)',
        'layers.GRU(16)',
        'layers.Dense(1)',
      ]),
      'unknown input shape': `${IMPORTS}\nmodel = keras.Sequential([\n    layers.LSTM(64),\n    layers.LSTM(32),\n])\n`,
      'return_state states are rank 2 and feed Dense only': `${IMPORTS}\ninputs = keras.Input(shape=(50, 16))\nout, h, c = layers.LSTM(32, return_state=True)(inputs)\noutputs = layers.Dense(1)(layers.Concatenate()([h, c]))\nmodel = keras.Model(inputs, outputs)\n`,
    };
    for (const [name, src] of Object.entries(good)) test(name, () => silent(src, 'SH201'));
  });

  test('# noqa (single and multi-line)', () => {
    checkNoqa(bad[0]![1], 'SH201', 'layers.LSTM(32)');
    checkNoqa(bad[2]![1], 'SH201', 'layers.LSTM(32)');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.LSTM(64),\n    layers.GRU(\n        32,\n    ),\n])\n`;
    const f = one(multi, 'SH201');
    assert.equal(lineAt(multi, f.anchor), lineOf(multi, 'layers.GRU('));
    checkNoqa(multi, 'SH201', 'layers.GRU(');
  });
});

describe('SH202 unroll-needs-fixed-length', () => {
  const bad = threeWays('(None, 16)', ['layers.LSTM(32, unroll=True)', 'layers.Dense(1)']);
  for (const [spelling, src] of bad) {
    test(`unroll=True with a variable length (${spelling})`, () => {
      const f = one(src, 'SH202');
      assert.equal(f.severity, 'error');
      assert.equal(spanText(src, f), 'unroll=True');
      includesAll(f.message, ['LSTM(unroll=True)', '(None, None, 16)']);
      assert.deepEqual(codes(src).sort(), ['CU302', 'SH202']);
    });
    test(`fix removes unroll and is clean (${spelling})`, () => {
      const [r] = checkFixes(src, 'SH202');
      assert.equal(r!.isPreferred, true);
      assert.ok(r!.text.includes('layers.LSTM(32)'), r!.text);
      assert.deepEqual(r!.after, []);
    });
  }

  test('input_shape=(None, F) on the layer (model.add) and Bidirectional (functional)', () => {
    const add = `${IMPORTS}\nmodel = keras.Sequential()\nmodel.add(layers.GRU(64, unroll=True, input_shape=(None, 16)))\nmodel.add(layers.Dense(1))\n`;
    includesAll(one(add, 'SH202').message, ['GRU(unroll=True)', '(None, None, 16)']);
    checkFixes(add, 'SH202');
    const bi = `${IMPORTS}\ninputs = keras.Input(shape=(None, 16))\nx = layers.Bidirectional(layers.LSTM(64, unroll=True))(inputs)\noutputs = layers.Dense(1)(x)\nmodel = keras.Model(inputs, outputs)\n`;
    one(bi, 'SH202');
    const [r] = checkFixes(bi, 'SH202');
    assert.ok(r!.text.includes('layers.Bidirectional(layers.LSTM(64))'), r!.text);
  });

  test('silent with a fixed length, without unroll, or with an unknown shape', () => {
    silent(seq('(50, 16)', ['layers.LSTM(32, unroll=True)', 'layers.Dense(1)']), 'SH202');
    silent(seq('(None, 16)', ['layers.LSTM(32, unroll=False)', 'layers.Dense(1)']), 'SH202');
    silent(`${IMPORTS}\nmodel = keras.Sequential([layers.LSTM(32, unroll=True)])\n`, 'SH202');
  });

  test('# noqa', () => {
    checkNoqa(bad[0]![1], 'SH202', 'layers.LSTM(');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(None, 16)),\n    layers.GRU(\n        32,\n        unroll=True,\n    ),\n])\n`;
    checkNoqa(multi, 'SH202', 'layers.GRU(');
  });
});

describe('SH203 shapes-unknown', () => {
  const list = `${IMPORTS}\nmodel = keras.Sequential([\n    layers.LSTM(32),\n    layers.Dense(1),\n], name='forecaster')\n`;
  const add = `${IMPORTS}\nmodel = keras.Sequential(name='forecaster')\nmodel.add(layers.LSTM(32))\nmodel.add(layers.Dense(1))\n`;
  for (const [spelling, src] of [
    ['Sequential list', list],
    ['model.add', add],
  ] as const) {
    test(`no Input and no input_shape (${spelling})`, () => {
      const f = one(src, 'SH203');
      assert.equal(f.severity, 'info');
      includesAll(f.message, ['forecaster']);
      assert.equal(lineAt(src, f.anchor), lineOf(src, 'keras.Sequential('));
      assert.deepEqual(codes(src), ['SH203']);
    });
  }

  test('fix adds keras.Input and is clean (Sequential list)', () => {
    const [r] = checkFixes(list, 'SH203');
    assert.equal(r!.isPreferred, true);
    assert.ok(r!.text.includes('keras.Input(shape='), r!.text);
    const model = analyze(r!.text).models[0]!;
    assert.equal(model.inputSource, 'Input');
    assert.ok(model.calls.every((c) => c.issue === null));
  });

  test('fix before an Embedding: the Input is rank 2 (token ids), and the model builds', () => {
    const src = seqNoInput(['layers.Embedding(1000, 64)', 'layers.LSTM(32)', 'layers.Dense(1)']);
    const [r] = checkFixes(src, 'SH203');
    const model = analyze(r!.text).models[0]!;
    assert.equal(model.inputSource, 'Input');
    assert.deepEqual(
      model.calls.filter((c) => c.issue !== null).map((c) => c.issue!.message),
      [],
      r!.text,
    );
    assert.equal(model.calls.find((c) => c.layer.type === 'LSTM')!.inputs[0]!.shape!.length, 3);
  });

  test('keras3: Embedding(input_length=) is only a hint', () => {
    for (const src of [
      seqNoInput([
        'layers.Embedding(1000, 64, input_length=100)',
        'layers.LSTM(32)',
        'layers.Dense(1)',
      ]),
      `${IMPORTS}\nmodel = keras.Sequential()\nmodel.add(layers.Embedding(1000, 64, input_length=100))\nmodel.add(layers.LSTM(32))\nmodel.add(layers.Dense(1))\n`,
    ]) {
      const f = one(src, 'SH203');
      assert.equal(f.severity, 'info');
      assert.equal(spanText(src, f), 'input_length=100');
      includesAll(f.message, ['input_length=100']);
      const [r] = checkFixes(src, 'SH203');
      assert.ok(r!.text.includes('Input(shape=(100,))'), r!.text);
      assert.ok(!r!.text.includes('input_length'), r!.text);
      const model = analyze(r!.text).models[0]!;
      assert.equal(model.inputSource, 'Input');
      assert.deepEqual(model.calls.find((c) => c.layer.type === 'LSTM')!.inputs[0]!.shape, [
        null,
        100,
        64,
      ]);
    }
  });

  test('tf-keras2 honours Embedding(input_length=): silent', () => {
    const src = seqNoInput(
      ['layers.Embedding(1000, 64, input_length=100)', 'layers.LSTM(32)', 'layers.Dense(1)'],
      TF,
    );
    silent(src, 'SH203', { target: 'tf-keras2' });
  });

  describe('silent where the input shape is known', () => {
    const good: Record<string, string> = {
      'keras.Input': seq('(50, 16)', ['layers.LSTM(32)', 'layers.Dense(1)']),
      'input_shape on the first layer': seqNoInput([
        'layers.LSTM(32, input_shape=(50, 16))',
        'layers.Dense(1)',
      ]),
      'model.build(...)': `${IMPORTS}\nmodel = keras.Sequential()\nmodel.add(layers.LSTM(32))\nmodel.add(layers.Dense(1))\nmodel.build((None, 50, 16))\n`,
      functional: threeWays('(50, 16)', ['layers.LSTM(32)', 'layers.Dense(1)'])[2]![1],
    };
    for (const [name, src] of Object.entries(good)) test(name, () => silent(src, 'SH203'));
  });

  test('# noqa on the line of the model constructor', () => {
    checkNoqa(list, 'SH203', 'keras.Sequential(');
    checkNoqa(add, 'SH203', 'keras.Sequential(');
  });
});

function seqNoInput(layerCalls: string[], head: string = IMPORTS): string {
  return `${head}\nmodel = keras.Sequential([\n${layerCalls.map((l) => `    ${l},\n`).join('')}])\n`;
}

/**
 * Confirmed linter bugs (RULES.md violations). Each case asserts the correct behaviour; the test
 * below checks that it still fails. Move a case back into the regular tests once it is fixed.
 */
const FIXED_LINTER_BUGS: Array<{ name: string; check: () => void }> = [
  {
    name: 'SH201 message does not name a non-recurrent layer that dropped the time axis (GlobalAveragePooling1D)',
    check: () => {
      const src = seq('(50, 16)', ['layers.GlobalAveragePooling1D()', 'layers.LSTM(8)']);
      const f = one(src, 'SH201');
      includesAll(f.message, ['global_average_pooling1d']);
    },
  },
];

describe('regressions: linter bugs found by these tests, now fixed', () => {
  for (const bug of FIXED_LINTER_BUGS) test(`fixed: ${bug.name}`, bug.check);
});

describe('SH204 keras3-rejects-batch-shape-argument', () => {
  const KERAS2 = 'from keras.models import Sequential\nfrom keras.layers import LSTM, Dense\n';
  const stateful = `${KERAS2}\nmodel = Sequential()\nmodel.add(LSTM(4, batch_input_shape=(1, 3, 1), stateful=True))\nmodel.add(Dense(1))\n`;
  const listed = `${IMPORTS}\nmodel = keras.Sequential([\n    layers.LSTM(8, batch_size=16, input_shape=(10, 2)),\n    layers.Dense(1),\n])\n`;

  /** The fixed text compiles as Python (python3 -m py_compile). */
  function compiles(text: string): void {
    const dir = mkdtempSync(join(tmpdir(), 'sh204-'));
    try {
      const file = join(dir, 'fixed.py');
      writeFileSync(file, text);
      execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test("batch_input_shape= on the first layer: an error naming Keras 3's ValueError", () => {
    const f = one(stateful, 'SH204');
    assert.equal(f.severity, 'error');
    assert.equal(spanText(stateful, f), 'batch_input_shape=(1, 3, 1)');
    includesAll(f.message, ['batch_input_shape=', 'Unrecognized keyword arguments passed to LSTM']);
    assert.deepEqual(codes(stateful), ['SH204']);
  });

  test('fix: an Input with the same batch shape takes over, imported from the same module', () => {
    const [r] = checkFixes(stateful, 'SH204');
    assert.equal(r!.isPreferred, true);
    assert.ok(r!.text.includes('from keras.layers import Input\n'), r!.text);
    assert.ok(r!.text.includes('model.add(Input(batch_shape=(1, 3, 1)))\n'), r!.text);
    assert.ok(r!.text.includes('model.add(LSTM(4, stateful=True))'), r!.text);
    compiles(r!.text);
    const model = analyze(r!.text).models[0]!;
    assert.equal(model.inputSource, 'Input');
    assert.deepEqual(model.calls[0]!.outputs[0]!.shape, [1, 4], 'the batch size is kept');
  });

  test('batch_size= with input_shape= in a list: Input(shape=..., batch_size=...)', () => {
    one(listed, 'SH204');
    const [r] = checkFixes(listed, 'SH204');
    assert.ok(
      r!.text.includes('layers.Input(shape=(10, 2), batch_size=16), layers.LSTM(8),'),
      r!.text,
    );
    compiles(r!.text);
    assert.deepEqual(analyze(r!.text).models[0]!.calls[0]!.outputs[0]!.shape, [16, 8]);
  });

  test('input_dim= with input_length= on a recurrent layer (Keras 1 style)', () => {
    const src = `${KERAS2}\nmodel = Sequential([LSTM(8, input_dim=3, input_length=10), Dense(1)])\n`;
    const f = one(src, 'SH204');
    assert.equal(spanText(src, f), 'input_length=10');
    const [r] = checkFixes(src, 'SH204');
    assert.ok(r!.text.includes('Sequential([Input(shape=(10, 3)), LSTM(8), Dense(1)])'), r!.text);
    compiles(r!.text);
  });

  test('on a layer that does not declare the input: remove the argument', () => {
    const src = `${IMPORTS}\ninputs = keras.Input((10, 2))\nx = layers.LSTM(8, batch_size=16)(inputs)\nmodel = keras.Model(inputs, layers.Dense(1)(x))\n`;
    const [r] = checkFixes(src, 'SH204');
    assert.equal(r!.title, 'Remove batch_size=');
    assert.ok(r!.text.includes('layers.LSTM(8)(inputs)'), r!.text);
    compiles(r!.text);
  });

  test('keras3 only; silent for input_shape, input_dim, Embedding(input_length=), Input(batch_size=)', () => {
    // `from keras...` means Keras 3 whatever the project says; tensorflow.keras follows it.
    const tfKeras = stateful.replace(/from keras\./g, 'from tensorflow.keras.');
    one(tfKeras, 'SH204');
    silent(tfKeras, 'SH204', { target: 'tf-keras2' });
    silent(tfKeras, 'SH204', { target: 'tfjs' });
    silent(
      stateful.replace('from keras.', 'from tf_keras.').replace('from keras.', 'from tf_keras.'),
      'SH204',
    );
    for (const ok of [
      seqNoInput(['layers.LSTM(8, input_shape=(10, 2))', 'layers.Dense(1)']),
      seqNoInput(['layers.Dense(8, input_dim=4)', 'layers.Dense(1)']),
      seqNoInput(['layers.Embedding(100, 8, input_length=10)', 'layers.LSTM(4)']),
      `${IMPORTS}\nmodel = keras.Sequential([keras.Input(shape=(10, 2), batch_size=16), layers.LSTM(8)])\n`,
      `${IMPORTS}\nclass Custom(layers.Layer):\n    pass\nmodel = keras.Sequential([keras.Input((4,)), Custom(batch_size=2)])\n`,
    ])
      silent(ok, 'SH204');
  });

  test('# noqa on the line of the layer', () => {
    checkNoqa(stateful, 'SH204', 'LSTM(4');
  });
});
