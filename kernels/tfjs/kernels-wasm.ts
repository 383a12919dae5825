/**
 * Kernels we register on TensorFlow.js's wasm backend (4.22) so that it trains well:
 *
 * - Fallbacks for the two training kernels it lacks: `UnsortedSegmentSum` (the gradient of
 *   Gather, hence of Embedding) and `Conv2DBackpropFilter` (the filter gradient of Conv1D and
 *   Conv2D). Both read their inputs from the wasm heap and compute in JS.
 * - The transposed-matmul fix: wasm's `BatchMatMul` / `_FusedMatMul` only take the fast XNNPACK
 *   path when neither operand is transposed and there is no batch (batch size 1); with
 *   `transposeA` / `transposeB` they run a naive loop at 1 to 2 GFLOP/s. Backpropagation calls
 *   exactly those. The fix re-registers both kernels so that a transposed operand is first
 *   materialised with the wasm `Transpose` kernel, then the original kernel runs untransposed
 *   (fast path). The temporary is freed with `backend.disposeData` before returning.
 *   Batched matmuls (batch > 1) never reach the fast path; for those the fix only repairs a stock
 *   bug: a batched `_FusedMatMul` with a bias or an activation gives wrong results in 4.22, so
 *   it is computed as matmul, then the wasm Add and activation kernels.
 *
 * Everything here is registered in tfjs's global kernel registry, so it works whether it runs
 * before or after `tf.setBackend('wasm')`, and toggling the fix takes effect on the next kernel
 * call (the engine looks kernels up on every call).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const WASM = 'wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type TypedArrayCtor = Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

function wasmBackend(args: KernelArgs): BackendWasm {
  return args.backend as unknown as BackendWasm;
}

function input(args: KernelArgs, name: string): tf.TensorInfo {
  const t = (args.inputs as Record<string, tf.TensorInfo | undefined>)[name];
  if (!t) throw new Error(`kernel input '${name}' is missing`);
  return t;
}

function numericArray(backend: BackendWasm, t: tf.TensorInfo): ArrayLike<number> {
  const values = backend.readSync(t.dataId);
  if (!ArrayBuffer.isView(values)) throw new Error(`expected numeric data, got ${t.dtype}`);
  return values as unknown as ArrayLike<number>;
}

function ctorFor(dtype: tf.DataType): TypedArrayCtor {
  if (dtype === 'float32') return Float32Array;
  if (dtype === 'int32') return Int32Array;
  if (dtype === 'bool') return Uint8Array;
  throw new Error(`unsupported dtype ${dtype}`);
}

function registerOnce(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
}

function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

// ---- UnsortedSegmentSum ------------------------------------------------------------------------

/**
 * out[s, ...] = sum of x[i, ...] over every i (an index into segmentIds, which has the shape of a
 * prefix of x) with segmentIds[i] = s. Ids outside [0, numSegments) are dropped, as in TF.
 */
function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args);
  const x = input(args, 'x');
  const segmentIds = input(args, 'segmentIds');
  const numSegments = Number((args.attrs as { numSegments: number }).numSegments);
  const idShape = segmentIds.shape;
  for (let i = 0; i < idShape.length; i++) {
    if (idShape[i] !== x.shape[i]) {
      throw new Error(
        `UnsortedSegmentSum: segmentIds shape [${idShape}] is not a prefix of x shape [${x.shape}]`,
      );
    }
  }
  const inner = tf.util.sizeFromShape(x.shape.slice(idShape.length));
  const outShape = [numSegments, ...x.shape.slice(idShape.length)];
  const xs = numericArray(backend, x);
  const ids = numericArray(backend, segmentIds);
  const acc = new Float64Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let k = 0; k < inner; k++) acc[dst + k]! += xs[src + k]!;
  }
  const out = new (ctorFor(x.dtype))(acc.length);
  for (let k = 0; k < acc.length; k++) out[k] = acc[k]!;
  return backend.makeOutput(outShape, x.dtype, undefined, out);
}

// ---- Conv2DBackpropFilter ----------------------------------------------------------------------

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** dW[wR, wC, d1, d2] = sum over b, yR, yC of x[b, xR, xC, d1] * dy[b, yR, yC, d2]. */
function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args);
  const x = input(args, 'x');
  const dy = input(args, 'dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const last = info.dataFormat === 'channelsLast';
  const xs = numericArray(backend, x);
  const dys = numericArray(backend, dy);
  const acc = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  // Strides of x and dy in each layout, so one loop serves both.
  const xB = inHeight * inWidth * inChannels;
  const [xR, xC, xD] = last
    ? [inWidth * inChannels, inChannels, 1]
    : [inWidth, 1, inHeight * inWidth];
  const yB = outHeight * outWidth * outChannels;
  const [yR, yC, yD] = last
    ? [outWidth * outChannels, outChannels, 1]
    : [outWidth, 1, outHeight * outWidth];
  const dyRow = new Float64Array(outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++) {
      for (let c = 0; c < outWidth; c++) {
        const yBase = b * yB + r * yR + c * yC;
        for (let d2 = 0; d2 < outChannels; d2++) dyRow[d2] = dys[yBase + d2 * yD]!;
        for (let wR = 0; wR < filterHeight; wR++) {
          const inR = r * strideHeight + wR - top;
          if (inR < 0 || inR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const inC = c * strideWidth + wC - left;
            if (inC < 0 || inC >= inWidth) continue;
            const xBase = b * xB + inR * xR + inC * xC;
            const wBase = (wR * filterWidth + wC) * inChannels * outChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              const xv = xs[xBase + d1 * xD]!;
              if (xv === 0) continue;
              const o = wBase + d1 * outChannels;
              for (let d2 = 0; d2 < outChannels; d2++) acc[o + d2]! += xv * dyRow[d2]!;
            }
          }
        }
      }
    }
  }
  return backend.makeOutput(filterShape, 'float32', undefined, Float32Array.from(acc));
}

/**
 * Registers the missing training kernels on wasm (idempotent; kernels tfjs already has are left
 * alone, so a future tfjs that ships its own wins).
 */
export function registerWasmTrainingKernels(): void {
  registerOnce({
    kernelName: tf.UnsortedSegmentSum,
    backendName: WASM,
    kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
  });
  registerOnce({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: WASM,
    kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
  });
}

// ---- transposed-matmul fix ---------------------------------------------------------------------

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
  [key: string]: unknown;
}

interface MatMulKernels {
  stockBatchMatMul: tf.KernelConfig;
  stockFusedMatMul: tf.KernelConfig;
  fixedBatchMatMul: tf.KernelConfig;
  fixedFusedMatMul: tf.KernelConfig;
}

/** The stock configs and their wrapped versions, made once (the first time they are needed). */
let kernels: MatMulKernels | null = null;
let fixEnabled = false;

function matMulKernels(): MatMulKernels {
  if (kernels) return kernels;
  const stockBatchMatMul = tf.getKernel(tf.BatchMatMul, WASM);
  const stockFusedMatMul = tf.getKernel(tf._FusedMatMul, WASM);
  if (!stockBatchMatMul || !stockFusedMatMul || !tf.getKernel(tf.Transpose, WASM)) {
    throw new Error(
      'the wasm backend is not loaded (import @tensorflow/tfjs-backend-wasm before the fix)',
    );
  }
  kernels = {
    stockBatchMatMul,
    stockFusedMatMul,
    fixedBatchMatMul: {
      ...stockBatchMatMul,
      kernelFunc: withTransposeFirst(stockBatchMatMul.kernelFunc, false),
    },
    fixedFusedMatMul: {
      ...stockFusedMatMul,
      kernelFunc: withTransposeFirst(stockFusedMatMul.kernelFunc, true),
    },
  };
  return kernels;
}

function batchSizeOf(t: tf.TensorInfo): number {
  return tf.util.sizeFromShape(t.shape.slice(0, -2));
}

function runWasm(
  name: string,
  inputs: Record<string, tf.TensorInfo>,
  attrs: tf.NamedAttrMap,
  args: KernelArgs,
): tf.TensorInfo {
  const kernel = tf.getKernel(name, WASM);
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, backend: args.backend, attrs }) as tf.TensorInfo;
}

/**
 * `t` with its last two axes swapped, as a new wasm tensor (the caller frees it). Only called
 * when every leading (batch) axis of `t` has size 1, so the data is one 2-D matrix.
 */
function swapLastTwo(t: tf.TensorInfo, args: KernelArgs): tf.TensorInfo {
  const rank = t.shape.length;
  const rows = t.shape[rank - 2]!;
  const cols = t.shape[rank - 1]!;
  const matrix: tf.TensorInfo = { dataId: t.dataId, shape: [rows, cols], dtype: t.dtype };
  const out = runWasm(tf.Transpose, { x: matrix }, { perm: [1, 0] }, args);
  return { dataId: out.dataId, shape: [...t.shape.slice(0, -2), cols, rows], dtype: out.dtype };
}

/**
 * Batched `_FusedMatMul` with a bias or an activation: wasm 4.22's batched (slow) loop gets
 * those wrong (it adds the bias by flat output index, and adds and clamps once per 48-wide block
 * of the shared dimension), so do the plain matmul and apply bias and activation with the wasm
 * elementwise kernels.
 */
function fusedInSteps(original: tf.KernelFunc, args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args);
  const attrs = args.attrs as unknown as MatMulAttrs;
  const named = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const steps: tf.TensorInfo[] = [];
  const step = (t: tf.TensorInfo): tf.TensorInfo => {
    steps.push(t);
    return t;
  };
  try {
    let out = step(
      original({
        inputs: { a: input(args, 'a'), b: input(args, 'b') },
        backend: args.backend,
        attrs: { ...args.attrs, activation: 'linear', leakyreluAlpha: 0 },
      }) as tf.TensorInfo,
    );
    if (named['bias']) out = step(runWasm(tf.Add, { a: out, b: named['bias'] }, {}, args));
    const activation = attrs.activation ?? 'linear';
    if (activation === 'relu') out = step(runWasm(tf.Relu, { x: out }, {}, args));
    else if (activation === 'relu6') out = step(runWasm(tf.Relu6, { x: out }, {}, args));
    else if (activation === 'elu') out = step(runWasm(tf.Elu, { x: out }, {}, args));
    else if (activation === 'sigmoid') out = step(runWasm(tf.Sigmoid, { x: out }, {}, args));
    else if (activation === 'leakyrelu') {
      const alpha = attrs.leakyreluAlpha ?? 0.2;
      out = step(runWasm(tf.LeakyRelu, { x: out }, { alpha }, args));
    } else if (activation === 'prelu') {
      const alpha = named['preluActivationWeights'];
      if (!alpha) throw new Error('_FusedMatMul: prelu without preluActivationWeights');
      out = step(runWasm(tf.Prelu, { x: out, alpha }, {}, args));
    } else if (activation !== 'linear') {
      throw new Error(`_FusedMatMul: activation ${activation} is not supported on wasm`);
    }
    steps.pop(); // the result is returned, not freed
    return out;
  } finally {
    for (const t of steps) backend.disposeData(t.dataId);
  }
}

/**
 * Wraps a stock matmul kernel: with a transposed operand and no batch, transpose first and take
 * the fast path; a batched fused matmul with bias/activation is done in steps (see above).
 */
function withTransposeFirst(original: tf.KernelFunc, fused: boolean): tf.KernelFunc {
  return (args: KernelArgs) => {
    const attrs = args.attrs as unknown as MatMulAttrs;
    const a = input(args, 'a');
    const b = input(args, 'b');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    if (batchSizeOf(a) !== 1 || batchSizeOf(b) !== 1) {
      // Batched matmuls never take XNNPACK's path in wasm 4.22; transposing would not help.
      const named = args.inputs as Record<string, tf.TensorInfo | undefined>;
      const plain = !named['bias'] && (attrs.activation ?? 'linear') === 'linear';
      return fused && !plain ? fusedInSteps(original, args) : original(args);
    }
    if (!attrs.transposeA && !attrs.transposeB) return original(args);
    const backend = wasmBackend(args);
    const temps: tf.TensorInfo[] = [];
    try {
      const a2 = attrs.transposeA ? swapLastTwo(a, args) : a;
      if (a2 !== a) temps.push(a2);
      const b2 = attrs.transposeB ? swapLastTwo(b, args) : b;
      if (b2 !== b) temps.push(b2);
      return original({
        inputs: { ...args.inputs, a: a2, b: b2 },
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/**
 * Turns the transposed-matmul fix on or off by re-registering `BatchMatMul` and `_FusedMatMul`
 * on wasm (the stock configs stay referenced and are restored on `false`).
 */
export function setTransposedMatMulFix(enabled: boolean): void {
  const k = matMulKernels();
  if (enabled === fixEnabled) return;
  replaceKernel(enabled ? k.fixedBatchMatMul : k.stockBatchMatMul);
  replaceKernel(enabled ? k.fixedFusedMatMul : k.stockFusedMatMul);
  fixEnabled = enabled;
}

/** Whether the transposed-matmul fix is currently registered. */
export function transposedMatMulFixEnabled(): boolean {
  return fixEnabled;
}
