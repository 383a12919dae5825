/// <reference types="mocha" />
// Runs after run.mjs reloaded the workbench (a fresh page of the same window and folder): what
// the dashboard showed before must come back through its panel serializer.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { dashboard, waitFor, workspaceUri } from './util';

/** The open tabs, to say what the window restored when the dashboard is not among them. */
function tabs(): string {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .map((t) => {
      const input = t.input;
      const kind =
        input instanceof vscode.TabInputWebview
          ? `webview ${input.viewType}`
          : input instanceof vscode.TabInputNotebook
            ? `notebook ${input.uri.path}`
            : input instanceof vscode.TabInputText
              ? `text ${input.uri.path}`
              : 'other';
      return `${t.label} (${kind}${t.isActive ? ', active' : ''}, group ${t.group.viewColumn})`;
    })
    .join(', ');
}

suite('runs dashboard after a reload', () => {
  test('the panel comes back with the notebook it showed and its runs', async () => {
    // VS Code revives a restored panel when its tab is shown: show it, as a click on it would.
    const group = vscode.window.tabGroups.all.find((g) =>
      g.tabs.some(
        (t) =>
          t.input instanceof vscode.TabInputWebview && /rnnlab\.dashboard/.test(t.input.viewType),
      ),
    );
    assert.ok(group, `the dashboard's tab is restored: ${tabs() || 'none'}`);
    const index = group.tabs.findIndex(
      (t) =>
        t.input instanceof vscode.TabInputWebview && /rnnlab\.dashboard/.test(t.input.viewType),
    );
    const ordinal = ['First', 'Second', 'Third', 'Fourth'][group.viewColumn - 1] ?? 'First';
    await vscode.commands.executeCommand(`workbench.action.focus${ordinal}EditorGroup`);
    await vscode.commands.executeCommand(`workbench.action.openEditorAtIndex${index + 1}`);
    const s = await waitFor(
      'the restored dashboard to say Ready',
      async () => {
        const s = await dashboard();
        return s.open && (s.received['dashboardReady'] ?? 0) > 0 ? s : undefined;
      },
      60_000,
    ).catch(async (e: Error) => {
      const state = await dashboard();
      throw new Error(`${e.message}; open tabs: ${tabs() || 'none'}; ${JSON.stringify(state)}`);
    });
    console.log(`restored dashboard: ${JSON.stringify(s)}`);
    assert.equal(s.restored, true, 'brought back by the panel serializer');
    assert.equal(s.notebook, workspaceUri('fixtures', 'dashboard.rnnlab').toString());
    assert.ok(
      s.runs.some((r) => r.status === 'done' && r.model === 'sequential'),
      `the run from before the reload is listed: ${JSON.stringify(s.runs)}`,
    );
  });
});
