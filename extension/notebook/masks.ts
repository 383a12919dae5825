/**
 * The command of the language server's "Show Dropout Masks" lens: a code cell with
 * `rnnlab.show_masks(model, x_train)` (as the server wrote it) inserted below the lens's cell,
 * selected and revealed, ready to run. The insertion is shared with Compare Dropout Placements.
 */
import * as vscode from 'vscode';
import { SHOW_MASKS_COMMAND, type ShowMasksArgs } from '../../server/protocol';

function isArgs(a: unknown): a is ShowMasksArgs {
  const x = a as Partial<ShowMasksArgs> | null;
  return (
    typeof x === 'object' && x !== null && typeof x.cell === 'string' && typeof x.code === 'string'
  );
}

/** Inserts a code cell with `code` below `cell`, selects and reveals it; false when VS Code refused. */
export async function insertCellBelow(
  notebook: vscode.NotebookDocument,
  cell: vscode.NotebookCell,
  code: string,
): Promise<boolean> {
  const at = cell.index + 1;
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [
    vscode.NotebookEdit.insertCells(at, [
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, code, cell.document.languageId),
    ]),
  ]);
  if (!(await vscode.workspace.applyEdit(edit))) return false;
  const editor = vscode.window.visibleNotebookEditors.find((e) => e.notebook === notebook);
  if (editor) {
    const range = new vscode.NotebookRange(at, at + 1);
    editor.selections = [range];
    editor.revealRange(range);
  }
  return true;
}

/** The open notebook cell whose document has this URI, with its notebook. */
export function findCell(
  uri: string,
): { notebook: vscode.NotebookDocument; cell: vscode.NotebookCell } | null {
  for (const notebook of vscode.workspace.notebookDocuments) {
    const cell = notebook.getCells().find((c) => c.document.uri.toString() === uri);
    if (cell) return { notebook, cell };
  }
  return null;
}

export function registerShowMasks(): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_MASKS_COMMAND, async (args: unknown) => {
    if (!isArgs(args)) return false;
    const found = findCell(args.cell);
    if (found) return insertCellBelow(found.notebook, found.cell, args.code);
    void vscode.window.showInformationMessage(
      'RNN Lab: the cell of this lens is not open any more; run the lens again from the playground.',
    );
    return false;
  });
}
