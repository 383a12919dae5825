/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  describeCell,
  finished,
  openPlayground,
  outputText,
  RUN_MIME,
  runCells,
  waitFor,
} from './util';

/** The extension's internal command: (runId, message?) → the run's messaging stats. */
const LIVE_RUN = '_rnnlab.liveRun';

interface LiveStats {
  ready: number;
  stops: number;
  posted: number;
  delivered: number;
  deliveredBatches: number;
}

interface SavedRun {
  version: number;
  runId: string;
  status?: string;
  stopped: string | null;
  batchLogs?: Record<string, number[]>;
}

const decoder = new TextDecoder();

/** The cell's run output (RUN_MIME), parsed, if it has one. */
function runOutput(cell: vscode.NotebookCell): SavedRun | undefined {
  for (const o of cell.outputs)
    for (const item of o.items)
      if (item.mime === RUN_MIME) return JSON.parse(decoder.decode(item.data)) as SavedRun;
  return undefined;
}

const stats = (runId: string, message?: unknown) =>
  vscode.commands.executeCommand<LiveStats | undefined>(LIVE_RUN, runId, message);

suite('live charts', () => {
  test('a fit shows a running chart that gets live progress; Stop on the chart ends it as a KeyboardInterrupt with its final chart', async () => {
    const { nb, editor } = await openPlayground('fixtures', 'long-fit.rnnlab');
    await runCells(nb, { start: 0, end: 1 });
    assert.equal(nb.cellAt(0).executionSummary?.success, true, describeCell(nb.cellAt(0)));

    const fit = nb.cellAt(1);
    // An earlier suite may have run this fit: its saved output stays until the cell runs again.
    const earlier = runOutput(fit)?.runId;
    const execution = vscode.commands.executeCommand('notebook.cell.execute', {
      ranges: [{ start: 1, end: 2 }],
      document: nb.uri,
    });
    editor.revealRange(new vscode.NotebookRange(1, 2), vscode.NotebookEditorRevealType.InCenter);

    // The fit's output is written once at its start: the renderer's mime, status 'running'.
    const live = await waitFor(
      'the running run output',
      () => {
        const o = runOutput(fit);
        return o && o.runId !== earlier ? o : undefined;
      },
      30_000,
    );
    assert.equal(live.status, 'running', describeCell(fit));
    assert.equal(live.version, 4);

    // The renderer loads, says Ready with the run id, and then receives progress messages.
    const seen = await waitFor(
      'the chart to say Ready and receive progress',
      async () => {
        const s = await stats(live.runId);
        return s && s.ready > 0 && s.delivered >= 3 && s.deliveredBatches > 0 ? s : undefined;
      },
      30_000,
    );
    console.log(
      `chart: ${seen.ready} ready, ${seen.delivered}/${seen.posted} progress messages delivered (${seen.deliveredBatches} batches)`,
    );
    assert.ok(!finished(fit), `the fit is still running: ${describeCell(fit)}`);
    // Live updates go by messaging: the output item stays the running stub meanwhile.
    assert.equal(runOutput(fit)?.status, 'running');

    // Stop, as the chart's button sends it (a malformed message is ignored, never a stop).
    await stats(live.runId, { type: 'stop' });
    assert.ok(!finished(fit), 'a malformed stop message does not stop the fit');
    const stopped = Date.now();
    const after = await stats(live.runId, { type: 'stop', runId: live.runId });
    assert.equal(after?.stops, 1);
    await waitFor('the stopped cell to finish', () => finished(fit), 15_000);
    await execution;
    console.log(`stopped from the chart in ${Date.now() - stopped} ms`);

    assert.equal(fit.executionSummary?.success, false, `ends failed: ${describeCell(fit)}`);
    assert.match(
      outputText(fit),
      /KeyboardInterrupt: line 2, column 1: stopped at epoch 1\/1, batch \d+\/2000/,
      describeCell(fit),
    );
    // The final output replaced the running one: the saved series of the batches trained.
    const final = runOutput(fit);
    assert.ok(final, `the run output stays: ${describeCell(fit)}`);
    assert.equal(final.runId, live.runId);
    assert.equal(final.status, 'done');
    assert.equal(final.stopped, 'user');
    assert.ok((final.batchLogs?.['loss']?.length ?? 0) > 0, 'per-batch loss is saved');
  });
});
