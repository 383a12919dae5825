/** The rule engine: catalog, noqa, select/ignore, severity, target inference, precedence, dedup. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineIndex } from '../../../analyzer/lines';
import {
  effectiveTarget,
  resolveFindings,
  RULES,
  type Draft,
  type Finding,
} from '../../../lint/index';
import { analyze } from '../../../analyzer/python/evaluate';
import {
  codes,
  commentLine,
  findings,
  IMPORTS,
  lineAt,
  one,
  seq,
  show,
  silent,
  spanText,
  type Opts,
  TF,
} from './lint-helpers';

/** A model with findings of several families on different lines. */
const MIXED = seq('(50, 16)', [
  'layers.Dropout(0.7)',
  'layers.LSTM(32, recurrent_dropout=0.2, return_sequences=True)',
  "layers.GRU(16, activation='relu')",
  'layers.Dense(1)',
]);

function summary(fs: Finding[]): string[] {
  return fs.map((f) => `${f.code}:${f.severity}`);
}

describe('catalog', () => {
  test('every code of RULES.md with its default severity', () => {
    assert.deepEqual(
      RULES.map((r) => `${r.code}:${r.severity}`),
      [
        'DR101:warning',
        'DR102:warning',
        'DR103:warning',
        'DR104:error',
        'DR105:warning',
        'DR106:error',
        'DR107:warning',
        'DR108:error',
        'DR109:warning',
        'DR110:info',
        'DR111:info',
        'SH201:error',
        'SH202:error',
        'SH203:info',
        'SH204:error',
        'CU301:warning',
        'CU302:info',
        'TR401:warning',
        'TR402:warning',
      ],
    );
  });

  test('a finding whose code is not in the catalog fails loudly instead of vanishing', () => {
    const draft: Draft = {
      code: 'DR199',
      message: 'made up',
      span: { from: 0, to: 1 },
      anchor: 0,
      fixes: [],
      related: [],
    };
    assert.throws(
      () => resolveFindings([draft], new LineIndex('x = 1\n')),
      /DR199 is not in the catalog/,
    );
  });

  test('MIXED has findings of several families, sorted by position', () => {
    const fs = findings(MIXED);
    assert.deepEqual(summary(fs), [
      'DR101:warning',
      'DR109:warning',
      'CU301:warning',
      'CU302:info',
    ]);
    for (let i = 1; i < fs.length; i++) assert.ok(fs[i - 1]!.span.from <= fs[i]!.span.from);
    for (const f of fs) assert.ok(!f.message.includes('\n'), `one-line message: ${f.message}`);
  });
});

describe('# noqa', () => {
  test('# noqa: CODE silences only that code on the line', () => {
    const src = commentLine(MIXED, 'layers.Dropout(0.7)', '# noqa: DR101');
    assert.deepEqual(codes(src), ['DR109', 'CU301', 'CU302']);
  });

  test('bare # noqa silences every code on the line', () => {
    const src = commentLine(MIXED, 'layers.Dropout(0.7)', '# noqa');
    assert.deepEqual(codes(src), ['CU301', 'CU302']);
  });

  test('several codes, with or without spaces', () => {
    for (const c of ['# noqa: DR101, DR109', '# noqa:DR101,DR109', '# noqa: DR109 DR101']) {
      assert.deepEqual(codes(commentLine(MIXED, 'layers.Dropout(0.7)', c)), ['CU301', 'CU302'], c);
    }
  });

  test('a noqa on another line does not silence', () => {
    const src = commentLine(MIXED, 'keras.Input(', '# noqa');
    assert.deepEqual(codes(src), codes(MIXED));
  });

  for (const [style, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    test(`${style} line endings: a noqa on another line does not silence, on its own line it does`, () => {
      const other = commentLine(MIXED, 'keras.Input(', '# noqa').replace(/\n/g, eol);
      assert.deepEqual(codes(other), codes(MIXED), 'a # noqa on the Input line silenced the model');
      const own = commentLine(MIXED, 'layers.Dropout(0.7)', '# noqa: DR101').replace(/\n/g, eol);
      assert.deepEqual(
        codes(own),
        codes(MIXED).filter((c) => c !== 'DR101'),
      );
    });
  }

  test('a noqa for another code does not silence', () => {
    const src = commentLine(MIXED, 'layers.Dropout(0.7)', '# noqa: SH201');
    assert.deepEqual(codes(src), codes(MIXED));
  });

  test('multi-line call: noqa on the line of the layer name silences argument findings too', () => {
    const src = `${IMPORTS}\nmodel = keras.Sequential([\n    keras.Input(shape=(50, 16)),\n    layers.LSTM(  # noqa\n        32,\n        dropout=0.8,\n        recurrent_dropout=0.2,\n        activation='relu',\n    ),\n    layers.Dense(1),\n])\n`;
    const unsilenced = src.replace('  # noqa', '');
    assert.deepEqual(codes(unsilenced).sort(), ['CU301', 'CU302', 'DR109']);
    for (const f of findings(unsilenced)) {
      assert.equal(lineAt(unsilenced, f.anchor), 4 + IMPORTS.split('\n').length - 1, f.code);
    }
    assert.deepEqual(codes(src), []);
  });

  test('# rnnlab: noqa anywhere silences the whole file', () => {
    assert.ok(findings(MIXED).length > 0);
    const lines = MIXED.split('\n');
    for (let i = 0; i <= lines.length; i++) {
      const src = [...lines.slice(0, i), '# rnnlab: noqa', ...lines.slice(i)].join('\n');
      assert.deepEqual(findings(src), [], `at line ${i + 1}`);
    }
    const inFunction = `${IMPORTS}\ndef build():\n    # rnnlab: noqa\n    return keras.Sequential([keras.Input(shape=(50, 16)), layers.Dropout(0.7), layers.LSTM(8)])\n\nmodel = build()\n`;
    assert.deepEqual(findings(inFunction), []);
    assert.deepEqual(findings(commentLine(MIXED, 'layers.Dense(1)', '# rnnlab: noqa')), []);
  });
});

describe('# noqa on multi-line calls, for every layer-level code', () => {
  const ml = (body: string, shape = '(50, 16)', head = IMPORTS) =>
    `${head}\nmodel = keras.Sequential([\n    keras.Input(shape=${shape}),\n${body}])\n`;
  const cases: Array<[string, string, string, Opts]> = [
    [
      'DR107',
      ml('    layers.LSTM(8),\n    layers.Dense(1),\n    layers.Dropout(\n        0.5,\n    ),\n'),
      'layers.Dropout(',
      {},
    ],
    [
      'DR108',
      ml(
        '    layers.LSTM(8),\n    layers.SpatialDropout1D(\n        0.2,\n    ),\n    layers.Dense(1),\n',
      ),
      'layers.SpatialDropout1D(',
      {},
    ],
    [
      'DR110',
      ml(
        '    layers.LSTM(8),\n    layers.Dropout(\n        rate=0.0,\n    ),\n    layers.Dense(1),\n',
      ),
      'layers.Dropout(',
      {},
    ],
    [
      'DR111',
      ml(
        '    layers.LSTM(\n        8,\n        dropout=0.2,\n    ),\n    layers.Dense(1),\n',
        '(50, 16)',
        TF,
      ),
      'layers.LSTM(',
      { target: 'tf-keras2' },
    ],
  ];
  for (const [code, src, needle, opts] of cases) {
    test(code, () => {
      const f = one(src, code, opts);
      assert.equal(lineAt(src, f.anchor), lineAt(src, src.indexOf(needle)));
      assert.ok(
        src.slice(f.span.from, f.span.to).includes('\n') ||
          lineAt(src, f.span.from) !== lineAt(src, f.anchor),
        'the range is not only on the name line',
      );
      silent(commentLine(src, needle, `# noqa: ${code}`), code, opts);
      silent(commentLine(src, needle, '# noqa'), code, opts);
    });
  }
});

describe('select, ignore, severity', () => {
  test('select by code and by prefix (case-insensitive)', () => {
    assert.deepEqual(codes(MIXED, { select: ['DR'] }), ['DR101', 'DR109']);
    assert.deepEqual(codes(MIXED, { select: ['DR1'] }), ['DR101', 'DR109']);
    assert.deepEqual(codes(MIXED, { select: ['CU301'] }), ['CU301']);
    assert.deepEqual(codes(MIXED, { select: ['cu'] }), ['CU301', 'CU302']);
    assert.deepEqual(codes(MIXED, { select: ['DR109', 'CU302'] }), ['DR109', 'CU302']);
  });

  test('ignore by code and by prefix; ignore wins over select', () => {
    assert.deepEqual(codes(MIXED, { ignore: ['DR109'] }), ['DR101', 'CU301', 'CU302']);
    assert.deepEqual(codes(MIXED, { ignore: ['CU'] }), ['DR101', 'DR109']);
    assert.deepEqual(codes(MIXED, { select: ['DR'], ignore: ['DR101'] }), ['DR109']);
  });

  test('severity overrides, and off', () => {
    const fs = findings(MIXED, { severity: { DR101: 'error', CU302: 'warning', DR109: 'off' } });
    assert.deepEqual(summary(fs), ['DR101:error', 'CU301:warning', 'CU302:warning']);
    assert.deepEqual(summary(findings(MIXED, { severity: { CU301: 'info' } })), [
      'DR101:warning',
      'DR109:warning',
      'CU301:info',
      'CU302:info',
    ]);
  });
});

describe('targets', () => {
  const dropoutLstm = (head: string) =>
    seq('(50, 16)', ['layers.LSTM(32, dropout=0.3)', 'layers.Dense(1)'], head);

  test('tf-keras2 enables DR111 (tensorflow.keras follows the project setting)', () => {
    const src = dropoutLstm(TF);
    assert.deepEqual(codes(src, { target: 'tf-keras2' }), ['DR111']);
    assert.deepEqual(codes(src, { target: 'keras3' }), []);
    assert.deepEqual(codes(src), []);
  });

  test('import tf_keras infers tf-keras2', () => {
    for (const head of [
      'import tf_keras as keras\nfrom tf_keras import layers\n',
      'import tf_keras\nfrom tf_keras import layers\nkeras = tf_keras\n',
    ]) {
      const src = dropoutLstm(head);
      for (const target of ['keras3', 'tf-keras2', 'tfjs'] as const) {
        assert.deepEqual(codes(src, { target }), ['DR111'], `${head} / ${target}`);
      }
    }
  });

  test('import keras infers keras3 (no DR111 even when the project says tf-keras2)', () => {
    const src = dropoutLstm(IMPORTS);
    assert.deepEqual(codes(src, { target: 'tf-keras2' }), []);
  });

  test('CU rules are silent for tfjs; other rules still run', () => {
    const src = seq(
      '(50, 16)',
      [
        'layers.Dropout(0.3)',
        'layers.LSTM(32, recurrent_dropout=0.2)',
        "layers.Dense(1, activation='relu')",
      ],
      TF,
    );
    assert.deepEqual(codes(src, { target: 'keras3' }), ['DR101', 'CU301']);
    assert.deepEqual(codes(src, { target: 'tf-keras2' }), ['DR101', 'CU301']);
    assert.deepEqual(codes(src, { target: 'tfjs' }), ['DR101']);
    silent(seq('(50, 16)', ['layers.GRU(8, reset_after=False)'], TF), 'CU302', { target: 'tfjs' });
  });

  test('import keras infers keras3 even when the project says tfjs', () => {
    const src = seq('(50, 16)', ['layers.LSTM(32, recurrent_dropout=0.2)']);
    assert.deepEqual(codes(src, { target: 'tfjs' }), ['CU301']);
  });

  test('playground: CU301 becomes info; the rest keeps its severity', () => {
    const opts: Opts = { playground: true };
    assert.deepEqual(summary(findings(MIXED, opts)), [
      'DR101:warning',
      'DR109:warning',
      'CU301:info',
      'CU302:info',
    ]);
  });
});

describe('precedence and restraint', () => {
  test('DR102 replaces DR101 on the same layer', () => {
    assert.deepEqual(codes(seq('(50, 1)', ['layers.Dropout(0.3)', 'layers.LSTM(8)'])), ['DR102']);
    assert.deepEqual(
      codes(
        seq('(50, 16)', ['layers.Dropout(0.3, noise_shape=(None, None, 1))', 'layers.LSTM(8)']),
      ),
      ['DR102'],
    );
  });

  test('DR103 replaces DR101 on the same layer', () => {
    assert.deepEqual(
      codes(seq('(50, 16)', ['layers.TimeDistributed(layers.Dropout(0.3))', 'layers.LSTM(8)'])),
      ['DR103'],
    );
  });

  test('DR106 replaces DR109 on the same argument only', () => {
    const src = seq('(50, 16)', ['layers.GRU(8, dropout=1.2, recurrent_dropout=0.7)']);
    const fs = findings(src);
    assert.deepEqual(
      fs.map((f) => `${f.code} ${spanText(src, f)}`).sort(),
      ['CU301 recurrent_dropout=0.7', 'DR106 dropout=1.2', 'DR109 recurrent_dropout=0.7'],
      show(fs, src),
    );
    assert.deepEqual(
      codes(seq('(20,)', ['layers.Dense(8)', 'layers.Dropout(1.0)', 'layers.Dense(1)'])),
      ['DR106'],
    );
  });

  test('a loop adding the same layers three times reports once per source location', () => {
    const src = `${IMPORTS}\nmodel = keras.Sequential()\nmodel.add(keras.Input(shape=(50, 16)))\nfor _ in range(3):\n    model.add(layers.Dropout(0.7))\n    model.add(layers.LSTM(64, return_sequences=True, recurrent_dropout=0.2))\nmodel.add(layers.GlobalAveragePooling1D())\nmodel.add(layers.Dense(1))\n`;
    assert.equal(findings(src).length, 3, show(findings(src), src));
    assert.deepEqual(codes(src), ['DR101', 'DR109', 'CU301']);
    const f = one(src, 'DR101');
    assert.equal(spanText(src, f), 'layers.Dropout(0.7)');
  });

  test('a functional loop reports once per source location', () => {
    const src = `${IMPORTS}\ninputs = keras.Input(shape=(50, 16))\nx = inputs\nfor units in [64, 32, 16]:\n    x = layers.LSTM(units, return_sequences=True)(x)\n    x = layers.Dropout(0.6)(x)\nx = layers.LSTM(8)(x)\noutputs = layers.Dense(1)(x)\nmodel = keras.Model(inputs, outputs)\n`;
    assert.deepEqual(codes(src), ['DR101', 'DR109']);
  });

  test('a builder function called twice reports once per source location', () => {
    const src = `${IMPORTS}\ndef build(units):\n    return keras.Sequential([\n        keras.Input(shape=(50, 16)),\n        layers.Dropout(0.3),\n        layers.LSTM(units),\n        layers.Dense(1),\n    ])\n\nsmall = build(16)\nlarge = build(64)\n`;
    assert.deepEqual(codes(src), ['DR101']);
  });

  test('after an error-level shape finding, nothing downstream', () => {
    const src = seq('(50, 16)', [
      'layers.LSTM(64)',
      'layers.LSTM(32)',
      'layers.Dropout(0.5)',
      'layers.LSTM(16)',
      'layers.SpatialDropout1D(0.2)',
      'layers.Dense(1)',
    ]);
    assert.deepEqual(codes(src), ['SH201']);
  });
});

describe('fixes are well-formed edits', () => {
  const corpus = [
    MIXED,
    seq('(50, 1)', ['layers.Dropout(0.3)', 'layers.LSTM(8)']),
    seq('(50, 16)', ['layers.TimeDistributed(layers.Dropout(0.3))', 'layers.LSTM(8)']),
    seq('(50, 16)', ['layers.Dropout(0.3, noise_shape=(1, 1, 64))', 'layers.LSTM(8)']),
    seq('(50, 16)', ['layers.LSTM(8)', 'layers.Dense(1)', 'layers.Dropout(0.5)']),
    seq('(50, 16)', [
      'layers.LSTM(8)',
      'layers.SpatialDropout1D(0.2)',
      'layers.Dropout(0.0)',
      'layers.Dense(1)',
    ]),
    seq('(None, 16)', ['layers.LSTM(8)', 'layers.GRU(4, unroll=True)']),
    `${IMPORTS}\nmodel = keras.Sequential([layers.Embedding(100, 8, input_length=10), layers.LSTM(4)])\nmodel.compile(optimizer=keras.optimizers.Adam(0.5), loss='categorical_crossentropy')\n`,
  ];
  test('non-overlapping, inside the text, one preferred at most', () => {
    let count = 0;
    for (const src of corpus) {
      for (const f of findings(src)) {
        assert.ok(f.span.from >= 0 && f.span.to <= src.length && f.span.from < f.span.to, f.code);
        assert.ok(f.anchor >= 0 && f.anchor <= f.span.to, f.code);
        assert.ok(f.fixes.filter((x) => x.isPreferred).length <= 1, f.code);
        for (const fix of f.fixes) {
          count++;
          const edits = [...fix.edits].sort((a, b) => a.span.from - b.span.from);
          for (const e of edits) assert.ok(e.span.from >= 0 && e.span.to <= src.length);
          for (let i = 1; i < edits.length; i++) {
            assert.ok(edits[i - 1]!.span.to <= edits[i]!.span.from, `${f.code}: ${fix.title}`);
          }
        }
      }
    }
    assert.ok(count >= 10);
  });
});

describe('the Keras version a file shows by its imports', () => {
  const keras2 = [
    'from keras.layers.recurrent import LSTM',
    'from keras.layers.embeddings import Embedding',
    'from keras.preprocessing.text import Tokenizer',
    'import keras.backend.tensorflow_backend as K',
    'from keras.layers import CuDNNLSTM',
  ];
  for (const line of keras2) {
    test(`${line}: Keras 2 code, linted as tf.keras 2`, () => {
      const a = analyze(`${line}\nimport keras\n`);
      assert.equal(a.keras2Import !== null && a.keras2Import !== undefined, true);
      assert.equal(effectiveTarget(a.importRoots, 'keras3', a.keras2Import ?? null), 'tf-keras2');
    });
  }
  test('plain Keras 3 imports stay Keras 3', () => {
    const a = analyze(
      'import keras\nfrom keras.layers import LSTM, Embedding\nfrom keras import ops\n',
    );
    assert.equal(a.keras2Import, null);
    assert.equal(effectiveTarget(a.importRoots, 'tf-keras2', a.keras2Import ?? null), 'keras3');
  });
});

describe('multi-backend Keras (2.3 and older) by its imports: target keras2-multibackend', () => {
  const target = (src: string, configured: 'keras3' | 'tf-keras2' | 'keras2-multibackend') => {
    const a = analyze(src);
    return effectiveTarget(
      a.importRoots,
      configured,
      a.keras2Import ?? null,
      a.multiBackendImport ?? null,
    );
  };
  for (const line of [
    'from keras.layers import CuDNNLSTM',
    'from keras.layers import Dense, CuDNNGRU',
    'import keras.backend.tensorflow_backend as K',
    'from keras.backend.tensorflow_backend import set_session',
  ]) {
    test(`${line}: multi-backend Keras whatever the project says`, () => {
      assert.equal(target(`import keras\n${line}\n`, 'keras3'), 'keras2-multibackend');
      assert.equal(target(`import keras\n${line}\n`, 'tf-keras2'), 'keras2-multibackend');
    });
  }
  test('Keras 2 imports that 2.4+ also has stay tf.keras 2 unless the project says multi-backend', () => {
    const src = 'import keras\nfrom keras.layers.recurrent import GRU\n';
    assert.equal(target(src, 'keras3'), 'tf-keras2');
    assert.equal(target(src, 'keras2-multibackend'), 'keras2-multibackend');
    // A project on multi-backend Keras: its `import keras` is that Keras, not Keras 3.
    assert.equal(target('import keras\n', 'keras2-multibackend'), 'keras2-multibackend');
    assert.equal(target('import tf_keras\n', 'keras2-multibackend'), 'tf-keras2');
  });
  test('no cuDNN rules and no fast-path dropout note: LSTM/GRU never run on cuDNN there', () => {
    const src = `import keras
from keras.models import Sequential
from keras.layers import LSTM, GRU, Dense
model = Sequential()
model.add(LSTM(64, dropout=0.2, recurrent_dropout=0.2, return_sequences=True, input_shape=(50, 8)))
model.add(GRU(32, dropout=0.3, reset_after=False, recurrent_activation="hard_sigmoid"))
model.add(Dense(1))
`;
    // The same file under tf.keras 2 has CU301 (recurrent_dropout), CU302 (GRU) and DR111.
    const tf = findings(src, { target: 'tf-keras2' }).map((f) => f.code);
    assert.ok(tf.includes('CU301') && tf.includes('CU302'), tf.join());
    const mb = findings(src, { target: 'keras2-multibackend' }).map((f) => f.code);
    assert.deepEqual(
      mb.filter((c) => c.startsWith('CU') || c === 'DR111'),
      [],
    );
    const withCudnnImport = src.replace('LSTM, GRU, Dense', 'LSTM, GRU, Dense, CuDNNGRU');
    assert.deepEqual(
      findings(withCudnnImport, { target: 'tf-keras2' })
        .map((f) => f.code)
        .filter((c) => c.startsWith('CU') || c === 'DR111'),
      [],
    );
  });
  test('DR101 under multi-backend Keras offers GRU(dropout=...): one mask per sequence there', () => {
    const src = `from keras.models import Sequential
from keras.layers import Embedding, Dropout, GRU, Dense, CuDNNGRU
model = Sequential()
model.add(Embedding(1000, 64, input_length=40))
model.add(Dropout(0.5))
model.add(GRU(32))
model.add(Dense(1))
`;
    const f = findings(src).find((x) => x.code === 'DR101')!;
    assert.match(f.message, /GRU\(dropout=0\.5\) would keep one mask per sequence/);
    assert.equal(f.fixes[0]!.isPreferred, true);
    assert.match(f.fixes[0]!.title, /^Move the rate into GRU\(dropout=0\.5\)/);
  });
});
