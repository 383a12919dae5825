/** DR101-DR111: where dropout sits and what its mask really does (RULES.md facts 1-7). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import { summarize } from '../../../analyzer/summary';
import {
  checkFixes,
  checkNoqa,
  codes,
  fixNamed,
  IMPORTS,
  lineAt,
  lineOf,
  one,
  preferredTitle,
  seq,
  silent,
  spanText,
  threeWays,
  TF2,
  includesAll,
  TF,
} from './lint-helpers';

describe('DR101 dropout-mask-changes-every-timestep', () => {
  const bad = threeWays('(50, 128)', ['layers.Dropout(0.5)', 'layers.LSTM(64)', 'layers.Dense(1)']);
  for (const [spelling, src] of bad) {
    test(`fires on Dropout before LSTM (${spelling}) with the model's numbers`, () => {
      const f = one(src, 'DR101');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), 'layers.Dropout(0.5)');
      includesAll(f.message, ['Dropout(0.5)', '(None, 50, 128)', '50 timesteps', 'LSTM']);
      assert.ok(
        f.related.some((r) => spanText(src, r) === 'layers.LSTM(64)'),
        'the LSTM is a related range',
      );
      assert.deepEqual(codes(src), ['DR101']);
    });
    test(`fixes are clean and the move fix is preferred (${spelling})`, () => {
      const results = checkFixes(src, 'DR101');
      assert.equal(results.length, 3);
      const move = fixNamed(results, /dropout=0\.5/);
      assert.equal(move.isPreferred, true);
      assert.ok(move.text.includes('layers.LSTM(64, dropout=0.5)'), move.text);
      assert.ok(!move.text.includes('Dropout(0.5)'), move.text);
      const spatial = fixNamed(results, /SpatialDropout1D/);
      assert.equal(spatial.isPreferred, false);
      assert.ok(spatial.text.includes('layers.SpatialDropout1D(0.5)'), spatial.text);
      const noise = fixNamed(results, /noise_shape/);
      assert.equal(noise.isPreferred, false);
      assert.ok(noise.text.includes('layers.Dropout(0.5, noise_shape=(None, 1, 128))'), noise.text);
      assert.equal(results.filter((r) => r.isPreferred).length, 1);
    });
  }

  test('names each recurrent layer type', () => {
    for (const rnn of ['GRU', 'SimpleRNN']) {
      const src = seq('(50, 128)', ['layers.Dropout(0.5)', `layers.${rnn}(64)`, 'layers.Dense(1)']);
      includesAll(one(src, 'DR101').message, [`${rnn}(dropout=0.5)`, '(None, 50, 128)']);
    }
  });

  test('states the rate as the model computes it (keyword, variable)', () => {
    const src = `${IMPORTS}\nrate = 0.4\nmodel = keras.Sequential([\n    keras.Input(shape=(30, 8)),\n    layers.Dropout(rate=rate),\n    layers.GRU(16),\n])\n`;
    includesAll(one(src, 'DR101').message, [
      'Dropout(0.4)',
      '(None, 30, 8)',
      '30 timesteps',
      'GRU',
    ]);
  });

  test('Embedding(input_length=) is a shape hint for every target', () => {
    const body = `\nmodel = keras.Sequential([\n    layers.Embedding(5000, 64, input_length=100),\n    layers.Dropout(0.4),\n    layers.LSTM(32),\n    layers.Dense(1, activation='sigmoid'),\n])\n`;
    for (const [head, opts] of [
      [IMPORTS, {}],
      [TF, TF2],
      [TF, { target: 'tfjs' }],
    ] as const) {
      const src = `${head}${body}`;
      includesAll(one(src, 'DR101', opts).message, [
        'Dropout(0.4)',
        '(None, 100, 64)',
        '100 timesteps',
      ]);
    }
  });

  test('variable-length sequences: "every timestep"', () => {
    const src = seq('(None, 128)', ['layers.Dropout(0.25)', 'layers.GRU(64)', 'layers.Dense(1)']);
    includesAll(one(src, 'DR101').message, [
      'Dropout(0.25)',
      '(None, None, 128)',
      'every timestep',
    ]);
  });

  for (const between of [
    'layers.BatchNormalization()',
    'layers.LayerNormalization()',
    'layers.Masking()',
    'layers.GaussianNoise(0.1)',
    "layers.Activation('relu')",
    'layers.Dropout(0.1, noise_shape=(None, 1, 128))',
  ]) {
    test(`passes through shape-preserving ${between.replace(/\(.*/, '')}`, () => {
      const src = seq('(50, 128)', [
        'layers.Dropout(0.5)',
        between,
        'layers.LSTM(64)',
        'layers.Dense(1)',
      ]);
      const f = one(src, 'DR101');
      assert.equal(spanText(src, f), 'layers.Dropout(0.5)');
      checkFixes(src, 'DR101');
    });
  }

  test('Bidirectional(LSTM): the move fix edits the wrapped call', () => {
    const src = seq('(50, 128)', [
      'layers.Dropout(0.5)',
      'layers.Bidirectional(layers.LSTM(64))',
      'layers.Dense(1)',
    ]);
    includesAll(one(src, 'DR101').message, ['LSTM', '(None, 50, 128)']);
    const move = fixNamed(checkFixes(src, 'DR101'), /dropout=0\.5/);
    assert.ok(move.text.includes('layers.Bidirectional(layers.LSTM(64, dropout=0.5))'), move.text);
  });

  describe('silent on good forms', () => {
    const good: Record<string, string> = {
      'GRU(dropout=0.5)': seq('(50, 128)', ['layers.GRU(64, dropout=0.5)', 'layers.Dense(1)']),
      'LSTM(dropout=, recurrent_dropout=0)': seq('(50, 128)', [
        'layers.LSTM(64, dropout=0.3, recurrent_dropout=0)',
        'layers.Dense(1)',
      ]),
      'Dropout before Dense on rank 2': seq('(50, 128)', [
        'layers.LSTM(64)',
        'layers.Dropout(0.5)',
        'layers.Dense(1)',
      ]),
      SpatialDropout1D: seq('(50, 128)', [
        'layers.SpatialDropout1D(0.5)',
        'layers.LSTM(64)',
        'layers.Dense(1)',
      ]),
      'noise_shape=(None, 1, F)': seq('(50, 128)', [
        'layers.Dropout(0.5, noise_shape=(None, 1, 128))',
        'layers.LSTM(64)',
        'layers.Dense(1)',
      ]),
      'a sequence that feeds no recurrent layer': seq('(50, 128)', [
        'layers.LSTM(64, return_sequences=True)',
        'layers.Dropout(0.5)',
        'layers.TimeDistributed(layers.Dense(1))',
      ]),
      'Dense between Dropout and LSTM ends the search': seq('(50, 128)', [
        'layers.Dropout(0.5)',
        'layers.Dense(32)',
        'layers.LSTM(64)',
        'layers.Dense(1)',
      ]),
      'Conv1D between Dropout and LSTM ends the search': seq('(50, 128)', [
        'layers.Dropout(0.5)',
        "layers.Conv1D(32, 3, activation='relu')",
        'layers.LSTM(64)',
        'layers.Dense(1)',
      ]),
      'unknown input shape': `${IMPORTS}\nmodel = keras.Sequential([\n    layers.Dropout(0.5),\n    layers.LSTM(64),\n    layers.Dense(1),\n])\n`,
      'unknown input shape (model.add)': `${IMPORTS}\nmodel = keras.Sequential()\nmodel.add(layers.Dropout(0.5))\nmodel.add(layers.LSTM(64))\n`,
    };
    for (const [name, src] of Object.entries(good)) {
      test(name, () => silent(src, 'DR101'));
    }
  });

  test('no move fix when the recurrent layer already has a non-zero dropout=', () => {
    const src = seq('(50, 128)', [
      'layers.Dropout(0.5)',
      'layers.LSTM(64, dropout=0.2)',
      'layers.Dense(1)',
    ]);
    const f = one(src, 'DR101');
    assert.ok(!f.fixes.some((x) => /dropout=0\.5\)/.test(x.title) && /Move/.test(x.title)));
    assert.match(preferredTitle(f), /SpatialDropout1D/);
    const results = checkFixes(src, 'DR101');
    assert.ok(results.every((r) => r.text.includes('dropout=0.2')));
  });

  test('the move fix replaces an explicit dropout=0', () => {
    const src = seq('(50, 128)', [
      'layers.Dropout(0.5)',
      'layers.LSTM(64, dropout=0.0)',
      'layers.Dense(1)',
    ]);
    const move = fixNamed(checkFixes(src, 'DR101'), /Move/);
    assert.equal(move.isPreferred, true);
    assert.ok(move.text.includes('layers.LSTM(64, dropout=0.5)'), move.text);
  });

  test('tf-keras2: move fix not preferred when the layer is cuDNN-eligible', () => {
    for (const [spelling, src] of threeWays(
      '(50, 128)',
      ['layers.Dropout(0.5)', 'layers.LSTM(64)', 'layers.Dense(1)'],
      TF,
    )) {
      const f = one(src, 'DR101', TF2);
      const move = f.fixes.find((x) => /Move/.test(x.title));
      assert.ok(move, `${spelling}: the move fix is still offered`);
      assert.equal(move.isPreferred, false, spelling);
      assert.doesNotMatch(preferredTitle(f), /Move/);
      checkFixes(src, 'DR101', TF2);
    }
  });

  test('tf-keras2: move fix preferred when the layer is not cuDNN-eligible', () => {
    for (const rnn of [
      "layers.LSTM(64, activation='relu')",
      'layers.GRU(64, recurrent_dropout=0.2)',
      'layers.GRU(64, reset_after=False)',
      'layers.SimpleRNN(64)',
    ]) {
      const src = seq('(50, 128)', ['layers.Dropout(0.5)', rnn, 'layers.Dense(1)'], TF);
      assert.match(preferredTitle(one(src, 'DR101', TF2)), /Move/, rnn);
      checkFixes(src, 'DR101', TF2);
    }
  });

  test('keras3 and tfjs: the move fix is preferred for an eligible LSTM', () => {
    const src = seq('(50, 128)', ['layers.Dropout(0.5)', 'layers.LSTM(64)', 'layers.Dense(1)'], TF);
    for (const target of ['keras3', 'tfjs'] as const) {
      assert.match(preferredTitle(one(src, 'DR101', { target })), /Move/, target);
    }
  });

  test('when the Dropout carries input_shape, the move fix moves it too (list and add)', () => {
    const list = `${IMPORTS}\nmodel = keras.Sequential([\n    layers.Dropout(0.3, input_shape=(50, 128)),\n    layers.LSTM(64),\n    layers.Dense(1),\n])\n`;
    const add = `${IMPORTS}\nmodel = keras.Sequential()\nmodel.add(layers.Dropout(0.3, input_shape=(50, 128)))\nmodel.add(layers.LSTM(64))\nmodel.add(layers.Dense(1))\n`;
    for (const src of [list, add]) {
      includesAll(one(src, 'DR101').message, ['Dropout(0.3)', '(None, 50, 128)', '50 timesteps']);
      const move = fixNamed(checkFixes(src, 'DR101'), /Move/);
      assert.equal(move.isPreferred, true);
      assert.ok(move.text.includes('input_shape=(50, 128)'), move.text);
      assert.ok(move.text.includes('dropout=0.3'), move.text);
      assert.ok(!move.text.includes('Dropout('), move.text);
      assert.ok(!move.after.some((f) => f.code === 'SH203'), 'the model keeps its input shape');
      const model = analyze(move.text).models[0]!;
      assert.equal(model.inputSource, 'hint');
      assert.deepEqual(model.calls[0]!.inputs[0]!.shape, [null, 50, 128]);
      assert.equal(model.layers[0]!.type, 'LSTM');
    }
  });

  test('bare imported names: the SpatialDropout1D fix still resolves', () => {
    const src = `from keras.layers import Dropout, LSTM, Dense, Input\nfrom keras.models import Sequential\n\nmodel = Sequential([\n    Input(shape=(50, 16)),\n    Dropout(0.5),\n    LSTM(64),\n    Dense(1),\n])\n`;
    const spatial = fixNamed(checkFixes(src, 'DR101'), /SpatialDropout1D/);
    assert.ok(
      analyze(spatial.text).layers.some((l) => l.type === 'SpatialDropout1D'),
      spatial.text,
    );
  });

  test('a Dropout applied twice (functional) is reported once per source location', () => {
    const src = `${IMPORTS}\ninputs = keras.Input(shape=(50, 16))\ndrop = layers.Dropout(0.5)\nx = layers.LSTM(32, return_sequences=True)(drop(inputs))\nx = layers.LSTM(32)(drop(x))\nmodel = keras.Model(inputs, x)\n`;
    const f = one(src, 'DR101');
    assert.equal(spanText(src, f), 'layers.Dropout(0.5)');
  });

  test('# noqa on the layer line; multi-line call: noqa on the line of its name', () => {
    const src = bad[0]![1];
    checkNoqa(src, 'DR101', 'layers.Dropout(0.5)');
    checkNoqa(bad[2]![1], 'DR101', 'layers.Dropout(0.5)');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 128)),\n    layers.Dropout(\n        rate=0.5,\n    ),\n    layers.LSTM(64),\n])\n`;
    const f = one(multi, 'DR101');
    assert.equal(lineAt(multi, f.anchor), lineOf(multi, 'layers.Dropout('));
    checkNoqa(multi, 'DR101', 'layers.Dropout(');
  });
});

describe('DR102 dropout-drops-whole-timesteps', () => {
  const oneFeature = threeWays('(50, 1)', [
    'layers.Dropout(0.5)',
    'layers.LSTM(64)',
    'layers.Dense(1)',
  ]);
  const timeMask = threeWays('(50, 16)', [
    'layers.Dropout(0.5, noise_shape=(None, None, 1))',
    'layers.GRU(64)',
    'layers.Dense(1)',
  ]);
  for (const [spelling, src] of oneFeature) {
    test(`plain Dropout on a 1-feature sequence (${spelling}); replaces DR101`, () => {
      const f = one(src, 'DR102');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), 'layers.Dropout(0.5)');
      includesAll(f.message, ['Dropout(0.5)', '(None, 50, 1)', '1 feature']);
      assert.deepEqual(codes(src), ['DR102'], 'DR102 replaces DR101 on the same layer');
    });
    test(`fixes are clean (${spelling}, 1 feature)`, () => {
      const results = checkFixes(src, 'DR102');
      assert.ok(results.some((r) => r.text.includes('layers.LSTM(64, dropout=0.5)')));
      assert.ok(results.some((r) => r.text.includes('SpatialDropout1D(0.5)')));
      assert.ok(results.some((r) => /noise_shape=\(None, 1, 1\)/.test(r.text)));
      assert.equal(results.filter((r) => r.isPreferred).length, 1);
    });
  }
  for (const [spelling, src] of timeMask) {
    test(`noise_shape=(None, None, 1) zeroes whole timesteps (${spelling})`, () => {
      const f = one(src, 'DR102');
      assert.equal(f.severity, 'warning');
      includesAll(f.message, ['noise_shape=(None, None, 1)', '(None, 50, 16)', '16 features']);
      assert.deepEqual(codes(src), ['DR102']);
    });
    test(`fixes are clean (${spelling}, time mask)`, () => {
      const results = checkFixes(src, 'DR102');
      assert.ok(results.some((r) => r.text.includes('noise_shape=(None, 1, 16)')));
      assert.ok(results.some((r) => r.text.includes('SpatialDropout1D(0.5)')));
      assert.equal(results.filter((r) => r.isPreferred).length, 1);
    });
  }

  test('noise_shape with an explicit time size (None, 50, 1)', () => {
    const src = seq('(50, 16)', [
      'layers.Dropout(0.3, noise_shape=(None, 50, 1))',
      'layers.Dense(1)',
    ]);
    includesAll(one(src, 'DR102').message, ['(None, 50, 16)']);
    checkFixes(src, 'DR102');
  });

  test('a 1-feature sequence fires even when no recurrent layer follows', () => {
    const src = seq('(50, 1)', [
      'layers.Dropout(0.2)',
      "layers.Conv1D(8, 3, activation='relu')",
      'layers.GlobalMaxPooling1D()',
      'layers.Dense(1)',
    ]);
    assert.equal(one(src, 'DR102').severity, 'warning');
    checkFixes(src, 'DR102');
  });

  describe('silent on good forms', () => {
    const good: Record<string, string> = {
      'noise_shape=(None, 1, F)': seq('(50, 16)', [
        'layers.Dropout(0.5, noise_shape=(None, 1, 16))',
        'layers.LSTM(8)',
      ]),
      'SpatialDropout1D on 1 feature': seq('(50, 1)', [
        'layers.SpatialDropout1D(0.2)',
        'layers.LSTM(8)',
      ]),
      'LSTM(dropout=) on 1 feature': seq('(50, 1)', [
        'layers.LSTM(8, dropout=0.2)',
        'layers.Dense(1)',
      ]),
      'Dropout on a rank-2 tensor with 1 unit': seq('(50, 16)', [
        'layers.LSTM(8)',
        'layers.Dense(1)',
        'layers.Dropout(0.2)',
        'layers.Dense(1)',
      ]),
      'unknown shape': `${IMPORTS}\nmodel = keras.Sequential([layers.Dropout(0.5, noise_shape=(None, None, 1)), layers.LSTM(8)])\n`,
    };
    for (const [name, src] of Object.entries(good)) test(name, () => silent(src, 'DR102'));
  });

  test('# noqa (single and multi-line)', () => {
    checkNoqa(oneFeature[0]![1], 'DR102', 'layers.Dropout(0.5)');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.Dropout(\n        0.5,\n        noise_shape=(None, None, 1),\n    ),\n    layers.GRU(8),\n])\n`;
    checkNoqa(multi, 'DR102', 'layers.Dropout(');
  });
});

describe('DR103 timedistributed-dropout-is-not-shared', () => {
  const bad = threeWays('(50, 16)', [
    'layers.TimeDistributed(layers.Dropout(0.3))',
    'layers.LSTM(32)',
    'layers.Dense(1)',
  ]);
  for (const [spelling, src] of bad) {
    test(`fires on TimeDistributed(Dropout) (${spelling}); replaces DR101`, () => {
      const f = one(src, 'DR103');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), 'layers.TimeDistributed(layers.Dropout(0.3))');
      includesAll(f.message, ['TimeDistributed(Dropout(0.3))', '50 timesteps']);
      assert.deepEqual(codes(src), ['DR103']);
    });
    test(`fixes are clean; SpatialDropout1D preferred (${spelling})`, () => {
      const results = checkFixes(src, 'DR103');
      const spatial = fixNamed(results, /SpatialDropout1D/);
      assert.equal(spatial.isPreferred, true);
      assert.ok(spatial.text.includes('layers.SpatialDropout1D(0.3)'), spatial.text);
      const noise = fixNamed(results, /noise_shape/);
      assert.equal(noise.isPreferred, false);
      assert.ok(noise.text.includes('layers.Dropout(0.3, noise_shape=(None, 1, 16))'), noise.text);
    });
  }

  test('fires where no recurrent layer follows', () => {
    const src = seq('(50, 16)', [
      'layers.TimeDistributed(layers.Dropout(0.2))',
      'layers.GlobalAveragePooling1D()',
      'layers.Dense(1)',
    ]);
    one(src, 'DR103');
    checkFixes(src, 'DR103');
  });

  test('silent on TimeDistributed(Dense) and on SpatialDropout1D', () => {
    silent(
      seq('(50, 16)', [
        'layers.LSTM(32, return_sequences=True)',
        "layers.TimeDistributed(layers.Dense(4, activation='softmax'))",
      ]),
      'DR103',
    );
    silent(seq('(50, 16)', ['layers.SpatialDropout1D(0.3)', 'layers.LSTM(32)']), 'DR103');
  });

  test('# noqa (single and multi-line)', () => {
    checkNoqa(bad[0]![1], 'DR103', 'layers.TimeDistributed(');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.TimeDistributed(\n        layers.Dropout(0.3),\n    ),\n    layers.LSTM(8),\n])\n`;
    checkNoqa(multi, 'DR103', 'layers.TimeDistributed(');
  });
});

describe('DR104 noise-shape-mismatch', () => {
  const badEntry = threeWays('(50, 16)', [
    'layers.Dropout(0.3, noise_shape=(None, 1, 64))',
    'layers.LSTM(32)',
    'layers.Dense(1)',
  ]);
  for (const [spelling, src] of badEntry) {
    test(`an entry that is neither None, 1 nor the size (${spelling})`, () => {
      const f = one(src, 'DR104');
      assert.equal(f.severity, 'error');
      assert.equal(spanText(src, f), 'noise_shape=(None, 1, 64)');
      includesAll(f.message, ['noise_shape=(None, 1, 64)', '(None, 50, 16)', '64', '16']);
    });
    test(`fix is clean (${spelling})`, () => {
      const [r] = checkFixes(src, 'DR104');
      assert.equal(r!.isPreferred, true);
    });
  }

  test('length differs from the input rank (rank 3)', () => {
    const src = seq('(50, 16)', [
      'layers.Dropout(0.3, noise_shape=(None, 16))',
      'layers.Flatten()',
      'layers.Dense(1)',
    ]);
    const f = one(src, 'DR104');
    assert.equal(f.severity, 'error');
    includesAll(f.message, ['noise_shape=(None, 16)', '(None, 50, 16)', 'rank 3']);
  });

  test('length differs from the input rank (rank 2); fix is clean', () => {
    const src = seq('(20,)', [
      "layers.Dense(64, activation='relu')",
      'layers.Dropout(0.3, noise_shape=(None, 1, 64))',
      'layers.Dense(1)',
    ]);
    includesAll(one(src, 'DR104').message, ['(None, 64)', 'rank 2']);
    checkFixes(src, 'DR104');
  });

  test('silent on valid tuples and where the shape is unknown', () => {
    for (const ns of ['(None, 1, 16)', '(None, 50, 16)', '(None, None, 16)', '(32, 1, 16)']) {
      silent(
        seq('(50, 16)', [`layers.Dropout(0.3, noise_shape=${ns})`, 'layers.Flatten()']),
        'DR104',
      );
    }
    silent(
      `${IMPORTS}\nmodel = keras.Sequential([layers.Dropout(0.3, noise_shape=(None, 1)), layers.LSTM(8)])\n`,
      'DR104',
    );
  });

  test('# noqa on the line of the layer name (argument on a later line)', () => {
    checkNoqa(badEntry[0]![1], 'DR104', 'layers.Dropout(');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.Dropout(\n        0.3,\n        noise_shape=(None, 1, 64),\n    ),\n    layers.LSTM(8),\n])\n`;
    const f = one(multi, 'DR104');
    assert.equal(lineAt(multi, f.anchor), lineOf(multi, 'layers.Dropout('));
    checkNoqa(multi, 'DR104', 'layers.Dropout(');
  });
});

describe('DR105 noise-shape-shares-batch', () => {
  const bad = threeWays('(50, 16)', [
    'layers.Dropout(0.3, noise_shape=(1, 1, 16))',
    'layers.LSTM(32)',
    'layers.Dense(1)',
  ]);
  for (const [spelling, src] of bad) {
    test(`batch entry 1 (${spelling})`, () => {
      const f = one(src, 'DR105');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), 'noise_shape=(1, 1, 16)');
      includesAll(f.message, ['noise_shape=(1, 1, 16)', 'batch entry 1']);
      assert.deepEqual(codes(src), ['DR105']);
    });
    test(`fix sets the batch entry to None (${spelling})`, () => {
      const [r] = checkFixes(src, 'DR105');
      assert.equal(r!.isPreferred, true);
      assert.ok(r!.text.includes('noise_shape=(None, 1, 16)'), r!.text);
    });
  }

  test('rank 2: noise_shape=(1, 64)', () => {
    const src = seq('(20,)', [
      "layers.Dense(64, activation='relu')",
      'layers.Dropout(0.3, noise_shape=(1, 64))',
      'layers.Dense(1)',
    ]);
    assert.equal(one(src, 'DR105').severity, 'warning');
    const [r] = checkFixes(src, 'DR105');
    assert.ok(r!.text.includes('noise_shape=(None, 64)'), r!.text);
  });

  test('silent when the batch entry is None', () => {
    silent(
      seq('(50, 16)', ['layers.Dropout(0.3, noise_shape=(None, 1, 16))', 'layers.LSTM(8)']),
      'DR105',
    );
  });

  test('# noqa', () => {
    checkNoqa(bad[0]![1], 'DR105', 'layers.Dropout(');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.Dropout(\n        0.3,\n        noise_shape=(1, 1, 16),\n    ),\n    layers.LSTM(8),\n])\n`;
    checkNoqa(multi, 'DR105', 'layers.Dropout(');
  });
});

describe('DR106 dropout-rate-out-of-range', () => {
  for (const [spelling, src] of threeWays('(20,)', [
    "layers.Dense(64, activation='relu')",
    'layers.Dropout(1.5)',
    'layers.Dense(1)',
  ])) {
    test(`Dropout(1.5) is an error (${spelling}); no DR109 on the same argument`, () => {
      const f = one(src, 'DR106');
      assert.equal(f.severity, 'error');
      assert.equal(spanText(src, f), '1.5');
      includesAll(f.message, ['Dropout(1.5)']);
      assert.deepEqual(codes(src), ['DR106']);
      assert.deepEqual(f.fixes, []);
    });
  }

  const layerRates: Array<[string, string, string]> = [
    ['layers.Dropout(1.0)', '1.0', 'Dropout(1.0)'],
    ['layers.Dropout(rate=1)', 'rate=1', 'Dropout(1)'],
    ['layers.Dropout(-0.1)', '-0.1', 'Dropout(-0.1)'],
    ['layers.SpatialDropout1D(1.0)', '1.0', 'SpatialDropout1D(1.0)'],
    ['layers.SpatialDropout1D(2)', '2', 'SpatialDropout1D(2)'],
  ];
  for (const [call, span, shown] of layerRates) {
    test(`${call} is an error`, () => {
      const src = seq('(50, 16)', [call, 'layers.LSTM(8)', 'layers.Dense(1)']);
      const f = one(src, 'DR106');
      assert.equal(f.severity, 'error');
      assert.equal(spanText(src, f), span);
      includesAll(f.message, [shown]);
      silent(src, 'DR109');
      assert.deepEqual(f.fixes, []);
    });
  }

  const rnnRates: Array<[string, string, string]> = [
    ['layers.LSTM(8, dropout=1.0)', 'dropout=1.0', 'LSTM(dropout=1.0)'],
    ['layers.GRU(8, dropout=1.2)', 'dropout=1.2', 'GRU(dropout=1.2)'],
    ['layers.SimpleRNN(8, dropout=-0.1)', 'dropout=-0.1', 'SimpleRNN(dropout=-0.1)'],
    [
      'layers.LSTM(8, recurrent_dropout=1.0)',
      'recurrent_dropout=1.0',
      'LSTM(recurrent_dropout=1.0)',
    ],
    [
      'layers.Bidirectional(layers.GRU(8, recurrent_dropout=-0.5))',
      'recurrent_dropout=-0.5',
      'GRU(recurrent_dropout=-0.5)',
    ],
  ];
  for (const [call, span, shown] of rnnRates) {
    test(`${call} is a warning (clamped silently); no DR109`, () => {
      const src = seq('(50, 16)', [call, 'layers.Dense(1)']);
      const f = one(src, 'DR106');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), span);
      includesAll(f.message, [shown]);
      silent(src, 'DR109');
    });
  }

  test('silent on rates in [0, 1)', () => {
    const src = seq('(50, 16)', [
      'layers.Dropout(0.5)',
      'layers.LSTM(8, dropout=0.5, recurrent_dropout=0.0, return_sequences=True)',
      'layers.SpatialDropout1D(0.99)',
      'layers.GRU(4, dropout=0.0)',
    ]);
    silent(src, 'DR106');
  });

  test('# noqa (argument on its own line)', () => {
    const src = seq('(20,)', ['layers.Dense(8)', 'layers.Dropout(1.0)', 'layers.Dense(1)']);
    checkNoqa(src, 'DR106', 'layers.Dropout(');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.LSTM(\n        8,\n        dropout=1.5,\n    ),\n])\n`;
    checkNoqa(multi, 'DR106', 'layers.LSTM(');
  });
});

describe('DR107 dropout-on-model-output', () => {
  const bad = threeWays('(50, 16)', ['layers.LSTM(32)', 'layers.Dense(1)', 'layers.Dropout(0.5)']);
  for (const [spelling, src] of bad) {
    test(`Dropout as the last layer (${spelling})`, () => {
      const f = one(src, 'DR107');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), 'layers.Dropout(0.5)');
      includesAll(f.message, ['Dropout(0.5)', '50%']);
      assert.deepEqual(codes(src), ['DR107']);
    });
  }
  for (const [spelling, src] of bad.slice(0, 2)) {
    test(`fix moves it before the output layer (${spelling})`, () => {
      const [r] = checkFixes(src, 'DR107');
      assert.equal(r!.isPreferred, true);
      const model = analyze(r!.text).models[0]!;
      assert.deepEqual(
        model.layers.map((l) => l.type),
        ['LSTM', 'Dropout', 'Dense'],
      );
    });
  }

  test('SpatialDropout1D as the last layer', () => {
    const src = seq('(50, 16)', [
      'layers.LSTM(32, return_sequences=True)',
      'layers.TimeDistributed(layers.Dense(4))',
      'layers.SpatialDropout1D(0.2)',
    ]);
    includesAll(one(src, 'DR107').message, ['SpatialDropout1D(0.2)', '20%']);
    checkFixes(src, 'DR107');
  });

  test('silent when the dropout comes before the output layer', () => {
    silent(seq('(50, 16)', ['layers.LSTM(32)', 'layers.Dropout(0.5)', 'layers.Dense(1)']), 'DR107');
  });

  test('# noqa', () => {
    checkNoqa(bad[0]![1], 'DR107', 'layers.Dropout(0.5)');
    checkNoqa(bad[1]![1], 'DR107', 'layers.Dropout(0.5)');
  });
});

describe('DR108 spatial-dropout-needs-sequence', () => {
  const bad = threeWays('(50, 16)', [
    'layers.LSTM(64)',
    'layers.SpatialDropout1D(0.2)',
    'layers.Dense(1)',
  ]);
  for (const [spelling, src] of bad) {
    test(`SpatialDropout1D on rank 2 (${spelling})`, () => {
      const f = one(src, 'DR108');
      assert.equal(f.severity, 'error');
      assert.equal(spanText(src, f), 'layers.SpatialDropout1D(0.2)');
      includesAll(f.message, ['(None, 64)', 'rank 2', 'ndim=3']);
      assert.deepEqual(codes(src), ['DR108']);
    });
    test(`fix uses Dropout and is clean (${spelling})`, () => {
      const [r] = checkFixes(src, 'DR108');
      assert.equal(r!.isPreferred, true);
      assert.ok(r!.text.includes('layers.Dropout(0.2)'), r!.text);
    });
  }

  test('after Flatten and after GlobalMaxPooling1D', () => {
    for (const reducer of ['layers.Flatten()', 'layers.GlobalMaxPooling1D()']) {
      const src = seq('(50, 16)', [reducer, 'layers.SpatialDropout1D(0.2)', 'layers.Dense(1)']);
      includesAll(one(src, 'DR108').message, ['rank 2']);
    }
  });

  test('silent on sequences and where the shape is unknown', () => {
    silent(
      seq('(100,)', [
        'layers.Embedding(5000, 64)',
        'layers.SpatialDropout1D(0.2)',
        'layers.LSTM(32)',
      ]),
      'DR108',
    );
    silent(
      seq('(50, 16)', ['layers.LSTM(64, return_sequences=True)', 'layers.SpatialDropout1D(0.2)']),
      'DR108',
    );
    silent(
      `${IMPORTS}\nmodel = keras.Sequential([layers.LSTM(8), layers.SpatialDropout1D(0.2)])\n`,
      'DR108',
    );
  });

  test('# noqa', () => {
    checkNoqa(bad[0]![1], 'DR108', 'layers.SpatialDropout1D(');
    checkNoqa(bad[2]![1], 'DR108', 'layers.SpatialDropout1D(');
  });
});

describe('DR109 high-dropout-rate', () => {
  for (const [spelling, src] of threeWays('(20,)', [
    "layers.Dense(64, activation='relu')",
    'layers.Dropout(0.7)',
    'layers.Dense(1)',
  ])) {
    test(`Dropout(0.7) (${spelling})`, () => {
      const f = one(src, 'DR109');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), '0.7');
      includesAll(f.message, ['Dropout(0.7)']);
      assert.deepEqual(f.fixes, []);
      assert.deepEqual(codes(src), ['DR109']);
    });
  }

  const cases: Array<[string, string, string]> = [
    ['layers.SpatialDropout1D(0.6)', '0.6', 'SpatialDropout1D(0.6)'],
    ['layers.LSTM(8, dropout=0.6, return_sequences=True)', 'dropout=0.6', 'LSTM(dropout=0.6)'],
    [
      'layers.Bidirectional(layers.GRU(8, dropout=0.75, return_sequences=True))',
      'dropout=0.75',
      'GRU(dropout=0.75)',
    ],
    [
      'layers.SimpleRNN(8, recurrent_dropout=0.9, return_sequences=True)',
      'recurrent_dropout=0.9',
      'SimpleRNN(recurrent_dropout=0.9)',
    ],
  ];
  for (const [call, span, shown] of cases) {
    test(call, () => {
      const src = seq('(50, 16)', [call, 'layers.GlobalAveragePooling1D()', 'layers.Dense(1)']);
      const f = one(src, 'DR109');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), span);
      includesAll(f.message, [shown]);
    });
  }

  test('LSTM(recurrent_dropout=0.8) gets DR109 and CU301', () => {
    const src = seq('(50, 16)', ['layers.LSTM(8, recurrent_dropout=0.8)', 'layers.Dense(1)']);
    assert.deepEqual(codes(src).sort(), ['CU301', 'DR109']);
  });

  test('silent at 0.5 and below', () => {
    silent(
      seq('(50, 16)', [
        'layers.SpatialDropout1D(0.5)',
        'layers.LSTM(8, dropout=0.5, return_sequences=True)',
        'layers.GlobalAveragePooling1D()',
        'layers.Dropout(0.5)',
        'layers.Dense(1)',
      ]),
      'DR109',
    );
  });

  test('# noqa (multi-line: on the line of the layer name)', () => {
    checkNoqa(
      seq('(20,)', ['layers.Dense(8)', 'layers.Dropout(0.7)', 'layers.Dense(1)']),
      'DR109',
      'layers.Dropout(',
    );
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.GRU(\n        8,\n        dropout=0.8,\n    ),\n])\n`;
    const f = one(multi, 'DR109');
    assert.equal(lineAt(multi, f.anchor), lineOf(multi, 'layers.GRU('));
    checkNoqa(multi, 'DR109', 'layers.GRU(');
  });
});

describe('DR110 dropout-is-noop', () => {
  for (const [spelling, src] of threeWays('(50, 16)', [
    'layers.LSTM(32)',
    'layers.Dropout(0.0)',
    'layers.Dense(1)',
  ])) {
    test(`Dropout(0.0) (${spelling})`, () => {
      const f = one(src, 'DR110');
      assert.equal(f.severity, 'info');
      includesAll(f.message, ['Dropout(0.0)']);
      assert.deepEqual(codes(src), ['DR110']);
    });
    test(`fix removes it (${spelling})`, () => {
      const [r] = checkFixes(src, 'DR110');
      assert.equal(r!.isPreferred, true);
      assert.deepEqual(
        analyze(r!.text)
          .models[0]!.calls.map((c) => c.layer.type)
          .filter((t) => t !== 'InputLayer'),
        ['LSTM', 'Dense'],
      );
    });
  }

  for (const call of [
    'layers.Dropout(0)',
    'layers.Dropout(rate=0)',
    'layers.SpatialDropout1D(0.0)',
  ]) {
    test(call, () => {
      const src = seq('(50, 16)', [call, 'layers.LSTM(8)', 'layers.Dense(1)']);
      assert.equal(one(src, 'DR110').severity, 'info');
      checkFixes(src, 'DR110');
    });
  }

  test('silent on a non-zero rate', () => {
    silent(seq('(50, 16)', ['layers.LSTM(32)', 'layers.Dropout(0.1)', 'layers.Dense(1)']), 'DR110');
  });

  test('# noqa', () => {
    checkNoqa(
      seq('(50, 16)', ['layers.LSTM(32)', 'layers.Dropout(0.0)', 'layers.Dense(1)']),
      'DR110',
      'layers.Dropout(',
    );
  });
});

describe('DR111 fast-path-dropout-not-variational', () => {
  const bad = threeWays('(50, 16)', ['layers.LSTM(32, dropout=0.3)', 'layers.Dense(1)'], TF);
  for (const [spelling, src] of bad) {
    test(`tf-keras2, eligible LSTM with dropout= (${spelling})`, () => {
      const f = one(src, 'DR111', TF2);
      assert.equal(f.severity, 'info');
      assert.equal(spanText(src, f), 'dropout=0.3');
      includesAll(f.message, ['dropout=0.3', 'LSTM', 'per timestep']);
      assert.deepEqual(f.fixes, []);
      assert.deepEqual(codes(src, TF2), ['DR111']);
    });
  }

  test('GRU and Bidirectional(LSTM)', () => {
    for (const [call, shown] of [
      ['layers.GRU(32, dropout=0.2)', 'GRU'],
      ['layers.Bidirectional(layers.LSTM(32, dropout=0.25))', 'dropout=0.25'],
    ]) {
      includesAll(one(seq('(50, 16)', [call!, 'layers.Dense(1)'], TF), 'DR111', TF2).message, [
        shown!,
      ]);
    }
  });

  test('silent under keras3 and tfjs', () => {
    for (const target of ['keras3', 'tfjs'] as const) silent(bad[0]![1], 'DR111', { target });
    silent(bad[0]![1], 'DR111');
  });

  test('silent when the layer is not cuDNN-eligible, has no dropout, or is SimpleRNN', () => {
    for (const call of [
      'layers.LSTM(32, dropout=0.3, recurrent_dropout=0.2)',
      "layers.LSTM(32, dropout=0.3, activation='relu')",
      'layers.GRU(32, dropout=0.3, reset_after=False)',
      'layers.GRU(32, dropout=0.3, use_bias=False)',
      'layers.LSTM(32, dropout=0.0)',
      'layers.LSTM(32)',
      'layers.SimpleRNN(32, dropout=0.3)',
    ]) {
      silent(seq('(50, 16)', [call, 'layers.Dense(1)'], TF), 'DR111', TF2);
    }
  });

  test('# noqa', () => {
    checkNoqa(bad[0]![1], 'DR111', 'layers.LSTM(', TF2);
  });
});

/**
 * Confirmed linter bugs (RULES.md violations). Each case asserts the correct behaviour; the test
 * below checks that it still fails. Move a case back into the regular tests once it is fixed.
 */
const FIXED_LINTER_BUGS: Array<{ name: string; check: () => void }> = [
  {
    name: 'DR104 fix for a too-short noise_shape yields (None, None, 1), which DR102 flags',
    check: () => {
      const src = seq('(50, 16)', [
        'layers.Dropout(0.3, noise_shape=(None, 1))',
        'layers.Flatten()',
        'layers.Dense(1)',
      ]);
      checkFixes(src, 'DR104');
    },
  },
  {
    name: 'DR101 move fix on a Dropout that feeds two recurrent layers removes the dropout from the second branch',
    check: () => {
      const src = `${IMPORTS}\ninputs = keras.Input(shape=(50, 16))\nx = layers.Dropout(0.5)(inputs)\na = layers.LSTM(32)(x)\nb = layers.GRU(32)(x)\noutputs = layers.Dense(1)(layers.Concatenate()([a, b]))\nmodel = keras.Model(inputs, outputs)\n`;
      const move = one(src, 'DR101').fixes.find((f) => /Move/.test(f.title));
      if (!move) return; // not offering the move fix here would be right too
      const fixed = checkFixes(src, 'DR101').find((r) => r.title === move.title)!;
      const rnns = analyze(fixed.text).layers.filter((l) => l.type === 'LSTM' || l.type === 'GRU');
      for (const l of rnns) {
        assert.equal(
          (l.config['dropout'] as { value: number }).value,
          0.5,
          `${l.name} lost its dropout:\n${fixed.text}`,
        );
      }
    },
  },
];

describe('regressions: linter bugs found by these tests, now fixed', () => {
  for (const bug of FIXED_LINTER_BUGS) test(`fixed: ${bug.name}`, bug.check);
});

describe('rules that need only the rank fire where the sizes are unknown', () => {
  const builder = `${TF}
def build(input_shape):
    inputs = keras.Input(input_shape)
    x = layers.LSTM(64, return_sequences=True)(inputs)
    x = layers.Dropout(0.3)(x)
    x = layers.LSTM(32)(x)
    return keras.Model(inputs, layers.Dense(1)(x))

model = build(x_train.shape[1:])
`;
  const fromData = `${TF}
model = keras.Sequential()
model.add(layers.LSTM(50, return_sequences=True, input_shape=(x_train.shape[1:])))
model.add(layers.Dropout(0.2))
model.add(layers.LSTM(50))
model.add(layers.Dense(1))
`;
  for (const [what, src, rate] of [
    ['def build(input_shape) with Input(input_shape)', builder, '0.3'],
    ['input_shape=(x_train.shape[1:])', fromData, '0.2'],
  ] as const) {
    test(`DR101 on a Dropout between two LSTMs: ${what}`, () => {
      const f = one(src, 'DR101');
      includesAll(f.message, [`Dropout(${rate})`, '(None, None,', 'at every timestep']);
      assert.deepEqual(codes(src), ['DR101']);
      const results = checkFixes(src, 'DR101');
      assert.ok(results.length >= 2);
    });
  }

  test('silent where even the rank is unknown (after a custom layer), and after a Dense head', () => {
    silent(
      `${TF}
class Attention(layers.Layer):
    pass
inputs = keras.Input((20, 8))
x = Attention()(layers.LSTM(16, return_sequences=True)(inputs))
x = layers.Dropout(0.3)(x)
model = keras.Model(inputs, layers.LSTM(8)(x))
`,
      'DR101',
    );
    silent(fromData.replace('return_sequences=True, ', ''), 'DR101');
  });

  test('SH201 where an LSTM without return_sequences feeds another, whatever the input', () => {
    const src = fromData
      .replace('return_sequences=True, ', '')
      .replace('layers.Dropout(0.2)', 'layers.Dense(8)');
    const f = one(src, 'SH201');
    includesAll(f.message, ['(None, 8)', 'expected ndim=3, found ndim=2']);
  });
});

describe('fixes that would change code the finding is not about are not offered', () => {
  const fixture = (name: string) => readFileSync(`test/fixtures/fixes/${name}`, 'utf8');

  test('a recurrent layer with its own dropout=: the message says what it has, and no move', () => {
    const src = fixture('already_has_dropout.py');
    const f = one(src, 'DR101');
    includesAll(f.message, ["on top of the GRU's own dropout=0.25", 'one mask per sequence']);
    assert.ok(!f.message.includes('GRU(dropout=0.5)'), f.message);
    assert.ok(!f.fixes.some((x) => /Move the rate/.test(x.title)));
  });

  test('a Dropout under an if: the move (which would make it unconditional) is not offered', () => {
    const f = one(fixture('conditional_dropout.py'), 'DR101');
    assert.deepEqual(
      f.fixes.map((x) => x.title),
      [
        'Replace with SpatialDropout1D(0.3): one mask per sequence',
        'Set noise_shape=(None, 1, 64): one mask shared by all timesteps',
      ],
    );
  });

  test('a Dropout in a loop: no move; the replacements say every layer of that line changes', () => {
    const f = one(fixture('stacked_in_loop.py'), 'DR101');
    assert.ok(!f.fixes.some((x) => /Move the rate/.test(x.title)));
    for (const fix of f.fixes)
      assert.match(fix.title, /\(this line makes 3 layers: all of them change\)$/);
  });

  test("moving the only statement of a function's body leaves pass", () => {
    const src = fixture('only_statement_in_function.py');
    const move = fixNamed(checkFixes(src, 'DR101'), /Move the rate/);
    assert.match(move.text, /def regularise\(m\):\n {4}pass\n/);
  });

  test('TimeDistributed(Dropout) carrying input_shape: both replacements keep it', () => {
    const src = fixture('time_distributed_first.py');
    for (const r of checkFixes(src, 'DR103')) assert.match(r.text, /input_shape=\(40, 16\)\)\)\n/);
  });
});

describe("Keras 2's CuDNNLSTM and CuDNNGRU", () => {
  const src = readFileSync('test/fixtures/models/keras2_cudnn_stock.py', 'utf8');

  test('a Dropout between them is DR101, and no fix proposes a dropout= they do not have', () => {
    const f = one(src, 'DR101');
    includesAll(f.message, ['CuDNNGRU has no dropout argument', 'SpatialDropout1D(0.2)']);
    assert.ok(!f.message.includes('CuDNNGRU(dropout='), f.message);
    assert.deepEqual(
      checkFixes(src, 'DR101').map((r) => r.title),
      [
        'Replace with SpatialDropout1D(0.2): one mask per sequence',
        'Set noise_shape=(None, 1, 128): one mask shared by all timesteps',
      ],
    );
  });
});

describe('RNN(cell) and StackedRNNCells as recurrent consumers', () => {
  const head = 'import keras\nfrom keras import layers\n';
  const fn = (rnn: string, dropout = 'layers.Dropout(0.4)') => `${head}
inputs = keras.Input(shape=(30, 16))
x = ${dropout}(inputs)
x = ${rnn}(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
`;

  test('RNN(LSTMCell(u)): DR101, and the move fix puts dropout= on the cell', () => {
    const src = fn('layers.RNN(layers.LSTMCell(32))');
    const f = one(src, 'DR101');
    includesAll(f.message, ['at each of the 30 timesteps', 'LSTMCell(dropout=0.4) in the RNN']);
    assert.equal(
      preferredTitle(f),
      'Move the rate into LSTMCell(dropout=0.4): one mask per sequence',
    );
    const moved = fixNamed(checkFixes(src, 'DR101'), /^Move/).text;
    assert.match(moved, /x = inputs\n/);
    assert.match(moved, /layers\.RNN\(layers\.LSTMCell\(32, dropout=0\.4\)\)\(x\)/);
    // The weights stay: LSTMCell 4*32*(16+32+1) = 6,272, Dense 33.
    const total = (t: string) => summarize(analyze(t).models[0]!).totalParams;
    assert.equal(total(src), 6_272 + 33);
    assert.equal(total(moved), 6_272 + 33);
  });

  test('a stack of cells (a list, or StackedRNNCells): the first cell sees the input', () => {
    for (const rnn of [
      'layers.RNN([layers.GRUCell(32), layers.GRUCell(16)])',
      'layers.RNN(layers.StackedRNNCells([layers.GRUCell(32), layers.GRUCell(16)]))',
    ]) {
      const moved = fixNamed(checkFixes(fn(rnn), 'DR101'), /^Move/).text;
      assert.match(moved, /layers\.GRUCell\(32, dropout=0\.4\), layers\.GRUCell\(16\)/, moved);
    }
  });

  test("a cell with its own dropout: the message says what it has and the move isn't offered", () => {
    const src = fn('layers.RNN(layers.LSTMCell(32, dropout=0.25))');
    const f = one(src, 'DR101');
    includesAll(f.message, ["on top of the LSTMCell's (in the RNN) own dropout=0.25"]);
    assert.ok(!/would keep/.test(f.message), f.message);
    assert.ok(!f.fixes.some((x) => x.title.startsWith('Move')));
  });

  test('an RNN of a custom cell: no dropout= to move into, SpatialDropout1D instead', () => {
    const src = `${head}
class MinimalCell(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

inputs = keras.Input(shape=(30, 16))
x = layers.Dropout(0.4)(inputs)
x = layers.RNN(MinimalCell(32))(x)
model = keras.Model(inputs, x)
`;
    const f = one(src, 'DR101');
    includesAll(f.message, [
      "the RNN's cell is not one the analyzer models",
      'SpatialDropout1D(0.4)',
    ]);
    assert.deepEqual(
      f.fixes.map((x) => x.title),
      [
        'Replace with SpatialDropout1D(0.4): one mask per sequence',
        'Set noise_shape=(None, 1, 16): one mask shared by all timesteps',
      ],
    );
  });

  test("the cells' own rates are checked (DR106, DR109) like the layers'", () => {
    const src = fn(
      'layers.RNN(layers.LSTMCell(32, dropout=0.7, recurrent_dropout=1.5))',
      'layers.LayerNormalization',
    );
    const found = codes(src);
    assert.ok(found.includes('DR109') && found.includes('DR106'), found.join());
  });

  test('SH201 after RNN(cell) without return_sequences adds it to the RNN, not the cell', () => {
    const src = `${head}
inputs = keras.Input(shape=(30, 16))
x = layers.RNN(layers.LSTMCell(32))(inputs)
x = layers.LSTM(8)(x)
model = keras.Model(inputs, x)
`;
    const fixed = checkFixes(src, 'SH201')[0]!.text;
    assert.match(fixed, /layers\.RNN\(layers\.LSTMCell\(32\), return_sequences=True\)/);
  });
});
