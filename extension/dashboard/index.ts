/** The runs dashboard: every fit recorded in the extension's storage, and the panel that shows them. */
import * as vscode from 'vscode';
import type { RnnLab } from '../ctx';
import type { PlaygroundKernel } from '../notebook/controller';
import { Dashboard, type DashboardState } from './panel';
import { RecordedRuns } from './store';

/** `(message?, target?)`: passes `message` to the dashboard as its view's, returns its state. */
export const DASHBOARD_TEST_COMMAND = '_rnnlab.dashboard';

export function registerDashboard(
  lab: RnnLab,
  kernel: PlaygroundKernel,
  targetNotebook: (arg?: unknown) => vscode.NotebookDocument | undefined,
): vscode.Disposable[] {
  const runs = new RecordedRuns(lab, kernel);
  const dashboard = new Dashboard(lab, kernel, runs);
  return [
    runs,
    dashboard,
    vscode.commands.registerCommand('rnnlab.showDashboard', (arg?: unknown) =>
      dashboard.show(targetNotebook(arg)),
    ),
    // Internal (not contributed): what the view would send, and what the panel did.
    vscode.commands.registerCommand(
      DASHBOARD_TEST_COMMAND,
      (message?: unknown, target?: unknown): Promise<DashboardState> =>
        dashboard.testHook(message, target instanceof vscode.Uri ? target : undefined),
    ),
  ];
}
