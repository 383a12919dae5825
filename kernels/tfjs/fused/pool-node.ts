/**
 * The thread pool's host under Node (the kernel's worker thread in VS Code, `rnnlab run`, tests):
 * worker_threads started from source (no extra bundle), unref'd so that an idle pool never keeps
 * a process alive.
 */
import { availableParallelism, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ThreadHost, WorkerData, WorkerHandle } from './pool';

export const nodeThreads: ThreadHost = {
  name: 'worker_threads',
  cores(): number {
    return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  },
  unavailable(): string | null {
    return typeof SharedArrayBuffer === 'undefined' ? 'no SharedArrayBuffer in this process' : null;
  },
  start(run: string, data: WorkerData, onError: (message: string) => void): WorkerHandle {
    const source = `(${run})(require('node:worker_threads').workerData);`;
    const worker = new Worker(source, { eval: true, workerData: data });
    worker.unref();
    worker.on('error', (e) => onError(e.message));
    return { terminate: () => void worker.terminate() };
  },
};
