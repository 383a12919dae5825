/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  codeCells,
  CONTROLLER_ID,
  describeCell,
  openPlayground,
  outputMimes,
  outputText,
  RUN_MIME,
  runCells,
} from './util';

suite('playground: examples/sine.rnnlab', () => {
  test(`runs every cell on the '${CONTROLLER_ID}' controller`, async () => {
    // The workspace settings cap every fit at 1 epoch (rnnlab.kernel.maxEpochs), except when
    // run.mjs takes the README screenshot.
    if (process.env['RNNLAB_E2E_SCREENSHOT'] !== '1') {
      assert.equal(vscode.workspace.getConfiguration('rnnlab').get('kernel.maxEpochs'), 1);
    }
    const { nb } = await openPlayground('sine.rnnlab');
    assert.ok(nb.cellCount >= 5, `sine.rnnlab has its cells (got ${nb.cellCount})`);
    const cells = codeCells(nb);
    await runCells(nb, undefined, 150_000);
    for (const cell of cells) {
      assert.equal(cell.executionSummary?.success, true, `succeeded: ${describeCell(cell)}`);
      assert.ok(
        cell.executionSummary?.executionOrder,
        `has an execution order: cell ${cell.index}`,
      );
    }

    const summary = cells.find((c) => /model\.summary\(\)/.test(c.document.getText()));
    assert.ok(summary, 'a cell calls model.summary()');
    assert.match(outputText(summary), /Total params/, describeCell(summary));

    const fit = cells.find((c) => /\.fit\(/.test(c.document.getText()));
    assert.ok(fit, 'a cell calls model.fit()');
    assert.ok(outputMimes(fit).includes(RUN_MIME), `run output: ${describeCell(fit)}`);
    const item = fit.outputs.flatMap((o) => o.items).find((i) => i.mime === RUN_MIME)!;
    const run = JSON.parse(new TextDecoder().decode(item.data)) as unknown;
    assert.match(JSON.stringify(run), /"loss"/, 'the run holds the loss history');
  });
});
