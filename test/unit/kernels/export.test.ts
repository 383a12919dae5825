/**
 * Exports: the Keras script and the Jupyter notebook describe the same models as the playground
 * (the analyzer finds the same layers, shapes and parameter counts), with the rnnlab module
 * replaced by numpy data sets.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  datasetsUsed,
  exportNames,
  exportSource,
  rewriteCell,
  toJupyterNotebook,
  toKerasScript,
  type ExportSource,
} from '../../../kernels/export';
import { PYTHON_DATASETS, pythonDatasets } from '../../../kernels/data/python';
import { playgroundTemplate } from '../../../notebook/template';
import { readNotebook, writeNotebook } from '../../../notebook/nbformat';
import { call as callDataset, type ArgValue } from '../../../kernels/data/index';
import { lint } from '../../../lint/index';
import { analyze } from '../../../analyzer/python/evaluate';
import { SourceDoc } from '../../../notebook/cells';
import { summarize } from '../../../analyzer/summary';

// The scripts these tests write live under one folder, removed at the end (also after a failure).
const root = mkdtempSync(join(tmpdir(), 'rnnlab-export-'));
after(() => rmSync(root, { recursive: true, force: true }));

const EXAMPLES = ['examples/sine.rnnlab', 'examples/dropout-placement.rnnlab'];

/** Models as the analyzer sees them: names, layers, output shapes and parameter counts. */
function models(code: string) {
  return analyze(code).models.map((m) => {
    const s = summarize(m);
    return {
      name: s.name,
      kind: s.kind,
      rows: s.rows.map((r) => [r.name, r.type, r.outputShape, r.params]),
      total: s.totalParams,
      trainable: s.trainableParams,
      compiled: m.compile !== null,
    };
  });
}

const playground = (text: string) => models(SourceDoc.notebook(text).text);

for (const file of EXAMPLES) {
  const text = readFileSync(file, 'utf8');
  const src = exportSource(text, file);

  test(`${file}: the Keras script has the playground's models, layers, shapes and params`, () => {
    const expected = playground(text);
    assert.ok(expected.length > 0);
    assert.ok(expected.every((m) => m.total !== null && m.total > 0));
    assert.deepEqual(models(toKerasScript(src)), expected);
  });

  test(`${file}: the Jupyter notebook has the playground's models, layers, shapes and params`, () => {
    const ipynb = toJupyterNotebook(src);
    assert.deepEqual(models(SourceDoc.notebook(ipynb).text), playground(text));
  });
}

test('the sine example exports to a script with numpy data sets and comments for markdown', () => {
  const script = toKerasScript(
    exportSource(readFileSync('examples/sine.rnnlab', 'utf8'), 'examples/sine.rnnlab'),
  );
  assert.match(script, /^# sine: a Keras script exported by RNN Lab from sine\.rnnlab\./);
  assert.match(
    script,
    /\n# %% \[markdown\]\n# # Forecasting a noisy sine with an LSTM\n#\n# Each sample/,
  );
  assert.match(script, /\nimport numpy as np\n/);
  assert.match(script, /\nclass datasets:\n/);
  assert.match(script, /def sine\(samples=1000, timesteps=50, features=1, horizon=1, noise=0\.05/);
  assert.ok(!script.includes('def adding_problem'), 'only the data sets the notebook uses');
  assert.match(
    script,
    /\n# was: from rnnlab import datasets {2}\(`datasets` is defined with numpy above\)\n/,
  );
  assert.ok(!/^\s*(from|import) rnnlab/m.test(script), 'no rnnlab import is left');
  // The data sets come before the cell that used the import, after the introduction.
  assert.ok(script.indexOf('class datasets') > script.indexOf('# # Forecasting'));
  assert.ok(script.indexOf('class datasets') < script.indexOf('import keras'));
  assert.match(script, /\nprint\(model\.evaluate\(x_val, y_val\)\)\n$/);
  assert.equal(script.match(/^# %%$/gm)!.length, 5, 'the data sets and four code cells');
});

test('the header names the real source: a file by its name, an unsaved playground by its title', () => {
  const cells = [{ kind: 'code' as const, source: 'import keras\n' }];
  const header = (path: string, untitled: boolean) =>
    toKerasScript({ ...exportNames(path, untitled), cells }).split('\n')[0];
  assert.equal(
    header('Untitled-1', true),
    '# Untitled-1: a Keras script exported by RNN Lab from the unsaved playground Untitled-1.',
  );
  assert.equal(
    header('Untitled-2.rnnlab', true),
    '# Untitled-2: a Keras script exported by RNN Lab from the unsaved playground Untitled-2.',
  );
  assert.equal(
    header('/home/me/lab/my model.rnnlab', false),
    '# my model: a Keras script exported by RNN Lab from my model.rnnlab.',
  );
  assert.equal(exportNames('Untitled-1', true).name, 'Untitled-1', 'the suggested file name');
  assert.equal(exportNames('/home/me/lab/sine.rnnlab', false).name, 'sine');
});

test('the Jupyter export is a python3 notebook without outputs, in Jupyter layout', () => {
  const text = readFileSync('examples/dropout-placement.rnnlab', 'utf8');
  const ipynb = toJupyterNotebook(exportSource(text, 'dropout-placement.rnnlab'));
  const nb = JSON.parse(ipynb) as {
    cells: Array<{
      cell_type: string;
      id: string;
      outputs?: unknown[];
      execution_count?: unknown;
      source: string[];
    }>;
    metadata: Record<string, unknown>;
    nbformat: number;
    nbformat_minor: number;
  };
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.nbformat_minor, 5);
  assert.deepEqual(nb.metadata['kernelspec'], {
    display_name: 'Python 3',
    language: 'python',
    name: 'python3',
  });
  assert.deepEqual(nb.metadata['language_info'], { name: 'python' });
  assert.deepEqual(
    nb.cells.map((c) => c.cell_type),
    // The example's own cells, markdown kept as markdown, and the data sets' cell after the first.
    [
      'markdown',
      'code',
      'code',
      'markdown',
      'code',
      'markdown',
      ...Array(6).fill('code'),
      'markdown',
    ],
  );
  assert.equal(nb.cells[1]!.id, 'rnnlab-datasets');
  assert.match(nb.cells[1]!.source.join(''), /def adding_problem\(samples=1000, timesteps=50/);
  const source = nb.cells.map((c) => c.source.join('')).join('\n');
  assert.match(
    source,
    /^def compare\(variants, x, y, validation_data/m,
    'compare is defined for the comparison cell',
  );
  assert.match(
    source,
    /^# rnnlab\.show_masks\(masks_demo, x_train\)$/m,
    'the mask cell becomes a comment',
  );
  assert.equal(new Set(nb.cells.map((c) => c.id)).size, nb.cells.length, 'ids are unique');
  for (const c of nb.cells.filter((c) => c.cell_type === 'code')) {
    assert.deepEqual(c.outputs, []);
    assert.equal(c.execution_count, null);
  }
  // Jupyter's own layout: reading and writing it again changes nothing.
  assert.equal(writeNotebook(readNotebook(ipynb)), ipynb);
});

test('outputs of the playground are not exported', () => {
  const nb = readNotebook(readFileSync('examples/sine.rnnlab', 'utf8'));
  nb.cells[1]!.outputs = [
    { items: [{ mime: 'text/plain', value: 'secret' }], metadata: { outputType: 'display_data' } },
  ];
  nb.cells[1]!.executionCount = 4;
  const src = exportSource(writeNotebook(nb), 'sine.rnnlab');
  assert.ok(!toJupyterNotebook(src).includes('secret'));
  assert.ok(!toKerasScript(src).includes('secret'));
});

test('every spelling of the rnnlab import is rewritten', () => {
  const cases: Array<[string, string[]]> = [
    ['from rnnlab import datasets', []],
    ['from rnnlab import datasets as ds', ['ds = datasets']],
    [
      'from rnnlab.datasets import sine, parity as p',
      ['sine = datasets.sine', 'p = datasets.parity'],
    ],
    [
      'from rnnlab.datasets import (\n    sine,\n    adding_problem,\n)',
      ['sine = datasets.sine', 'adding_problem = datasets.adding_problem'],
    ],
    ['import rnnlab', ['import types', 'rnnlab = types.SimpleNamespace(datasets=datasets)']],
    [
      'import rnnlab.datasets',
      ['import types', 'rnnlab = types.SimpleNamespace(datasets=datasets)'],
    ],
    ['import rnnlab.datasets as ds', ['ds = datasets']],
    [
      'import keras, rnnlab as r',
      ['import keras', 'import types', 'r = types.SimpleNamespace(datasets=datasets)'],
    ],
    [
      'from rnnlab import experiments',
      ['experiments = None  # rnnlab.experiments exists only in the RNN Lab playground'],
    ],
  ];
  for (const [code, expected] of cases) {
    const r = rewriteCell(`${code}  # a comment\nx = 1`);
    assert.ok(r.importsRnnlab, code);
    const lines = r.code.split('\n');
    assert.match(lines[0]!, /^# was: /, code);
    assert.deepEqual(lines.slice(1, -1), expected, code);
    assert.equal(lines.at(-1), 'x = 1');
  }
  const untouched = 'import keras\nfrom keras import layers\nimport rnnlabx\n';
  assert.deepEqual(rewriteCell(untouched), { code: untouched, importsRnnlab: false });
  assert.equal(
    rewriteCell('  from rnnlab import datasets as d').code.split('\n')[1],
    '  d = datasets',
  );
  assert.equal(rewriteCell('%matplotlib inline').code, '# (IPython only) %matplotlib inline');
});

test('the data sets a notebook calls are found', () => {
  assert.deepEqual(datasetsUsed('datasets.sine(1)\nds.parity (2)'), ['sine', 'parity']);
  assert.deepEqual(datasetsUsed('datasets.csv("a.csv", 10, "y")'), ['csv']);
  assert.deepEqual(datasetsUsed('datasets.load_csv("a.csv", 10, "y")'), ['csv']);
  assert.deepEqual(datasetsUsed('from rnnlab.datasets import *'), [...PYTHON_DATASETS]);
  assert.deepEqual(datasetsUsed('import rnnlab\nf = rnnlab.datasets'), [...PYTHON_DATASETS]);
  assert.deepEqual(datasetsUsed('x = sine_wave(1)'), []);
});

test('a notebook without rnnlab imports gets no data sets', () => {
  const src: ExportSource = {
    name: 'plain',
    cells: [{ kind: 'code', source: 'import keras\nmodel = keras.Sequential()' }],
  };
  const script = toKerasScript(src);
  assert.ok(!script.includes('class datasets'));
  assert.match(script, /# %%\nimport keras\nmodel = keras\.Sequential\(\)\n$/);
  assert.equal(JSON.parse(toJupyterNotebook(src)).cells.length, 1);
});

test('the new-playground template analyses to one compiled model and lints clean', () => {
  const text = writeNotebook(playgroundTemplate());
  const doc = SourceDoc.notebook(text);
  const found = models(doc.text);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.name, 'forecaster');
  assert.ok(found[0]!.compiled);
  assert.deepEqual(found[0]!.rows.at(-1), ['dense', 'Dense', '(None, 1)', 33]);
  assert.deepEqual(
    lint(analyze(doc.text), doc.text, { playground: true }).map((f) => f.code),
    [],
  );
  assert.deepEqual(
    playgroundTemplate().cells.map((c) => c.kind),
    ['markdown', 'code', 'code', 'code'],
  );
  assert.notEqual(playgroundTemplate(), playgroundTemplate());
});

// ---- with Python and numpy, where the machine has them -------------------------------------------

const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const hasNumpy = python.status === 0;

test(
  'the numpy data sets make the same shapes as the playground kernel',
  { skip: !hasNumpy && 'no python3 with numpy' },
  () => {
    const dir = mkdtempSync(join(root, 'case-'));
    const rows = Array.from({ length: 30 }, (_, i) => `${i},${i * 2},${i % 3}`);
    writeFileSync(join(dir, 'series.csv'), `t,a,b\n${rows.join('\n')}\n`);
    // [python call, the kernel's data set name, its arguments]
    const calls: Array<[string, string, Record<string, ArgValue>]> = [
      ['sine(samples=100, timesteps=20, seed=1)', 'sine', { samples: 100, timesteps: 20, seed: 1 }],
      [
        'sine(samples=10, timesteps=5, features=3, horizon=2, validation_split=0.5)',
        'sine',
        { samples: 10, timesteps: 5, features: 3, horizon: 2, validation_split: 0.5 },
      ],
      [
        'adding_problem(samples=50, timesteps=9, seed=3)',
        'adding_problem',
        { samples: 50, timesteps: 9, seed: 3 },
      ],
      [
        'copy_memory(samples=40, timesteps=12, symbols=4, memory=3)',
        'copy_memory',
        { samples: 40, timesteps: 12, symbols: 4, memory: 3 },
      ],
      ['parity(samples=30, timesteps=6)', 'parity', { samples: 30, timesteps: 6 }],
      ['text_chars(samples=20, timesteps=15)', 'text_chars', { samples: 20, timesteps: 15 }],
      [
        'csv("series.csv", window=5, target="a")',
        'load_csv',
        { path: 'series.csv', window: 5, target: 'a' },
      ],
      [
        'load_csv("series.csv", 4, "b", features=["a", "b"], horizon=0, validation_split=0)',
        'load_csv',
        {
          path: 'series.csv',
          window: 4,
          target: 'b',
          features: ['a', 'b'],
          horizon: 0,
          validation_split: 0,
        },
      ],
    ];
    const expected = calls.map(([, name, args]) => {
      const d = callDataset(name, args, { workspace: dir });
      return JSON.stringify([d.train.x.shape, d.train.y.shape, d.val.x.shape, d.val.y.shape]);
    });
    const script = `${pythonDatasets(PYTHON_DATASETS)}
import json, os

os.chdir(${JSON.stringify(dir)})
def shapes(d):
    (xt, yt), (xv, yv) = d
    assert xt.dtype.name == "float32" and yt.dtype.name == "float32", (xt.dtype, yt.dtype)
    return json.dumps([list(a.shape) for a in (xt, yt, xv, yv)], separators=(",", ":"))
${calls.map(([py]) => `print(shapes(datasets.${py}))`).join('\n')}
(x, y), _ = datasets.adding_problem(samples=5, timesteps=10)
assert (x[:, :, 1].sum(axis=1) == 2).all()
assert abs((x[:, :, 0] * x[:, :, 1]).sum(axis=1) - y[:, 0]).max() < 1e-6
(x, y), _ = datasets.parity(samples=8, timesteps=5)
assert ((x.sum(axis=(1, 2)) % 2) == y[:, 0]).all()
(x, y), _ = datasets.copy_memory(samples=5, timesteps=8, symbols=4, memory=3)
assert (x.sum(axis=2) == 1).sum() == 4 * 7 and (x[:, -1].sum(axis=1) == 2).all()
(x, y), _ = datasets.csv("series.csv", window=5, target="a", horizon=1)
assert x[0, :, 1].tolist() == [0, 2, 4, 6, 8] and y[0, 0] == 10
`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), expected);
  },
);

test(
  'the exported scripts are valid Python',
  { skip: !hasNumpy && 'no python3 with numpy' },
  () => {
    const dir = mkdtempSync(join(root, 'case-'));
    for (const file of EXAMPLES) {
      const out = join(dir, file.replace(/^.*\//, '').replace('.rnnlab', '.py'));
      writeFileSync(out, toKerasScript(exportSource(readFileSync(file, 'utf8'), file)));
      const r = spawnSync('python3', ['-m', 'py_compile', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  },
);

test('show_masks cells become comments that say why, and the script still runs', () => {
  const cell = [
    'import rnnlab',
    'from rnnlab import show_masks',
    'rnnlab.show_masks(model, x_train)',
    'show_masks(',
    '    model,  # the model (',
    '    x_val,',
    ')',
    'for i in range(2):',
    '    show_masks(model, x_train)',
    'print("done")',
  ].join('\n');
  const lines = rewriteCell(cell).code.split('\n');
  assert.deepEqual(lines.slice(4), [
    '# show_masks: RNN Lab playground only; its calls below are comments',
    '# RNN Lab playground only: show_masks draws the dropout masks one training-mode forward pass applies (Keras has no such call).',
    '# rnnlab.show_masks(model, x_train)',
    '# RNN Lab playground only: show_masks draws the dropout masks one training-mode forward pass applies (Keras has no such call).',
    '# show_masks(',
    '#     model,  # the model (',
    '#     x_val,',
    '# )',
    'for i in range(2):',
    '    # RNN Lab playground only: show_masks draws the dropout masks one training-mode forward pass applies (Keras has no such call).',
    '    # show_masks(model, x_train)',
    '    pass',
    'print("done")',
  ]);
  assert.match(
    rewriteCell('from rnnlab import show_masks as sm').code,
    /sm = None {2}# rnnlab\.show_masks exists only in the RNN Lab playground/,
  );
  const src: ExportSource = { name: 'masks', cells: [{ kind: 'code', source: cell }] };
  for (const text of [
    toKerasScript(src),
    JSON.parse(toJupyterNotebook(src)).cells.at(-1).source.join(''),
  ]) {
    assert.ok(!/^[^#\n]*show_masks\(/m.test(text), 'no live show_masks call');
  }
  const python = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], {
    input: toKerasScript(src),
    encoding: 'utf8',
  });
  if (python.status !== null && !python.error) assert.equal(python.status, 0, python.stderr);
});

// ---- comparisons (rnnlab.compare) -----------------------------------------------------------------

const COMPARE_CELLS: ExportSource = {
  name: 'compare',
  cells: [
    {
      kind: 'code',
      source: `import keras
from keras import layers
import rnnlab
from rnnlab import datasets, compare
(x_train, y_train), (x_val, y_val) = datasets.sine(samples=60, timesteps=6, seed=3)`,
    },
    {
      kind: 'code',
      source: `a = keras.Sequential([keras.Input(shape=(6, 1)), layers.GRU(4), layers.Dense(1)])
a.compile(optimizer="adam", loss="mse")
b = keras.Sequential([keras.Input(shape=(6, 1)), layers.GRU(5), layers.Dense(1)])
b.compile(optimizer="adam", loss="mse")
result = compare({"a": a, "b": b}, x_train, y_train, validation_data=(x_val, y_val), epochs=2, seeds=2)
rnnlab.compare({"a": a}, x_train, y_train, validation_data=(x_val, y_val), epochs=1, seeds=[5])`,
    },
  ],
};

test('a comparison cell exports as a Keras loop over seeds and variants with a printed table', () => {
  const script = toKerasScript(COMPARE_CELLS);
  assert.match(
    script,
    /^def compare\(variants, x, y, validation_data, epochs=1, batch_size=32, seeds=3\):$/m,
  );
  assert.match(script, /keras\.models\.clone_model\(model\)/);
  assert.match(script, /^rnnlab = types\.SimpleNamespace\(datasets=datasets, compare=compare\)$/m);
  assert.match(script, /^# was: from rnnlab import datasets, compare/m);
  assert.doesNotMatch(script, /compare = None/);
  assert.ok(script.indexOf('def compare(') < script.indexOf('result = compare('));
  assert.match(rewriteCell('from rnnlab import compare as cmp', true).code, /^cmp = compare$/m);
  // A notebook that never compares gets neither the function nor the name.
  const plain = toKerasScript({
    name: 'plain',
    cells: [{ kind: 'code', source: 'import rnnlab\n(x, y), _ = rnnlab.datasets.sine()' }],
  });
  assert.doesNotMatch(plain, /def compare|compare=compare/);
  const nb = JSON.parse(toJupyterNotebook(COMPARE_CELLS));
  assert.ok(
    nb.cells.some((c: { source: string[] }) => c.source.join('').includes('def compare(')),
    'the notebook defines it too',
  );
});

/** Enough of keras to run an exported comparison without TensorFlow (models learn by a formula). */
const FAKE_KERAS = `import types
import numpy as np

_seed = [0]


class _Weight:
    def __init__(self, shape):
        self.shape = shape
        self.value = np.random.default_rng(_seed[0]).normal(size=shape)

    def numpy(self):
        return self.value

    def assign(self, value):
        self.value = np.array(value)


class _Layer:
    def __init__(self, units=0, **kwargs):
        self.units = units


class Sequential:
    def __init__(self, layers, name=None):
        self.layers = layers
        self.units = sum(layer.units for layer in layers)
        self.trainable_weights = [_Weight((self.units, 2)), _Weight((2,))]

    def compile(self, optimizer=None, loss=None, metrics=None):
        self.loss = loss
        self._config = {"optimizer": optimizer, "loss": loss}

    def get_compile_config(self):
        return self._config

    def compile_from_config(self, config):
        self.compile(**config)

    def count_params(self):
        return self.units * 10

    def fit(self, x, y, validation_data=None, epochs=1, batch_size=32, verbose=0):
        start = 1 + 0.01 * float(self.trainable_weights[1].value[0])
        loss = [start / (e + 1) for e in range(epochs)]
        return types.SimpleNamespace(history={"loss": loss, "val_loss": [v + 0.01 * self.units for v in loss]})


def Input(shape=None):
    return _Layer()


def _set_seed(seed):
    _seed[0] = seed


layers = types.SimpleNamespace(GRU=_Layer, Dense=_Layer)
utils = types.SimpleNamespace(set_random_seed=_set_seed)
models = types.SimpleNamespace(clone_model=lambda m: Sequential(m.layers))
losses = types.SimpleNamespace(get=lambda name: lambda y, p: np.mean((np.asarray(y) - p) ** 2, axis=-1))
ops = types.SimpleNamespace(convert_to_numpy=np.asarray)
`;

test(
  'the exported comparison runs and prints its table (keras stood in for)',
  { skip: !hasNumpy && 'no python3 with numpy' },
  () => {
    const dir = mkdtempSync(join(root, 'compare-'));
    mkdirSync(join(dir, 'keras'));
    writeFileSync(join(dir, 'keras', '__init__.py'), FAKE_KERAS);
    writeFileSync(join(dir, 'compare.py'), toKerasScript(COMPARE_CELLS));
    const r = spawnSync('python3', ['compare.py'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: dir },
    });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^a \(seed 0\): best val_loss /m);
    assert.match(out, /^b \(seed 1\): best val_loss /m);
    assert.match(out, /^Comparison of 2 variants x 2 seeds x 2 epochs$/m);
    assert.match(
      out,
      /^variant\s+params\s+best val_loss\s+final val_loss\s+gap \(val - train\)\s+time\/epoch$/m,
    );
    assert.match(out, /^a\s+50\s+0\.\d+ ± [\d.e-]+\s/m);
    assert.match(out, /^b\s+60\s/m);
    assert.match(out, /^baseline\s+-\s+\d\.\d+$/m);
    assert.match(out, /^Comparison of 1 variant x 1 seed x 1 epoch$/m);
  },
);
