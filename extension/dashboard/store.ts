/**
 * The runs store in the extension's storage: `kernels/runs.ts` over `workspace.fs`, under the
 * workspace's storage folder (`storageUri`), or the global one when no folder is open (runs are
 * keyed by the notebook's URI either way). Every fit of every notebook is recorded here, whether
 * or not the dashboard is open, so that it lists them after a kernel restart or a reload.
 */
import * as vscode from 'vscode';
import type { RunEntry } from '../../kernels/protocol';
import { RunStore, type RunFiles } from '../../kernels/runs';
import type { RnnLab } from '../ctx';
import type { PlaygroundKernel } from '../notebook/controller';

/** The store's files under `base`, through `workspace.fs` (works for remote storage too). */
export function storageFiles(base: vscode.Uri): RunFiles {
  const at = (p: string) => vscode.Uri.joinPath(base, ...p.split('/'));
  const missing = (e: unknown) => e instanceof vscode.FileSystemError && e.code === 'FileNotFound';
  return {
    async read(p) {
      try {
        return await vscode.workspace.fs.readFile(at(p));
      } catch (e) {
        if (missing(e)) return undefined;
        throw e;
      }
    },
    write: (p, data) => Promise.resolve(vscode.workspace.fs.writeFile(at(p), data)),
    async remove(p) {
      try {
        await vscode.workspace.fs.delete(at(p), { recursive: true, useTrash: false });
      } catch (e) {
        if (!missing(e)) throw e;
      }
    },
    async folders(p) {
      try {
        const entries = await vscode.workspace.fs.readDirectory(at(p));
        return entries.filter(([, type]) => type === vscode.FileType.Directory).map(([n]) => n);
      } catch (e) {
        if (missing(e)) return [];
        throw e;
      }
    },
  };
}

/** A notebook's name as its tab shows it. */
export function notebookLabel(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.toString(true);
}

/** What changed in the store, for the dashboard to refresh. */
export interface RunsChanged {
  notebook: string;
  /** The run that started or ended (absent for deletions and moves). */
  entry?: RunEntry;
  /** The notebook whose runs moved to `notebook` (an untitled notebook saved to a file). */
  from?: string;
}

/** The cell sources of a notebook, to recognise an untitled one saved to a file. */
const fingerprint = (nb: vscode.NotebookDocument) =>
  nb
    .getCells()
    .map((c) => c.document.getText())
    .join('\u0000');

/** How long a closed untitled notebook may still be matched with the file it was saved as. */
const MOVE_WINDOW_MS = 10_000;

/** Records every fit of `kernel` in the store and moves an untitled notebook's runs on save. */
export class RecordedRuns implements vscode.Disposable {
  readonly store: RunStore;
  private readonly changes = new vscode.EventEmitter<RunsChanged>();
  readonly onDidChange = this.changes.event;
  private readonly disposables: vscode.Disposable[] = [this.changes];
  /** What the start of a fit recorded, for its end. */
  private readonly started = new Map<string, { startedAt: number; cell: number }>();
  /** Runs whose fit is in flight (the others stored as running were cut off: lost). */
  private readonly live = new Set<string>();
  /** Untitled notebooks closed a moment ago, with their cell sources. */
  private readonly closedUntitled: Array<{ uri: string; text: string; at: number }> = [];

  constructor(
    lab: RnnLab,
    kernel: PlaygroundKernel,
    /** Where the runs are kept. */
    readonly base = lab.context.storageUri ?? lab.context.globalStorageUri,
  ) {
    this.store = new RunStore(storageFiles(base));
    const failed = (what: string) => (e: unknown) =>
      lab.log.appendLine(`runs store: could not ${what}: ${(e as Error).message}`);
    this.disposables.push(
      kernel.onRun((e) => {
        const notebook = e.notebook.uri.toString();
        const label = notebookLabel(e.notebook.uri);
        if (e.kind === 'start') {
          const meta = { startedAt: Date.now(), cell: e.cell };
          this.started.set(e.start.runId, meta);
          this.live.add(e.start.runId);
          this.store
            .started(notebook, label, e.start, meta)
            .then((entry) => this.changes.fire({ notebook, entry }), failed('record a run'));
        } else if (e.kind === 'end') {
          const runId = e.output.runId;
          const meta = this.started.get(runId) ?? { startedAt: Date.now(), cell: null };
          this.started.delete(runId);
          this.store.finished(notebook, label, e.output, meta).then(
            (entry) => {
              this.live.delete(runId);
              this.changes.fire({ notebook, entry });
            },
            (err: unknown) => {
              this.live.delete(runId);
              failed('save a run')(err);
            },
          );
        }
      }),
      vscode.workspace.onDidOpenNotebookDocument((nb) =>
        this.opened(nb).catch(failed('move runs')),
      ),
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        if (nb.isUntitled)
          this.closedUntitled.push({
            uri: nb.uri.toString(),
            text: fingerprint(nb),
            at: Date.now(),
          });
      }),
    );
  }

  /** Whether a run's fit is in flight in this window. */
  isLive = (runId: string): boolean => this.live.has(runId);

  /**
   * A notebook opened: when it has the cells of an untitled notebook open or closed a moment ago
   * (Save As of an untitled notebook opens the file and closes the untitled one), that
   * notebook's runs move to it.
   */
  private async opened(nb: vscode.NotebookDocument): Promise<void> {
    if (nb.isUntitled) return;
    const now = Date.now();
    while (this.closedUntitled.length && now - this.closedUntitled[0]!.at > MOVE_WINDOW_MS)
      this.closedUntitled.shift();
    const text = fingerprint(nb);
    const candidates = [
      ...vscode.workspace.notebookDocuments
        .filter((d) => d.isUntitled && d.notebookType === nb.notebookType)
        .map((d) => ({ uri: d.uri.toString(), text: fingerprint(d) })),
      ...this.closedUntitled,
    ].filter((c) => c.text === text);
    const to = nb.uri.toString();
    for (const c of candidates) {
      if ((await this.store.move(c.uri, to, notebookLabel(nb.uri))) > 0)
        this.changes.fire({ notebook: to, from: c.uri });
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
