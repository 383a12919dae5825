/**
 * The host's side of the kernel in Node: starts the worker thread with resource limits; running
 * cells, stopping a fit through shared memory and surviving the worker's death are
 * KernelConnection's (./connection.ts, shared with the web playground). Used by the CLI
 * (`rnnlab run`) and the extension; it never imports vscode.
 */
import { Worker } from 'node:worker_threads';
import { PROTOCOL_VERSION, type KernelOptions } from './protocol';
import { KernelConnection, LOST, type WorkerEvents, type WorkerLink } from './connection';

export { STOP_GRACE_MS, type CellListener } from './connection';

export interface ClientOptions extends Omit<KernelOptions, 'stopFlag'> {
  /**
   * The bundled worker script (dist/worker.js). Bundling matters: it holds one copy of tfjs-core,
   * where running the TypeScript source would load two (the chained-ops import is ESM-only).
   */
  workerPath: string;
  /** JS heap limit of the worker in MB (resourceLimits.maxOldGenerationSizeMb). */
  heapMb?: number;
  /** How long the worker may take to initialise its backend. */
  startTimeoutMs?: number;
}

/**
 * The Node worker thread of the kernel (dist/worker.js) behind KernelConnection: resource limits
 * on its heap, the stop flag in its workerData, its exit codes and heap errors as messages.
 */
export class KernelClient extends KernelConnection {
  constructor(private readonly options: ClientOptions) {
    super(new Int32Array(new SharedArrayBuffer(4)), options.startTimeoutMs);
  }

  protected launch(events: WorkerEvents): WorkerLink {
    const worker = new Worker(this.options.workerPath, {
      workerData: {
        seed: this.options.seed,
        wasmDir: this.options.wasmDir,
        backend: this.options.backend,
        maxEpochs: this.options.maxEpochs,
        workspace: this.options.workspace,
        stopFlag: this.flag!.buffer as SharedArrayBuffer,
        threads: this.options.threads,
      } satisfies KernelOptions,
      resourceLimits: this.options.heapMb
        ? { maxOldGenerationSizeMb: this.options.heapMb }
        : undefined,
      stdout: false,
      stderr: false,
    });
    worker.on('message', (raw: unknown) => events.message(raw));
    worker.on('error', (err: Error & { code?: string }) => {
      const heap = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      events.died(
        heap
          ? `the kernel ran out of JavaScript heap (limit ${this.options.heapMb ?? 'default'} MB) and was restarted; ${LOST}`
          : `the kernel crashed (${err.message}) and was restarted; ${LOST}`,
        heap ? 'memory' : 'restarted',
      );
    });
    worker.on('exit', (code) =>
      events.died(
        code === 70
          ? `the kernel restarted after running out of WebAssembly memory; ${LOST}`
          : `the kernel exited (code ${code}) and will restart; ${LOST}`,
        code === 70 ? 'memory' : 'internal',
      ),
    );
    return { post: (msg) => worker.postMessage(msg), terminate: () => worker.terminate() };
  }

  protected versionMismatch(protocol: number): string {
    return `the kernel worker (${this.options.workerPath}) speaks protocol version ${protocol}, but this host speaks version ${PROTOCOL_VERSION}: the worker is from another build of RNN Lab; rebuild it (npm run build) or reinstall the extension`;
  }
}
