/** Playground notebooks: serializer, controller (kernel per notebook), restart. */
import * as vscode from 'vscode';
import type { RnnLab } from '../ctx';
import { registerDashboard } from '../dashboard/index';
import { NOTEBOOK_TYPE, PlaygroundKernel } from './controller';
import type { LiveStats } from './live';
import { PlaygroundSerializer } from './serializer';
import { registerShowMasks } from './masks';

/** `(runId, message?)`: passes `message` to the live runs as a view's, returns the run's stats. */
export const LIVE_RUN_COMMAND = '_rnnlab.liveRun';

/** The notebook a command is about: its argument (toolbar, a Uri) or the active editor's. */
export function targetNotebook(arg?: unknown): vscode.NotebookDocument | undefined {
  let uri: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (typeof arg === 'object' && arg !== null) {
    // The notebook toolbar passes { notebookEditor: { notebookUri } }.
    const editorUri = (arg as { notebookEditor?: { notebookUri?: unknown } }).notebookEditor
      ?.notebookUri;
    if (editorUri instanceof vscode.Uri) uri = editorUri;
  }
  if (uri) {
    const key = uri.toString();
    return vscode.workspace.notebookDocuments.find((nb) => nb.uri.toString() === key);
  }
  return vscode.window.activeNotebookEditor?.notebook;
}

export function registerNotebook(lab: RnnLab): vscode.Disposable[] {
  const serializer = vscode.workspace.registerNotebookSerializer(
    NOTEBOOK_TYPE,
    new PlaygroundSerializer(),
    { transientOutputs: false },
  );
  const kernel = new PlaygroundKernel(lab);
  const restart = vscode.commands.registerCommand(
    'rnnlab.restartKernel',
    async (arg?: unknown): Promise<boolean> => {
      const notebook = targetNotebook(arg);
      if (!notebook || notebook.notebookType !== NOTEBOOK_TYPE) {
        void vscode.window.showInformationMessage(
          'RNN Lab: open a playground (.rnnlab) to restart its kernel.',
        );
        return false;
      }
      try {
        await kernel.restart(notebook);
      } catch (e) {
        const message = `RNN Lab: the kernel could not restart: ${(e as Error).message}`;
        lab.log.appendLine(message);
        void vscode.window.showErrorMessage(message);
        return false;
      }
      void vscode.window.showInformationMessage(
        'RNN Lab: kernel restarted. The namespace was cleared (variables, data sets, models and their trained weights): run the cells again.',
      );
      return true;
    },
  );
  // Internal (not contributed): what a chart's view would send, and the run's messaging stats.
  // The integration tests press the chart's Stop through it, as the renderer's message would.
  const liveRun = vscode.commands.registerCommand(
    LIVE_RUN_COMMAND,
    (runId: unknown, message?: unknown): LiveStats | undefined => {
      if (typeof runId !== 'string') return undefined;
      if (message !== undefined) kernel.live.receive(message);
      return kernel.live.stats(runId);
    },
  );
  return [
    serializer,
    kernel,
    restart,
    liveRun,
    registerShowMasks(),
    ...registerDashboard(lab, kernel, targetNotebook),
  ];
}
