/// <reference types="mocha" />
/**
 * The language server runs in its own process: killed, the client starts it again (with a
 * message) and diagnostics keep coming, for edits made after the restart too.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAllEditors,
  describeDiagnostics,
  rnnlabDiagnostics,
  revert,
  waitFor,
  workspaceUri,
} from './util';

interface Api {
  languageServerPid?: () => number | undefined;
}

suite('language server restart', () => {
  suiteTeardown(closeAllEditors);

  test('a killed server is restarted and diagnostics come back', async () => {
    const ext = (await activateExtension()) as vscode.Extension<Api>;
    const pidOf = () => ext.exports?.languageServerPid?.();
    const doc = await vscode.workspace.openTextDocument(workspaceUri('fixtures', 'dr101_model.py'));
    await vscode.window.showTextDocument(doc);
    const dr101At = (line: number) => () =>
      rnnlabDiagnostics(doc.uri, 'DR101').some((d) => d.range.start.line === line);
    await waitFor('DR101 on line 9 before the kill', dr101At(8), 20_000);
    const first = await waitFor('the language server process id', pidOf, 20_000);

    process.kill(first, 'SIGKILL');
    const second = await waitFor(
      'a new language server process',
      () => {
        const pid = pidOf();
        return pid !== undefined && pid !== first ? pid : undefined;
      },
      30_000,
    );
    assert.notEqual(second, first);

    // An edit after the restart is linted by the new server: DR101 moves down a line.
    try {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(0, 0), '# after the restart\n');
      assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applies');
      await waitFor('DR101 on line 10 after the restart', dr101At(9), 30_000).catch((e: Error) => {
        throw new Error(`${e.message}; diagnostics there: ${describeDiagnostics(doc.uri)}`);
      });
    } finally {
      await revert(doc);
    }
  });
});
