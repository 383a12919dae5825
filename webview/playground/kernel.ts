/**
 * The page's kernel: a Web Worker (dist/web/kernel.js, kernels/worker-browser.ts) behind the same
 * KernelConnection as VS Code's worker thread (kernels/connection.ts). Started with the Start
 * message (a Web Worker has no workerData), given the uploads before each cell. Interrupt: where
 * the page is cross-origin isolated, a stop flag in a SharedArrayBuffer stops the fit after its
 * batch; otherwise the worker is ended at once and the next run starts a new one, which loses
 * the namespace (the page says so).
 */
import {
  KernelConnection,
  LOST,
  type KernelState,
  type WorkerEvents,
  type WorkerLink,
} from '../../kernels/connection';
import { PROTOCOL_VERSION, type KernelOptions } from '../../kernels/protocol';
import type { Files, Start, UploadedFile } from '../../kernels/browser-protocol';

export class PageKernel extends KernelConnection {
  private files: UploadedFile[] = [];
  private worker: Worker | null = null;

  constructor(
    private readonly url: URL,
    private readonly options: Omit<KernelOptions, 'stopFlag' | 'wasmDir'>,
    /** Called when the kernel's state changes (for the status line). */
    private readonly onState: (state: KernelState) => void,
  ) {
    super(globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null);
  }

  /** Whether Interrupt keeps the namespace (a stop flag) or ends the worker. */
  get interruptKeepsState(): boolean {
    return this.flag !== null;
  }

  /** The files `datasets.csv(...)` can read (a running cell gets them with the next one). */
  setFiles(files: UploadedFile[]): void {
    this.files = files;
    if (this.worker && !this.busy)
      this.worker.postMessage({ type: 'files', files } satisfies Files);
  }

  protected launch(events: WorkerEvents): WorkerLink {
    const worker = new Worker(this.url, { name: 'rnnlab-kernel' });
    this.worker = worker;
    worker.onmessage = ({ data }) => events.message(data);
    worker.onerror = (e) => {
      e.preventDefault();
      events.died(
        `the kernel crashed (${e.message || 'no message'}) and will restart; ${LOST}`,
        'restarted',
      );
    };
    const stopFlag = (this.flag?.buffer as SharedArrayBuffer | undefined) ?? undefined;
    worker.postMessage({
      type: 'start',
      options: { ...this.options, stopFlag },
      files: this.files,
    } satisfies Start);
    return {
      post: (msg) => worker.postMessage(msg),
      terminate: () => {
        worker.terminate();
        if (this.worker === worker) this.worker = null;
      },
    };
  }

  protected override beforeRun(): void {
    this.worker?.postMessage({ type: 'files', files: this.files } satisfies Files);
  }

  protected override changed(state: KernelState): void {
    this.onState(state);
  }

  protected override stopWithoutFlag(): string {
    return `interrupted: without cross-origin isolation the page cannot signal the kernel, so it ended the kernel; ${LOST}`;
  }

  protected versionMismatch(protocol: number): string {
    return `the kernel (${this.url.pathname}) speaks protocol ${protocol}, this page ${PROTOCOL_VERSION}: reload the page (a cached copy of another build)`;
  }
}
