/**
 * The WebAssembly kernels of the fused recurrent path, built at load time (./wasm-binary) and
 * instantiated over a device's memory (the wasm backend's heap, or the local device's own).
 *
 * - Gate arithmetic of one step, forward and backward, for LSTM, GRU (both reset_after modes) and
 *   SimpleRNN, as elementwise row kernels (./elementwise): rows are the batch, columns the units;
 *   each operand is a (base, row stride) pair, so gate blocks are column ranges of a (B, G·u) row.
 *   An activation is y = lo + span·σ(span·x) (sigmoid: lo 0, span 1; tanh: lo −1, span 2), its
 *   derivative from the output (y − lo)·(lo + span − y); lo and span are the kernel's scalars.
 * - Moves: copy, fill, products and sums of rows, and a blocked transpose.
 * - `gemm`, the kernels' own register-blocked SIMD matrix product (./gemm) for the local and
 *   shared devices (the wasm device uses XNNPACK), by row range so threads can split it.
 *
 * Two builds: plain SIMD, and relaxed SIMD (the products' multiply-add fused) where the engine
 * validates `f32x4.relaxed_madd` (`relaxedSimd()`; Node 24, Electron; Node 20 only with
 * --experimental-wasm-relaxed-simd).
 *
 * Every address and stride is in float32 elements (the kernels scale by 4).
 */
import { compileRowKernel, type Lane, type Lanes, type RowKernel } from './elementwise';
import { gemmKernel } from './gemm';
import { F32, I32, ModuleBuilder, SIMD, V128, type FunctionBuilder } from './wasm-binary';

/** y = lo + span·σ(span·x) */
function act(l: Lanes, x: Lane, lo: Lane, span: Lane): Lane {
  return l.add(lo, l.mul(span, l.sigmoid(l.mul(span, x))));
}
/** dy/dx from y: (y − lo)·(lo + span − y) */
function dact(l: Lanes, y: Lane, lo: Lane, span: Lane): Lane {
  return l.mul(l.sub(y, lo), l.sub(l.add(lo, span), y));
}
const ACT = ['rl', 'rs', 'al', 'as'] as const;
const rec = (l: Lanes) => [l.scalar('rl'), l.scalar('rs')] as const;
const cand = (l: Lanes) => [l.scalar('al'), l.scalar('as')] as const;

const ROW_KERNELS: RowKernel[] = [
  // ---- moves ----
  { name: 'copy', operands: ['out', 'a'], body: (l) => l.store('out', l.load('a')) },
  {
    name: 'fill',
    operands: ['out'],
    scalars: ['v'],
    body: (l) => l.store('out', l.scalar('v')),
  },
  {
    name: 'mul',
    operands: ['out', 'a', 'b'],
    body: (l) => l.store('out', l.mul(l.load('a'), l.load('b'))),
  },
  {
    name: 'add',
    operands: ['out', 'a', 'b'],
    body: (l) => l.store('out', l.add(l.load('a'), l.load('b'))),
  },
  {
    name: 'acc',
    operands: ['y', 'a'],
    body: (l) => l.store('y', l.add(l.load('y'), l.load('a'))),
  },
  {
    name: 'fma',
    operands: ['y', 'a', 'b'],
    body: (l) => l.store('y', l.add(l.load('y'), l.mul(l.load('a'), l.load('b')))),
  },

  // ---- SimpleRNN: h = act(p + z) ----
  {
    name: 'simpleForward',
    operands: ['p', 'z', 'h'],
    scalars: ACT,
    body: (l) => {
      const [al, as] = cand(l);
      const y = act(l, l.add(l.load('p'), l.load('z')), al, as);
      l.store('p', y);
      l.store('h', y);
    },
  },
  {
    name: 'simpleBackward',
    operands: ['dhn', 'p', 'dz', 'dhp'],
    scalars: ACT,
    body: (l) => {
      const [al, as] = cand(l);
      l.store('dz', l.mul(l.load('dhn'), dact(l, l.load('p'), al, as)));
      l.store('dhp', l.c(0));
    },
  },

  // ---- LSTM: gates i, f, g, o over P (pre-activations in, activations out) ----
  {
    name: 'lstmForward',
    operands: ['pi', 'pf', 'pg', 'po', 'zi', 'zf', 'zg', 'zo', 'cp', 'c', 'tc', 'h'],
    scalars: ACT,
    body: (l) => {
      const [rl, rs] = rec(l);
      const [al, as] = cand(l);
      const i = act(l, l.add(l.load('pi'), l.load('zi')), rl, rs);
      const f = act(l, l.add(l.load('pf'), l.load('zf')), rl, rs);
      const g = act(l, l.add(l.load('pg'), l.load('zg')), al, as);
      const o = act(l, l.add(l.load('po'), l.load('zo')), rl, rs);
      const c = l.add(l.mul(f, l.load('cp')), l.mul(i, g));
      const t = act(l, c, al, as);
      l.store('pi', i);
      l.store('pf', f);
      l.store('pg', g);
      l.store('po', o);
      l.store('c', c);
      l.store('tc', t);
      l.store('h', l.mul(o, t));
    },
  },
  {
    name: 'lstmBackward',
    operands: [
      'dhn',
      'tc',
      'pi',
      'pf',
      'pg',
      'po',
      'cp',
      'dc',
      'zi',
      'zf',
      'zg',
      'zo',
      'dcp',
      'dhp',
    ],
    scalars: ACT,
    body: (l) => {
      const [rl, rs] = rec(l);
      const [al, as] = cand(l);
      const dh = l.load('dhn');
      const t = l.load('tc');
      const i = l.load('pi');
      const f = l.load('pf');
      const g = l.load('pg');
      const o = l.load('po');
      const dc = l.add(l.load('dc'), l.mul(l.mul(dh, o), dact(l, t, al, as)));
      l.store('zi', l.mul(l.mul(dc, g), dact(l, i, rl, rs)));
      l.store('zf', l.mul(l.mul(dc, l.load('cp')), dact(l, f, rl, rs)));
      l.store('zg', l.mul(l.mul(dc, i), dact(l, g, al, as)));
      l.store('zo', l.mul(l.mul(dh, t), dact(l, o, rl, rs)));
      l.store('dcp', l.mul(dc, f));
      l.store('dhp', l.c(0));
    },
  },

  // ---- GRU reset_after: hh = act(x_h + r·(a·U_h + b_h)); h' = hh + z·(h − hh) ----
  {
    name: 'gruForward',
    operands: ['pz', 'pr', 'ph', 'zz', 'zr', 'zh', 'hp', 'e', 'hn'],
    scalars: ACT,
    body: (l) => {
      const [rl, rs] = rec(l);
      const [al, as] = cand(l);
      const z = act(l, l.add(l.load('pz'), l.load('zz')), rl, rs);
      const r = act(l, l.add(l.load('pr'), l.load('zr')), rl, rs);
      const rh = l.load('zh');
      const hh = act(l, l.add(l.load('ph'), l.mul(r, rh)), al, as);
      const hp = l.load('hp');
      l.store('pz', z);
      l.store('pr', r);
      l.store('ph', hh);
      l.store('e', rh);
      l.store('hn', l.add(hh, l.mul(z, l.sub(hp, hh))));
    },
  },
  {
    name: 'gruBackward',
    operands: ['dhn', 'pz', 'pr', 'ph', 'hp', 'e', 'xz', 'xr', 'xh', 'rz', 'rr', 'rh', 'dhp'],
    scalars: ACT,
    body: (l) => {
      const [rl, rs] = rec(l);
      const [al, as] = cand(l);
      const dh = l.load('dhn');
      const z = l.load('pz');
      const r = l.load('pr');
      const hh = l.load('ph');
      const dpz = l.mul(l.mul(dh, l.sub(l.load('hp'), hh)), dact(l, z, rl, rs));
      const dp = l.mul(l.mul(dh, l.sub(1, z)), dact(l, hh, al, as));
      const dpr = l.mul(l.mul(dp, l.load('e')), dact(l, r, rl, rs));
      l.store('xz', dpz);
      l.store('xr', dpr);
      l.store('xh', dp);
      l.store('rz', dpz);
      l.store('rr', dpr);
      l.store('rh', l.mul(dp, r));
      l.store('dhp', l.mul(dh, z));
    },
  },

  // ---- GRU without reset_after: hh = act(x_h + (r·a_h)·U_h), in two kernels around the product ----
  {
    name: 'gruGates',
    operands: ['pz', 'pr', 'zz', 'zr', 'a', 'e'],
    scalars: ACT,
    body: (l) => {
      const [rl, rs] = rec(l);
      const z = act(l, l.add(l.load('pz'), l.load('zz')), rl, rs);
      const r = act(l, l.add(l.load('pr'), l.load('zr')), rl, rs);
      l.store('pz', z);
      l.store('pr', r);
      l.store('e', l.mul(r, l.load('a')));
    },
  },
  {
    name: 'gruCandidate',
    operands: ['ph', 'zh', 'pz', 'hp', 'hn'],
    scalars: ACT,
    body: (l) => {
      const [al, as] = cand(l);
      const hh = act(l, l.add(l.load('ph'), l.load('zh')), al, as);
      const z = l.load('pz');
      l.store('ph', hh);
      l.store('hn', l.add(hh, l.mul(z, l.sub(l.load('hp'), hh))));
    },
  },
  {
    name: 'gruBackwardCandidate',
    operands: ['dhn', 'pz', 'ph', 'hp', 'xz', 'xh', 'dph', 'dhp'],
    scalars: ACT,
    body: (l) => {
      const [rl, rs] = rec(l);
      const [al, as] = cand(l);
      const dh = l.load('dhn');
      const z = l.load('pz');
      const hh = l.load('ph');
      const dp = l.mul(l.mul(dh, l.sub(1, z)), dact(l, hh, al, as));
      l.store('xz', l.mul(l.mul(dh, l.sub(l.load('hp'), hh)), dact(l, z, rl, rs)));
      l.store('xh', dp);
      l.store('dph', dp);
      l.store('dhp', l.mul(dh, z));
    },
  },
  {
    name: 'gruBackwardReset',
    operands: ['dah', 'a', 'pr', 'm', 'xr', 'dhp'],
    scalars: ACT,
    body: (l) => {
      const [rl, rs] = rec(l);
      const d = l.load('dah');
      const r = l.load('pr');
      l.store('xr', l.mul(l.mul(d, l.load('a')), dact(l, r, rl, rs)));
      l.store('dhp', l.add(l.load('dhp'), l.mul(l.mul(d, r), l.load('m'))));
    },
  },
];

/**
 * transpose(dst, src, rows, cols, srcStride, dstStride): dst[j·dstStride + i] = src[i·srcStride + j].
 * 4×4 blocks in registers (four loads, eight shuffles, four stores), the ragged edges one float
 * at a time.
 */
function transposeKernel(f: FunctionBuilder): void {
  const [DST, SRC, ROWS, COLS, SS, DS] = [0, 1, 2, 3, 4, 5];
  const r = f.local(I32);
  const c = f.local(I32);
  const rows4 = f.local(I32);
  const cols4 = f.local(I32);
  const v = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const t = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  // byte address of element (base + i·stride + j)
  const at = (base: number, i: () => void, stride: number, j: () => void) => {
    f.get(base);
    i();
    f.get(stride).op(0x6c).op(0x6a);
    j();
    f.op(0x6a).i32(2).op(0x74);
  };
  const plus = (x: number, k: number) => () => {
    f.get(x);
    if (k) f.i32(k).op(0x6a);
  };
  f.get(ROWS).i32(-4).op(0x71).set(rows4);
  f.get(COLS).i32(-4).op(0x71).set(cols4);
  f.i32(0).set(r);
  f.forLoop(
    r,
    () => f.get(rows4),
    4,
    () => {
      f.i32(0).set(c);
      f.forLoop(
        c,
        () => f.get(cols4),
        4,
        () => {
          for (let k = 0; k < 4; k++) {
            at(SRC, plus(r, k), SS, plus(c, 0));
            f.v128Load().set(v[k]!);
          }
          f.get(v[0]!).get(v[1]!).shuffleF32([0, 4, 1, 5]).set(t[0]!);
          f.get(v[0]!).get(v[1]!).shuffleF32([2, 6, 3, 7]).set(t[1]!);
          f.get(v[2]!).get(v[3]!).shuffleF32([0, 4, 1, 5]).set(t[2]!);
          f.get(v[2]!).get(v[3]!).shuffleF32([2, 6, 3, 7]).set(t[3]!);
          const outs: Array<[number, number, readonly [number, number, number, number]]> = [
            [0, 2, [0, 1, 4, 5]],
            [0, 2, [2, 3, 6, 7]],
            [1, 3, [0, 1, 4, 5]],
            [1, 3, [2, 3, 6, 7]],
          ];
          outs.forEach(([a, b, lanes], k) => {
            at(DST, plus(c, k), DS, plus(r, 0));
            f.get(t[a]!).get(t[b]!).shuffleF32(lanes);
            f.v128Store();
          });
        },
      );
    },
  );
  const scalar = (r0: () => void, r1: () => void, c0: () => void, c1: () => void) => {
    r0();
    f.set(r);
    f.forLoop(r, r1, 1, () => {
      c0();
      f.set(c);
      f.forLoop(c, c1, 1, () => {
        at(DST, plus(c, 0), DS, plus(r, 0));
        at(SRC, plus(r, 0), SS, plus(c, 0));
        f.f32Load().f32Store();
      });
    });
  };
  // Columns past cols4 on the block rows, then the rows past rows4.
  scalar(
    () => f.i32(0),
    () => f.get(rows4),
    () => f.get(cols4),
    () => f.get(COLS),
  );
  scalar(
    () => f.get(rows4),
    () => f.get(ROWS),
    () => f.i32(0),
    () => f.get(COLS),
  );
}

/** mulberry32's increment (../../random's Rng): draw i of a stream from state s hashes s + (i+1)·C. */
const MULBERRY = 0x6d2b79f5;

/**
 * dropoutMask(out, n, state, cut, keep): out[i] = keep where draw i of Rng's stream from `state`
 * (its uint32 before the division by 2^32) is ≥ `cut`, else 0; the same bits as
 * `rng.next() >= rate` for cut = ceil(rate·2^32). mulberry32's draws are independent given their
 * index, so four lanes hash four draws at once (i32x4 multiply, shifts, xor).
 */
function dropoutMaskKernel(f: FunctionBuilder): void {
  const [OUT, N, STATE, CUT, KEEP] = [0, 1, 2, 3, 4];
  const i = f.local(I32);
  const n4 = f.local(I32);
  const t = f.local(I32);
  const tv = f.local(V128);
  const x = f.local(V128);
  const cut = f.local(V128);
  const keep = f.local(V128);
  const step = f.local(V128);
  const [XOR, OR, AND] = [0x51, 0x50, 0x4e];
  const [SHR_U, ADD, MUL, GE_U] = [0xad, 0xae, 0xb5, 0x40];
  // x = op(x, x >>> k) etc., on the vector in `x`
  const mix = (shift: number) => f.get(x).get(x).i32(shift).simd(SHR_U).simd(XOR);
  f.get(N).i32(-4).op(0x71).set(n4);
  f.get(CUT).simd(SIMD.i32x4Splat).set(cut);
  f.get(KEEP).simd(SIMD.f32x4Splat).set(keep);
  f.i32(Math.imul(4, MULBERRY)).simd(SIMD.i32x4Splat).set(step);
  // tv = state + (lane + 1)·C
  f.get(STATE).simd(SIMD.i32x4Splat);
  f.simd(SIMD.const);
  for (let l = 0; l < 4; l++)
    f.code.byte(...new Uint8Array(Int32Array.of(Math.imul(l + 1, MULBERRY)).buffer));
  f.simd(ADD).set(tv);
  f.i32(0).set(i);
  f.forLoop(
    i,
    () => f.get(n4),
    4,
    () => {
      // t = imul(t ^ t >>> 15, t | 1)
      f.get(tv).get(tv).i32(15).simd(SHR_U).simd(XOR);
      f.get(tv).i32(1).simd(SIMD.i32x4Splat).simd(OR);
      f.simd(MUL).set(x);
      // t ^= t + imul(t ^ t >>> 7, t | 61)
      f.get(x);
      f.get(x);
      mix(7);
      f.get(x).i32(61).simd(SIMD.i32x4Splat).simd(OR);
      f.simd(MUL).simd(ADD).simd(XOR).set(x);
      // u = t ^ t >>> 14; out = u ≥ cut ? keep : 0
      f.get(OUT).get(i).op(0x6a).i32(2).op(0x74);
      mix(14);
      f.get(cut).simd(GE_U).get(keep).simd(AND);
      f.v128Store();
      f.get(tv).get(step).simd(ADD).set(tv);
    },
  );
  // The tail, one draw at a time: t = state + (i + 1)·C.
  f.forLoop(
    i,
    () => f.get(N),
    1,
    () => {
      f.get(STATE).get(i).i32(1).op(0x6a).i32(MULBERRY).op(0x6c).op(0x6a).set(t);
      f.get(t).get(t).i32(15).op(0x76).op(0x73).get(t).i32(1).op(0x72).op(0x6c).set(t);
      f.get(t);
      f.get(t).get(t).get(t).i32(7).op(0x76).op(0x73).get(t).i32(61).op(0x72).op(0x6c).op(0x6a);
      f.op(0x73).set(t);
      f.get(OUT).get(i).op(0x6a).i32(2).op(0x74);
      f.get(KEEP).f32(0);
      f.get(t).get(t).i32(14).op(0x76).op(0x73).get(CUT).op(0x4f); // u ≥_u cut
      f.op(0x1b); // select(keep, 0, …)
      f.f32Store();
    },
  );
}

export type KernelFn = (...args: number[]) => void;

/** The kernels over one memory; row kernels take (rows, cols, (base, stride)…, scalars…). */
export interface Kernels {
  readonly row: Readonly<Record<string, KernelFn>>;
  /** Whether this is the relaxed-SIMD build. */
  readonly relaxed: boolean;
  transpose(dst: number, src: number, rows: number, cols: number, ss: number, ds: number): void;
  /** out (m×n) = a·b + bias (bias < 0: none), rows [r0, r1) only. */
  gemm(
    out: number,
    a: number,
    b: number,
    m: number,
    k: number,
    n: number,
    bias: number,
    r0: number,
    r1: number,
  ): void;
  /** Dropout mask values from a mulberry32 state (`dropoutMaskKernel`). */
  dropoutMask(out: number, n: number, state: number, cut: number, keep: number): void;
}

/** The WebAssembly API we use (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Whether `m` is a WebAssembly.Memory. */
export function isWasmMemory(m: unknown): m is WasmMemory {
  return m instanceof (WebAssemblyApi.Memory as unknown as new () => object);
}

/** Which build: imported memory shared or not, relaxed-SIMD multiply-add or not. */
export interface Build {
  shared: boolean;
  relaxed: boolean;
}

const compiled = new Map<string, object>();

function moduleBytes({ shared, relaxed }: Build): Uint8Array {
  const m = new ModuleBuilder(shared);
  for (const k of ROW_KERNELS) compileRowKernel(m, k, relaxed);
  m.func('transpose', [I32, I32, I32, I32, I32, I32], transposeKernel);
  m.func('gemm', [I32, I32, I32, I32, I32, I32, I32, I32, I32], (f) => gemmKernel(f, relaxed));
  m.func('dropoutMask', [I32, I32, I32, I32, F32], dropoutMaskKernel);
  return m.encode();
}

/** The compiled module of a build (compiled once; a Module can be posted to workers). */
export function compiledModule(build: Build): object {
  const key = `${build.shared}:${build.relaxed}`;
  let m = compiled.get(key);
  if (!m) {
    m = new WebAssemblyApi.Module(moduleBytes(build));
    compiled.set(key, m);
  }
  return m;
}

let relaxedOverride: boolean | null = null;
let relaxedValid: boolean | undefined;

/**
 * Whether the kernels use relaxed SIMD: the engine validates a module with f32x4.relaxed_madd
 * (checked once), unless `setRelaxedSimd` says otherwise.
 */
export function relaxedSimd(): boolean {
  relaxedValid ??= relaxedSimdValidates();
  return relaxedOverride ?? relaxedValid;
}

/** Whether this engine accepts relaxed SIMD (a one-function module using f32x4.relaxed_madd). */
export function relaxedSimdValidates(): boolean {
  const m = new ModuleBuilder(false);
  m.func('madd', [], (f) => {
    f.v128f32(1).v128f32(2).v128f32(3).simd(SIMD.f32x4RelaxedMadd).op(0x1a); // drop
  });
  try {
    return WebAssemblyApi.validate(m.encode());
  } catch {
    return false;
  }
}

/** Forces the plain-SIMD (false) or relaxed (true) build where it validates; null: detect. */
export function setRelaxedSimd(on: boolean | null): void {
  if (on === true && !relaxedSimdValidates()) {
    throw new Error('relaxed SIMD does not validate in this engine');
  }
  relaxedOverride = on;
}

let availability: string | null | undefined;

/**
 * Null when this engine compiles the kernels (WebAssembly with SIMD), else why not; checked once.
 */
export function kernelsUnavailable(): string | null {
  if (availability === undefined) {
    try {
      compiledModule({ shared: false, relaxed: false });
      availability = null;
    } catch (e) {
      availability = `WebAssembly SIMD kernels do not compile here: ${(e as Error).message}`;
    }
  }
  return availability;
}

/** Whether `memory` is a shared WebAssembly memory. */
export function isShared(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** Exported functions of an instance as `Kernels`. */
export function kernelsOf(exports: Record<string, unknown>, relaxed: boolean): Kernels {
  const ex = exports as Record<string, KernelFn>;
  const row: Record<string, KernelFn> = {};
  for (const k of ROW_KERNELS) row[k.name] = ex[k.name]!;
  return {
    row,
    relaxed,
    transpose: ex['transpose'] as Kernels['transpose'],
    gemm: ex['gemm'] as Kernels['gemm'],
    dropoutMask: ex['dropoutMask'] as Kernels['dropoutMask'],
  };
}

/** The kernels instantiated over `memory` (a threaded build's shared heap too). */
export function instantiate(memory: WasmMemory, relaxed = relaxedSimd()): Kernels {
  const build = { shared: isShared(memory), relaxed };
  const inst = new WebAssemblyApi.Instance(compiledModule(build), { env: { memory } });
  return kernelsOf(inst.exports, relaxed);
}

/** Names of the row kernels, in export order (the pool's workers index them the same way). */
export const ROW_KERNEL_NAMES: readonly string[] = ROW_KERNELS.map((k) => k.name);

/** Operand count of each row kernel (its (base, stride) pairs), by name. */
export const ROW_KERNEL_OPERANDS: Readonly<Record<string, number>> = Object.fromEntries(
  ROW_KERNELS.map((k) => [k.name, k.operands.length]),
);
