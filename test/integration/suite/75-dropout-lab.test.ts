/// <reference types="mocha" />
/**
 * The dropout lab in a real VS Code: the example notebook end to end (its mask picture and its
 * comparison of five placements), and "Compare Dropout Placements" on a playground cell (a
 * comparison cell below it, which runs) and on a Python file (a new playground that runs).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  cellEditor,
  closeAllEditors,
  codeCells,
  CONTROLLER_ID,
  describeCell,
  discardUntitled,
  EXTENSION_ID,
  NOTEBOOK_TYPE,
  outputMimes,
  runCells,
  waitFor,
  workspaceUri,
} from './util';

const MASKS_MIME = 'application/vnd.rnnlab.masks+json';
const COMPARE_MIME = 'application/vnd.rnnlab.compare+json';
const decoder = new TextDecoder();

interface Comparison {
  status: string;
  variants: Array<{ name: string; runs: Array<{ status: string }> }>;
  verdict: string;
}

function comparisonOf(cell: vscode.NotebookCell): Comparison {
  for (const o of cell.outputs)
    for (const item of o.items)
      if (item.mime === COMPARE_MIME) return JSON.parse(decoder.decode(item.data)) as Comparison;
  assert.fail(`no comparison output: ${describeCell(cell)}`);
}

/** Every variant of a comparison with all its seeds finished. */
function finishedRuns(c: Comparison): Array<[string, number]> {
  return c.variants.map((v) => [v.name, v.runs.filter((r) => r.status === 'done').length]);
}

/** Selects RNN Lab's kernel for the active notebook editor. */
async function selectKernel(): Promise<void> {
  await vscode.commands.executeCommand('notebook.selectKernel', {
    notebookEditor: vscode.window.activeNotebookEditor,
    id: CONTROLLER_ID,
    extension: EXTENSION_ID,
  });
}

/** A fresh untitled copy of the example ("Open Example Playground"), whatever other suites left. */
async function exampleCopy(): Promise<vscode.NotebookDocument> {
  const nb = await vscode.commands.executeCommand<vscode.NotebookDocument>('rnnlab.openExample');
  assert.ok(nb?.isUntitled);
  await selectKernel();
  return nb;
}

suite('dropout lab', () => {
  suiteSetup(activateExtension);
  teardown(discardUntitled);
  suiteTeardown(closeAllEditors);

  test('the example runs end to end: the masks it shows and five placements over five seeds', async () => {
    const nb = await exampleCopy();
    await runCells(nb, undefined, 300_000);
    for (const c of codeCells(nb)) assert.equal(c.executionSummary?.success, true, describeCell(c));
    const masks = codeCells(nb).find((c) => /show_masks/.test(c.document.getText()))!;
    assert.ok(outputMimes(masks).includes(MASKS_MIME), describeCell(masks));
    const compare = codeCells(nb).find((c) => /rnnlab\.compare\(/.test(c.document.getText()))!;
    const result = comparisonOf(compare);
    assert.equal(result.status, 'done');
    assert.deepEqual(finishedRuns(result), [
      ['no_dropout', 5],
      ['dropout_layer', 5],
      ['gru_dropout', 5],
      ['recurrent_dropout', 5],
      ['timestep_dropout', 5],
    ]);
    assert.ok(result.verdict.length > 0);
  });

  test('the Show Dropout Masks lens on a dropout inserts a show_masks cell below it', async () => {
    const nb = await exampleCopy();
    const cell = nb.getCells().find((c) => /name="dropout_layer"/.test(c.document.getText()))!;
    await vscode.window.showNotebookDocument(nb, {
      selections: [new vscode.NotebookRange(cell.index, cell.index + 1)],
    });
    await vscode.window.showTextDocument(cell.document);
    const line = cell.document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('layers.Dropout(0.3)'));
    const lens = await waitFor('a Show Dropout Masks lens on the Dropout line', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        cell.document.uri,
      );
      return lenses?.find(
        (l) => l.range.start.line === line && l.command?.title === 'Show Dropout Masks',
      );
    });
    const count = nb.cellCount;
    await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
    const inserted = await waitFor('the show_masks cell', () =>
      nb.cellCount === count + 1 ? nb.cellAt(cell.index + 1) : undefined,
    );
    assert.equal(
      inserted.document.getText(),
      'import rnnlab\nrnnlab.show_masks(dropout_layer, x_train)',
    );
  });

  test('Compare Dropout Placements on a playground model inserts a comparison cell below it, which runs', async () => {
    const nb = await exampleCopy();
    const editor = await cellEditor(nb, /name="dropout_layer"/, 'layers.Dropout(0.3)');
    const cell = nb.getCells().find((c) => c.document === editor.document)!;
    const count = nb.cellCount;
    await vscode.commands.executeCommand('rnnlab.compareDropoutPlacements');
    const inserted = await waitFor('the comparison cell', () =>
      nb.cellCount === count + 1 ? nb.cellAt(cell.index + 1) : undefined,
    );
    const code = inserted.document.getText();
    assert.match(code, /^\s+"as_written": dropout_layer,$/m, code);
    assert.match(code, /^\s+"gru_dropout": dropout_layer_gru_dropout,$/m, code);
    assert.match(code, /^\s+"no_dropout": dropout_layer_no_dropout,$/m, code);
    assert.match(code, /^ {4}x_train, y_train,$/m);
    assert.equal(inserted.document.languageId, cell.document.languageId);

    const data = codeCells(nb).find((c) => /datasets\.adding_problem/.test(c.document.getText()))!;
    await runCells(nb, { start: data.index, end: data.index + 1 });
    await runCells(nb, { start: cell.index, end: cell.index + 2 }, 300_000);
    const result = comparisonOf(nb.cellAt(cell.index + 1));
    assert.ok(
      finishedRuns(result).every(([, n]) => n === 5),
      JSON.stringify(finishedRuns(result)),
    );
  });

  test('Compare Dropout Placements on a Python file opens a new playground with matching data, which runs', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceUri('fixtures', 'dr101_model.py'));
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.positionAt(doc.getText().indexOf('layers.Dropout(0.25)'));
    editor.selection = new vscode.Selection(at, at);
    await vscode.commands.executeCommand('rnnlab.compareDropoutPlacements');
    const nb = await waitFor('a new comparison playground', () => {
      const n = vscode.window.activeNotebookEditor?.notebook;
      return n?.isUntitled && n.notebookType === NOTEBOOK_TYPE ? n : undefined;
    });
    assert.deepEqual(
      nb.getCells().map((c) => c.kind),
      [vscode.NotebookCellKind.Markup, vscode.NotebookCellKind.Code, vscode.NotebookCellKind.Code],
    );
    assert.match(nb.cellAt(0).document.getText(), /from dr101_model\.py, line \d+/);
    assert.match(
      nb.cellAt(1).document.getText(),
      /datasets\.sine\(samples=1000, timesteps=30, features=8, seed=0\)/,
    );
    await selectKernel();
    await runCells(nb, undefined, 300_000);
    for (const c of codeCells(nb)) assert.equal(c.executionSummary?.success, true, describeCell(c));
    const result = comparisonOf(nb.cellAt(2));
    assert.deepEqual(
      finishedRuns(result).map(([name]) => name),
      ['as_written', 'lstm_dropout', 'spatial_dropout', 'noise_shape', 'no_dropout'],
    );
    assert.ok(finishedRuns(result).every(([, n]) => n === 5));
  });
});
