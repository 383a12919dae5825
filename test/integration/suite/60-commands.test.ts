/// <reference types="mocha" />
/**
 * The commands of a new user's first minutes: "Show Model Summary" (a read-only view that closes
 * without a save prompt), "Open Example Playground" (an untitled copy, never the extension's
 * file) and the export of an unsaved playground (its header names it).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  cellEditor,
  closeAllEditors,
  discardUntitled,
  EXTENSION_ID,
  NOTEBOOK_TYPE,
  revert,
  sleep,
  waitFor,
  workspaceUri,
} from './util';

const decoder = new TextDecoder();
const allTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
const tabUri = (tab: vscode.Tab) =>
  tab.input instanceof vscode.TabInputText || tab.input instanceof vscode.TabInputNotebook
    ? tab.input.uri.toString()
    : undefined;

/** Runs Show Model Summary and returns the editor it opens (the active one after it). */
async function showSummary(expect: RegExp): Promise<vscode.TextEditor> {
  await vscode.commands.executeCommand('rnnlab.showModelSummary');
  return waitFor(
    `a summary editor showing ${expect}`,
    () => {
      const e = vscode.window.activeTextEditor;
      return e &&
        e.document.uri.scheme !== 'vscode-notebook-cell' &&
        expect.test(e.document.getText())
        ? e
        : undefined;
    },
    10_000,
  ).catch((e: Error) => {
    const active = vscode.window.activeTextEditor?.document;
    throw new Error(
      `${e.message}; the active editor is ${active?.uri.toString()}: ${active?.getText().slice(0, 800)}`,
    );
  });
}

async function replaceInCell(doc: vscode.TextDocument, from: string, to: string): Promise<void> {
  const offset = doc.getText().indexOf(from);
  assert.ok(offset >= 0, `${from} in ${doc.getText()}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(
    doc.uri,
    new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + from.length)),
    to,
  );
  assert.ok(await vscode.workspace.applyEdit(edit), `the edit of ${from} applies`);
}

suite('commands: model summary, example playground, export', () => {
  suiteSetup(async () => {
    await activateExtension();
  });
  setup(closeAllEditors);
  teardown(discardUntitled);
  suiteTeardown(closeAllEditors);

  test('"Show Model Summary" on a playground cell opens a read-only summary that closes without a save prompt', async () => {
    const nb = await vscode.workspace.openNotebookDocument(
      workspaceUri('dropout-placement.rnnlab'),
    );
    await cellEditor(nb, /name="gru_dropout"/, 'layers.GRU(32, dropout');
    const editor = await showSummary(/Total params/);
    const doc = editor.document;

    assert.ok(
      !['untitled', 'file'].includes(doc.uri.scheme),
      `a read-only view, not a file or an untitled buffer (${doc.uri.toString()})`,
    );
    assert.equal(doc.isUntitled, false);
    assert.equal(doc.isDirty, false);
    const text = doc.getText();
    assert.match(text, /^Model: "gru_dropout"$/m);
    assert.match(text, /^ gru_6 \(GRU\) +\(None, 20, 32\) +3,456$/m);
    assert.match(text, /^ gru_7 \(GRU\) +\(None, 32\) +6,336$/m);
    assert.match(text, /^ dense_3 \(Dense\) +\(None, 1\) +33$/m);
    assert.match(text, /^ Total params: 9,825 \(38\.38 KB\)$/m);
    assert.match(text, /^Built at dropout-placement\.rnnlab, cell 8, line 2\.$/m);
    assert.match(text, /^[\x20-\x7e\n]*$/, 'plain ASCII, legible in any monospace font');

    const uri = doc.uri.toString();
    assert.ok(
      allTabs().some((t) => tabUri(t) === uri),
      'the summary has a tab',
    );
    const closed = await Promise.race([
      vscode.commands.executeCommand('workbench.action.closeActiveEditor').then(() => true),
      sleep(5_000).then(() => false),
    ]);
    assert.ok(closed, 'closing the summary did not wait on a save prompt');
    await waitFor('the summary tab to close', () => !allTabs().some((t) => tabUri(t) === uri));
    assert.deepEqual(
      allTabs()
        .filter((t) => t.isDirty)
        .map((t) => t.label),
      [],
      'no editor is left with unsaved changes',
    );
  });

  test('asking again refreshes the same summary, from the cell or from the summary itself', async () => {
    const nb = await vscode.workspace.openNotebookDocument(
      workspaceUri('dropout-placement.rnnlab'),
    );
    try {
      const cell = await cellEditor(nb, /name="gru_dropout"/, 'layers.GRU(32, dropout');
      const first = await showSummary(/ gru_7 \(GRU\) +\(None, 32\) +6,336$/m);
      const uri = first.document.uri.toString();

      await replaceInCell(cell.document, 'layers.GRU(32, dropout', 'layers.GRU(16, dropout');
      await cellEditor(nb, /name="gru_dropout"/, 'layers.GRU(16, dropout');
      await vscode.commands.executeCommand('rnnlab.showModelSummary');
      await waitFor('the same summary to show 16 units', () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.toString() === uri && / 2,400$/m.test(e.document.getText());
      });

      // From the summary editor itself: it is recomputed from its playground.
      await replaceInCell(cell.document, 'layers.GRU(16, dropout', 'layers.GRU(8, dropout');
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri);
      await vscode.commands.executeCommand('rnnlab.showModelSummary');
      const again = await waitFor('the summary to show 8 units', () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.toString() === uri && / 1,008$/m.test(e.document.getText())
          ? e.document.getText()
          : undefined;
      });
      assert.match(again, /^ gru_7 \(GRU\) +\(None, 8\) +1,008$/m);
      assert.doesNotMatch(again, /6,336|2,400/);
      assert.equal(
        allTabs().filter((t) => tabUri(t) === uri).length,
        1,
        'one summary tab, not one per request',
      );
    } finally {
      await revert(nb);
    }
  });

  test('"Open Example Playground" opens an untitled copy each time and leaves the extension\'s file alone', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const file = vscode.Uri.joinPath(ext.extensionUri, 'examples', 'dropout-placement.rnnlab');
    const before = await vscode.workspace.fs.readFile(file);
    const example = JSON.parse(decoder.decode(before)) as {
      cells: Array<{ cell_type: string; source: string | string[] }>;
    };
    const expected = example.cells.map((c) => ({
      kind:
        c.cell_type === 'markdown' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code,
      source: Array.isArray(c.source) ? c.source.join('') : c.source,
    }));
    const cellsOf = (nb: vscode.NotebookDocument) =>
      nb.getCells().map((c) => ({ kind: c.kind, source: c.document.getText() }));

    const open = async (seen: string[]) => {
      await vscode.commands.executeCommand('rnnlab.openExample');
      return waitFor('a newly opened example playground', () => {
        const nb = vscode.window.activeNotebookEditor?.notebook;
        return nb && nb.notebookType === NOTEBOOK_TYPE && !seen.includes(nb.uri.toString())
          ? nb
          : undefined;
      });
    };
    const first = await open([]);
    assert.ok(first.isUntitled, `an untitled copy, not ${first.uri.toString()}`);
    assert.equal(first.uri.scheme, 'untitled');
    assert.deepEqual(cellsOf(first), expected);

    const second = await open([first.uri.toString()]);
    assert.ok(second.isUntitled, `an untitled copy, not ${second.uri.toString()}`);
    assert.notEqual(second.uri.toString(), first.uri.toString());
    assert.deepEqual(cellsOf(second), expected);

    // Independent: an edit of one copy leaves the other as it was.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(first.cellAt(1).document.uri, new vscode.Position(0, 0), '# mine\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(second.cellAt(1).document.getText(), expected[1]!.source);

    assert.ok(
      !vscode.workspace.notebookDocuments.some((d) => d.uri.toString() === file.toString()),
      "the extension's own example file is not open",
    );
    assert.deepEqual(await vscode.workspace.fs.readFile(file), before, 'the example is unchanged');
  });

  test('exporting an unsaved playground names it in the script header', async () => {
    await vscode.commands.executeCommand('rnnlab.newPlayground');
    const nb = await waitFor('a new playground', () => {
      const n = vscode.window.activeNotebookEditor?.notebook;
      return n?.notebookType === NOTEBOOK_TYPE && n.isUntitled ? n : undefined;
    });
    const title = nb.uri.path
      .split('/')
      .pop()!
      .replace(/\.rnnlab$/, '');
    assert.match(title, /^Untitled-\d+$/);
    const target = workspaceUri('untitled_export.py');
    try {
      await vscode.commands.executeCommand('rnnlab.exportKerasScript', target);
      const text = decoder.decode(await vscode.workspace.fs.readFile(target));
      assert.equal(
        text.split('\n')[0],
        `# ${title}: a Keras script exported by RNN Lab from the unsaved playground ${title}.`,
      );
      assert.doesNotMatch(text, /playground\.rnnlab/);
    } finally {
      await vscode.workspace.fs.delete(target).then(undefined, () => undefined);
    }
  });
});
