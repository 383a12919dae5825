/// <reference types="mocha" />
/**
 * Hovers, inlay hints, "Show Model Summary" and "Export as Keras Script" in the real editor.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, closeAllEditors, waitFor, workspaceUri } from './util';

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? [])
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

/** A code cell of examples/dropout-placement.rnnlab that earlier suites leave alone. */
async function cellWith(pattern: RegExp): Promise<vscode.TextDocument> {
  const nb = await vscode.workspace.openNotebookDocument(workspaceUri('dropout-placement.rnnlab'));
  await vscode.window.showNotebookDocument(nb);
  const cell = nb
    .getCells()
    .find((c) => c.kind === vscode.NotebookCellKind.Code && pattern.test(c.document.getText()));
  assert.ok(cell, `a cell matching ${pattern}`);
  return cell.document;
}

suite('hovers, inlay hints, summary and export', () => {
  suiteSetup(async () => {
    await activateExtension();
  });
  suiteTeardown(closeAllEditors);

  test('hovering a layer call shows its output shape, parameters and its findings', async () => {
    // The recurrent_dropout cell: its second GRU has a CU301 finding (info in playgrounds).
    const doc = await cellWith(/name="recurrent_dropout"/);
    const gru = doc.getText().indexOf('layers.GRU(32, recurrent_dropout');
    assert.ok(gru >= 0, doc.getText());
    let last = '';
    const hover = await waitFor(
      'a hover on layers.GRU(32, recurrent_dropout=0.3)',
      async () => {
        last = hoverText(
          await vscode.commands.executeCommand<vscode.Hover[]>(
            'vscode.executeHoverProvider',
            doc.uri,
            doc.positionAt(gru + 8),
          ),
        );
        return /\(None, 32\)/.test(last) ? last : undefined;
      },
      15_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; the last hover said: ${JSON.stringify(last)}`);
    });
    assert.match(hover, /GRU/);
    assert.match(hover, /6,336 params/, '3·32·(32+32+2)');
    assert.match(hover, /CU301/);
  });

  test("inlay hints show each layer call's output shape in playground cells", async () => {
    const doc = await cellWith(/name="gru_dropout"/);
    const hints = await waitFor(
      'inlay hints in the playground cell',
      async () => {
        const found = await vscode.commands.executeCommand<vscode.InlayHint[]>(
          'vscode.executeInlayHintProvider',
          doc.uri,
          new vscode.Range(0, 0, doc.lineCount, 0),
        );
        return found && found.length > 0 ? found : undefined;
      },
      15_000,
    );
    const labels = hints.map((h) =>
      typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''),
    );
    assert.ok(
      labels.some((l) => l.includes('(None, 20, 32)')),
      labels.join(' | '),
    );
  });

  test('"Show Model Summary" opens the Keras summary of the model under the cursor', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceUri('imdb_bidirectional.py'));
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.positionAt(doc.getText().indexOf('layers.Bidirectional'));
    editor.selection = new vscode.Selection(at, at);
    await vscode.commands.executeCommand('rnnlab.showModelSummary');
    const summary = await waitFor(
      'a summary document',
      () =>
        vscode.workspace.textDocuments.find(
          (d) => d.uri.scheme === 'rnnlab-summary' && /Total params/.test(d.getText()),
        ),
      10_000,
    );
    assert.equal(summary.isUntitled, false, 'a read-only view, not an untitled buffer');
    assert.match(summary.getText(), /^ bidirectional_1 \(Bidirectional\) +\(None, 128\) +98,816$/m);
    assert.match(summary.getText(), /Total params: 2,757,761/);
  });

  test('"Export as Keras Script" writes a Python script with the same model', async () => {
    const nb = await vscode.workspace.openNotebookDocument(workspaceUri('sine.rnnlab'));
    await vscode.window.showNotebookDocument(nb);
    const target = workspaceUri('sine_export.py');
    await vscode.commands.executeCommand('rnnlab.exportKerasScript', target);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    assert.match(text, /keras\.Sequential\(\[/);
    assert.match(text, /layers\.LSTM\(32\)/);
    assert.doesNotMatch(text, /^\s*(from|import)\s+rnnlab\b/m, 'the export does not need RNN Lab');
  });
});
