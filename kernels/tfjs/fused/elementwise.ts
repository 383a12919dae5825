/**
 * Elementwise row kernels compiled to WebAssembly SIMD.
 *
 * A kernel is written once as straight-line arithmetic over "lanes" (./kernels): values loaded
 * from operands, scalars, constants, + − × ÷ min max, exp and the logistic function, stores.
 * It runs over `rows × cols` elements: operand k is at element `base_k + row·stride_k + col` of
 * the float32 memory,
 * so a row can be a timestep's (B, u) block, one gate's columns of a (B, G·u) block, or a whole
 * contiguous buffer as one row. The compiler emits the body twice, four lanes at a time
 * (f32x4) and once per element for the tail, from the same expression list.
 *
 * The generated function's parameters: rows, cols, then (base, stride) per operand, then the f32
 * scalars.
 *
 * exp(x) is Cephes's expf: x clamped to [−87, 88] (so 2^n stays a normal float), n = round(x·log2 e)
 * by adding a magic number that also leaves n + 127 in the low mantissa bits (shifted into the
 * exponent, that is 2^n), r = x − n·ln 2 in two parts, a degree-6 polynomial: within 2 ulp of
 * the true value. σ(x) = 1 / (1 + exp(−x)). (No f32x4.min/max, nearest or trunc_sat: on x64
 * each is a sequence of several instructions.)
 */
import { F32, FunctionBuilder, I32, ModuleBuilder, SIMD, V128, type ValType } from './wasm-binary';

/** pmin/pmax: a < b-style pseudo minimum and maximum (one instruction on x64; NaN in a wins). */
type Op = 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'pmin' | 'pmax';

type Node =
  | { kind: 'load'; operand: number }
  | { kind: 'scalar'; index: number }
  | { kind: 'const'; value: number }
  | { kind: 'bin'; op: Op; a: number; b: number }
  | { kind: 'neg'; a: number }
  /** The float whose bits are a's bits shifted left by 23. */
  | { kind: 'shl23'; a: number };

/** A value in a kernel body (an index into its node list). */
export type Lane = { readonly node: number };

export interface RowKernel {
  name: string;
  operands: readonly string[];
  scalars?: readonly string[];
  body(l: Lanes): void;
}

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
const EXP_P = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1,
  5.0000001201e-1,
];
const EXP_LO = -87;
const EXP_HI = 88;
/** 1.5·2^23 + 127: adding it rounds to an integer n and leaves n + 127 in the low bits. */
const EXP_MAGIC = 12582912 + 127;

/** The builder a kernel body is written with. */
export class Lanes {
  readonly nodes: Node[] = [];
  readonly stores: Array<{ operand: number; value: number; after: number }> = [];
  private readonly consts = new Map<number, Lane>();

  constructor(
    private readonly operands: readonly string[],
    private readonly scalars: readonly string[],
  ) {}

  private push(n: Node): Lane {
    this.nodes.push(n);
    return { node: this.nodes.length - 1 };
  }
  private operand(name: string): number {
    const i = this.operands.indexOf(name);
    if (i < 0) throw new Error(`kernel: no operand ${name}`);
    return i;
  }

  load(name: string): Lane {
    return this.push({ kind: 'load', operand: this.operand(name) });
  }
  scalar(name: string): Lane {
    const i = this.scalars.indexOf(name);
    if (i < 0) throw new Error(`kernel: no scalar ${name}`);
    return this.push({ kind: 'scalar', index: i });
  }
  c(value: number): Lane {
    const key = Math.fround(value);
    let l = this.consts.get(key);
    if (!l) {
      l = this.push({ kind: 'const', value: key });
      this.consts.set(key, l);
    }
    return l;
  }
  private bin(op: Op, a: Lane | number, b: Lane | number): Lane {
    const x = typeof a === 'number' ? this.c(a) : a;
    const y = typeof b === 'number' ? this.c(b) : b;
    return this.push({ kind: 'bin', op, a: x.node, b: y.node });
  }
  add(a: Lane | number, b: Lane | number): Lane {
    return this.bin('add', a, b);
  }
  sub(a: Lane | number, b: Lane | number): Lane {
    return this.bin('sub', a, b);
  }
  mul(a: Lane | number, b: Lane | number): Lane {
    return this.bin('mul', a, b);
  }
  div(a: Lane | number, b: Lane | number): Lane {
    return this.bin('div', a, b);
  }
  min(a: Lane | number, b: Lane | number): Lane {
    return this.bin('min', a, b);
  }
  max(a: Lane | number, b: Lane | number): Lane {
    return this.bin('max', a, b);
  }
  neg(a: Lane): Lane {
    return this.push({ kind: 'neg', a: a.node });
  }

  exp(x: Lane): Lane {
    const xc = this.bin('pmax', this.bin('pmin', x, EXP_HI), EXP_LO);
    const vn = this.add(this.mul(xc, LOG2E), EXP_MAGIC);
    const n = this.sub(vn, EXP_MAGIC);
    const r = this.sub(this.sub(xc, this.mul(n, LN2_HI)), this.mul(n, LN2_LO));
    let p = this.c(EXP_P[0]!);
    for (let i = 1; i < EXP_P.length; i++) p = this.add(this.mul(p, r), EXP_P[i]!);
    const y = this.add(this.add(this.mul(p, this.mul(r, r)), r), 1);
    return this.mul(y, this.push({ kind: 'shl23', a: vn.node }));
  }
  sigmoid(x: Lane): Lane {
    return this.div(1, this.add(this.exp(this.neg(x)), 1));
  }

  store(name: string, v: Lane): void {
    this.stores.push({ operand: this.operand(name), value: v.node, after: this.nodes.length });
  }
}

/** Vectors per iteration of the main loop (independent chains for the out-of-order core). */
const UNROLL = 2;

const BIN_SIMD: Record<Op, number> = {
  add: SIMD.f32x4Add,
  sub: SIMD.f32x4Sub,
  mul: SIMD.f32x4Mul,
  div: SIMD.f32x4Div,
  min: SIMD.f32x4Min,
  max: SIMD.f32x4Max,
  pmin: SIMD.f32x4Pmin,
  pmax: SIMD.f32x4Pmax,
};
const BIN_SCALAR: Record<Op, number> = {
  add: 0x92,
  sub: 0x93,
  mul: 0x94,
  div: 0x95,
  min: 0x96,
  max: 0x97,
  pmin: 0x96,
  pmax: 0x97,
};

/** Adds `k` to `m` as an exported function. */
export function compileRowKernel(m: ModuleBuilder, k: RowKernel, relaxed = false): void {
  const scalars = k.scalars ?? [];
  const lanes = new Lanes(k.operands, scalars);
  k.body(lanes);
  const nOps = k.operands.length;
  const params: ValType[] = [I32, I32];
  for (let i = 0; i < nOps; i++) params.push(I32, I32);
  for (let i = 0; i < scalars.length; i++) params.push(F32);
  m.func(k.name, params, (f) => emit(f, lanes, nOps, relaxed ? fusable(lanes) : new Map()));
}

/**
 * Multiply-adds for the relaxed build: add nodes (by index) whose one operand is a product used
 * nowhere else, with that product's operands and the addend. The product is then not emitted on
 * its own (vector code only: scalar WebAssembly has no fused multiply-add).
 */
type Madd = { product: number; a: number; b: number; c: number };
function fusable(l: Lanes): Map<number, Madd> {
  const uses = new Array<number>(l.nodes.length).fill(0);
  for (const n of l.nodes) {
    if (n.kind === 'bin') {
      uses[n.a]!++;
      uses[n.b]!++;
    } else if (n.kind === 'neg' || n.kind === 'shl23') uses[n.a]!++;
  }
  for (const st of l.stores) uses[st.value]!++;
  const out = new Map<number, Madd>();
  const taken = new Set<number>();
  l.nodes.forEach((n, i) => {
    if (n.kind !== 'bin' || n.op !== 'add') return;
    for (const [m, c] of [
      [n.a, n.b],
      [n.b, n.a],
    ] as const) {
      const prod = l.nodes[m]!;
      if (prod.kind === 'bin' && prod.op === 'mul' && uses[m] === 1 && !taken.has(m)) {
        out.set(i, { product: m, a: prod.a, b: prod.b, c });
        taken.add(m);
        return;
      }
    }
  });
  return out;
}

function emit(f: FunctionBuilder, l: Lanes, nOps: number, madds: Map<number, Madd>): void {
  const ROWS = 0;
  const COLS = 1;
  const base = (k: number) => 2 + 2 * k;
  const stride = (k: number) => 3 + 2 * k;
  const scalarParam = (i: number) => 2 + 2 * nOps + i;
  const row = f.local(I32);
  const col = f.local(I32);
  const vecCols = f.local(I32);
  const wideCols = f.local(I32);
  const off = f.local(I32); // col · 4
  const rowPtr = Array.from({ length: nOps }, () => f.local(I32));
  const vec = l.nodes.map(() => f.local(V128));
  const sca = l.nodes.map(() => f.local(F32));
  // Scalars once, before the loops (constants are inlined at their uses: hoisted into locals
  // they would outnumber the registers).
  l.nodes.forEach((n, i) => {
    if (n.kind === 'scalar') {
      f.get(scalarParam(n.index)).set(sca[i]!);
      f.get(scalarParam(n.index)).simd(SIMD.f32x4Splat).set(vec[i]!);
    }
  });
  f.get(COLS)
    .i32(-4 * UNROLL)
    .op(0x71)
    .set(wideCols); // cols rounded down to 4·UNROLL
  f.get(COLS).i32(-4).op(0x71).set(vecCols); // cols & ~3
  f.i32(0).set(row);
  f.forLoop(
    row,
    () => f.get(ROWS),
    1,
    () => {
      for (let k = 0; k < nOps; k++) {
        // (base + row·stride)·4: bases and strides count float32 elements.
        f.get(base(k)).get(row).get(stride(k)).op(0x6c).op(0x6a).i32(2).op(0x74).set(rowPtr[k]!);
      }
      f.i32(0).set(col);
      f.forLoop(
        col,
        () => f.get(wideCols),
        4 * UNROLL,
        () => body(f, l, rowPtr, col, off, vec, true, UNROLL, madds),
      );
      f.forLoop(
        col,
        () => f.get(vecCols),
        4,
        () => body(f, l, rowPtr, col, off, vec, true, 1, madds),
      );
      f.forLoop(
        col,
        () => f.get(COLS),
        1,
        () => body(f, l, rowPtr, col, off, sca, false, 1, new Map()),
      );
    },
  );
}

function body(
  f: FunctionBuilder,
  l: Lanes,
  rowPtr: number[],
  col: number,
  off: number,
  loc: number[],
  simd: boolean,
  copies: number,
  madds: Map<number, Madd>,
): void {
  f.get(col).i32(2).op(0x74).set(off); // col << 2
  const products = new Set([...madds.values()].map((m) => m.product));
  for (let c = 0; c < copies; c++) {
    bodyCopy(f, l, rowPtr, off, loc, simd, 16 * c, madds, products);
  }
}

/** One copy of the body at byte offset `disp` from the current column. */
function bodyCopy(
  f: FunctionBuilder,
  l: Lanes,
  rowPtr: number[],
  off: number,
  loc: number[],
  simd: boolean,
  disp: number,
  madds: Map<number, Madd>,
  products: Set<number>,
): void {
  const addr = (operand: number) => f.get(rowPtr[operand]!).get(off).op(0x6a);
  const val = (i: number) => {
    const n = l.nodes[i]!;
    if (n.kind !== 'const') f.get(loc[i]!);
    else if (simd) f.v128f32(n.value);
    else f.f32(n.value);
  };
  let nextStore = 0;
  const flushStores = (upTo: number) => {
    while (nextStore < l.stores.length && l.stores[nextStore]!.after <= upTo) {
      const s = l.stores[nextStore++]!;
      addr(s.operand);
      val(s.value);
      if (simd) f.v128Store(disp);
      else f.f32Store(disp);
    }
  };
  l.nodes.forEach((n, i) => {
    flushStores(i);
    switch (n.kind) {
      case 'const':
      case 'scalar':
        return;
      case 'load':
        addr(n.operand);
        if (simd) f.v128Load(disp);
        else f.f32Load(disp);
        break;
      case 'bin': {
        if (products.has(i)) return; // computed by the multiply-add that uses it
        const madd = madds.get(i);
        if (madd) {
          val(madd.a);
          val(madd.b);
          val(madd.c);
          f.simd(SIMD.f32x4RelaxedMadd);
          break;
        }
        val(n.a);
        val(n.b);
        if (simd) f.simd(BIN_SIMD[n.op]);
        else f.op(BIN_SCALAR[n.op]);
        break;
      }
      case 'neg':
        val(n.a);
        if (simd) f.simd(SIMD.f32x4Neg);
        else f.op(0x8c);
        break;
      case 'shl23':
        val(n.a);
        if (simd) f.i32(23).simd(SIMD.i32x4Shl);
        else f.op(0xbc).i32(23).op(0x74).op(0xbe); // i32.reinterpret_f32, shl, f32.reinterpret_i32
        break;
    }
    f.set(loc[i]!);
  });
  flushStores(l.nodes.length);
}
