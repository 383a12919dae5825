/**
 * The kernels' own matrix product, generated as WebAssembly SIMD: out (m×n) = a (m×k) · b (k×n)
 * [+ bias (n) on every row], row-major and contiguous, addresses in float32 elements.
 *
 * Register blocking: a 4×8 block of `out` lives in eight f32x4 accumulators while p runs over k;
 * each p loads two vectors of b's row p and broadcasts four scalars of a's column p
 * (v128.load32_splat), 16 multiply-adds for 6 loads. x64 V8 has 16 vector registers: eight
 * accumulators, two b vectors and a broadcast leave room for the address arithmetic (a 4×12 or
 * 6×8 block would spill). Ragged edges: 4-wide and scalar column blocks, single-row blocks.
 *
 * k is blocked (KC) so that a panel of b (KC rows × n) stays in the L2 cache while every row
 * block of a passes over it: the accumulators of a block are loaded from `out` after the first
 * panel. With relaxed SIMD the multiply-add is one f32x4.relaxed_madd (an FMA on x64 with FMA3),
 * else a multiply and an add.
 *
 * `gemmRows(…, r0, r1)` computes rows [r0, r1) only, so threads can split a product by rows.
 */
import { F32, I32, SIMD, V128, type FunctionBuilder } from './wasm-binary';

/** Rows of b in one cache panel: 256 rows of 512 floats is 512 KB, half a Skylake-SP L2. */
const KC = 256;
const MR = 4;

/** gemm(out, a, b, m, k, n, bias, r0, r1): rows [r0, r1) of out = a·b (+ bias; bias < 0: none). */
export function gemmKernel(f: FunctionBuilder, relaxed: boolean): void {
  const [OUT, A, B, , K, N, BIAS, R0, R1] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const i = f.local(I32);
  const j = f.local(I32);
  const p = f.local(I32);
  const p0 = f.local(I32); // first row of b in the current panel
  const p1 = f.local(I32);
  const rows4 = f.local(I32); // r0 + whole 4-row blocks
  const n8 = f.local(I32);
  const n4 = f.local(I32);
  const aPtr = Array.from({ length: MR }, () => f.local(I32));
  const oPtr = Array.from({ length: MR }, () => f.local(I32));
  const bPtr = f.local(I32);
  const bStep = f.local(I32); // n·4
  const acc = Array.from({ length: MR * 2 }, () => f.local(V128));
  const sacc = Array.from({ length: MR }, () => f.local(F32));
  const bv = [f.local(V128), f.local(V128)];
  const bs = f.local(F32);
  const av = f.local(V128);

  const mulAdd = (accLocal: number, a: () => void, b: () => void) => {
    // acc += a·b
    if (relaxed) {
      a();
      b();
      f.get(accLocal).simd(SIMD.f32x4RelaxedMadd).set(accLocal);
    } else {
      f.get(accLocal);
      a();
      b();
      f.simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(accLocal);
    }
  };

  /** One block of R rows (from i) and NV vectors (4·NV columns from j), or one scalar column. */
  const block = (R: number, NV: number) => {
    const scalar = NV === 0;
    // Byte addresses: a rows at (a + (i+r)·k + p0), out rows at (out + (i+r)·n + j).
    for (let r = 0; r < R; r++) {
      f.get(A)
        .get(i)
        .i32(r)
        .op(0x6a)
        .get(K)
        .op(0x6c)
        .op(0x6a)
        .get(p0)
        .op(0x6a)
        .i32(2)
        .op(0x74)
        .set(aPtr[r]!);
      f.get(OUT)
        .get(i)
        .i32(r)
        .op(0x6a)
        .get(N)
        .op(0x6c)
        .op(0x6a)
        .get(j)
        .op(0x6a)
        .i32(2)
        .op(0x74)
        .set(oPtr[r]!);
    }
    f.get(B).get(p0).get(N).op(0x6c).op(0x6a).get(j).op(0x6a).i32(2).op(0x74).set(bPtr);
    // Accumulators: out (a later panel), else the bias or zero.
    const init = (r: number, v: number) => {
      const local = scalar ? sacc[r]! : acc[r * 2 + v]!;
      f.get(p0).i32(0).op(0x46); // p0 == 0
      f.op(0x04, scalar ? F32 : V128); // if (result)
      f.get(BIAS).i32(0).op(0x48); // bias < 0
      f.op(0x04, scalar ? F32 : V128);
      if (scalar) f.f32(0);
      else f.v128f32(0);
      f.op(0x05);
      f.get(BIAS).get(j).op(0x6a).i32(2).op(0x74);
      if (scalar) f.f32Load(0);
      else f.v128Load(16 * v);
      f.op(0x0b);
      f.op(0x05);
      f.get(oPtr[r]!);
      if (scalar) f.f32Load(0);
      else f.v128Load(16 * v);
      f.op(0x0b);
      f.set(local);
    };
    for (let r = 0; r < R; r++) for (let v = 0; v < Math.max(1, NV); v++) init(r, v);
    f.get(p0).set(p);
    f.forLoop(
      p,
      () => f.get(p1),
      1,
      () => {
        if (scalar) f.get(bPtr).f32Load(0).set(bs);
        else
          for (let v = 0; v < NV; v++)
            f.get(bPtr)
              .v128Load(16 * v)
              .set(bv[v]!);
        for (let r = 0; r < R; r++) {
          if (scalar) {
            f.get(sacc[r]!).get(aPtr[r]!).f32Load(0).get(bs).op(0x94).op(0x92).set(sacc[r]!);
          } else {
            f.get(aPtr[r]!).v128Load32Splat(0).set(av);
            for (let v = 0; v < NV; v++) {
              mulAdd(
                acc[r * 2 + v]!,
                () => f.get(av),
                () => f.get(bv[v]!),
              );
            }
          }
          f.get(aPtr[r]!).i32(4).op(0x6a).set(aPtr[r]!);
        }
        f.get(bPtr).get(bStep).op(0x6a).set(bPtr);
      },
    );
    for (let r = 0; r < R; r++) {
      if (scalar) f.get(oPtr[r]!).get(sacc[r]!).f32Store(0);
      else
        for (let v = 0; v < NV; v++)
          f.get(oPtr[r]!)
            .get(acc[r * 2 + v]!)
            .v128Store(16 * v);
    }
  };

  /** All column blocks of R rows from i. */
  const rowBlock = (R: number) => {
    f.i32(0).set(j);
    f.forLoop(
      j,
      () => f.get(n8),
      8,
      () => block(R, 2),
    );
    f.forLoop(
      j,
      () => f.get(n4),
      4,
      () => block(R, 1),
    );
    f.forLoop(
      j,
      () => f.get(N),
      1,
      () => block(R, 0),
    );
  };

  f.get(N).i32(-8).op(0x71).set(n8);
  f.get(N).i32(-4).op(0x71).set(n4);
  f.get(N).i32(2).op(0x74).set(bStep);
  // rows4 = r0 + ((r1 − r0) & ~3)
  f.get(R0).get(R1).get(R0).op(0x6b).i32(-4).op(0x71).op(0x6a).set(rows4);
  // for (p0 = 0; p0 < k; p0 += KC) { p1 = min(p0 + KC, k); row blocks }; k = 0 still writes bias.
  f.i32(0).set(p0);
  f.block(() =>
    f.loop(() => {
      f.get(p0).i32(KC).op(0x6a).set(p1);
      f.get(p1).get(K).get(p1).get(K).op(0x48).op(0x1b).set(p1); // select(p1, k, p1 < k)
      f.get(R0).set(i);
      f.forLoop(
        i,
        () => f.get(rows4),
        MR,
        () => rowBlock(MR),
      );
      f.forLoop(
        i,
        () => f.get(R1),
        1,
        () => rowBlock(1),
      );
      f.get(p1).set(p0);
      f.get(p0).get(K).op(0x48).brIf(0); // p0 < k: next panel
    }),
  );
}
