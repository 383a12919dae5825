/**
 * The Show Model Summary command: a read-only view of the Keras summary of the model under the
 * cursor, computed in the extension host from the document's text (cheap, and synchronous with
 * what the editor shows).
 */
import * as vscode from 'vscode';
import {
  indexIn,
  unitOf,
  unitOfNotebook,
  type Analysed,
  type Documents,
  type Unit,
} from './documents';
import { modelAt, summaryText } from '../../server/model-summary';

export const SUMMARY_COMMAND = 'rnnlab.showModelSummary';

/** `file.py:12` or `nb.ipynb, cell 3, line 2`. */
function describeWhere(unit: Unit, analysed: Analysed, offset: number): string {
  const name = unit.uri.path.split('/').pop() || unit.uri.toString(true);
  const at = analysed.source.position(offset);
  const cell = unit.cells?.[at.cell];
  return cell ? `${name}, cell ${cell.index + 1}, line ${at.line + 1}` : `${name}:${at.line + 1}`;
}

/** The unit of the active editor, and the cursor's offset in its analysed text (when known). */
function activeUnit(
  documents: Documents,
): { unit: Unit; analysed: Analysed; offset: number | null } | null {
  const editor = vscode.window.activeTextEditor;
  const unit = editor ? unitOf(editor.document) : null;
  if (editor && unit) {
    const analysed = documents.analyse(unit);
    const offset = analysed.source.offsetAt(
      indexIn(unit, editor.document),
      editor.selection.active,
    );
    return { unit, analysed, offset };
  }
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  const nbUnit = notebook ? unitOfNotebook(notebook) : null;
  return nbUnit ? { unit: nbUnit, analysed: documents.analyse(nbUnit), offset: null } : null;
}

/** The URI scheme of the read-only summary documents. */
export const SUMMARY_SCHEME = 'rnnlab-summary';

/** The summary document of the model `model` of the unit `source` (a unit key). */
function summaryUri(source: string, model: string): vscode.Uri {
  // The path is the tab's title; ending in ")" it never takes a language from an extension.
  return vscode.Uri.from({
    scheme: SUMMARY_SCHEME,
    path: `/${model.replace(/[/\\]/g, '_')} (model summary)`,
    query: new URLSearchParams({ source, model }).toString(),
  });
}

/** The open (or openable) unit of a key, or null when it is gone (an unsaved playground closed). */
async function unitByKey(key: string): Promise<Unit | null> {
  const notebook = vscode.workspace.notebookDocuments.find(
    (nb) => !nb.isClosed && nb.uri.toString() === key,
  );
  if (notebook) return unitOfNotebook(notebook);
  const doc = vscode.workspace.textDocuments.find((d) => !d.isClosed && d.uri.toString() === key);
  if (doc) return unitOf(doc);
  const uri = vscode.Uri.parse(key);
  if (uri.scheme === 'untitled') return null;
  try {
    if (/\.(rnnlab|ipynb)$/.test(uri.path))
      return unitOfNotebook(await vscode.workspace.openNotebookDocument(uri));
    return unitOf(await vscode.workspace.openTextDocument(uri));
  } catch {
    return null;
  }
}

/**
 * The read-only documents of Show Model Summary: `rnnlab-summary:` URIs naming a source and a
 * model. Their text is computed from the source when VS Code asks (when one opens, and after
 * `refresh`), so they are never dirty, never untitled and close without a save prompt.
 */
class SummaryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly documents: Documents) {}

  dispose(): void {
    this.changed.dispose();
  }

  /** Makes VS Code ask again for the text of an open summary document. */
  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const params = new URLSearchParams(uri.query);
    const source = params.get('source') ?? '';
    const name = params.get('model') ?? '';
    const file = vscode.Uri.parse(source).path.split('/').pop() || source;
    const unit = await unitByKey(source);
    if (!unit)
      return `The model's source, ${file}, is no longer open. Open it, put the cursor in the model and run "RNN Lab: Show Model Summary" again.\n`;
    const analysed = this.documents.analyse(unit);
    const model = analysed.analysis.models.find((m) => m.name === name);
    if (!model)
      return `${file} no longer builds a model named "${name}". Put the cursor in a model and run "RNN Lab: Show Model Summary" again.\n`;
    return summaryText(model, describeWhere(unit, analysed, model.site.span.from));
  }
}

/**
 * rnnlab.showModelSummary: the Keras summary of the model under the cursor, read-only, beside
 * the editor. Asked again (from the source, or from the summary itself) it is recomputed.
 */
export function registerShowSummary(documents: Documents): vscode.Disposable {
  const summaries = new SummaryDocuments(documents);
  const command = vscode.commands.registerCommand(SUMMARY_COMMAND, async () => {
    const current = vscode.window.activeTextEditor?.document;
    if (current?.uri.scheme === SUMMARY_SCHEME) {
      summaries.refresh(current.uri);
      return;
    }
    const active = activeUnit(documents);
    if (!active) {
      void vscode.window.showInformationMessage(
        'Show Model Summary works in Python files, Jupyter notebooks and RNN Lab playgrounds: open one and put the cursor in a model.',
      );
      return;
    }
    const model = modelAt(active.analysed.analysis, active.offset);
    if (!model) {
      void vscode.window.showInformationMessage(
        'No Keras model was found in this document: Show Model Summary needs a keras.Sequential or keras.Model.',
      );
      return;
    }
    const uri = summaryUri(active.unit.key, model.name);
    // Already open: VS Code asks again for its text.
    summaries.refresh(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
    });
  });
  return vscode.Disposable.from(
    command,
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
    summaries,
  );
}
