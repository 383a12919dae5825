/**
 * The kernel's Web Worker entry, for the web playground (`dist/web/kernel.js`): the same session
 * as kernels/worker.ts, started by the page's Start message instead of `workerData`, TensorFlow.js
 * on WebAssembly fetched from the page's own folder (no CDN). The build maps `node:fs` and
 * `node:path` to ./browser/fs.ts and ./browser/path.ts, so `datasets.csv('x.csv', ...)` reads the
 * files the user uploaded into the page.
 *
 * Threads: tfjs's threaded wasm build is not used (its own heap and pthread workers); the fused
 * recurrent kernels run on their pool of Web Workers (./tfjs/fused/pool-browser) where the page
 * is cross-origin isolated, on this thread alone otherwise. Interrupt: with a stop flag (a
 * SharedArrayBuffer, again only when isolated) the fit stops after its batch; without one the
 * page terminates this worker and starts a new one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './tfjs/backend';
import { browserThreads } from './tfjs/fused/pool-browser';
import { parseToWorker, readyMessage, type FromWorker, type KernelOptions } from './protocol';
import { isWasmAbort, KernelSession } from './session';
import { parseToBrowserWorker, UPLOADS_DIR } from './browser-protocol';
import { setServedFolder, setUploads, uploadNames } from './browser/fs';

/** The worker's global scope, as far as used here (the root tsconfig has no WebWorker types). */
interface WorkerScope {
  location: { href: string };
  postMessage(msg: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;
const post = (msg: FromWorker) => scope.postMessage(msg);

/** The binaries the build copies next to this bundle (scripts/build.mjs). */
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

const fail = (message: string, kind: 'internal' | 'memory' = 'internal') =>
  post({ type: 'failed', execId: '', kind, message, line: null, column: null });

/** A missing upload's error says what was uploaded and how to add one. */
function explain(message: string): string {
  if (!/CSV file not found/.test(message)) return message;
  const names = uploadNames();
  return `${message.replace(/ \(looked for [^)]*\)/, '')}: upload it with the page's Data button (${
    names.length ? `uploaded: ${names.join(', ')}` : 'nothing is uploaded yet'
  })`;
}

async function start(options: KernelOptions): Promise<void> {
  const wasmDir = new URL('./', scope.location.href).href;
  setServedFolder(wasmDir, WASM_FILES);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const info = await initBackend({
    prefer: options.backend ?? 'wasm',
    wasmDir,
    threads: 'auto',
    threadHost: browserThreads,
  });
  const t = info.kernelThreads;
  console.info(
    `RNN Lab kernel: ${info.name}${info.simd ? ' (SIMD)' : ''}, fused kernels on ${t.threads} thread(s)${t.reason ? ` (${t.reason})` : ''}`,
  );
  const flag = options.stopFlag ? new Int32Array(options.stopFlag) : null;
  const session = new KernelSession({
    seed: options.seed,
    maxEpochs: options.maxEpochs,
    workspace: UPLOADS_DIR,
    emit: post,
    shouldStop: () => (flag ? Atomics.load(flag, 0) !== 0 : false),
  });
  scope.onmessage = ({ data }) => {
    const browser = parseToBrowserWorker(data);
    if (browser !== null) {
      if (typeof browser === 'string') return fail(`bad message from the page: ${browser}`);
      if (browser.type === 'files') setUploads(browser.files);
      return;
    }
    const msg = parseToWorker(data);
    if (typeof msg === 'string') return fail(`bad message from the page: ${msg}`);
    if (msg.type === 'memory') {
      const m = tf.memory();
      const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
      const perf = performance as unknown as { memory?: { usedJSHeapSize: number } };
      post({
        type: 'memory',
        numTensors: m.numTensors,
        numBytes: m.numBytes,
        jsHeapUsed: perf.memory?.usedJSHeapSize ?? 0,
        wasmHeapBytes: heap?.byteLength ?? null,
      });
      return;
    }
    const result = session.runCell(msg.execId, msg.code);
    post(result.type === 'failed' ? { ...result, message: explain(result.message) } : result);
    // After a WebAssembly abort the backend is unusable: the page starts a new worker.
    if (result.type === 'failed' && result.kind === 'memory') scope.close();
  };
  post(readyMessage(info));
}

scope.onmessage = ({ data }) => {
  const msg = parseToBrowserWorker(data);
  if (msg === null || typeof msg === 'string' || msg.type !== 'start')
    return fail(
      `the kernel must be started first (got ${typeof msg === 'string' ? msg : 'another message'})`,
    );
  setUploads(msg.files);
  scope.onmessage = null;
  start(msg.options).catch((e: unknown) => {
    fail(
      `the kernel could not start: ${e instanceof Error ? e.message : String(e)}`,
      isWasmAbort(e) ? 'memory' : 'internal',
    );
    scope.close();
  });
};
