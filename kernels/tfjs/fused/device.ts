/**
 * Where a fused recurrent kernel computes: float32 buffers in one WebAssembly memory, the
 * kernels of ./kernels instantiated over that memory, and matrix products.
 *
 * - On the wasm backend (`WasmDevice`) the memory is the backend's own heap: tensors are read and
 *   written in place, and products run in the backend's XNNPACK (the `_FusedMatMul` export's fast
 *   path: rank 3, batch 1, no transpose; about 24 GFLOP/s here, PERF.md). The exports take tensor
 *   ids: a region gets a temporary id registered over its memory (`registerTensor`, no
 *   allocation), dropped after the call. XNNPACK packs a product's right operand into an operator
 *   cached by that operand's id, so a right operand is either a tensor (immutable in tfjs), a
 *   region frozen for the device's life, or a fresh id dropped after the call (which frees its
 *   operator): never an id over memory that has changed.
 * - Elsewhere (`LocalDevice`: the cpu backend, or a wasm backend whose heap is not reachable) the
 *   memory is a private one, tensors are copied in and out, and products use the kernels' own
 *   SIMD `gemm` (./gemm; faster than XNNPACK's at most of the fused path's sizes here).
 * - With threads (`SharedDevice`, `setThreadPool`): as the local device, over a thread pool's
 *   shared memory (./pool), every product and gate kernel split across the pool's threads.
 *
 * Regions count float32 elements. Either memory can grow during a call; `f32()` returns a view
 * of its current buffer, to be fetched again after any device call.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { CONTROL_BYTES, type ThreadPool } from './pool';
import {
  instantiate,
  isWasmMemory,
  WebAssemblyApi,
  type Kernels,
  type WasmMemory,
} from './kernels';

/** Contiguous float32 data: elements [off, off + len) of the device's memory. */
export interface Region {
  readonly off: number;
  readonly len: number;
  /** Wasm id of immutable data over exactly this region (a tensor, a frozen region), else 0. */
  readonly id: number;
}

/** A tensor being made: fill `region`, then take `tensor()` once. */
export interface Output {
  readonly region: Region;
  tensor(): tf.Tensor;
}

export interface Device {
  readonly name: 'wasm' | 'local' | 'shared';
  readonly k: Kernels;
  /** The memory as float32 (fetch again after every device call: it may have grown). */
  f32(): Float32Array;
  /** A float32 tensor's data, read-only (in place on the wasm device). */
  of(t: tf.Tensor): Region;
  /** Uninitialised scratch memory, freed by `release`. */
  scratch(n: number): Region;
  /** A new float32 tensor of `shape`, uninitialised until filled. */
  output(shape: number[]): Output;
  /** `r` will not change until `release`, so products may cache its packed form. */
  freeze(r: Region): Region;
  /** out (m×n) = a (m×k) · b (k×n) [+ bias (n) on every row]; row-major, contiguous. */
  gemm(
    out: Region,
    a: Region,
    b: Region,
    m: number,
    k: number,
    n: number,
    bias?: Region | null,
  ): void;
  /** Frees the scratch memory, frozen ids and outputs never taken. */
  release(): void;
}

/** `len` elements of `r` from `off`. */
export function sub(r: Region, off: number, len: number): Region {
  if (off < 0 || len < 0 || off + len > r.len) {
    throw new Error(`region [${off}, ${off + len}) outside a region of ${r.len}`);
  }
  return { off: r.off + off, len, id: 0 };
}

function checkGemm(out: Region, a: Region, b: Region, m: number, k: number, n: number): void {
  if (a.len < m * k || b.len < k * n || out.len < m * n) {
    throw new Error(`fused kernel: gemm ${m}x${k}x${n} on regions too small`);
  }
}

// ---- wasm ---------------------------------------------------------------------------------------

interface WasmModule {
  HEAPF32: Float32Array;
  asm?: { memory?: unknown };
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

/** What we use of BackendWasm beyond its typings. */
interface WasmInternals {
  wasm: WasmModule;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

interface WasmExports {
  fusedMatMul: (...args: unknown[]) => void;
  kernels: Kernels;
}

const exportsByModule = new WeakMap<WasmModule, WasmExports>();

function wasmExports(wasm: WasmModule, memory: WasmMemory): WasmExports {
  let e = exportsByModule.get(wasm);
  if (!e) {
    e = {
      // a_id, a_shape, a_rank, b_id, b_shape, b_rank, transpose_a, transpose_b, activation,
      // bias_id, prelu_id, leakyrelu_alpha, out_id (tfjs-backend-wasm 4.22, _FusedMatMul.js).
      fusedMatMul: wasm.cwrap('_FusedMatMul', null, [
        'number',
        'array',
        'number',
        'number',
        'array',
        'number',
        'number',
        'number',
        'number',
        'number',
        'number',
        'number',
        'number',
      ]),
      kernels: instantiate(memory),
    };
    exportsByModule.set(wasm, e);
  }
  return e;
}

function shapeBytes(d0: number, d1: number, d2: number): Uint8Array {
  return new Uint8Array(Int32Array.of(d0, d1, d2).buffer);
}

/** The backend's heap memory, when the build exports it (the SIMD builds of 4.22 do). */
export function wasmHeap(backend: BackendWasm): WasmMemory | null {
  const m = (backend as unknown as WasmInternals).wasm?.asm?.memory;
  return isWasmMemory(m) ? m : null;
}

export class WasmDevice implements Device {
  readonly name = 'wasm';
  readonly k: Kernels;
  private readonly backend: WasmInternals;
  private readonly wasm: WasmModule;
  private readonly fn: WasmExports;
  private readonly scratchIds: object[] = [];
  private readonly frozenIds: number[] = [];
  private readonly pending = new Set<tf.TensorInfo>();

  constructor(backend: BackendWasm, memory: WasmMemory) {
    this.backend = backend as unknown as WasmInternals;
    this.wasm = this.backend.wasm;
    this.fn = wasmExports(this.wasm, memory);
    this.k = this.fn.kernels;
  }

  f32(): Float32Array {
    return this.wasm.HEAPF32;
  }

  of(t: tf.Tensor): Region {
    if (t.dtype !== 'float32') throw new Error(`fused kernel: expected float32, got ${t.dtype}`);
    const data = this.backend.dataIdMap.get(t.dataId);
    if (!data) {
      // Not on this backend (yet): copy it over.
      const r = this.scratch(t.size);
      this.f32().set(t.dataSync() as Float32Array, r.off);
      return r;
    }
    return { off: data.memoryOffset >>> 2, len: t.size, id: data.id };
  }

  private region(info: tf.TensorInfo, len: number): Region {
    const data = this.backend.dataIdMap.get(info.dataId)!;
    return { off: data.memoryOffset >>> 2, len, id: 0 };
  }

  scratch(n: number): Region {
    const info = this.backend.makeOutput([Math.max(1, n)], 'float32');
    this.scratchIds.push(info.dataId);
    return this.region(info, n);
  }

  output(shape: number[]): Output {
    const info = this.backend.makeOutput(shape, 'float32');
    this.pending.add(info);
    const region = this.region(info, tf.util.sizeFromShape(shape));
    return {
      region,
      tensor: () => {
        if (!this.pending.delete(info)) throw new Error('fused kernel: output taken twice');
        return tf.engine().makeTensorFromTensorInfo(info);
      },
    };
  }

  private newId(r: Region): number {
    const id = this.backend.dataIdNextNumber++;
    this.wasm.tfjs.registerTensor(id, Math.max(1, r.len), r.off * 4);
    return id;
  }

  freeze(r: Region): Region {
    if (r.id !== 0) return r;
    const id = this.newId(r);
    this.frozenIds.push(id);
    return { ...r, id };
  }

  gemm(
    out: Region,
    a: Region,
    b: Region,
    m: number,
    k: number,
    n: number,
    bias: Region | null = null,
  ): void {
    checkGemm(out, a, b, m, k, n);
    if (bias && bias.len < n) throw new Error('fused kernel: gemm bias too small');
    if (m === 0 || n === 0) return;
    const temps: number[] = [];
    const temp = (r: Region): number => {
      const id = this.newId(r);
      temps.push(id);
      return id;
    };
    try {
      const aId = temp(a);
      const outId = temp(out);
      // A right operand (and bias) without an immutable id gets a fresh one, dropped below,
      // which also frees the XNNPACK operator cached on it.
      const bId = b.id !== 0 && b.len === k * n ? b.id : temp({ ...b, len: k * n });
      const biasId = bias ? (bias.id !== 0 && bias.len === n ? bias.id : temp(bias)) : 0;
      this.fn.fusedMatMul(
        aId,
        shapeBytes(1, m, k),
        3,
        bId,
        shapeBytes(1, k, n),
        3,
        0,
        0,
        0,
        biasId,
        0,
        0,
        outId,
      );
    } finally {
      for (const id of temps) this.wasm.tfjs.disposeData(id);
    }
  }

  release(): void {
    for (const id of this.frozenIds) this.wasm.tfjs.disposeData(id);
    this.frozenIds.length = 0;
    for (const dataId of this.scratchIds) this.backend.disposeData(dataId, true);
    this.scratchIds.length = 0;
    for (const info of this.pending) this.backend.disposeData(info.dataId, true);
    this.pending.clear();
  }
}

// ---- local and shared ---------------------------------------------------------------------------

/** A memory used as a stack of regions (devices over it are used one at a time, LIFO). */
export interface Space {
  readonly memory: WasmMemory;
  readonly kernels: Kernels;
  /** First free float32 element. */
  top: number;
}

let localSpace: Space | null = null;
const PAGE_FLOATS = 65536 / 4;

/** A float32 tensor's data copied into `dst` at `off` (read in place from the wasm heap). */
function copyIn(t: tf.Tensor, dst: Float32Array, off: number): void {
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as WasmInternals;
    const data = backend.dataIdMap.get(t.dataId);
    if (data) {
      const heap = backend.wasm.HEAPF32;
      const at = data.memoryOffset >>> 2;
      dst.set(heap.subarray(at, at + t.size), off);
      return;
    }
  }
  dst.set(t.dataSync() as Float32Array, off);
}

/** A new tensor holding `data` (written straight into the wasm heap on that backend). */
function copyOut(data: Float32Array, shape: number[]): tf.Tensor {
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as WasmInternals;
    const info = backend.makeOutput(shape, 'float32');
    const at = backend.dataIdMap.get(info.dataId)!.memoryOffset >>> 2;
    backend.wasm.HEAPF32.set(data, at);
    return tf.engine().makeTensorFromTensorInfo(info);
  }
  return tf.tensor(data.slice(), shape);
}

/**
 * A memory of its own and the kernels' own products: any backend (tensors copied in and out).
 * `LocalDevice` has a private memory; `SharedDevice` a thread pool's shared one.
 */
export class LocalDevice implements Device {
  readonly name: 'local' | 'shared' = 'local';
  readonly k: Kernels;
  private readonly space: Space;
  private readonly memory: WasmMemory;
  private readonly mark: number;
  private view: Float32Array;

  constructor(space?: Space) {
    if (!space) {
      if (!localSpace) {
        const memory = new WebAssemblyApi.Memory({ initial: 16 });
        localSpace = { memory, kernels: instantiate(memory), top: 0 };
      }
      space = localSpace;
    }
    this.space = space;
    this.memory = space.memory;
    this.k = space.kernels;
    this.mark = space.top;
    this.view = new Float32Array(this.memory.buffer);
  }

  f32(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  scratch(n: number): Region {
    // 16-byte aligned, with room for a vector past the end.
    const off = (this.space.top + 3) & ~3;
    const end = off + n + 4;
    const have = this.memory.buffer.byteLength / 4;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE_FLOATS));
      } catch (e) {
        const message = `fused kernel: cannot grow the ${this.name} memory to ${Math.ceil((end * 4) / 2 ** 20)} MB (${(e as Error).message})`;
        throw this.name === 'shared'
          ? new SharedMemoryFull(message, { cause: e })
          : new Error(message, { cause: e });
      }
    }
    this.space.top = end;
    return { off, len: n, id: 0 };
  }

  of(t: tf.Tensor): Region {
    if (t.dtype !== 'float32') throw new Error(`fused kernel: expected float32, got ${t.dtype}`);
    const r = this.scratch(t.size);
    copyIn(t, this.f32(), r.off);
    return r;
  }

  output(shape: number[]): Output {
    const region = this.scratch(tf.util.sizeFromShape(shape));
    return {
      region,
      tensor: () => copyOut(this.f32().subarray(region.off, region.off + region.len), shape),
    };
  }

  freeze(r: Region): Region {
    return r;
  }

  gemm(
    out: Region,
    a: Region,
    b: Region,
    m: number,
    k: number,
    n: number,
    bias: Region | null = null,
  ): void {
    checkGemm(out, a, b, m, k, n);
    this.k.gemm(out.off, a.off, b.off, m, k, n, bias ? bias.off : -1, 0, m);
  }

  release(): void {
    this.space.top = this.mark;
  }
}

/** The pool whose shared memory `SharedDevice`s use; null for one thread. */
let pool: ThreadPool | null = null;
let poolSpace: Space | null = null;

/** Makes the fused kernels run on `p`'s threads (null: one thread, the backend's device). */
export function setThreadPool(p: ThreadPool | null): void {
  if (pool && pool !== p) pool.close();
  pool = p;
  poolSpace = p ? { memory: p.memory, kernels: p.kernels, top: CONTROL_BYTES / 4 } : null;
}

let poolOn = true;

/**
 * Keeps the pool but runs on one thread while `on` is false (benchmarks compare both in one
 * process).
 */
export function enableThreadPool(on: boolean): void {
  poolOn = on;
}

/** The pool in use, if it still works. */
export function threadPool(): ThreadPool | null {
  return pool && poolOn && pool.failed === null ? pool : null;
}

/** A thread pool's shared memory; each product and gate kernel is split across its threads. */
/** The pool's shared memory (at most 1 GB) cannot hold an op: it runs on one thread instead. */
export class SharedMemoryFull extends Error {}

export class SharedDevice extends LocalDevice {
  override readonly name = 'shared';

  constructor() {
    if (!poolSpace || !threadPool()) throw new Error('fused kernel: no thread pool');
    super(poolSpace);
  }
}

/** The device for the current backend (the pool's shared memory unless `shared: false`). */
export function currentDevice(options: { shared?: boolean } = {}): Device {
  if (options.shared !== false && threadPool()) return new SharedDevice();
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as BackendWasm;
    const heap = wasmHeap(backend);
    if (heap) return new WasmDevice(backend, heap);
  }
  return new LocalDevice();
}
