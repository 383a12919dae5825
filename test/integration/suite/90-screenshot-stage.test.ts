/// <reference types="mocha" />
/**
 * Bundled only for RNNLAB_SCREENSHOT=1 (see run.mjs): leaves the workbench
 * showing examples/sine.rnnlab after a full run (all 8 epochs), for the README screenshot that
 * run.mjs takes once the tests are done.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codeCells, describeCell, openPlayground, runCells } from './util';

suite('screenshot stage', () => {
  test('sine.rnnlab, run in full, is the only open editor', async () => {
    // run.mjs leaves rnnlab.kernel.maxEpochs unset in this mode: the fit runs all its epochs.
    await closeAllEditors();
    const { nb, editor } = await openPlayground('sine.rnnlab');
    await vscode.commands.executeCommand('rnnlab.restartKernel');
    await vscode.commands.executeCommand('notebook.clearAllCellsOutputs');
    await vscode.commands.executeCommand('workbench.files.action.collapseExplorerFolders');
    await runCells(nb, undefined, 170_000);
    const cells = codeCells(nb);
    for (const c of cells) assert.equal(c.executionSummary?.success, true, describeCell(c));
    const fit = cells.find((c) => /\.fit\(/.test(c.document.getText()))!;
    editor.revealRange(
      new vscode.NotebookRange(fit.index - 1, fit.index),
      vscode.NotebookEditorRevealType.AtTop,
    );
  });
});
