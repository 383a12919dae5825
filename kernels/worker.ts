/**
 * The kernel's worker_threads entry: initialises TensorFlow.js (WebAssembly), then runs cells
 * for the host one at a time. Node-only APIs stay here; the session is reusable elsewhere.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './tfjs/backend';
import { nodeThreads } from './tfjs/fused/pool-node';
import { parseToWorker, readyMessage, type FromWorker, type KernelOptions } from './protocol';
import { isWasmAbort, KernelSession } from './session';

if (!parentPort) throw new Error('kernels/worker.ts must run in a worker thread');
const port = parentPort;
const options = (workerData ?? { seed: 0 }) as KernelOptions;
const flag = options.stopFlag ? new Int32Array(options.stopFlag) : null;
const post = (msg: FromWorker) => port.postMessage(msg);

/** Bytes of the WebAssembly heap, when the backend exposes it. */
function wasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength ?? null;
}

/**
 * Threads of the fused kernels: the host's (rnnlab.kernel.threads), else RNNLAB_KERNEL_THREADS
 * ('auto' or a count), else the default.
 * A bad value is an error that names the variable.
 */
function kernelThreads(): number | 'auto' {
  if (options.threads !== undefined) return options.threads;
  const v = process.env['RNNLAB_KERNEL_THREADS']?.trim();
  if (v === undefined || v === '') return DEFAULT_THREADS;
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`RNNLAB_KERNEL_THREADS must be 'auto' or a whole number >= 1, got '${v}'`);
  }
  return n;
}
/**
 * As many threads as cores (at most 4, kernels/tfjs/fused/index.ts): on this 2-core machine, in a
 * bench run that started at load 0.5, two threads made a training step 1.77x (a), 2.36x (b),
 * 1.64x (c), 1.77x (d) and 1.09x (e) faster than one. RNNLAB_KERNEL_THREADS=1 turns them off.
 */
const DEFAULT_THREADS: number | 'auto' = 'auto';

async function main(): Promise<void> {
  const info = await initBackend({
    prefer: options.backend ?? 'wasm',
    wasmDir: options.wasmDir,
    threads: kernelThreads(),
    threadHost: nodeThreads,
  });
  const session = new KernelSession({
    seed: options.seed,
    maxEpochs: options.maxEpochs,
    workspace: options.workspace,
    emit: post,
    shouldStop: () => (flag ? Atomics.load(flag, 0) !== 0 : false),
  });
  port.on('message', (raw: unknown) => {
    const msg = parseToWorker(raw);
    if (typeof msg === 'string') {
      post({
        type: 'failed',
        execId: '',
        kind: 'internal',
        message: `bad message from host: ${msg}`,
        line: null,
        column: null,
      });
      return;
    }
    if (msg.type === 'memory') {
      const m = tf.memory();
      post({
        type: 'memory',
        numTensors: m.numTensors,
        numBytes: m.numBytes,
        jsHeapUsed: process.memoryUsage().heapUsed,
        wasmHeapBytes: wasmHeapBytes(),
      });
      return;
    }
    const result = session.runCell(msg.execId, msg.code);
    post(result);
    // After a WebAssembly abort the backend is unusable: end the worker so the host restarts it.
    if (result.type === 'failed' && result.kind === 'memory') process.exit(70);
  });
  post(readyMessage(info));
}

main().catch((e: unknown) => {
  post({
    type: 'failed',
    execId: '',
    kind: isWasmAbort(e) ? 'memory' : 'internal',
    message: `the kernel could not start: ${e instanceof Error ? e.message : String(e)}`,
    line: null,
    column: null,
  });
  process.exit(1);
});
