/** What the analyzer knows of the playground's module `rnnlab` (analyzer/python/rnnlab.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, Interpreter, type Host } from '../../../../analyzer/python/evaluate';
import { isRnnlabPath, RNNLAB_NAMES } from '../../../../analyzer/python/rnnlab';
import { lint } from '../../../../lint/index';
import { NONE } from '../../../../analyzer/python/values';

const CELL = [
  'import keras',
  'import rnnlab',
  'from rnnlab import datasets, show_masks',
  '(x_train, y_train), (x_val, y_val) = datasets.sine(samples=64, timesteps=20)',
  'model = keras.Sequential([keras.Input(shape=(20, 1)), keras.layers.LSTM(8, dropout=0.2), keras.layers.Dense(1)])',
  'rnnlab.show_masks(model, x_train)',
  'show_masks(model, x=x_val)',
].join('\n');

test('the editor: show_masks and star imports raise no finding and no note', () => {
  for (const text of [
    CELL,
    CELL.replace('from rnnlab import datasets, show_masks', 'from rnnlab import *'),
  ]) {
    const a = analyze(text);
    assert.deepEqual(a.notes, [], text);
    assert.deepEqual(
      lint(a, text, { playground: true }).map((f) => f.code),
      [],
    );
    assert.equal(a.models.length, 1, 'the model handed to show_masks is live');
  }
  assert.ok(RNNLAB_NAMES.includes('datasets') && RNNLAB_NAMES.includes('show_masks'));
  assert.ok(isRnnlabPath('rnnlab.show_masks') && isRnnlabPath('rnnlab'));
  assert.ok(!isRnnlabPath('rnnlabx.show_masks'));
});

test('the playground: a model handed to rnnlab is finished first, models in containers too', () => {
  const seen: Array<[string, string[]]> = [];
  const host: Host = {
    allowsImport: () => true,
    call: (path, site) => {
      if (!path.startsWith('rnnlab.')) return undefined;
      const models = site.args.flatMap((a) =>
        a.value.kind === 'model'
          ? [a.value.model]
          : a.value.kind === 'dict'
            ? a.value.entries.flatMap(([, v]) => (v.kind === 'model' ? [v.model] : []))
            : [],
      );
      seen.push([path, models.map((m) => m.layers.map((l) => l.type).join(' '))]);
      return NONE;
    },
    modelMethod: () => NONE,
    member: () => undefined,
  };
  new Interpreter(host).run(
    [
      'import keras',
      'import rnnlab',
      'm = keras.Sequential()',
      'm.add(keras.Input(shape=(5, 2)))',
      'm.add(keras.layers.Dropout(0.5))',
      'rnnlab.show_masks(m, 1)',
      'm.add(keras.layers.GRU(3))',
      'rnnlab.experiment({"a": m})',
    ].join('\n'),
  );
  assert.deepEqual(seen, [
    ['rnnlab.show_masks', ['Dropout']],
    ['rnnlab.experiment', ['Dropout GRU']],
  ]);
});
