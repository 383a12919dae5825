/**
 * Picks and initialises the TensorFlow.js backend the kernel trains on.
 *
 * The wasm backend (SIMD, single-threaded under Node) is the fast one; the cpu backend is the
 * fallback. Verified pitfalls this handles (see shared/design/PLATFORM.md and PERF.md):
 * - the slim tfjs imports need the chained-ops registration, or layers fail (`x.flatten is not a
 *   function`);
 * - `setWasmPaths(dir)` needs a trailing '/', or `setBackend('wasm')` resolves `false` without
 *   throwing and tfjs silently stays on cpu: so we add the slash and check the result;
 * - the wasm backend lacks two training kernels and is slow on transposed matmuls: see
 *   ./kernels-wasm;
 * - the recurrent layers' fused path (./fused) reads the wasm heap directly; `recurrentPath`
 *   chooses it or the per-step ops; with `threads` > 1 it runs on a pool of workers over a
 *   shared memory of its own instead (tfjs's threaded build does not start under Node).
 */
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { registerWasmTrainingKernels, setTransposedMatMulFix } from './kernels-wasm';
import {
  setKernelThreads,
  setRecurrentPath,
  type RecurrentPath,
  type ThreadsInfo,
} from './fused/index';
import type { ThreadHost } from './fused/pool';

export interface BackendOptions {
  /** Folder holding the tfjs-backend-wasm*.wasm binaries (a trailing '/' is added if missing). */
  wasmDir?: string;
  /** Backend to use; 'wasm' (the default) falls back to 'cpu' when it cannot initialise. */
  prefer?: 'wasm' | 'cpu';
  /** Re-register wasm matmuls to transpose first (PERF.md); default true. */
  transposedMatMulFix?: boolean;
  /**
   * The recurrent layers' implementation (./fused): 'auto' (default) the fused path wherever it
   * applies, 'fused' only that, 'ops' the per-step tfjs ops.
   */
  recurrentPath?: RecurrentPath;
  /**
   * Threads of the fused kernels (./fused/pool): a count, or 'auto' for the cores available;
   * default 1. More than one needs `threadHost` (the platform's way to start threads: the
   * worker entries pass ./fused/pool-node or ./fused/pool-browser).
   */
  threads?: number | 'auto';
  threadHost?: ThreadHost | null;
}

export interface BackendInfo {
  name: 'wasm' | 'cpu';
  simd: boolean;
  threads: boolean;
  /** Whether the transposed-matmul fix is active (only ever on wasm). */
  transposedMatMulFix: boolean;
  /** Why wasm was wanted but not used; null when there was no fallback. */
  fallbackReason: string | null;
  /** The fused kernels' threads (asked, running, why fewer) and relaxed SIMD. */
  kernelThreads: ThreadsInfo;
}

const WASM_BINARIES = [
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

function withSlash(dir: string): string {
  return dir.endsWith('/') || dir.endsWith('\\') ? dir : `${dir}/`;
}

function hasWasmBinary(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => WASM_BINARIES.includes(f));
  } catch {
    return false;
  }
}

/**
 * The wasm folder: the bundle's own folder when running from dist/ (the build puts the .wasm
 * files next to the bundle), else the installed package's dist/ folder.
 */
export function defaultWasmDir(): string | null {
  if (typeof __dirname === 'string' && hasWasmBinary(__dirname)) return withSlash(__dirname);
  try {
    const main = require.resolve('@tensorflow/tfjs-backend-wasm');
    const dir = dirname(main);
    if (hasWasmBinary(dir)) return withSlash(dir);
  } catch {
    // fall through
  }
  const local = join(process.cwd(), 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  return hasWasmBinary(local) ? withSlash(local) : null;
}

interface WasmState {
  ok: boolean;
  reason: string | null;
  dir: string | null;
}

/** The one attempt at initialising wasm in this process (a failed init cannot be retried). */
let wasmInit: Promise<WasmState> | null = null;

async function initWasm(wasmDir: string | undefined): Promise<WasmState> {
  if (tf.findBackend('wasm')) return { ok: true, reason: null, dir: wasmDir ?? null };
  const dir = wasmDir !== undefined ? withSlash(wasmDir) : defaultWasmDir();
  if (dir === null) {
    return { ok: false, reason: 'no tfjs-backend-wasm*.wasm binaries found', dir: null };
  }
  if (!existsSync(dir) || !hasWasmBinary(dir)) {
    return { ok: false, reason: `no tfjs-backend-wasm*.wasm binaries in ${dir}`, dir };
  }
  try {
    setWasmPaths(dir);
  } catch (e) {
    return { ok: false, reason: `setWasmPaths failed: ${(e as Error).message}`, dir };
  }
  // tfjs reports an init failure by logging it and resolving false: keep the message.
  // Emscripten's abort messages go to console.error: keep those too.
  const warnings: string[] = [];
  const { warn, error } = console;
  console.warn = console.error = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  };
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch (e) {
    warnings.push((e as Error).message);
  } finally {
    console.warn = warn;
    console.error = error;
  }
  if (ok) return { ok: true, reason: null, dir };
  const lines = warnings.map((w) => w.split('\n')[0]!.trim()).filter((w) => w.length > 0);
  let detail = [...new Set(lines)].join('; ');
  if (detail.length > 400) detail = `${detail.slice(0, 400)}…`;
  return {
    ok: false,
    reason: `tf.setBackend('wasm') returned false with wasm folder ${dir}${detail ? `: ${detail}` : ''}`,
    dir,
  };
}

/**
 * Initialises the backend and returns what is in use. Idempotent: later calls reuse the first
 * wasm initialisation (tfjs cannot retry one that failed) and just re-select the backend and
 * the matmul fix.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const prefer = options.prefer ?? 'wasm';
  const wantFix = options.transposedMatMulFix ?? true;
  registerWasmTrainingKernels();
  let fallbackReason: string | null = null;
  if (prefer === 'wasm') {
    wasmInit ??= initWasm(options.wasmDir);
    const state = await wasmInit;
    if (state.ok) {
      if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) {
        fallbackReason = "tf.setBackend('wasm') returned false";
      }
    } else {
      fallbackReason = state.reason ?? 'wasm backend unavailable';
    }
  }
  if (prefer === 'cpu' || fallbackReason !== null) {
    if (tf.getBackend() !== 'cpu' && !(await tf.setBackend('cpu'))) {
      throw new Error(`cannot initialise the cpu backend either (${fallbackReason ?? 'cpu'})`);
    }
    // Its first write logs "install tfjs-node", which cannot be installed here: skip that.
    const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
    if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
  }
  await tf.ready();
  const name = tf.getBackend() === 'wasm' ? 'wasm' : 'cpu';
  const fix = name === 'wasm' && wantFix;
  setTransposedMatMulFix(fix);
  setRecurrentPath(options.recurrentPath ?? 'auto');
  const kernelThreads = await setKernelThreads(options.threads ?? 1, options.threadHost ?? null);
  let simd = false;
  let threads = false;
  if (name === 'wasm') {
    simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    threads = getThreadsCount() > 1;
  }
  return { name, simd, threads, transposedMatMulFix: fix, fallbackReason, kernelThreads };
}
