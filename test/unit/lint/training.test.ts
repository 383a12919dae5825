/** TR401-TR402: compile settings that do not fit the model. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkFixes,
  checkNoqa,
  codes,
  fixNamed,
  lineAt,
  lineOf,
  one,
  silent,
  spanText,
  threeWays,
  type Spelling,
  includesAll,
} from './lint-helpers';

/** A model in three spellings with a compile call after it. */
function compiled(shape: string, layerCalls: string[], compile: string): Array<[Spelling, string]> {
  return threeWays(shape, layerCalls).map(([s, src]) => [s, `${src}${compile}\n`]);
}

function withCompile(layerCalls: string[], compile: string, shape = '(50, 16)'): string {
  return compiled(shape, layerCalls, compile)[0]![1];
}

describe('TR401 output-activation-loss-mismatch', () => {
  const logits = compiled(
    '(50, 16)',
    ['layers.LSTM(32)', 'layers.Dense(10)'],
    "model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])",
  );
  for (const [spelling, src] of logits) {
    test(`categorical crossentropy on logits (${spelling})`, () => {
      const f = one(src, 'TR401');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), "'categorical_crossentropy'");
      includesAll(f.message, ["loss='categorical_crossentropy'", 'softmax', 'from_logits=True']);
      assert.ok(f.related.some((r) => spanText(src, r) === 'layers.Dense(10)'));
      assert.deepEqual(codes(src), ['TR401']);
    });
    test(`fix sets softmax and is clean (${spelling})`, () => {
      const [r] = checkFixes(src, 'TR401');
      assert.equal(r!.isPreferred, true);
      assert.ok(r!.text.includes("layers.Dense(10, activation='softmax')"), r!.text);
    });
  }

  test("sparse categorical crossentropy on activation='relu' (model.add)", () => {
    const src = compiled(
      '(50, 16)',
      ['layers.LSTM(32)', "layers.Dense(10, activation='relu')"],
      "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')",
    )[1]![1];
    includesAll(one(src, 'TR401').message, ['sparse_categorical_crossentropy', "'relu'"]);
    const [r] = checkFixes(src, 'TR401');
    assert.ok(r!.text.includes("layers.Dense(10, activation='softmax')"), r!.text);
  });

  test('positional compile arguments', () => {
    const src = withCompile(
      ['layers.LSTM(32)', 'layers.Dense(10)'],
      "model.compile('adam', 'categorical_crossentropy')",
    );
    assert.equal(spanText(src, one(src, 'TR401')), "'categorical_crossentropy'");
    checkFixes(src, 'TR401');
  });

  test('TimeDistributed(Dense) output of a tagger', () => {
    const src = withCompile(
      [
        'layers.LSTM(32, return_sequences=True)',
        "layers.TimeDistributed(layers.Dense(9, activation='relu'))",
      ],
      "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')",
    );
    one(src, 'TR401');
    const [r] = checkFixes(src, 'TR401');
    assert.ok(r!.text.includes("layers.Dense(9, activation='softmax')"), r!.text);
  });

  for (const [spelling, src] of compiled(
    '(50, 16)',
    ['layers.LSTM(32)', "layers.Dense(3, activation='softmax')"],
    "model.compile(optimizer='adam', loss='binary_crossentropy')",
  )) {
    test(`binary crossentropy on softmax (${spelling}); both fixes clean`, () => {
      const f = one(src, 'TR401');
      includesAll(f.message, ["loss='binary_crossentropy'", 'softmax']);
      const results = checkFixes(src, 'TR401');
      assert.equal(results.filter((r) => r.isPreferred).length, 1);
      assert.ok(
        fixNamed(results, /categorical_crossentropy/).text.includes(
          "loss='categorical_crossentropy'",
        ),
      );
      assert.ok(fixNamed(results, /sigmoid/).text.includes("activation='sigmoid'"));
    });
  }

  test('binary crossentropy on several units without sigmoid', () => {
    const src = withCompile(
      ['layers.LSTM(32)', "layers.Dense(5, activation='relu')"],
      "model.compile(optimizer='adam', loss='binary_crossentropy')",
    );
    includesAll(one(src, 'TR401').message, ['5 outputs', 'sigmoid']);
    const [r] = checkFixes(src, 'TR401');
    assert.ok(r!.text.includes("layers.Dense(5, activation='sigmoid')"), r!.text);
  });

  test('softmax with one unit', () => {
    const src = withCompile(
      ['layers.LSTM(32)', "layers.Dense(1, activation='softmax')"],
      "model.compile(optimizer='adam', loss='binary_crossentropy')",
    );
    const f = one(src, 'TR401');
    includesAll(f.message, ["Dense(1, activation='softmax')", 'sigmoid']);
    const [r] = checkFixes(src, 'TR401');
    assert.ok(r!.text.includes("layers.Dense(1, activation='sigmoid')"), r!.text);
  });

  describe('from_logits=True with a sigmoid or softmax output: the activation applied twice', () => {
    const cases: Record<string, [string, string]> = {
      softmax: [
        "layers.Dense(10, activation='softmax')",
        'keras.losses.SparseCategoricalCrossentropy(from_logits=True)',
      ],
      sigmoid: [
        "layers.Dense(1, activation='sigmoid')",
        'keras.losses.BinaryCrossentropy(from_logits=True)',
      ],
    };
    for (const [activation, [dense, loss]] of Object.entries(cases)) {
      test(activation, () => {
        const src = withCompile(
          ['layers.LSTM(32)', dense],
          `model.compile(optimizer='adam', loss=${loss})`,
        );
        const f = one(src, 'TR401');
        includesAll(f.message, ['from_logits=True', `activation='${activation}'`, 'applied twice']);
        const [fix] = checkFixes(src, 'TR401');
        assert.equal(
          fix!.title,
          `Remove activation='${activation}' from dense: the loss applies it`,
        );
        assert.ok(fix!.text.includes(dense.replace(`, activation='${activation}'`, '')), fix!.text);
      });
    }
  });

  describe('silent on matching pairs', () => {
    const good: Record<string, string> = {
      'softmax + categorical': withCompile(
        ['layers.LSTM(32)', "layers.Dense(10, activation='softmax')"],
        "model.compile(optimizer='adam', loss='categorical_crossentropy')",
      ),
      'logits + from_logits=True': withCompile(
        ['layers.LSTM(32)', 'layers.Dense(10)'],
        "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))",
      ),
      'Activation(softmax) layer + categorical': withCompile(
        ['layers.LSTM(32)', 'layers.Dense(10)', "layers.Activation('softmax')"],
        "model.compile(optimizer='adam', loss='categorical_crossentropy')",
      ),
      'sigmoid + binary': withCompile(
        ['layers.LSTM(32)', "layers.Dense(1, activation='sigmoid')"],
        "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])",
      ),
      'multi-label sigmoid + binary': withCompile(
        ['layers.LSTM(32)', "layers.Dense(6, activation='sigmoid')"],
        "model.compile(optimizer='adam', loss='binary_crossentropy')",
      ),
      'linear + mse': withCompile(
        ['layers.LSTM(32)', 'layers.Dense(1)'],
        "model.compile(optimizer='adam', loss='mse')",
      ),
      'no compile': threeWays('(50, 16)', ['layers.LSTM(32)', 'layers.Dense(10)'])[0]![1],
    };
    for (const [name, src] of Object.entries(good)) test(name, () => silent(src, 'TR401'));
  });

  test('# noqa on the compile line; multi-line compile: on the line of model.compile(', () => {
    checkNoqa(logits[0]![1], 'TR401', 'model.compile(');
    const multi = `${threeWays('(50, 16)', ['layers.LSTM(32)', 'layers.Dense(10)'])[0]![1]}model.compile(\n    optimizer='adam',\n    loss='categorical_crossentropy',\n)\n`;
    const f = one(multi, 'TR401');
    assert.equal(lineAt(multi, f.anchor), lineOf(multi, 'model.compile('));
    checkNoqa(multi, 'TR401', 'model.compile(');
  });
});

describe('TR402 learning-rate-out-of-range', () => {
  const adam = compiled(
    '(50, 16)',
    ['layers.LSTM(32)', 'layers.Dense(1)'],
    "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss='mse')",
  );
  for (const [spelling, src] of adam) {
    test(`Adam(learning_rate=0.1) (${spelling})`, () => {
      const f = one(src, 'TR402');
      assert.equal(f.severity, 'warning');
      assert.equal(spanText(src, f), '0.1');
      includesAll(f.message, ['Adam', '0.1', '0.01']);
      assert.deepEqual(f.fixes, []);
      assert.deepEqual(codes(src), ['TR402']);
    });
  }

  const cases: Array<[string, string, string[]]> = [
    ['keras.optimizers.RMSprop(0.05)', '0.05', ['RMSprop', '0.05']],
    ['keras.optimizers.SGD(learning_rate=5.0)', '5.0', ['SGD', '5']],
    ['keras.optimizers.SGD(learning_rate=1e-9)', '1e-9', ['SGD']],
    ['keras.optimizers.Adam(lr=0.5)', '0.5', ['Adam', '0.5']],
  ];
  for (const [opt, span, parts] of cases) {
    test(opt, () => {
      const src = withCompile(
        ['layers.LSTM(32)', 'layers.Dense(1)'],
        `model.compile(optimizer=${opt}, loss='mse')`,
      );
      const f = one(src, 'TR402');
      assert.equal(spanText(src, f), span);
      includesAll(f.message, parts);
    });
  }

  test('an optimizer built first and passed by name', () => {
    const body = threeWays('(50, 16)', ['layers.GRU(32)', 'layers.Dense(1)'])[2]![1];
    const src = `${body}opt = keras.optimizers.RMSprop(learning_rate=0.2)\nmodel.compile(optimizer=opt, loss='mse')\n`;
    const f = one(src, 'TR402');
    includesAll(f.message, ['RMSprop', '0.2']);
    checkNoqa(src, 'TR402', 'keras.optimizers.RMSprop(');
  });

  test('a learning rate held in a variable', () => {
    const body = threeWays('(50, 16)', ['layers.LSTM(32)', 'layers.Dense(1)'])[1]![1];
    const src = `${body}LR = 0.05\nmodel.compile(optimizer=keras.optimizers.Adam(learning_rate=LR), loss='mse')\n`;
    const f = one(src, 'TR402');
    assert.equal(spanText(src, f), 'LR');
    includesAll(f.message, ['Adam', '0.05']);
  });

  test('silent on reasonable rates', () => {
    for (const opt of [
      "'adam'",
      'keras.optimizers.Adam(learning_rate=1e-3)',
      'keras.optimizers.Adam(0.01)',
      'keras.optimizers.RMSprop(learning_rate=0.002)',
      'keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)',
      'keras.optimizers.SGD(learning_rate=1.0)',
      'keras.optimizers.Adagrad(learning_rate=0.5)',
      'keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.9))',
    ]) {
      silent(
        withCompile(
          ['layers.LSTM(32)', 'layers.Dense(1)'],
          `model.compile(optimizer=${opt}, loss='mse')`,
        ),
        'TR402',
      );
    }
  });

  test('# noqa on the optimizer line (multi-line compile)', () => {
    checkNoqa(adam[0]![1], 'TR402', 'model.compile(');
    const multi = `${threeWays('(50, 16)', ['layers.LSTM(32)', 'layers.Dense(1)'])[0]![1]}model.compile(\n    optimizer=keras.optimizers.Adam(\n        learning_rate=0.05,\n    ),\n    loss='mse',\n)\n`;
    const f = one(multi, 'TR402');
    assert.equal(lineAt(multi, f.anchor), lineOf(multi, 'keras.optimizers.Adam('));
    checkNoqa(multi, 'TR402', 'keras.optimizers.Adam(');
  });
});

/**
 * Confirmed linter bugs (RULES.md violations). Each case asserts the correct behaviour; the test
 * below checks that it still fails. Move a case back into the regular tests once it is fixed.
 */
const FIXED_LINTER_BUGS: Array<{ name: string; check: () => void }> = [
  {
    name: 'TR401 misses loss objects: keras.losses.CategoricalCrossentropy() on logits',
    check: () => {
      const src = withCompile(
        ['layers.LSTM(32)', 'layers.Dense(10)'],
        "model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy())",
      );
      assert.equal(one(src, 'TR401').severity, 'warning');
    },
  },
  {
    name: 'TR401 misses loss objects: keras.losses.BinaryCrossentropy() on softmax',
    check: () => {
      const src = withCompile(
        ['layers.LSTM(32)', "layers.Dense(3, activation='softmax')"],
        "model.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy())",
      );
      assert.equal(one(src, 'TR401').severity, 'warning');
    },
  },
];

describe('regressions: linter bugs found by these tests, now fixed', () => {
  for (const bug of FIXED_LINTER_BUGS) test(`fixed: ${bug.name}`, bug.check);
});
