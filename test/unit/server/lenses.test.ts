/**
 * "Show Dropout Masks" code lenses over real JSON-RPC: offered to a client that has their command
 * (`initializationOptions.maskLenses`), on each dropout of a model in a playground cell, with the
 * cell to insert below it naming the model's variable and the training inputs.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { CodeLens } from 'vscode-languageserver';
import { SHOW_MASKS_COMMAND, type ShowMasksArgs } from '../../../server/protocol';
import { modelVariable, trainingInputs } from '../../../server/lenses';
import { analyze } from '../../../analyzer/python/evaluate';
import { LspClient } from './lsp-client';

const CELLS = [
  'import keras\nfrom keras import layers\nfrom rnnlab import datasets\n(x_tr, y_tr), (x_val, y_val) = datasets.sine(timesteps=50)\n',
  [
    'forecaster = keras.Sequential([',
    '    keras.Input(shape=(50, 1)),',
    '    layers.GRU(32, return_sequences=True, dropout=0.2),',
    '    layers.Dropout(0.3),',
    '    layers.Bidirectional(layers.LSTM(8, recurrent_dropout=0.1)),',
    '    layers.Dense(1),',
    '])',
    'plain = keras.Sequential([keras.Input(shape=(50, 1)), layers.LSTM(4), layers.Dense(1)])',
    '',
  ].join('\n'),
];

const clients: LspClient[] = [];
after(async () => {
  for (const c of clients) await c.stop();
});

async function open(maskLenses: boolean) {
  const client = await LspClient.start({ initializationOptions: { maskLenses } });
  clients.push(client);
  const cell = (i: number) => `vscode-notebook-cell:/work/p.rnnlab#c${i}`;
  await client.connection.sendNotification('notebookDocument/didOpen', {
    notebookDocument: {
      uri: 'file:///work/p.rnnlab',
      notebookType: 'rnnlab',
      version: 1,
      cells: CELLS.map((_, i) => ({ kind: 2, document: cell(i) })),
    },
    cellTextDocuments: CELLS.map((text, i) => ({
      uri: cell(i),
      languageId: 'rnnlab',
      version: 1,
      text,
    })),
  });
  return { client, cell };
}

describe('Show Dropout Masks lenses', () => {
  test('one on each dropout line of a playground model, with the cell to insert', async () => {
    const { client, cell } = await open(true);
    assert.deepEqual(client.init.capabilities.codeLensProvider, { resolveProvider: false });
    const lenses = (await client.connection.sendRequest('textDocument/codeLens', {
      textDocument: { uri: cell(1) },
    })) as CodeLens[];
    assert.deepEqual(
      lenses.map((l) => l.range.start.line),
      [2, 3, 4],
      'the GRU with dropout=, the Dropout, the Bidirectional LSTM; not the plain model',
    );
    for (const l of lenses) {
      assert.equal(l.command?.title, 'Show Dropout Masks');
      assert.equal(l.command?.command, SHOW_MASKS_COMMAND);
      assert.deepEqual(l.command?.arguments, [
        { cell: cell(1), code: 'import rnnlab\nrnnlab.show_masks(forecaster, x_tr)' },
      ] satisfies ShowMasksArgs[]);
    }
    const none = (await client.connection.sendRequest('textDocument/codeLens', {
      textDocument: { uri: cell(0) },
    })) as CodeLens[];
    assert.deepEqual(none, []);
  });

  test('not offered to a client without the command', async () => {
    const { client, cell } = await open(false);
    assert.equal(client.init.capabilities.codeLensProvider, undefined);
    const lenses = await client.connection.sendRequest('textDocument/codeLens', {
      textDocument: { uri: cell(1) },
    });
    assert.deepEqual(lenses, []);
  });
});

describe('the names the inserted cell uses', () => {
  test("the model's variable, the data set's training inputs", () => {
    const text = `${CELLS[0]}${CELLS[1]}`;
    const a = analyze(text);
    assert.deepEqual(
      a.models.map((m) => modelVariable(text, m)),
      ['forecaster', 'plain'],
    );
    assert.equal(trainingInputs(text), 'x_tr');
    assert.equal(trainingInputs('x = 1'), null);
    const built = 'import keras\nm = build(keras.Sequential())';
    assert.equal(modelVariable(built, analyze(built).models[0]!), null);
  });
});
