/**
 * Live progress of running fits to the notebook renderer (webview/renderer.ts), over VS Code's
 * renderer messaging. A message posted before the renderer loaded is dropped, so each view says
 * Ready with its run id and gets the run's backlog; after that every progress message is
 * forwarded as it comes (the renderer batches them into one redraw per frame). A Stop from a
 * view interrupts the notebook, as its Interrupt button does.
 */
import * as vscode from 'vscode';
import type { Progress, RunStart } from '../../kernels/protocol';
import {
  addToBacklog,
  emptyBacklog,
  parseFromRenderer,
  runProgress,
  type RunProgress,
} from '../../webview/protocol';

/** The renderer's id in package.json (`contributes.notebookRenderer`). */
export const RENDERER_ID = 'rnnlab-run';

interface LiveRun {
  notebook: vscode.NotebookDocument;
  start: RunStart;
  /** Everything reported so far: the backlog a view gets when it says Ready. */
  backlog: RunProgress;
}

/** What happened on the messaging of one run: for the log and the integration tests. */
export interface LiveStats {
  /** Ready messages received from its views. */
  ready: number;
  /** Stop messages received from its views. */
  stops: number;
  /** Progress messages posted to the views, and how many a loaded view received. */
  posted: number;
  delivered: number;
  /** Batches in the delivered messages. */
  deliveredBatches: number;
}

/** How many finished runs keep their stats. */
const STATS_KEPT = 20;

export class LiveRuns implements vscode.Disposable {
  private readonly messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  private readonly runs = new Map<string, LiveRun>();
  private readonly counts = new Map<string, LiveStats>();
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
    this.counts.set(start.runId, {
      ready: 0,
      stops: 0,
      posted: 0,
      delivered: 0,
      deliveredBatches: 0,
    });
    for (const id of this.counts.keys()) {
      if (this.counts.size <= STATS_KEPT) break;
      this.counts.delete(id);
    }
    this.runs.set(start.runId, {
      notebook,
      start,
      backlog: emptyBacklog(start),
    });
  }

  /** Progress of a fit: remembered for late views and forwarded to the loaded ones. */
  progress(p: Progress): void {
    const run = this.runs.get(p.runId);
    if (!run) return;
    addToBacklog(run.backlog, p);
    this.post(runProgress(p));
  }

  /** The fit ended (its final output replaces the live one): nothing more to send. */
  end(runId: string): void {
    this.runs.delete(runId);
  }

  /** Everything a running fit reported so far (a reset progress message), for a new view. */
  backlog(runId: string): RunProgress | undefined {
    return this.runs.get(runId)?.backlog;
  }

  /** The messaging stats of a run (kept a while after it ended). */
  stats(runId: string): LiveStats | undefined {
    const c = this.counts.get(runId);
    return c && { ...c };
  }

  /** A message from a view (public so that tests can send what a view sends). */
  receive(raw: unknown): void {
    const msg = parseFromRenderer(raw);
    if (typeof msg === 'string') {
      this.log.appendLine(`renderer message ignored: ${msg}`);
      return;
    }
    const run = this.runs.get(msg.runId);
    const counts = this.counts.get(msg.runId);
    if (counts) counts[msg.type === 'ready' ? 'ready' : 'stops']++;
    if (!run) return; // a finished run: its view is about to get the final output
    if (msg.type === 'ready') this.post(run.backlog);
    else this.interrupt(run.notebook);
  }

  /** To every view of the renderer (they route by run id). */
  private post(msg: RunProgress): void {
    const counts = this.counts.get(msg.runId);
    if (counts) counts.posted++;
    this.messaging.postMessage(msg).then(
      (delivered) => {
        if (delivered && counts) {
          counts.delivered++;
          counts.deliveredBatches += msg.batches.length;
        }
      },
      (e: unknown) => this.log.appendLine(`renderer message not sent: ${(e as Error).message}`),
    );
  }
}
