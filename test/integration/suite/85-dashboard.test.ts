/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { dashboard, describeCell, openPlayground, runCells, waitFor, workspaceUri } from './util';

const decoder = new TextDecoder();

suite('runs dashboard', () => {
  test('Show Dashboard opens the panel, its view loads under the CSP, and a fit is listed running then done', async () => {
    const { nb } = await openPlayground('fixtures', 'dashboard.rnnlab');
    const before = (await dashboard()).runs.length;
    await vscode.commands.executeCommand('rnnlab.showDashboard');
    // The view's script ran (nonce, asWebviewUri) and asked for its runs.
    const ready = await waitFor('the dashboard view to say Ready', async () => {
      const s = await dashboard();
      return s.open && (s.received['dashboardReady'] ?? 0) > 0 ? s : undefined;
    });
    assert.equal(ready.notebook, nb.uri.toString(), 'it shows the notebook it was opened for');
    assert.equal(ready.restored, false);
    console.log(`dashboard: ${JSON.stringify(ready)}`);

    await runCells(nb);
    for (const c of nb.getCells()) assert.equal(c.executionSummary?.success, true, describeCell(c));
    const listed = await waitFor('the finished run in the dashboard', async () => {
      const s = await dashboard();
      const last = s.runs.at(-1);
      return s.runs.length > before && last?.status === 'done' ? last : undefined;
    });
    assert.equal(listed.model, 'sequential');

    // Export as the view's buttons send it (a target instead of the save dialog).
    const csv = workspaceUri('fixtures', 'runs-export.csv');
    await dashboard({ type: 'export', format: 'csv', runIds: [listed.runId] }, csv);
    const lines = decoder
      .decode(await vscode.workspace.fs.readFile(csv))
      .trim()
      .split('\r\n');
    assert.equal(lines[0], 'run_id,model,status,seed,epoch,loss,val_loss,mae,val_mae,epoch_ms');
    // The integration settings cap fits at one epoch.
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.ok(lines[1]?.startsWith(`${listed.runId},sequential,done,`), lines[1]);

    const json = workspaceUri('fixtures', 'runs-export.json');
    await dashboard({ type: 'export', format: 'json', runIds: [listed.runId] }, json);
    const exported = JSON.parse(decoder.decode(await vscode.workspace.fs.readFile(json))) as {
      runs: Array<{ output: { runId: string; history: Record<string, number[]> } }>;
    };
    assert.equal(exported.runs[0]?.output.runId, listed.runId);
    assert.equal(exported.runs[0]?.output.history['val_loss']?.length, 1);

    // A malformed message is ignored, not an error.
    const ignored = await dashboard({ type: 'export', format: 'xls', runIds: [] });
    assert.equal(ignored.received['export'], 2);

    // The panel stays open, in front, for the suite that runs after a reload
    // (99-dashboard.reload.test.ts): VS Code revives a panel when its tab is shown.
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('rnnlab.showDashboard');
    const shown = (await dashboard()).received['dashboardReady'] ?? 0;
    assert.ok(shown >= 1);
  });
});
