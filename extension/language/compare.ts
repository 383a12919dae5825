/**
 * RNN Lab: Compare Dropout Placements. The language server plans the comparison of the model
 * under the cursor (`rnnlab/comparisonPlan`, server/compare-cell.ts); in a playground the
 * comparison cell goes below the model's cell, and from a Python file or Jupyter notebook a new
 * playground opens with a data set of the model's shapes (kernels/data/suggest.ts).
 */
import * as vscode from 'vscode';
import { ResponseError, type LanguageClient } from 'vscode-languageclient/node';
import { suggestDataset } from '../../kernels/data/suggest';
import {
  cellOptions,
  comparisonPlayground,
  comparisonSource,
  type ComparisonPlan,
} from '../../server/compare-cell';
import { ComparisonPlanRequest, type ComparisonPlanResult } from '../../server/protocol';
import { NOTEBOOK_TYPE } from '../notebook/controller';
import { findCell, insertCellBelow } from '../notebook/masks';
import { toNotebookData } from '../notebook/serializer';

export const COMPARE_COMMAND = 'rnnlab.compareDropoutPlacements';

const WORKS_IN =
  'RNN Lab: Compare Dropout Placements works on a Keras model in a Python file, a Jupyter notebook or a playground: put the cursor in the model and run it again.';

/** Where the model came from, for the new playground's introduction: `train.py, line 12`. */
function origin(result: ComparisonPlanResult): string {
  const uri = vscode.Uri.parse(result.location.uri);
  const found = findCell(result.location.uri);
  const file = (found ? found.notebook.uri : uri).path.split('/').pop() ?? uri.toString();
  const line = result.location.range.start.line + 1;
  return found ? `${file}, cell ${found.cell.index + 1}, line ${line}` : `${file}, line ${line}`;
}

/** A new untitled playground comparing the placements of a model of a `.py` or `.ipynb` file. */
async function openPlayground(
  plan: ComparisonPlan,
  from: string,
): Promise<vscode.NotebookDocument> {
  const data = suggestDataset({ input: plan.inputShape, ...plan.output });
  const nb = comparisonPlayground(plan, data.code, from);
  const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, toNotebookData(nb));
  await vscode.window.showNotebookDocument(doc);
  if (!data.ready)
    void vscode.window.showInformationMessage(
      `RNN Lab: no built-in data set fits "${plan.model}": the playground reads data.csv; its second cell says what to fill in.`,
    );
  return doc;
}

export function registerCompare(client: LanguageClient): vscode.Disposable {
  return vscode.commands.registerCommand(COMPARE_COMMAND, async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage(WORKS_IN);
      return undefined;
    }
    const c2p = client.code2ProtocolConverter;
    let result: ComparisonPlanResult;
    try {
      result = await client.sendRequest(ComparisonPlanRequest, {
        textDocument: { uri: c2p.asUri(editor.document.uri) },
        position: c2p.asPosition(editor.selection.active),
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof ResponseError && e.data)
        void vscode.window.showInformationMessage(`RNN Lab: ${message}`);
      else
        void vscode.window.showErrorMessage(
          `RNN Lab: Compare Dropout Placements failed: ${message}`,
        );
      return undefined;
    }
    const found = findCell(result.location.uri);
    if (found && found.notebook.notebookType === NOTEBOOK_TYPE) {
      const code = comparisonSource(result.plan, cellOptions(result.plan, false));
      return (await insertCellBelow(found.notebook, found.cell, code)) ? found.notebook : undefined;
    }
    return openPlayground(result.plan, origin(result));
  });
}
