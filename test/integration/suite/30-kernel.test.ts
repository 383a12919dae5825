/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  describeCell,
  finished,
  openPlayground,
  outputText,
  runCells,
  sleep,
  waitFor,
} from './util';

suite('kernel control', () => {
  test('interrupting a long fit ends it quickly as a KeyboardInterrupt; the rest of the cell does not run', async () => {
    const { nb } = await openPlayground('fixtures', 'long-fit.rnnlab');
    await runCells(nb, { start: 0, end: 1 });
    assert.equal(nb.cellAt(0).executionSummary?.success, true, describeCell(nb.cellAt(0)));

    const fit = nb.cellAt(1);
    const started = Date.now();
    const execution = vscode.commands.executeCommand('notebook.cell.execute', {
      ranges: [{ start: 1, end: 2 }],
      document: nb.uri,
    });
    // Let the fit get going (its one epoch of 2,000 batches takes minutes), then interrupt.
    await waitFor(
      'the fit to start',
      () => fit.executionSummary?.executionOrder !== undefined,
      20_000,
    );
    await sleep(3000);
    assert.ok(
      !finished(fit),
      `the fit is still running after ${Date.now() - started} ms: ${describeCell(fit)}`,
    );

    await vscode.window.showNotebookDocument(nb);
    const interrupted = Date.now();
    await vscode.commands.executeCommand('notebook.cancelExecution');
    await waitFor('the interrupted cell to finish', () => finished(fit), 15_000);
    const stopMs = Date.now() - interrupted;
    await Promise.race([execution, sleep(10_000)]);
    console.log(`fit interrupted after ${interrupted - started} ms; it ended ${stopMs} ms later`);
    assert.ok(stopMs < 10_000, `ended within 10 s of the interrupt (took ${stopMs} ms)`);
    // As Jupyter: the interrupted cell failed with a KeyboardInterrupt naming where it stopped.
    assert.equal(fit.executionSummary?.success, false, `ends failed: ${describeCell(fit)}`);
    const text = outputText(fit);
    assert.match(
      text,
      /KeyboardInterrupt: line 2, column 1: stopped at epoch 1\/1, batch \d+\/2000; the weights trained so far are kept/,
      describeCell(fit),
    );
    assert.doesNotMatch(
      text,
      /after the fit/,
      `the rest of the cell did not run: ${describeCell(fit)}`,
    );
  });

  test("'rnnlab.restartKernel' forgets names: a later cell fails with 'is not defined'", async () => {
    const { nb } = await openPlayground('fixtures', 'restart.rnnlab');
    await runCells(nb, { start: 0, end: 2 });
    assert.equal(
      nb.cellAt(1).executionSummary?.success,
      true,
      `before restart: ${describeCell(nb.cellAt(1))}`,
    );

    await vscode.window.showNotebookDocument(nb);
    await vscode.commands.executeCommand('rnnlab.restartKernel');
    const before = nb.cellAt(1).executionSummary?.executionOrder;
    await vscode.commands.executeCommand('notebook.cell.execute', {
      ranges: [{ start: 1, end: 2 }],
      document: nb.uri,
    });
    const cell = nb.cellAt(1);
    await waitFor(
      'the cell to run again after the restart',
      () =>
        finished(cell) && cell.executionSummary?.executionOrder !== before && cell.executionSummary,
      60_000,
    );
    assert.equal(
      cell.executionSummary?.success,
      false,
      `fails after restart: ${describeCell(cell)}`,
    );
    assert.match(outputText(cell), /is not defined/, describeCell(cell));
  });
});
