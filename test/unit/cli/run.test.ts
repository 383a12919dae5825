/** `rnnlab run` end to end: the bundled CLI and kernel run a playground notebook. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  COMPARE_MIME,
  RUN_MIME,
  RUN_SCHEMA_VERSION,
  type CompareOutput,
  type RunOutput,
} from '../../../kernels/protocol';
import { readNotebook, writeNotebook } from '../../../notebook/nbformat';
import { MASKS_MIME, readMasks } from '../../../kernels/mask-output';
import { assertBuilt } from '../helpers';

before(() => {
  assertBuilt();
});

/** Temporary folders of this file, removed when it ends (whether its tests pass or not). */
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-run-'));
  temps.push(dir);
  return dir;
}
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function rnnlab(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['dist/cli.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, RNNLAB_MAX_EPOCHS: '1', ...env },
    timeout: 300_000,
  });
}

interface Cell {
  cell_type: string;
  outputs?: Array<{
    output_type: string;
    data?: Record<string, unknown>;
    text?: string[];
    ename?: string;
    evalue?: string;
  }>;
  execution_count?: number | null;
}

const code = (source: string | string[]) => ({
  cell_type: 'code',
  execution_count: null,
  metadata: {},
  outputs: [],
  source,
});

/** Writes a notebook of these cells into a fresh temporary folder; returns its path. */
function notebook(name: string, cells: object[]): string {
  const path = join(tempDir(), name);
  writeFileSync(path, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  return path;
}

const cellsOf = (path: string) =>
  (JSON.parse(readFileSync(path, 'utf8')) as { cells: Cell[] }).cells;

test('without options the notebook is written beside its input, as NAME.out.rnnlab, with text, a run JSON and an SVG', () => {
  const dir = tempDir();
  const input = join(dir, 'sine.rnnlab');
  copyFileSync('examples/sine.rnnlab', input);
  const before = readFileSync(input);
  const r = rnnlab(['run', input]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readFileSync(input), before, 'the input is byte-identical');
  const out = join(dir, 'sine.out.rnnlab');
  assert.match(r.stderr, new RegExp(`wrote ${out.replace(/[.]/g, '\\.')}\n`));
  const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: Cell[]; nbformat: number };
  assert.equal(nb.nbformat, 4);
  const cells = nb.cells.filter((c) => c.cell_type === 'code');
  assert.deepEqual(
    cells.map((c) => c.execution_count),
    [1, 2, 3, 4],
  );
  const texts = cells
    .flatMap((c) => c.outputs ?? [])
    .filter((o) => o.output_type === 'stream')
    .map((o) => o.text!.join(''));
  assert.ok(texts.some((t) => t.includes('(800, 50, 1) (800, 1) (200, 50, 1)')));
  assert.ok(texts.some((t) => t.includes('Total params: 4,385')));
  const display = cells
    .flatMap((c) => c.outputs ?? [])
    .find((o) => o.output_type === 'display_data')!;
  const run = display.data![RUN_MIME] as RunOutput;
  assert.equal(run.version, RUN_SCHEMA_VERSION, 'the same run output as the editor saves');
  assert.equal(run.history['loss']!.length, 1, 'RNNLAB_MAX_EPOCHS caps the 8 epochs to 1');
  assert.deepEqual(Object.keys(run.history).sort(), ['loss', 'mae', 'val_loss', 'val_mae']);
  // The epoch's wall time, for the dashboard's time per epoch.
  assert.equal(run.epochMs?.length, 1);
  assert.ok((run.epochMs?.[0] ?? 0) > 0, `epochMs ${String(run.epochMs)}`);
  // nbformat's multiline string: Jupyter (and the editor) write the SVG as a list of lines.
  const svg = display.data!['image/svg+xml'] as string | string[];
  assert.match(Array.isArray(svg) ? svg.join('') : svg, /^<svg[\s\S]*<\/svg>$/);
  const plain = display.data!['text/plain'] as string | string[];
  assert.match(Array.isArray(plain) ? plain.join('') : plain, /^sequential: 1 epoch: loss/);
  assert.match(
    r.stderr,
    /fit sequential: 800 samples, 200 for validation, 1 epoch of 25 batches\n/,
  );
  assert.match(r.stderr, /epoch 1\/1: loss/);
});

test('--out writes there and leaves the input alone; --inplace overwrites the input', () => {
  const path = notebook('small.rnnlab', [code('print("hello")')]);
  const before = readFileSync(path);
  const out = join(tempDir(), 'elsewhere.rnnlab');
  const r = rnnlab(['run', path, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readFileSync(path), before, 'the input is byte-identical with --out');
  assert.equal(existsSync(path.replace(/\.rnnlab$/, '.out.rnnlab')), false, 'nothing beside it');
  assert.equal(cellsOf(out)[0]!.outputs![0]!.text!.join(''), 'hello\n');

  const inplace = rnnlab(['run', '--inplace', path]);
  assert.equal(inplace.status, 0, inplace.stderr);
  assert.match(inplace.stderr, new RegExp(`wrote ${path.replace(/[.]/g, '\\.')}\n`));
  assert.equal(cellsOf(path)[0]!.outputs![0]!.text!.join(''), 'hello\n');
  assert.equal(cellsOf(path)[0]!.execution_count, 1);

  const both = rnnlab(['run', path, '--inplace', '--out', out]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--out and --inplace/);
  const nowhere = rnnlab(['run', path, '--out', join(path, 'no', 'such', 'x.rnnlab')]);
  assert.equal(nowhere.status, 2, 'a folder that does not exist is known before anything runs');
  assert.match(nowhere.stderr, /cannot write .*x\.rnnlab: the folder .* does not exist/);
  assert.doesNotMatch(nowhere.stderr, /cell 1: running/);
});

test('a failing cell stops the run with exit 1 and names the cell and line; outputs so far are kept', () => {
  const path = notebook('bad.rnnlab', [
    code('print("first")'),
    code('x = 1\ndef f():\n    pass'),
    code('print("never")'),
  ]);
  const r = rnnlab(['run', path]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    new RegExp(`${path.replace(/[.]/g, '\\.')}:cell2:2:1: cell error: \`def\` is not supported`),
  );
  const cells = cellsOf(path.replace(/\.rnnlab$/, '.out.rnnlab'));
  assert.equal(cells[0]!.outputs![0]!.text!.join(''), 'first\n');
  assert.equal(cells[1]!.outputs![0]!.output_type, 'error');
  assert.deepEqual(cells[2]!.outputs, [], 'cells after the failure do not run');
});

test('Ctrl-C ends the running cell as a KeyboardInterrupt, saves it, stops the run and exits 130', async () => {
  const path = notebook('long.rnnlab', [
    code(
      'import keras\nfrom keras import layers\nfrom rnnlab import datasets\n(x, y), (vx, vy) = datasets.sine(samples=8000, timesteps=50, seed=0)\nmodel = keras.Sequential([keras.Input(shape=(50, 1)), layers.LSTM(32), layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse")',
    ),
    // 6,400 training windows in batches of 8: 800 batches, far longer than the test waits.
    code('print("fitting")\nmodel.fit(x, y, epochs=3, batch_size=8)\nprint("after the fit")'),
    code('print(model.evaluate(vx, vy))'),
  ]);
  const child = spawn(process.execPath, ['dist/cli.js', 'run', path], {
    env: { ...process.env, RNNLAB_MAX_EPOCHS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  try {
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        const first = !/fit sequential/.test(stderr);
        stderr += d.toString();
        // The fit has started: interrupt it, as Ctrl-C in the terminal does.
        if (first && /fit sequential/.test(stderr)) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    assert.equal(code, 130, stderr);
    assert.match(
      stderr,
      /cell2:2:1: KeyboardInterrupt: stopped at epoch 1\/3, batch \d+\/800; the weights trained so far are kept/,
    );
    assert.equal(stdout, 'fitting\n', 'nothing after the fit ran, and no later cell');
    const cells = cellsOf(path.replace(/\.rnnlab$/, '.out.rnnlab'));
    const outputs = cells[1]!.outputs!;
    assert.deepEqual(
      outputs.map((o) => o.output_type),
      ['stream', 'display_data', 'error'],
    );
    assert.equal(outputs[2]!.ename, 'KeyboardInterrupt');
    assert.match(outputs[2]!.evalue!, /stopped at epoch 1\/3, batch \d+\/800/);
    assert.deepEqual(cells[2]!.outputs, [], 'the run stopped');
    assert.equal(cells[2]!.execution_count, null);
  } finally {
    clearTimeout(killer);
    child.kill('SIGKILL');
  }
});

test("the analyzer's findings are printed before the notebook runs", () => {
  const r = rnnlab([
    'run',
    'examples/dropout-placement.rnnlab',
    '--out',
    join(tempDir(), 'o.rnnlab'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const lint = r.stderr.indexOf('DR101');
  assert.ok(lint >= 0 && lint < r.stderr.indexOf('cell 2: running'), r.stderr.slice(0, 500));
  assert.match(r.stderr, /CU301/);
});

test('a notebook run from the terminal is saved byte for byte as the editor would save it', () => {
  const path = join(tempDir(), 'saved.rnnlab');
  // Written the way other tools may write it: sources as one string, keys in any order.
  writeFileSync(
    path,
    JSON.stringify({
      nbformat_minor: 5,
      nbformat: 4,
      metadata: { language_info: { name: 'rnnlab' } },
      cells: [
        { source: '# Title\n\nA line.', metadata: {}, cell_type: 'markdown' },
        code(
          'import keras\nfrom keras import layers\nfrom rnnlab import datasets\nprint("a")\nprint("b")',
        ),
        code([
          '(x, y), _ = datasets.sine(samples=64, timesteps=5, seed=1)\n',
          'm = keras.Sequential([keras.Input(shape=(5, 1)), layers.LSTM(2), layers.Dense(1)])\n',
          'm.compile(optimizer="adam", loss="mse")\n',
          'm.summary()\n',
          'm.fit(x, y, epochs=1, batch_size=16)',
        ]),
        code('print(undefined_name)'),
        code('print("never")'),
      ],
    }),
  );
  const r = rnnlab(['run', path]);
  assert.equal(r.status, 1, r.stderr);
  const saved = readFileSync(path.replace(/\.rnnlab$/, '.out.rnnlab'), 'utf8');
  const kinds = (JSON.parse(saved) as { cells: Cell[] }).cells.flatMap((c) =>
    (c.outputs ?? []).map((o) => o.output_type),
  );
  assert.deepEqual(kinds, ['stream', 'stream', 'display_data', 'error']);
  // The VS Code serializer reads with readNotebook and writes with writeNotebook.
  assert.equal(writeNotebook(readNotebook(saved)), saved);
});

test('usage errors exit 2', () => {
  assert.equal(rnnlab(['run']).status, 2);
  assert.equal(rnnlab(['run', '/no/such.rnnlab']).status, 2);
  assert.equal(rnnlab(['run', 'examples/sine.rnnlab'], { RNNLAB_MAX_EPOCHS: 'lots' }).status, 2);
});

test('a comparison cell prints its table and saves one comparison output, not one per run', () => {
  const path = notebook('compare.rnnlab', [
    code([
      'import keras\n',
      'from keras import layers\n',
      'from rnnlab import datasets, compare\n',
      '(x_train, y_train), (x_val, y_val) = datasets.sine(samples=60, timesteps=6, seed=2)\n',
      'a = keras.Sequential([keras.Input(shape=(6, 1)), layers.GRU(3), layers.Dense(1)])\n',
      'a.compile(optimizer="adam", loss="mse")\n',
      'b = keras.Sequential([keras.Input(shape=(6, 1)), layers.GRU(4), layers.Dense(1)])\n',
      'b.compile(optimizer="adam", loss="mse")\n',
      'compare({"a": a, "b": b}, x_train, y_train, validation_data=(x_val, y_val), epochs=3, seeds=2)',
    ]),
  ]);
  const out = join(tempDir(), 'out.rnnlab');
  const r = rnnlab(['run', path, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  // RNNLAB_MAX_EPOCHS=1 caps the comparison's epochs as it caps a fit's.
  assert.match(r.stdout, /^Comparison of 2 variants × 2 seeds \(0, 1\) × 1 epoch, loss mse$/m);
  assert.match(r.stdout, /^variant\s+params\s+best val_loss\s+final val_loss/m);
  assert.match(r.stdout, /^a\s+58\s+\d\.\d+ ± /m);
  assert.match(r.stdout, /^baseline\s+–\s+\d\.\d+$/m);
  assert.match(r.stdout, /(Within the noise of 2 seeds|generalises better)/);
  assert.equal((r.stdout.match(/^Comparison of/gm) ?? []).length, 1, 'the table is printed once');
  assert.match(r.stderr, /fit a \(seed 1\): 48 samples, 12 for validation, 1 epoch/);
  const outputs = cellsOf(out)[0]!.outputs!;
  assert.deepEqual(
    outputs.map((o) => Object.keys(o.data ?? {}).sort()),
    [[COMPARE_MIME, 'image/svg+xml', 'text/plain']],
  );
  const saved = outputs[0]!.data![COMPARE_MIME] as CompareOutput;
  assert.equal(saved.status, 'done');
  assert.deepEqual(
    saved.variants.map((v) => v.runs.length),
    [2, 2],
  );
});

test('a show_masks cell prints a line per mask and saves the masks, their picture and text', () => {
  const path = notebook('masks.rnnlab', [
    code([
      'import keras\n',
      'from keras import layers\n',
      'from rnnlab import datasets, show_masks\n',
      '(x_train, y_train), _ = datasets.sine(samples=16, timesteps=10, seed=2)\n',
      'm = keras.Sequential([keras.Input(shape=(10, 1)), layers.GRU(6, return_sequences=True), layers.SpatialDropout1D(0.5), layers.LSTM(3, dropout=0.5)])\n',
      'show_masks(m, x_train)',
    ]),
  ]);
  const out = join(tempDir(), 'out.rnnlab');
  const r = rnnlab(['run', path, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Dropout masks applied to sample 0 in one training-mode forward pass/m);
  assert.match(
    r.stdout,
    /^ {2}spatial_dropout1d · SpatialDropout1D \[10 timesteps × 6 units\]: (the same \d of 6 units dropped at every timestep|nothing dropped.*)$/m,
  );
  assert.match(r.stdout, /^ {2}lstm · dropout= \(inputs\) \[10 timesteps × 6 units\]: /m);
  const outputs = cellsOf(out)[0]!.outputs!;
  assert.deepEqual(
    outputs.map((o) => Object.keys(o.data ?? {})),
    [[MASKS_MIME, 'image/svg+xml', 'text/plain']],
  );
  assert.equal(typeof readMasks(outputs[0]!.data![MASKS_MIME]), 'object');
});
