/**
 * The thread pool's host in a browser (the web playground's kernel Web Worker): Web Workers
 * started from a Blob URL. SharedArrayBuffer exists only on a cross-origin isolated page
 * (COOP same-origin and COEP require-corp); elsewhere the pool reports why and the kernel runs
 * on one thread.
 */
import type { ThreadHost, WorkerData, WorkerHandle } from './pool';

/** The parts of a browser's global scope used here (the root tsconfig has no DOM types). */
interface BrowserScope {
  navigator?: { hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  Worker: new (url: string) => {
    postMessage(data: unknown): void;
    terminate(): void;
    onerror: ((e: { message?: string }) => void) | null;
  };
}

export const browserThreads: ThreadHost = {
  name: 'Web Workers',
  cores(): number {
    const scope = globalThis as unknown as BrowserScope;
    return Math.max(1, scope.navigator?.hardwareConcurrency ?? 1);
  },
  unavailable(): string | null {
    const scope = globalThis as unknown as Partial<BrowserScope>;
    if (typeof SharedArrayBuffer === 'undefined' || scope.crossOriginIsolated === false) {
      return 'the page is not cross-origin isolated (no SharedArrayBuffer)';
    }
    return typeof scope.Worker === 'function' ? null : 'no Web Workers here';
  },
  start(run: string, data: WorkerData, onError: (message: string) => void): WorkerHandle {
    const scope = globalThis as unknown as BrowserScope;
    const source = `self.onmessage = (e) => { self.onmessage = null; (${run})(e.data); };`;
    const url = scope.URL.createObjectURL(new scope.Blob([source], { type: 'text/javascript' }));
    const worker = new scope.Worker(url);
    worker.onerror = (e) => onError(e.message ?? 'error');
    worker.postMessage(data);
    return {
      terminate: () => {
        worker.terminate();
        scope.URL.revokeObjectURL(url);
      },
    };
  },
};
