/**
 * The page as the renderer's host (webview/renderer.ts, the same code VS Code loads in a
 * notebook): a RendererContext whose messages stay in the page. Live progress of running fits
 * goes to the views as in extension/notebook/live.ts: a view says Ready with its run id and gets
 * the backlog, then every progress message; its Stop interrupts the kernel.
 */
import type { Progress, RunStart } from '../../kernels/protocol';
import type { RendererContext } from '../hosts/notebook-renderer';
import {
  addToBacklog,
  emptyBacklog,
  parseFromRenderer,
  runProgress,
  type RunProgress,
} from '../protocol';

export class LiveRuns {
  private readonly backlogs = new Map<string, RunProgress>();
  private readonly listeners = new Set<(msg: unknown) => void>();
  private state: unknown = {};
  /** Progress messages delivered to views (the tests read it). */
  delivered = 0;

  constructor(private readonly interrupt: () => void) {}

  /** The renderer's context: messages to and from this object, state in memory. */
  context(): RendererContext {
    return {
      postMessage: (msg) => this.receive(msg),
      onDidReceiveMessage: (listener) => {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
      },
      getState: () => this.state,
      setState: (s) => {
        this.state = s;
      },
    };
  }

  start(start: RunStart): void {
    this.backlogs.set(start.runId, emptyBacklog(start));
  }

  progress(p: Progress): void {
    const backlog = this.backlogs.get(p.runId);
    if (!backlog) return;
    addToBacklog(backlog, p);
    this.post(runProgress(p));
  }

  end(runId: string): void {
    this.backlogs.delete(runId);
  }

  private receive(raw: unknown): void {
    const msg = parseFromRenderer(raw);
    if (typeof msg === 'string') {
      console.warn(`RNN Lab playground: ignored a message from a view: ${msg}`);
      return;
    }
    const backlog = this.backlogs.get(msg.runId);
    if (!backlog) return;
    // Deferred: a view says Ready from its constructor, before it has subscribed.
    if (msg.type === 'ready') queueMicrotask(() => this.post(backlog));
    else this.interrupt();
  }

  private post(msg: RunProgress): void {
    for (const l of this.listeners) l(msg);
    this.delivered++;
  }
}
