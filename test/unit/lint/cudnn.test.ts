/** CU301-CU302: settings that keep LSTM/GRU off the cuDNN kernel (fact 5). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkFixes,
  checkNoqa,
  codes,
  IMPORTS,
  lineAt,
  lineOf,
  one,
  seq,
  silent,
  spanText,
  threeWays,
  TF2,
  TFJS,
  includesAll,
  TF,
} from './lint-helpers';

describe('CU301 recurrent-dropout-disables-cudnn', () => {
  const bad = threeWays('(50, 16)', ['layers.LSTM(32, recurrent_dropout=0.2)', 'layers.Dense(1)']);
  for (const [spelling, src] of bad) {
    test(`LSTM(recurrent_dropout=0.2) under keras3 (${spelling})`, () => {
      const f = one(src, 'CU301');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), 'recurrent_dropout=0.2');
      includesAll(f.message, ['LSTM(recurrent_dropout=0.2)', 'cuDNN']);
      assert.deepEqual(codes(src), ['CU301']);
    });
    test(`fix moves the rate into dropout= and is clean (${spelling})`, () => {
      const [r, ...rest] = checkFixes(src, 'CU301');
      assert.equal(rest.length, 0);
      assert.equal(r!.isPreferred, true);
      assert.ok(r!.text.includes('layers.LSTM(32, dropout=0.2)'), r!.text);
      assert.ok(!r!.text.includes('recurrent_dropout'), r!.text);
      assert.deepEqual(r!.after, []);
    });
  }

  test('GRU and Bidirectional(LSTM)', () => {
    for (const [call, shown] of [
      ['layers.GRU(32, recurrent_dropout=0.3)', 'GRU(recurrent_dropout=0.3)'],
      [
        'layers.Bidirectional(layers.LSTM(32, recurrent_dropout=0.25))',
        'LSTM(recurrent_dropout=0.25)',
      ],
    ] as const) {
      const src = seq('(50, 16)', [call, 'layers.Dense(1)']);
      includesAll(one(src, 'CU301').message, [shown]);
      checkFixes(src, 'CU301');
    }
  });

  test('an existing dropout= is kept: the fix only removes recurrent_dropout', () => {
    const src = seq('(50, 16)', [
      'layers.GRU(32, dropout=0.1, recurrent_dropout=0.3)',
      'layers.Dense(1)',
    ]);
    const [r] = checkFixes(src, 'CU301');
    assert.ok(r!.text.includes('layers.GRU(32, dropout=0.1)'), r!.text);
  });

  test('tf-keras2: warning; the fix is clean (DR111 info is expected afterwards)', () => {
    const src = seq('(50, 16)', ['layers.LSTM(32, recurrent_dropout=0.2)', 'layers.Dense(1)'], TF);
    assert.equal(one(src, 'CU301', TF2).severity, 'warning');
    const [r] = checkFixes(src, 'CU301', TF2);
    assert.deepEqual(
      r!.after.map((f) => `${f.code}:${f.severity}`),
      ['DR111:info'],
    );
  });

  test('silent for tfjs', () => {
    silent(seq('(50, 16)', ['layers.LSTM(32, recurrent_dropout=0.2)'], TF), 'CU301', TFJS);
  });

  test('playground: info', () => {
    for (const [, src] of bad)
      assert.equal(one(src, 'CU301', { playground: true }).severity, 'info');
  });

  test('silent without recurrent dropout, and for SimpleRNN (no cuDNN kernel)', () => {
    for (const call of [
      'layers.LSTM(32)',
      'layers.LSTM(32, recurrent_dropout=0)',
      'layers.GRU(32, dropout=0.3, recurrent_dropout=0.0)',
      'layers.SimpleRNN(32, recurrent_dropout=0.2)',
    ]) {
      silent(seq('(50, 16)', [call, 'layers.Dense(1)']), 'CU301');
    }
  });

  test('# noqa (multi-line: on the line of the layer name)', () => {
    checkNoqa(bad[0]![1], 'CU301', 'layers.LSTM(');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.LSTM(\n        32,\n        recurrent_dropout=0.2,\n    ),\n])\n`;
    const f = one(multi, 'CU301');
    assert.equal(lineAt(multi, f.anchor), lineOf(multi, 'layers.LSTM('));
    checkNoqa(multi, 'CU301', 'layers.LSTM(');
  });
});

describe('CU302 cudnn-criteria-not-met', () => {
  const bad = threeWays('(50, 16)', ["layers.LSTM(32, activation='relu')", 'layers.Dense(1)']);
  for (const [spelling, src] of bad) {
    test(`LSTM(activation='relu') (${spelling})`, () => {
      const f = one(src, 'CU302');
      assert.equal(f.severity, 'info');
      assert.equal(spanText(src, f), "activation='relu'");
      includesAll(f.message, ['LSTM', 'activation', "'relu'", 'tanh']);
      assert.deepEqual(codes(src), ['CU302']);
    });
    test(`fix restores the default and is clean (${spelling})`, () => {
      const [r] = checkFixes(src, 'CU302');
      assert.equal(r!.isPreferred, true);
      assert.ok(r!.text.includes('layers.LSTM(32)'), r!.text);
      assert.deepEqual(r!.after, []);
    });
  }

  const criteria: Array<[string, string[]]> = [
    [
      "layers.GRU(32, recurrent_activation='hard_sigmoid')",
      ['recurrent_activation', 'hard_sigmoid', 'sigmoid'],
    ],
    ['layers.LSTM(32, unroll=True)', ['unroll']],
    ['layers.LSTM(32, use_bias=False)', ['use_bias']],
    ['layers.GRU(32, reset_after=False)', ['reset_after']],
    ['layers.LSTM(32, activation=keras.activations.relu)', ['activation', 'relu']],
    ['layers.Bidirectional(layers.GRU(32, reset_after=False))', ['GRU', 'reset_after']],
  ];
  for (const [call, parts] of criteria) {
    test(`${call} names the failing criterion; fix is clean`, () => {
      const src = seq('(50, 16)', [call, 'layers.Dense(1)']);
      const f = one(src, 'CU302');
      assert.equal(f.severity, 'info');
      includesAll(f.message, parts);
      checkFixes(src, 'CU302');
    });
  }

  test('several failing criteria: each is named, one finding, one fix restores all', () => {
    const src = seq('(50, 16)', [
      "layers.GRU(32, reset_after=False, recurrent_activation='hard_sigmoid', use_bias=False)",
      'layers.Dense(1)',
    ]);
    const f = one(src, 'CU302');
    includesAll(f.message, ['reset_after', 'recurrent_activation', 'use_bias']);
    const [r] = checkFixes(src, 'CU302');
    assert.ok(r!.text.includes('layers.GRU(32)'), r!.text);
  });

  test('positional arguments are rewritten to the default, never shifted', () => {
    const src = seq('(50, 16)', [
      "layers.GRU(32, 'tanh', 'hard_sigmoid', False)",
      'layers.Dense(1)',
    ]);
    includesAll(one(src, 'CU302').message, ['recurrent_activation', 'use_bias']);
    const [r] = checkFixes(src, 'CU302');
    assert.ok(r!.text.includes("layers.GRU(32, 'tanh', 'sigmoid', True)"), r!.text);
  });

  test('tf-keras2: info; tfjs: silent; playground: info', () => {
    const src = seq('(50, 16)', ["layers.LSTM(32, activation='relu')"], TF);
    assert.equal(one(src, 'CU302', TF2).severity, 'info');
    silent(src, 'CU302', TFJS);
    silent(seq('(50, 16)', ['layers.GRU(32, reset_after=False)'], TF), 'CU302', TFJS);
    assert.equal(one(src, 'CU302', { playground: true }).severity, 'info');
  });

  test('silent on defaults (also written out) and on SimpleRNN', () => {
    for (const call of [
      'layers.LSTM(32)',
      "layers.LSTM(32, activation='tanh', recurrent_activation='sigmoid', unroll=False, use_bias=True)",
      'layers.GRU(32, reset_after=True)',
      "layers.SimpleRNN(32, activation='relu')",
    ]) {
      silent(seq('(50, 16)', [call, 'layers.Dense(1)']), 'CU302');
    }
  });

  test('# noqa (multi-line: on the line of the layer name)', () => {
    checkNoqa(bad[0]![1], 'CU302', 'layers.LSTM(');
    const multi = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.GRU(\n        32,\n        reset_after=False,\n    ),\n])\n`;
    checkNoqa(multi, 'CU302', 'layers.GRU(');
  });
});

/**
 * Confirmed linter bugs (RULES.md violations). Each case asserts the correct behaviour; the test
 * below checks that it still fails. Move a case back into the regular tests once it is fixed.
 */
const FIXED_LINTER_BUGS: Array<{ name: string; check: () => void }> = [
  {
    name: 'CU301 is silent for recurrent_dropout >= 1 (clamped to 1, still > 0: cuDNN is off)',
    check: () => {
      const src = seq('(50, 16)', ['layers.LSTM(32, recurrent_dropout=1.0)', 'layers.Dense(1)']);
      assert.equal(one(src, 'CU301').severity, 'warning');
    },
  },
  {
    name: "CU302 fix removes a positional activation and shifts the next one: LSTM(32, 'relu', 'sigmoid') becomes LSTM(32, 'sigmoid')",
    check: () => {
      const src = seq('(50, 16)', ["layers.LSTM(32, 'relu', 'sigmoid')", 'layers.Dense(1)']);
      checkFixes(src, 'CU302');
    },
  },
];

describe('regressions: linter bugs found by these tests, now fixed', () => {
  for (const bug of FIXED_LINTER_BUGS) test(`fixed: ${bug.name}`, bug.check);
});
