/** Commands that are neither notebook- nor language-specific: new playground, export, examples. */
import * as vscode from 'vscode';
import type { RnnLab } from '../ctx';
import { NOTEBOOK_TYPE } from '../notebook/controller';
import { targetNotebook } from '../notebook/index';
import { RAW_LANGUAGE, type JsonObject } from '../../notebook/nbformat';
import { PlaygroundSerializer, toNotebookData } from '../notebook/serializer';
import {
  exportNames,
  toJupyterNotebook,
  toKerasScript,
  type ExportSource,
} from '../../kernels/export';
import { playgroundTemplate } from '../../notebook/template';

/** The example the walkthrough and "Open Example Playground" open (as an untitled copy). */
export const EXAMPLE = ['examples', 'dropout-placement.rnnlab'] as const;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A notebook document's cells and metadata, for the exporters. */
function sourceOf(notebook: vscode.NotebookDocument): ExportSource {
  const meta = notebook.metadata['metadata'];
  return {
    // An unsaved playground's path is its title (`Untitled-1`): the header names it so.
    ...exportNames(notebook.uri.path, notebook.isUntitled),
    cells: notebook.getCells().map((c) => ({
      kind:
        c.kind === vscode.NotebookCellKind.Markup
          ? 'markdown'
          : c.document.languageId === RAW_LANGUAGE
            ? 'raw'
            : 'code',
      source: c.document.getText(),
      metadata: c.metadata as JsonObject,
    })),
    metadata: typeof meta === 'object' && meta !== null ? (meta as JsonObject) : {},
  };
}

/** Where an export goes: the given target, or the user's choice next to the notebook. */
async function exportTarget(
  notebook: vscode.NotebookDocument,
  name: string,
  extension: 'py' | 'ipynb',
  target: unknown,
): Promise<vscode.Uri | undefined> {
  if (target instanceof vscode.Uri) return target;
  const folder =
    notebook.uri.scheme === 'untitled'
      ? vscode.workspace.workspaceFolders?.[0]?.uri
      : vscode.Uri.joinPath(notebook.uri, '..');
  const file = `${name}.${extension}`;
  return vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, file) : vscode.Uri.file(file),
    filters: extension === 'py' ? { 'Python script': ['py'] } : { 'Jupyter notebook': ['ipynb'] },
    saveLabel: 'Export',
    title: extension === 'py' ? 'Export as Keras Script' : 'Export as Jupyter Notebook',
  });
}

export function registerCommands(lab: RnnLab): vscode.Disposable[] {
  const fail = (what: string, e: unknown) => {
    const message = `RNN Lab: ${what}: ${errorText(e)}`;
    lab.log.appendLine(message);
    void vscode.window.showErrorMessage(message);
  };

  /** The active playground, or a message saying one is needed. */
  const playground = (arg: unknown): vscode.NotebookDocument | undefined => {
    const notebook = targetNotebook(arg instanceof vscode.Uri ? undefined : arg);
    if (notebook?.notebookType === NOTEBOOK_TYPE) return notebook;
    void vscode.window.showErrorMessage(
      'RNN Lab: open a playground (.rnnlab) first: the export works on the active playground.',
    );
    return undefined;
  };

  const exporter =
    (extension: 'py' | 'ipynb', render: (src: ExportSource) => string) =>
    async (target?: unknown): Promise<vscode.Uri | undefined> => {
      const notebook = playground(target);
      if (!notebook) return undefined;
      try {
        const src = sourceOf(notebook);
        const uri = await exportTarget(notebook, src.name, extension, target);
        if (!uri) return undefined;
        await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(render(src)));
        lab.log.appendLine(`exported ${notebook.uri.toString(true)} to ${uri.toString(true)}`);
        if (!(target instanceof vscode.Uri)) {
          void vscode.window
            .showInformationMessage(`RNN Lab: exported to ${uri.path.split('/').pop()}.`, 'Open')
            .then((pick) => pick && vscode.commands.executeCommand('vscode.open', uri));
        }
        return uri;
      } catch (e) {
        fail(`the export failed`, e);
        return undefined;
      }
    };

  return [
    vscode.commands.registerCommand('rnnlab.newPlayground', async () => {
      try {
        const doc = await vscode.workspace.openNotebookDocument(
          NOTEBOOK_TYPE,
          toNotebookData(playgroundTemplate()),
        );
        await vscode.window.showNotebookDocument(doc);
        return doc;
      } catch (e) {
        fail('could not create a playground', e);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('rnnlab.openExample', async () => {
      // A copy, never the file in the extension's folder: each run opens a new untitled
      // playground that the user saves where they like (and runs that cannot write into the
      // extension, nor duplicate its tab and problems).
      const uri = vscode.Uri.joinPath(lab.context.extensionUri, ...EXAMPLE);
      try {
        const data = new PlaygroundSerializer().deserializeNotebook(
          await vscode.workspace.fs.readFile(uri),
        );
        const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
        await vscode.window.showNotebookDocument(doc);
        return doc;
      } catch (e) {
        fail(`could not open ${EXAMPLE.join('/')}`, e);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('rnnlab.exportKerasScript', exporter('py', toKerasScript)),
    vscode.commands.registerCommand(
      'rnnlab.exportJupyterNotebook',
      exporter('ipynb', toJupyterNotebook),
    ),
  ];
}
