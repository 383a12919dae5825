/**
 * The Show Model Summary command: a read-only view of the Keras summary of the model under the
 * cursor. The language server analyses and formats it (`rnnlab/modelSummary`); the extension
 * only names the document and the cursor, and shows the text.
 */
import * as vscode from 'vscode';
import { ResponseError, type LanguageClient } from 'vscode-languageclient/node';
import {
  ModelSummaryRequest,
  type ModelSummaryErrorData,
  type ModelSummaryParams,
  type ModelSummaryResult,
} from '../../server/protocol';

export const SUMMARY_COMMAND = 'rnnlab.showModelSummary';

/** The URI scheme of the read-only summary documents. */
export const SUMMARY_SCHEME = 'rnnlab-summary';

const WORKS_IN =
  'Show Model Summary works in Python files, Jupyter notebooks and RNN Lab playgrounds: open one and put the cursor in a model.';
const ASK_AGAIN = 'Put the cursor in a model and run "RNN Lab: Show Model Summary" again.';

/** Why the server refused (its `data.reason`), or undefined for any other failure. */
function reasonOf(e: unknown): ModelSummaryErrorData['reason'] | undefined {
  if (!(e instanceof ResponseError)) return undefined;
  return (e.data as Partial<ModelSummaryErrorData> | undefined)?.reason;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The summary document of the model `model` of `source` (a document's or notebook's URI). */
function summaryUri(source: string, model: string): vscode.Uri {
  // The path is the tab's title; ending in ")" it never takes a language from an extension.
  return vscode.Uri.from({
    scheme: SUMMARY_SCHEME,
    path: `/${model.replace(/[/\\]/g, '_')} (model summary)`,
    query: new URLSearchParams({ source, model }).toString(),
  });
}

/** What the active editor asks about: a document (or cell) and the cursor, else a notebook. */
function activeParams(client: LanguageClient): ModelSummaryParams | null {
  const c2p = client.code2ProtocolConverter;
  const editor = vscode.window.activeTextEditor;
  if (editor)
    return {
      textDocument: { uri: c2p.asUri(editor.document.uri) },
      position: c2p.asPosition(editor.selection.active),
    };
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  return notebook ? { textDocument: { uri: c2p.asUri(notebook.uri) } } : null;
}

/** Opens a summary's source if VS Code has closed it (the client then syncs it to the server). */
async function reopen(source: vscode.Uri): Promise<boolean> {
  if (source.scheme === 'untitled') return false;
  const key = source.toString();
  const open =
    vscode.workspace.notebookDocuments.some((nb) => !nb.isClosed && nb.uri.toString() === key) ||
    vscode.workspace.textDocuments.some((d) => !d.isClosed && d.uri.toString() === key);
  if (open) return false;
  try {
    if (/\.(rnnlab|ipynb)$/.test(source.path)) await vscode.workspace.openNotebookDocument(source);
    else await vscode.workspace.openTextDocument(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * The read-only documents of Show Model Summary: `rnnlab-summary:` URIs naming a source and a
 * model. Their text is asked of the server when VS Code asks (when one opens, and after
 * `refresh`), so they are never dirty, never untitled and close without a save prompt.
 */
class SummaryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: LanguageClient) {}

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
    const model = params.get('model') ?? '';
    const file = decodeURIComponent(vscode.Uri.parse(source).path.split('/').pop() || source);
    const ask = () =>
      this.client.sendRequest(ModelSummaryRequest, { textDocument: { uri: source }, model });
    let result: ModelSummaryResult | null;
    try {
      try {
        result = await ask();
      } catch (e) {
        // A source VS Code closed (a summary restored with the window): open it, ask again.
        if (reasonOf(e) !== 'notOpen' || !(await reopen(vscode.Uri.parse(source)))) throw e;
        result = await ask();
      }
    } catch (e) {
      const reason = reasonOf(e);
      if (reason === 'notOpen')
        return `The model's source, ${file}, is no longer open. Open it, put the cursor in the model and run "RNN Lab: Show Model Summary" again.\n`;
      if (reason === 'unknownModel') return `${messageOf(e)}. ${ASK_AGAIN}\n`;
      if (reason === 'tooLarge') return `${messageOf(e)}.\n`;
      return `The RNN Lab Language Server could not give the summary of "${model}": ${messageOf(e)}\n`;
    }
    return result?.text ?? `${file} no longer builds a Keras model. ${ASK_AGAIN}\n`;
  }
}

/**
 * rnnlab.showModelSummary: the Keras summary of the model under the cursor, read-only, beside
 * the editor. Asked again (from the source, or from the summary itself) it is recomputed.
 */
export function registerShowSummary(client: LanguageClient): vscode.Disposable {
  const summaries = new SummaryDocuments(client);
  const command = vscode.commands.registerCommand(SUMMARY_COMMAND, async () => {
    const current = vscode.window.activeTextEditor?.document;
    if (current?.uri.scheme === SUMMARY_SCHEME) {
      summaries.refresh(current.uri);
      return;
    }
    const params = activeParams(client);
    if (!params) {
      void vscode.window.showInformationMessage(WORKS_IN);
      return;
    }
    let result: ModelSummaryResult | null;
    try {
      result = await client.sendRequest(ModelSummaryRequest, params);
    } catch (e) {
      const reason = reasonOf(e);
      void vscode.window.showInformationMessage(
        reason === 'notOpen'
          ? WORKS_IN
          : reason === 'tooLarge'
            ? `${messageOf(e)}.`
            : `Show Model Summary failed: ${messageOf(e)}`,
      );
      return;
    }
    if (!result) {
      void vscode.window.showInformationMessage(
        'No Keras model was found in this document: Show Model Summary needs a keras.Sequential or keras.Model.',
      );
      return;
    }
    const uri = summaryUri(result.source, result.summary.name);
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
