/** `rnnlab run` end to end: the bundled CLI and kernel run a playground notebook. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { RUN_MIME, type RunOutput } from '../../../kernels/protocol';
import { readNotebook, writeNotebook } from '../../../notebook/nbformat';
import { assertBuilt } from '../helpers';

before(() => {
  assertBuilt();
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
    evalue?: string;
  }>;
  execution_count?: number | null;
}

test('examples/sine.rnnlab runs and is written with outputs: text, a run JSON and an SVG', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'rnnlab-run-')), 'sine.out.rnnlab');
  const before = readFileSync('examples/sine.rnnlab', 'utf8');
  const r = rnnlab(['run', 'examples/sine.rnnlab', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    readFileSync('examples/sine.rnnlab', 'utf8'),
    before,
    'the input is untouched with --out',
  );
  const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: Cell[]; nbformat: number };
  assert.equal(nb.nbformat, 4);
  const code = nb.cells.filter((c) => c.cell_type === 'code');
  assert.deepEqual(
    code.map((c) => c.execution_count),
    [1, 2, 3, 4],
  );
  const texts = code
    .flatMap((c) => c.outputs ?? [])
    .filter((o) => o.output_type === 'stream')
    .map((o) => o.text!.join(''));
  assert.ok(texts.some((t) => t.includes('(800, 50, 1) (800, 1) (200, 50, 1)')));
  assert.ok(texts.some((t) => t.includes('Total params: 4,385')));
  const display = code
    .flatMap((c) => c.outputs ?? [])
    .find((o) => o.output_type === 'display_data')!;
  const run = display.data![RUN_MIME] as RunOutput;
  assert.equal(run.version, 1);
  assert.equal(run.history['loss']!.length, 1, 'RNNLAB_MAX_EPOCHS caps the 8 epochs to 1');
  assert.deepEqual(Object.keys(run.history).sort(), ['loss', 'mae', 'val_loss', 'val_mae']);
  // nbformat's multiline string: Jupyter (and the editor) write the SVG as a list of lines.
  const svg = display.data!['image/svg+xml'] as string | string[];
  assert.match(Array.isArray(svg) ? svg.join('') : svg, /^<svg[\s\S]*<\/svg>$/);
  assert.match(r.stderr, /epoch 1\/1: loss/);
});

test('a failing cell stops the run with exit 1 and names the cell and line; outputs so far are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-run-'));
  const path = join(dir, 'bad.rnnlab');
  const cell = (source: string) => ({
    cell_type: 'code',
    metadata: {},
    outputs: [],
    execution_count: null,
    source,
  });
  writeFileSync(
    path,
    JSON.stringify({
      cells: [cell('print("first")'), cell('x = 1\ndef f():\n    pass'), cell('print("never")')],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  const r = rnnlab(['run', path]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    new RegExp(`${path.replace(/[.]/g, '\\.')}:cell2:2:1: cell error: \`def\` is not supported`),
  );
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { cells: Cell[] };
  assert.equal(nb.cells[0]!.outputs![0]!.text!.join(''), 'first\n');
  assert.equal(nb.cells[1]!.outputs![0]!.output_type, 'error');
  assert.deepEqual(nb.cells[2]!.outputs, [], 'cells after the failure do not run');
});

test("the analyzer's findings are printed before the notebook runs", () => {
  const r = rnnlab(
    [
      'run',
      'examples/dropout-placement.rnnlab',
      '--out',
      join(mkdtempSync(join(tmpdir(), 'rnnlab-run-')), 'o.rnnlab'),
    ],
    { RNNLAB_MAX_EPOCHS: '1' },
  );
  assert.equal(r.status, 0, r.stderr);
  const lint = r.stderr.indexOf('DR101');
  assert.ok(lint >= 0 && lint < r.stderr.indexOf('cell 2: running'), r.stderr.slice(0, 500));
  assert.match(r.stderr, /CU301/);
});

test('a notebook run from the terminal is saved byte for byte as the editor would save it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-run-'));
  const path = join(dir, 'saved.rnnlab');
  const code = (source: string | string[]) => ({
    cell_type: 'code',
    execution_count: null,
    metadata: {},
    outputs: [],
    source,
  });
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
  const saved = readFileSync(path, 'utf8');
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
