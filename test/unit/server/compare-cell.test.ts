/**
 * Compare Dropout Placements: the comparison a model's code turns into (variants from the
 * linter's own fixes, a control without dropout), checked by analysing the generated code again,
 * and the request over real JSON-RPC.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { analyze } from '../../../analyzer/python/evaluate';
import { summarize } from '../../../analyzer/summary';
import { suggestDataset } from '../../../kernels/data/suggest';
import { COMPARE_MIME } from '../../../kernels/protocol';
import { lint } from '../../../lint/index';
import { readNotebook, writeNotebook } from '../../../notebook/nbformat';
import {
  cellOptions,
  comparisonPlayground,
  comparisonSource,
  planComparison,
  type ComparisonPlan,
} from '../../../server/compare-cell';
import { ComparisonPlanRequest } from '../../../server/protocol';
import { assertBuilt } from '../helpers';
import { LspClient } from './lsp-client';

const PY = `from __future__ import annotations
import keras
from keras import layers

T, F = 30, 3
UNITS = 2 * 8

model = keras.Sequential([
    keras.Input(shape=(T, F)),
    layers.GRU(UNITS, return_sequences=True),
    layers.Dropout(0.3),
    layers.GRU(UNITS),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(x_tr, y_tr, batch_size=16, epochs=4, validation_data=(x_v, y_v))
`;

function planOf(text: string, which = 0): ComparisonPlan {
  const analysis = analyze(text);
  const r = planComparison(text, lint(analysis, text), analysis.models[which]!);
  if ('error' in r) assert.fail(r.error);
  return r.plan;
}

/** The models the generated code builds, by variable order, with their totals and findings. */
function reanalyse(code: string) {
  const analysis = analyze(code);
  const findings = lint(analysis, code);
  return analysis.models.map((m) => ({
    total: summarize(m).totalParams,
    types: m.layers.map((l) => l.type),
    codes: findings
      .filter((f) => f.span.from >= m.site.span.from && f.span.to <= m.site.span.to)
      .map((f) => f.code),
  }));
}

describe('planComparison', () => {
  test('the variants are the model as written, its dropout quick fixes and a control without dropout', () => {
    const plan = planOf(PY);
    assert.equal(plan.variable, 'model');
    assert.deepEqual(
      plan.variants.map((v) => v.key),
      ['as_written', 'gru_dropout', 'spatial_dropout', 'noise_shape', 'no_dropout'],
    );
    assert.equal(plan.variants[0]!.source, null, 'the model as written is reused, not copied');
    assert.deepEqual(plan.fit, {
      x: 'x_tr',
      y: 'y_tr',
      validation: '(x_v, y_v)',
      epochs: '4',
      batchSize: '16',
    });
    assert.deepEqual(plan.inputShape, [30, 3]);
    assert.deepEqual(plan.output, { units: 1, activation: 'linear', loss: 'mse' });
    assert.deepEqual(plan.preamble.constants, ['T = 30', 'F = 3', 'UNITS = 2 * 8']);
    assert.deepEqual(plan.preamble.imports, ['import keras', 'from keras import layers']);
  });

  test('every copy builds, keeps the parameter total, and the fix it applies removes its finding', () => {
    const plan = planOf(PY);
    const setup = [...plan.preamble.imports, ...plan.preamble.constants].join('\n');
    const code = `${setup}\n${comparisonSource(plan, { ...cellOptions(plan, true), x: 'x', y: 'y' })}`;
    const models = reanalyse(code);
    assert.equal(models.length, 5, code);
    const total = models[0]!.total;
    assert.ok(total !== null && total > 0);
    for (const m of models) assert.equal(m.total, total, code);
    assert.ok(models[0]!.codes.includes('DR101'), 'the original keeps its finding');
    assert.deepEqual(models[1]!.types, ['GRU', 'GRU', 'Dense'], 'rate moved into the GRU');
    assert.ok(!models[1]!.codes.includes('DR101'));
    assert.ok(models[2]!.types.includes('SpatialDropout1D'));
    assert.deepEqual(models[4]!.types, ['GRU', 'GRU', 'Dense'], 'no dropout layer');
    assert.match(code, /"no_dropout": model_no_dropout,/);
    assert.match(code, /^ {4}x, y,$/m);
    assert.match(code, /epochs=4, batch_size=16,/);
  });

  test('a model without compile() gets one in every copy, the original included', () => {
    const text = PY.replace(/^model\.(compile|fit).*\n/gm, '');
    const plan = planOf(text);
    assert.notEqual(plan.variants[0]!.source, null);
    assert.match(
      plan.variants[0]!.source!,
      /^model_as_written\.compile\(optimizer="adam", loss="mse"\)/m,
    );
    const code = comparisonSource(plan, cellOptions(plan, false));
    assert.doesNotMatch(code, /"as_written": model,/);
  });

  test('a model built inside a function is copied dedented; its parameters are named as missing', () => {
    const text = `import keras
from keras import layers

def build(units, rate):
    m = keras.Sequential()
    m.add(layers.Input((20, 1)))
    m.add(layers.LSTM(units, return_sequences=True))
    m.add(layers.Dropout(rate))
    m.add(layers.LSTM(units))
    m.add(layers.Dense(1, activation="sigmoid"))
    m.compile(optimizer="adam", loss="binary_crossentropy")
    return m

net = build(16, 0.2)
`;
    const plan = planOf(text);
    assert.equal(plan.variable, 'm');
    assert.match(plan.region, /^m = keras\.Sequential\(\)$/m, plan.region);
    assert.deepEqual(
      plan.preamble.missing.map((m) => m.name),
      ['units', 'rate'],
    );
    const nb = comparisonPlayground(
      plan,
      suggestDataset({ input: plan.inputShape, ...plan.output }).code,
      'build.py, line 5',
    );
    const setup = nb.cells[1]!.source;
    assert.match(setup, /^# units = \.\.\. {2}# set it/m);
    assert.match(setup, /datasets\.parity\(samples=1000, timesteps=20, seed=0\)/);
  });

  test('a model with nothing to compare, or not bound to a name, gets a sentence saying what to do', () => {
    const none = `import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((5, 2)), layers.GRU(4), layers.Dense(1)])\n`;
    const a = analyze(none);
    const r = planComparison(none, lint(a, none), a.models[0]!);
    assert.ok('error' in r);
    assert.match(r.error, /has no dropout.*Add a Dropout layer or dropout=/);

    const unbound = `import keras\nfrom keras import layers\nprint(keras.Sequential([keras.Input((5, 2)), layers.GRU(4), layers.Dropout(0.2), layers.Dense(1)]))\n`;
    const b = analyze(unbound);
    const s = planComparison(unbound, lint(b, unbound), b.models[0]!);
    assert.ok('error' in s);
    assert.match(s.error, /not bound to a variable/);
  });

  test('from a Python file, a new playground with a data set of the same shapes, then the comparison', () => {
    const plan = planOf(PY);
    const data = suggestDataset({ input: plan.inputShape, ...plan.output });
    assert.equal(data.ready, true);
    const nb = comparisonPlayground(plan, data.code, 'train.py, line 8');
    assert.deepEqual(
      nb.cells.map((c) => c.kind),
      ['markdown', 'code', 'code'],
    );
    assert.match(nb.cells[0]!.source, /from train\.py, line 8/);
    const setup = nb.cells[1]!.source;
    assert.match(setup, /^from rnnlab import datasets$/m);
    assert.match(
      setup,
      /^\(x_train, y_train\), \(x_val, y_val\) = datasets\.sine\(samples=1000, timesteps=30, features=3, seed=0\)$/m,
    );
    const compare = nb.cells[2]!.source;
    assert.match(compare, /^model = keras\.Sequential\(\[$/m, 'the original is copied too');
    assert.match(compare, /^ {4}x_train, y_train,$/m, "the data set's names, not the file's");
    // The whole playground analyses to five models of one total.
    const models = reanalyse(`${setup}\n${compare}`);
    assert.equal(models.length, 5);
    assert.equal(new Set(models.map((m) => m.total)).size, 1);
  });
});

test('the playground made from a Python file runs: every variant, every seed', () => {
  assertBuilt();
  const plan = planOf(PY.replace('batch_size=16, epochs=4', 'batch_size=64, epochs=1'));
  const data = suggestDataset({ input: plan.inputShape, ...plan.output });
  const nb = comparisonPlayground(
    plan,
    data.code.replace('samples=1000', 'samples=200'),
    'train.py',
  );
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-compare-'));
  try {
    const file = join(dir, 'compare.rnnlab');
    writeFileSync(file, writeNotebook(nb));
    const r = spawnSync(process.execPath, ['dist/cli.js', 'run', file], {
      encoding: 'utf8',
      env: { ...process.env, RNNLAB_MAX_EPOCHS: '1' },
      timeout: 300_000,
    });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const out = readNotebook(readFileSync(join(dir, 'compare.out.rnnlab'), 'utf8'));
    const item = out.cells[2]!.outputs.flatMap((o) => o.items).find((i) => i.mime === COMPARE_MIME);
    assert.ok(item, 'a comparison output');
    const result = JSON.parse(item.value) as {
      variants: Array<{ name: string; runs: Array<{ status: string }> }>;
    };
    assert.deepEqual(
      result.variants.map((v) => [v.name, v.runs.filter((run) => run.status === 'done').length]),
      plan.variants.map((v) => [v.key, 5]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('suggestDataset', () => {
  const ask = (
    input: (number | null)[] | null,
    units: number,
    activation: string | null,
    loss = 'mse',
  ) => suggestDataset({ input, units, activation, loss });

  test('a built-in data set where the shapes allow one', () => {
    assert.match(
      ask([40, 2], 1, 'linear').code,
      /datasets\.adding_problem\(samples=1000, timesteps=40, seed=0\)$/,
    );
    assert.match(
      ask([40, 5], 1, null).code,
      /datasets\.sine\(samples=1000, timesteps=40, features=5, seed=0\)$/,
    );
    assert.match(
      ask([null, 1], 1, 'sigmoid', 'binary_crossentropy').code,
      /datasets\.parity\(samples=1000, timesteps=50, seed=0\)$/,
    );
    assert.match(ask([null, 1], 1, 'sigmoid').code, /any length; these have 50 timesteps/);
    // copy_memory: symbols + blank + delimiter + memory query channels.
    assert.match(
      ask([30, 15], 8, 'softmax', 'sparse_categorical_crossentropy').code,
      /datasets\.copy_memory\(samples=1000, timesteps=30, symbols=8, memory=5, seed=0\)$/,
    );
  });

  test('otherwise a datasets.csv placeholder that says what to fill in', () => {
    for (const s of [
      ask([100], 1, 'sigmoid'),
      ask([20, 4], 3, 'softmax'),
      ask(null, 1, 'linear'),
    ]) {
      assert.equal(s.ready, false);
      assert.match(s.code, /^# No built-in data set has the model's input shape/);
      assert.match(s.code, /datasets\.csv\("data\.csv", window=\d+, target="target"\)$/);
    }
  });
});

describe('rnnlab/comparisonPlan over JSON-RPC', () => {
  const clients: LspClient[] = [];
  after(async () => {
    for (const c of clients) await c.stop();
  });

  test('plans the model under the cursor of a Python file, and refuses with a reason', async () => {
    const client = await LspClient.start();
    clients.push(client);
    const uri = 'file:///work/train.py';
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: PY },
    });
    const line = PY.split('\n').findIndex((l) => l.includes('layers.Dropout(0.3)'));
    const result = await client.connection.sendRequest(ComparisonPlanRequest, {
      textDocument: { uri },
      position: { line, character: 8 },
    });
    assert.equal(result.notebook, false);
    assert.equal(result.location.uri, uri);
    assert.equal(result.location.range.start.line, 7, 'the model code starts at its constructor');
    assert.equal(result.plan.variants.length, 5);

    await assert.rejects(
      client.connection.sendRequest(ComparisonPlanRequest, {
        textDocument: { uri: 'file:///work/closed.py' },
        position: { line: 0, character: 0 },
      }),
      (e: Error & { data?: { reason?: string } }) => e.data?.reason === 'notOpen',
    );
  });
});
