/**
 * "RNN Lab: Show Dashboard": a webview panel with the runs of a notebook (webview/dashboard.ts
 * draws it). The panel asks for what it shows (Ready, Show, Load) and the host answers from the
 * runs store; running fits stream their progress to it; exports and deletions are done here.
 * A panel serializer brings the panel back after a reload, with the notebook it showed.
 */
import * as vscode from 'vscode';
import type { RunEntry, RunOutput } from '../../kernels/protocol';
import { runsCsv, runsJson } from '../../kernels/runs';
import {
  parseFromDashboard,
  runProgress,
  type FromDashboard,
  type ToDashboard,
} from '../../webview/protocol';
import type { RnnLab } from '../ctx';
import type { PlaygroundKernel } from '../notebook/controller';
import { notebookLabel, type RecordedRuns } from './store';

export const DASHBOARD_VIEW_TYPE = 'rnnlab.dashboard';
/** workspaceState: the notebook the dashboard showed last. */
const SHOWN_KEY = 'rnnlab.dashboard.notebook';

/** What the panel did, for the integration tests (`_rnnlab.dashboard`). */
export interface DashboardState {
  open: boolean;
  /** The panel was brought back by the serializer (a reload), not opened by the command. */
  restored: boolean;
  notebook: string | null;
  /** The runs last sent to the view, oldest first. */
  runs: Array<Pick<RunEntry, 'runId' | 'status' | 'model'>>;
  /** Messages received from the view and handled, by type. */
  received: Record<string, number>;
  /** Files written by exports, last first. */
  exported: string[];
  /** The storage folder of the runs, and the notebooks stored there. */
  storage: string;
  stored: string[];
}

function nonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Dashboard implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private notebook: string | null = null;
  /** The notebook to show when the view has no saved choice (the one the command was run for). */
  private preferred: string | null = null;
  private state: DashboardState = Dashboard.emptyState();

  constructor(
    private readonly lab: RnnLab,
    private readonly kernel: PlaygroundKernel,
    private readonly runs: RecordedRuns,
  ) {
    this.disposables.push(
      runs.onDidChange((c) => {
        if (c.from && c.from === this.notebook) this.notebook = c.notebook;
        if (!this.panel) return;
        if (c.notebook === this.notebook || this.notebook === null) void this.sendRuns();
        // A fit that ended: its whole output for the view (it redraws the run if it shows it).
        if (c.entry && c.entry.status !== 'running' && c.notebook === this.notebook)
          void this.sendOutputs([c.entry.runId]);
      }),
      kernel.onRun((e) => {
        if (!this.panel || e.kind !== 'progress') return;
        if (e.notebook.uri.toString() !== this.notebook) return;
        this.post(runProgress(e.progress));
      }),
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, saved: unknown) => {
          this.lab.log.appendLine(`dashboard restored (state ${JSON.stringify(saved)})`);
          const notebook = (saved as { notebook?: unknown } | undefined)?.notebook;
          // The webview's state is saved with the window's editors, which a browser window may
          // not get to do as it closes: the notebook last shown is also kept in workspaceState.
          this.preferred =
            typeof notebook === 'string'
              ? notebook
              : (this.lab.context.workspaceState.get<string>(SHOWN_KEY) ?? null);
          this.adopt(panel, true);
        },
      }),
    );
  }

  private static emptyState(): DashboardState {
    return {
      open: false,
      restored: false,
      notebook: null,
      runs: [],
      received: {},
      exported: [],
      storage: '',
      stored: [],
    };
  }

  /** Opens the panel (or brings it forward) on the runs of `notebook`. */
  show(notebook?: vscode.NotebookDocument): void {
    if (notebook) this.preferred = notebook.uri.toString();
    if (this.panel) {
      this.panel.reveal();
      if (notebook && this.notebook !== this.preferred) {
        this.notebook = this.preferred;
        void this.sendRuns();
      }
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      DASHBOARD_VIEW_TYPE,
      'RNN Lab Dashboard',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      this.options(),
    );
    this.adopt(panel, false);
  }

  /** What the tests read: the panel's state; `message` is handled as the view's. */
  async testHook(message?: unknown, target?: vscode.Uri): Promise<DashboardState> {
    if (message !== undefined) await this.receive(message, target);
    const stored = (await this.runs.store.notebooks()).map((n) => n.uri);
    return {
      ...this.state,
      open: this.panel !== null,
      notebook: this.notebook,
      storage: this.runs.base.toString(),
      stored,
    };
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // The view keeps its choices in its state and asks again when shown: no hidden page kept.
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.lab.context.extensionUri, 'dist')],
    };
  }

  private adopt(panel: vscode.WebviewPanel, restored: boolean): void {
    this.panel?.dispose();
    this.panel = panel;
    this.state = { ...Dashboard.emptyState(), open: true, restored };
    panel.webview.options = this.options();
    const icon = (theme: string) =>
      vscode.Uri.joinPath(this.lab.context.extensionUri, 'resources', `rnnlab-${theme}.svg`);
    panel.iconPath = { light: icon('light'), dark: icon('dark') };
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        this.panel = null;
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
      }),
    ];
  }

  private html(webview: vscode.Webview): string {
    const n = nonce();
    const script = webview.asWebviewUri(
      vscode.Uri.joinPath(this.lab.context.extensionUri, 'dist', 'dashboard.js'),
    );
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${n}'`,
      `style-src ${webview.cspSource} 'unsafe-inline'`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>RNN Lab Dashboard</title>
</head>
<body>
<main id="root"></main>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  private post(msg: ToDashboard): void {
    if (!this.panel) return;
    this.panel.webview
      .postMessage(msg)
      .then(undefined, (e: unknown) =>
        this.lab.log.appendLine(`dashboard message not sent: ${(e as Error).message}`),
      );
  }

  /** The runs of the notebook shown, and the notebooks to choose from. */
  private async sendRuns(): Promise<void> {
    const stored = await this.runs.store.notebooks();
    const open = vscode.workspace.notebookDocuments
      .filter((nb) => nb.notebookType === 'rnnlab')
      .map((nb) => ({ uri: nb.uri.toString(), label: notebookLabel(nb.uri) }));
    const notebooks = [...stored.map(({ uri, label }) => ({ uri, label }))];
    for (const o of open) if (!notebooks.some((n) => n.uri === o.uri)) notebooks.push(o);
    if (this.notebook === null || !notebooks.some((n) => n.uri === this.notebook)) {
      const pick = [this.preferred, vscode.window.activeNotebookEditor?.notebook.uri.toString()]
        .filter((u): u is string => !!u)
        .find((u) => notebooks.some((n) => n.uri === u));
      this.notebook = pick ?? notebooks[0]?.uri ?? null;
    }
    const runs = this.notebook
      ? await this.runs.store.entries(this.notebook, this.runs.isLive)
      : [];
    this.state.runs = runs.map(({ runId, status, model }) => ({ runId, status, model }));
    this.post({ type: 'runs', notebooks, notebook: this.notebook, runs });
  }

  /** Outputs of runs of the notebook shown; a running one is followed by its progress so far. */
  private async sendOutputs(runIds: readonly string[]): Promise<void> {
    const notebook = this.notebook;
    if (!notebook) return;
    for (const runId of runIds) {
      const output = await this.runs.store.output(notebook, runId);
      if (!output) continue;
      this.post({ type: 'run', notebook, output });
      const backlog = this.runs.isLive(runId) ? this.kernel.live.backlog(runId) : undefined;
      if (backlog) this.post(backlog);
    }
  }

  private async receive(raw: unknown, target?: vscode.Uri): Promise<void> {
    const msg = parseFromDashboard(raw);
    if (typeof msg === 'string') {
      this.lab.log.appendLine(`dashboard message ignored: ${msg}`);
      return;
    }
    try {
      await this.handle(msg, target);
    } catch (e) {
      const message = `RNN Lab dashboard: ${(e as Error).message}`;
      this.lab.log.appendLine(message);
      void vscode.window.showErrorMessage(message);
    }
    // Counted once handled: a test that sees the count sees what the view was sent.
    this.state.received[msg.type] = (this.state.received[msg.type] ?? 0) + 1;
  }

  private async handle(msg: FromDashboard, target?: vscode.Uri): Promise<void> {
    switch (msg.type) {
      case 'dashboardReady':
        if (msg.notebook) this.notebook = msg.notebook;
        else if (this.preferred) this.notebook = this.preferred;
        return this.sendRuns();
      case 'show':
        this.notebook = msg.notebook;
        return this.sendRuns();
      case 'load':
        return this.sendOutputs(msg.runIds);
      case 'stop':
        // The same path as the chart's Stop: the notebook's Interrupt.
        this.kernel.live.receive(msg);
        return;
      case 'delete':
        return this.delete(msg.runIds, target !== undefined);
      case 'export':
        return this.export(msg.format, msg.runIds, target);
      case 'savePng': {
        const bytes = Buffer.from(msg.dataUrl.slice(msg.dataUrl.indexOf(',') + 1), 'base64');
        const uri = target ?? (await this.saveTarget('runs.png', { 'PNG image': ['png'] }));
        if (uri) await this.write(uri, bytes);
        return;
      }
    }
  }

  private async delete(runIds: readonly string[], confirmed: boolean): Promise<void> {
    const notebook = this.notebook;
    if (!notebook || runIds.length === 0) return;
    const label = notebookLabel(vscode.Uri.parse(notebook));
    if (!confirmed) {
      const what = runIds.length === 1 ? 'this run' : `these ${runIds.length} runs`;
      const pick = await vscode.window.showWarningMessage(
        `Delete ${what} of ${label}? Their charts and values cannot be brought back.`,
        { modal: true },
        'Delete',
      );
      if (pick !== 'Delete') return;
    }
    const live = runIds.filter((id) => this.runs.isLive(id));
    if (live.length) {
      void vscode.window.showInformationMessage(
        'RNN Lab: a running fit cannot be deleted; stop it first.',
      );
    }
    await this.runs.store.delete(
      notebook,
      runIds.filter((id) => !this.runs.isLive(id)),
    );
    await this.sendRuns();
  }

  private async export(
    format: 'csv' | 'json',
    runIds: readonly string[],
    target?: vscode.Uri,
  ): Promise<void> {
    const notebook = this.notebook;
    if (!notebook || runIds.length === 0) return;
    const entries = await this.runs.store.entries(notebook, this.runs.isLive);
    const runs: Array<{ entry: RunEntry; output: RunOutput }> = [];
    for (const entry of entries.filter((e) => runIds.includes(e.runId))) {
      const output = await this.runs.store.output(notebook, entry.runId);
      if (output) runs.push({ entry, output });
    }
    if (runs.length === 0) throw new Error('the selected runs are no longer stored');
    const base = notebookLabel(vscode.Uri.parse(notebook)).replace(/\.[^.]+$/, '');
    const uri =
      target ??
      (await this.saveTarget(
        `${base}-runs.${format}`,
        format === 'csv' ? { 'CSV file': ['csv'] } : { 'JSON file': ['json'] },
      ));
    if (!uri) return;
    const text = format === 'csv' ? runsCsv(runs) : runsJson(runs);
    await this.write(uri, new TextEncoder().encode(text));
  }

  private saveTarget(
    name: string,
    filters: Record<string, string[]>,
  ): Thenable<vscode.Uri | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters,
      saveLabel: 'Export',
    });
  }

  private async write(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
    await vscode.workspace.fs.writeFile(uri, bytes);
    this.state.exported.unshift(uri.toString());
    void vscode.window.showInformationMessage(
      `RNN Lab: saved ${vscode.workspace.asRelativePath(uri)}.`,
    );
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of [...this.disposables, ...this.panelDisposables]) d.dispose();
  }
}
