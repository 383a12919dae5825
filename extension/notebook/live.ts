/**
 * Live progress of running fits to the notebook renderer (webview/renderer.ts), over VS Code's
 * renderer messaging. A message posted before the renderer loaded is dropped, so each view says
 * Ready with its run id and gets the run's backlog; after that every progress message is
 * forwarded as it comes (the renderer batches them into one redraw per frame). A Stop from a
 * view interrupts the notebook, as its Interrupt button does.
 */
import * as vscode from 'vscode';
import type { Progress, RunStart } from '../../kernels/protocol';
import { parseFromRenderer, type RunProgress } from '../../webview/protocol';

/** The renderer's id in package.json (`contributes.notebookRenderer`). */
export const RENDERER_ID = 'rnnlab-run';

interface LiveRun {
  notebook: vscode.NotebookDocument;
  start: RunStart;
  /** Everything reported so far: the backlog a view gets when it says Ready. */
  backlog: RunProgress;
}

export class LiveRuns implements vscode.Disposable {
  private readonly messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  private readonly runs = new Map<string, LiveRun>();
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly interrupt: (notebook: vscode.NotebookDocument) => void,
    private readonly log: vscode.OutputChannel,
  ) {
    this.listener = this.messaging.onDidReceiveMessage((e) => this.receive(e.message));
  }

  dispose(): void {
    this.listener.dispose();
    this.runs.clear();
  }

  /** A fit started in `notebook`. */
  start(notebook: vscode.NotebookDocument, start: RunStart): void {
    this.runs.set(start.runId, {
      notebook,
      start,
      backlog: {
        type: 'progress',
        runId: start.runId,
        reset: true,
        epochs: start.epochs,
        batchesPerEpoch: start.batchesPerEpoch,
        batches: [],
        epochEnds: [],
        etaMs: null,
      },
    });
  }

  /** Progress of a fit: remembered for late views and forwarded to the loaded ones. */
  progress(p: Progress): void {
    const run = this.runs.get(p.runId);
    if (!run) return;
    run.backlog.batches.push(...p.batches);
    run.backlog.epochEnds.push(...p.epochEnds);
    run.backlog.etaMs = p.etaMs;
    this.post({
      type: 'progress',
      runId: p.runId,
      reset: false,
      epochs: p.epochs,
      batchesPerEpoch: p.batchesPerEpoch,
      batches: p.batches,
      epochEnds: p.epochEnds,
      etaMs: p.etaMs,
    });
  }

  /** The fit ended (its final output replaces the live one): nothing more to send. */
  end(runId: string): void {
    this.runs.delete(runId);
  }

  private receive(raw: unknown): void {
    const msg = parseFromRenderer(raw);
    if (typeof msg === 'string') {
      this.log.appendLine(`renderer message ignored: ${msg}`);
      return;
    }
    const run = this.runs.get(msg.runId);
    if (!run) return; // a finished run: its view is about to get the final output
    if (msg.type === 'ready') this.post(run.backlog);
    else this.interrupt(run.notebook);
  }

  /** To every view of the renderer (they route by run id). */
  private post(msg: RunProgress): void {
    this.messaging.postMessage(msg).then(
      () => undefined,
      (e: unknown) => this.log.appendLine(`renderer message not sent: ${(e as Error).message}`),
    );
  }
}
