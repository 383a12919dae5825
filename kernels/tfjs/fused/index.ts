/**
 * The fused recurrent path: a whole SimpleRNN, LSTM or GRU sequence as one op on tfjs's tape with
 * a hand-written gradient, so that optimizers, `fit`, callbacks and saving see an ordinary op.
 * Forward and backward each run a few whole-sequence matrix products plus, per step, one
 * recurrent product and one gate kernel (WebAssembly SIMD generated at load time, ./kernels),
 * over the tensors' raw float32 data (./sequence, ./cells), instead of tens of small tfjs ops a
 * step (PERF.md: per-op overhead dominated the small models). On the wasm backend everything
 * stays on its heap and the products are its XNNPACK (./device). With `setKernelThreads(n > 1)`
 * the kernels run on a pool of workers over a shared memory of their own (./pool), each call
 * split across the threads; a pool that fails is closed and the op reruns on one thread.
 *
 * The layers in ../layers/recurrent choose it (`recurrentPath`): 'auto' takes it whenever the
 * configuration is one it computes (`fusedUnsupported` says why not, and the layer records the
 * path it took), 'fused' insists, 'ops' keeps the per-step tfjs ops (the reference the property
 * tests compare against). Masks (dropout, recurrent dropout, Keras sequence masks), initial
 * states, return_sequences, return_state and go_backwards are all the fused path's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { currentDevice, setThreadPool, SharedMemoryFull, threadPool, type Device } from './device';
import { GRUSequence, LSTMSequence, SimpleRNNSequence } from './cells';
import { kernelsUnavailable, relaxedSimd } from './kernels';
import { MAX_THREADS, PoolFailure, ThreadPool, type ThreadHost } from './pool';
import type { FusedSequence, FusedSpec, GateActivation, SequenceInputs } from './sequence';

export type { FusedSpec, GateActivation } from './sequence';

/** Which implementation the recurrent layers run. */
export type RecurrentPath = 'auto' | 'fused' | 'ops';

let path: RecurrentPath = 'auto';

/** Sets the process-wide recurrent path (default 'auto'). */
export function setRecurrentPath(p: RecurrentPath): void {
  path = p;
}

export function recurrentPath(): RecurrentPath {
  return path;
}

/** The fused kernels' threads, as set and as they run. */
export interface ThreadsInfo {
  /** What was asked: a count, or 'auto' (the cores available, at most AUTO_THREADS). */
  asked: number | 'auto';
  /** Threads the fused kernels run on now (the calling one included). */
  threads: number;
  /** Why fewer threads run than were asked (no shared memory, a worker failed...), else null. */
  reason: string | null;
  /** Whether the kernels use relaxed SIMD (fused multiply-add). */
  relaxedSimd: boolean;
}

/**
 * 'auto' uses at most this many threads: a step's recurrent product has batch rows (64 in the
 * benchmarks), split in chunks of at least 4 rows, 4 chunks a thread, so more threads mostly add
 * synchronisation. (Measured here on 2 cores only.)
 */
export const AUTO_THREADS = 4;

let threadsAsked: number | 'auto' = 1;
let threadsReason: string | null = null;

/**
 * Sets the fused kernels' thread count: n > 1 starts a pool of n − 1 workers on `host` (its
 * platform's threads) over a shared memory; 1 closes it. Resolves to what runs.
 */
export async function setKernelThreads(
  asked: number | 'auto',
  host: ThreadHost | null,
): Promise<ThreadsInfo> {
  if (asked !== 'auto' && !(Number.isInteger(asked) && asked >= 1)) {
    throw new Error(`kernel threads must be 'auto' or a whole number >= 1, got ${String(asked)}`);
  }
  threadsAsked = asked;
  threadsReason = null;
  const cores = host ? host.cores() : 1;
  const n = asked === 'auto' ? Math.min(cores, AUTO_THREADS) : asked;
  const current = threadPool();
  const why = host?.unavailable() ?? null;
  if (current && !why && current.threads === n && current.host === host) return kernelThreads();
  setThreadPool(null);
  if (n > 1) {
    if (!host) threadsReason = 'no way to start threads on this platform';
    else if (n > MAX_THREADS) threadsReason = `at most ${MAX_THREADS} threads`;
    else if (why) threadsReason = why;
    else {
      const started = await ThreadPool.start(n, host);
      if (typeof started === 'string') threadsReason = started;
      else setThreadPool(started);
    }
  }
  return kernelThreads();
}

/** The thread count in use and why it differs from the one asked. */
export function kernelThreads(): ThreadsInfo {
  const p = threadPool();
  return {
    asked: threadsAsked,
    threads: p ? p.threads : 1,
    reason: threadsReason,
    relaxedSimd: relaxedSimd(),
  };
}

/**
 * Runs `f` on the current device and releases it. When a pool thread fails, the pool is closed,
 * the reason kept for `kernelThreads()`, and `f` runs again on one thread; an op too large for
 * the pool's shared memory runs on one thread (the pool stays for the others).
 */
function onDevice<T>(f: (dev: Device) => T): T {
  let shared = true;
  for (;;) {
    const dev = currentDevice({ shared });
    try {
      return f(dev);
    } catch (e) {
      if (dev.name !== 'shared') throw e;
      if (e instanceof SharedMemoryFull) shared = false;
      else if (e instanceof PoolFailure) {
        threadsReason = `${e.message}; running on one thread`;
        setThreadPool(null);
      } else throw e;
    } finally {
      dev.release();
    }
  }
}

const GATE_ACTIVATIONS: readonly string[] = ['sigmoid', 'tanh'];

/** Why the fused path cannot run this configuration, or null when it can. */
export function fusedUnsupported(cfg: {
  kind: FusedSpec['kind'];
  activation: string;
  recurrentActivation: string;
  dtype: string;
}): string | null {
  if (!GATE_ACTIVATIONS.includes(cfg.activation)) {
    return `activation '${cfg.activation}' (the fused path computes sigmoid and tanh)`;
  }
  if (cfg.kind !== 'simple' && !GATE_ACTIVATIONS.includes(cfg.recurrentActivation)) {
    return `recurrent_activation '${cfg.recurrentActivation}' (the fused path computes sigmoid and tanh)`;
  }
  if (cfg.dtype !== 'float32') return `input dtype ${cfg.dtype}`;
  if (!engineInternals()) return 'this tfjs engine (no runKernelFunc)';
  return kernelsUnavailable();
}

export function isGateActivation(name: string): name is GateActivation {
  return GATE_ACTIVATIONS.includes(name);
}

function sequenceFor(spec: FusedSpec, dims: [number, number, number]): FusedSequence {
  if (spec.kind === 'lstm') return new LSTMSequence(spec, dims);
  if (spec.kind === 'gru') return new GRUSequence(spec, dims);
  return new SimpleRNNSequence(spec, dims);
}

/** The tensors of a call: [x, kernel, recurrent_kernel, bias?, ...initial states]. */
function regions(dev: Device, ts: tf.Tensor[], spec: FusedSpec): SequenceInputs {
  const at = (i: number) => dev.of(ts[i]!);
  const bias = spec.useBias ? at(3) : null;
  const first = spec.useBias ? 4 : 3;
  const initial = [];
  for (let i = first; i < ts.length; i++) initial.push(at(i));
  return { x: at(0), kernel: at(1), recurrentKernel: at(2), bias, initial };
}

export interface FusedInputs {
  x: tf.Tensor3D;
  kernel: tf.Tensor2D;
  recurrentKernel: tf.Tensor2D;
  bias: tf.Tensor | null;
  /** The given initial states, or empty for zeros. */
  initial: tf.Tensor2D[];
}

/** The engine entry tf.customGrad is built on (not in tfjs's typings), with lazy gradients. */
interface EngineInternals {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor[];
    backwardsFunc: (
      dy: tf.Tensor | tf.Tensor[],
      saved: tf.Tensor[],
    ) => Record<string, () => tf.Tensor>;
    inputs: tf.NamedTensorMap;
  }): tf.Tensor[];
}

function engineInternals(): EngineInternals | null {
  const e = tf.engine() as unknown as Partial<EngineInternals>;
  return typeof e.runKernelFunc === 'function' ? (e as EngineInternals) : null;
}

/** Names of the op's inputs, in the order of `SequenceInputs`. */
const INPUT_NAMES = ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'c0'];

/**
 * Runs the layer's sequence: [output, ...final states when return_state]. The output is
 * (B, T, u) with return_sequences (in processing order, as Keras), else (B, u).
 *
 * One op on the tape, through the engine's `runKernelFunc` (what `tf.customGrad` wraps) rather
 * than `customGrad` itself: it takes several outputs, and its gradient is a thunk per input, so
 * dx (a (T·B)×G·u×F product) is only computed when something upstream needs it, not for a
 * model's first layer.
 */
export function fusedRecurrent(spec: FusedSpec, inputs: FusedInputs): tf.Tensor[] {
  const { x, kernel, recurrentKernel, bias, initial } = inputs;
  if ((bias != null) !== spec.useBias || initial.length > 0 !== spec.initialState) {
    throw new Error('fused kernel: inputs do not match the spec');
  }
  const engine = engineInternals();
  if (!engine) throw new Error('fused kernel: this tfjs engine has no runKernelFunc');
  const [B, T, F] = x.shape;
  const seq = sequenceFor(spec, [B, T, F]);
  const args: tf.Tensor[] = [x, kernel, recurrentKernel, ...(bias ? [bias] : []), ...initial];
  const names = INPUT_NAMES.filter((n) => n !== 'bias' || spec.useBias).slice(0, args.length);
  const named: tf.NamedTensorMap = {};
  args.forEach((t, i) => (named[names[i]!] = t));
  const shapes = args.map((t) => t.shape);
  return engine.runKernelFunc({
    inputs: named,
    forwardFunc: (_backend, save) => {
      const [ys, keep] = onDevice((dev) => {
        const out = seq.forward(dev, regions(dev, args, spec));
        return [out.ys.map((o) => o.tensor()), out.keep.tensor()] as const;
      });
      save([...args, keep]);
      return ys;
    },
    backwardsFunc: (dy, saved) => {
      const dys = Array.isArray(dy) ? dy : [dy];
      const ins = saved.slice(0, -1);
      const [grads, dZx] = onDevice((back) => {
        const g = seq.backward(
          back,
          regions(back, ins, spec),
          back.of(saved[saved.length - 1]!),
          dys.map((d) => back.of(d)),
        );
        const taken = [
          g.kernel.tensor(),
          g.recurrentKernel.tensor(),
          ...(g.bias ? [g.bias.tensor()] : []),
          ...g.initial.map((o) => o.tensor()),
        ];
        return [taken, g.dZx.tensor()] as const;
      });
      const shaped = (t: tf.Tensor, i: number) =>
        tf.util.arraysEqual(t.shape, shapes[i]!) ? t : tf.reshape(t, shapes[i]!);
      const thunks: Record<string, () => tf.Tensor> = {
        x: () =>
          onDevice((dev) => seq.inputGradient(dev, regions(dev, ins, spec), dev.of(dZx)).tensor()),
      };
      grads.forEach((t, i) => (thunks[names[i + 1]!] = () => shaped(t, i + 1)));
      return thunks;
    },
  });
}
