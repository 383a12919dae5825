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
 * - `gemm`, a plain SIMD matrix product for the local device (the wasm device uses XNNPACK).
 *
 * Every address and stride is in float32 elements (the kernels scale by 4).
 */
import { compileRowKernel, type Lane, type Lanes, type RowKernel } from './elementwise';
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

/**
 * gemm(out, a, b, m, k, n, bias): out (m×n) = a (m×k) · b (k×n) + bias (n), bias < 0 for none.
 * Row by row: out_i = Σ_p a[i, p]·b_p, four columns at a time.
 */
function gemmKernel(f: FunctionBuilder): void {
  const [OUT, A, B, M, K, N, BIAS] = [0, 1, 2, 3, 4, 5, 6];
  const i = f.local(I32);
  const p = f.local(I32);
  const j = f.local(I32);
  const nv = f.local(I32);
  const orow = f.local(I32); // byte address of out row i
  const brow = f.local(I32);
  const av = f.local(V128);
  const as = f.local(F32);
  const addr = (base: number, idx: number) => f.get(base).get(idx).op(0x6a).i32(2).op(0x74);
  f.get(N).i32(-4).op(0x71).set(nv);
  f.i32(0).set(i);
  f.forLoop(
    i,
    () => f.get(M),
    1,
    () => {
      f.get(OUT).get(i).get(N).op(0x6c).op(0x6a).set(orow); // element index of out row
      // out row = bias or 0
      f.i32(0).set(j);
      f.forLoop(
        j,
        () => f.get(N),
        1,
        () => {
          addr(orow, j);
          f.get(BIAS).i32(0).op(0x48); // bias < 0
          f.op(0x04, 0x7d); // if (result f32)
          f.f32(0);
          f.op(0x05);
          addr(BIAS, j).f32Load();
          f.op(0x0b);
          f.f32Store();
        },
      );
      f.i32(0).set(p);
      f.forLoop(
        p,
        () => f.get(K),
        1,
        () => {
          f.get(A).get(i).get(K).op(0x6c).op(0x6a).get(p).op(0x6a).i32(2).op(0x74);
          f.f32Load().set(as);
          f.get(as).simd(SIMD.f32x4Splat).set(av);
          f.get(B).get(p).get(N).op(0x6c).op(0x6a).set(brow);
          f.i32(0).set(j);
          f.forLoop(
            j,
            () => f.get(nv),
            4,
            () => {
              addr(orow, j);
              addr(orow, j).v128Load();
              addr(brow, j).v128Load();
              f.get(av).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add);
              f.v128Store();
            },
          );
          f.forLoop(
            j,
            () => f.get(N),
            1,
            () => {
              addr(orow, j);
              addr(orow, j).f32Load();
              addr(brow, j).f32Load();
              f.get(as).op(0x94).op(0x92);
              f.f32Store();
            },
          );
        },
      );
    },
  );
}

export type KernelFn = (...args: number[]) => void;

/** The kernels over one memory; row kernels take (rows, cols, (base, stride)…, scalars…). */
export interface Kernels {
  readonly row: Readonly<Record<string, KernelFn>>;
  transpose(dst: number, src: number, rows: number, cols: number, ss: number, ds: number): void;
  gemm(out: number, a: number, b: number, m: number, k: number, n: number, bias: number): void;
}

/** The WebAssembly API we use (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Whether `m` is a WebAssembly.Memory. */
export function isWasmMemory(m: unknown): m is WasmMemory {
  return m instanceof (WebAssemblyApi.Memory as unknown as new () => object);
}

const compiled = new Map<boolean, object>();

function moduleBytes(shared: boolean): Uint8Array {
  const m = new ModuleBuilder(shared);
  for (const k of ROW_KERNELS) compileRowKernel(m, k);
  m.func('transpose', [I32, I32, I32, I32, I32, I32], transposeKernel);
  m.func('gemm', [I32, I32, I32, I32, I32, I32, I32], gemmKernel);
  return m.encode();
}

function compiledModule(shared: boolean): object {
  let m = compiled.get(shared);
  if (!m) {
    m = new WebAssemblyApi.Module(moduleBytes(shared));
    compiled.set(shared, m);
  }
  return m;
}

let availability: string | null | undefined;

/**
 * Null when this engine compiles the kernels (WebAssembly with SIMD), else why not; checked once.
 */
export function kernelsUnavailable(): string | null {
  if (availability === undefined) {
    try {
      compiledModule(false);
      availability = null;
    } catch (e) {
      availability = `WebAssembly SIMD kernels do not compile here: ${(e as Error).message}`;
    }
  }
  return availability;
}

/** The kernels instantiated over `memory` (a threaded build's shared heap too). */
export function instantiate(memory: WasmMemory): Kernels {
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const inst = new WebAssemblyApi.Instance(compiledModule(shared), { env: { memory } });
  const ex = inst.exports as Record<string, KernelFn>;
  const row: Record<string, KernelFn> = {};
  for (const k of ROW_KERNELS) row[k.name] = ex[k.name]!;
  return {
    row,
    transpose: ex['transpose'] as Kernels['transpose'],
    gemm: ex['gemm'] as Kernels['gemm'],
  };
}
