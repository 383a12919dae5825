/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  codeOf,
  describeDiagnostics,
  rnnlabDiagnostics,
  revert,
  waitFor,
  workspaceUri,
} from './util';

const DIAG_TIMEOUT = 20_000;

async function waitForDr101(uri: vscode.Uri): Promise<vscode.Diagnostic> {
  const found = await waitFor(
    `a DR101 diagnostic on ${uri.toString()}`,
    () => rnnlabDiagnostics(uri, 'DR101')[0],
    DIAG_TIMEOUT,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; diagnostics there: ${describeDiagnostics(uri)}`);
  });
  return found;
}

/** The preferred quick fix for a diagnostic, applied; returns its title. */
async function applyPreferredFix(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<string> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    uri,
    diagnostic.range,
    vscode.CodeActionKind.QuickFix.value,
  );
  const fixes = (actions ?? []).filter((a): a is vscode.CodeAction => 'kind' in a || 'edit' in a);
  // The preferred fix for this diagnostic (an action that lists no diagnostics may still be it).
  const preferred = fixes.find(
    (a) =>
      a.isPreferred &&
      (!a.diagnostics?.length || a.diagnostics.some((d) => codeOf(d) === codeOf(diagnostic))),
  );
  assert.ok(
    preferred,
    `a preferred quick fix for DR101; offered: ${(actions ?? []).map((a) => `${a.title}${'isPreferred' in a && a.isPreferred ? ' (preferred)' : ''}`).join(' | ') || '(none)'}`,
  );
  if (preferred.edit)
    assert.ok(await vscode.workspace.applyEdit(preferred.edit), 'the edit applies');
  if (preferred.command) {
    await vscode.commands.executeCommand(
      preferred.command.command,
      ...(preferred.command.arguments ?? []),
    );
  }
  return preferred.title;
}

suite('diagnostics and quick fixes', () => {
  suiteSetup(async () => {
    await activateExtension();
  });

  test('DR101 in a playground cell of examples/dropout-placement.rnnlab', async () => {
    const nb = await vscode.workspace.openNotebookDocument(
      workspaceUri('dropout-placement.rnnlab'),
    );
    await vscode.window.showNotebookDocument(nb);
    const cell = nb.getCells().find((c) => /name="dropout_layer"/.test(c.document.getText()));
    assert.ok(cell, 'the "between" cell');
    assert.equal(
      cell.document.languageId,
      'rnnlab',
      'playground code cells use the rnnlab language',
    );
    const d = await waitForDr101(cell.document.uri);
    assert.equal(cell.document.lineAt(d.range.start.line).text.trim(), 'layers.Dropout(0.3),');
    assert.ok(
      rnnlabDiagnostics(
        nb.getCells().find((c) => /name="gru_dropout"/.test(c.document.getText()))!.document.uri,
        'DR101',
      ).length === 0,
      'no DR101 in the GRU(dropout=) cell',
    );
  });

  test('the preferred quick fix removes DR101 from the playground cell', async () => {
    const nb = await vscode.workspace.openNotebookDocument(
      workspaceUri('dropout-placement.rnnlab'),
    );
    const cell = nb.getCells().find((c) => /name="dropout_layer"/.test(c.document.getText()))!;
    // Code actions need the cell's text model, which a notebook editor makes only for the cells
    // it shows: reveal this one first (the example is longer than the window).
    await vscode.window.showNotebookDocument(nb, {
      selections: [new vscode.NotebookRange(cell.index, cell.index + 1)],
    });
    await vscode.window.showTextDocument(cell.document);
    const d = await waitForDr101(cell.document.uri);
    try {
      const title = await applyPreferredFix(cell.document.uri, d);
      await waitFor(
        `DR101 to go from the playground cell after "${title}"`,
        () => rnnlabDiagnostics(cell.document.uri, 'DR101').length === 0,
        DIAG_TIMEOUT,
      );
      assert.doesNotMatch(cell.document.getText(), /layers\.Dropout\(0\.3\)/);
      assert.match(cell.document.getText(), /dropout=0\.3/);
    } finally {
      await revert(nb);
    }
  });

  test('DR101 in a Python file, and its preferred quick fix', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceUri('fixtures', 'dr101_model.py'));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'python');
    const d = await waitForDr101(doc.uri);
    assert.equal(d.range.start.line, 8, `on the Dropout line: ${describeDiagnostics(doc.uri)}`);
    assert.ok(
      [vscode.DiagnosticSeverity.Warning, vscode.DiagnosticSeverity.Error].includes(d.severity),
      'a warning by default',
    );
    try {
      const title = await applyPreferredFix(doc.uri, d);
      await waitFor(
        `DR101 to go from the .py file after "${title}"`,
        () => rnnlabDiagnostics(doc.uri, 'DR101').length === 0,
        DIAG_TIMEOUT,
      );
      assert.doesNotMatch(doc.getText(), /layers\.Dropout\(0\.25\)/);
      assert.match(doc.getText(), /LSTM\(16, dropout=0\.25\)/);
    } finally {
      await revert(doc);
    }
  });

  test('DR101 in the second cell of a Jupyter notebook', async () => {
    const nb = await vscode.workspace.openNotebookDocument(
      workspaceUri('fixtures', 'dr101_notebook.ipynb'),
    );
    assert.equal(nb.notebookType, 'jupyter-notebook');
    await vscode.window.showNotebookDocument(nb);
    const second = nb.cellAt(1);
    const d = await waitForDr101(second.document.uri);
    assert.equal(second.document.lineAt(d.range.start.line).text.trim(), 'layers.Dropout(0.3),');
    assert.equal(rnnlabDiagnostics(nb.cellAt(0).document.uri, 'DR101').length, 0, 'none in cell 1');
  });
});
