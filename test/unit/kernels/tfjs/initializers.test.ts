import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  computeFans,
  glorotUniform,
  glorotUniformValues,
  initializerName,
  initializerValues,
  ones,
  orthogonal,
  orthogonalValues,
  SeededInitializer,
  unitForgetBias,
  unitForgetBiasValues,
  zeros,
} from '../../../../kernels/tfjs/initializers';

before(async () => {
  await tf.setBackend('cpu');
});

/** max |G - I| where G is the Gram matrix of the rows (byRows) or columns of an r×c matrix. */
function gramError(w: ArrayLike<number>, rows: number, cols: number, byRows: boolean): number {
  const n = byRows ? rows : cols;
  const len = byRows ? cols : rows;
  const at = (v: number, k: number): number => (byRows ? w[v * cols + k]! : w[k * cols + v]!);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < len; k++) s += at(i, k) * at(j, k);
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

function same(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function stats(v: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / v.length;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  return { mean, variance: ss / v.length, min, max };
}

describe('orthogonal', () => {
  test('a (u, 4u) recurrent kernel has orthonormal rows (W Wᵀ = I)', () => {
    const w = orthogonalValues([32, 128], 7);
    assert.equal(w.length, 32 * 128);
    assert.ok(gramError(w, 32, 128, true) < 1e-5);
  });

  test('a (u, 3u) GRU kernel and a square kernel', () => {
    assert.ok(gramError(orthogonalValues([16, 48], 3), 16, 48, true) < 1e-5);
    const sq = orthogonalValues([40, 40], 3);
    assert.ok(gramError(sq, 40, 40, true) < 1e-5);
    assert.ok(gramError(sq, 40, 40, false) < 1e-5);
  });

  test('a tall matrix has orthonormal columns; rank > 2 flattens to (prod(shape[:-1]), last)', () => {
    assert.ok(gramError(orthogonalValues([96, 32], 5), 96, 32, false) < 1e-5);
    // (2, 3, 4) → a 6×4 matrix with orthonormal columns, as Keras.
    assert.ok(gramError(orthogonalValues([2, 3, 4], 5), 6, 4, false) < 1e-5);
  });

  test('gain scales the matrix', () => {
    const a = orthogonalValues([8, 16], 11);
    const b = orthogonalValues([8, 16], 11, 2.5);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(b[i]! - 2.5 * a[i]!) < 1e-6);
  });

  test('deterministic for a seed, different across seeds', () => {
    assert.ok(same(orthogonalValues([16, 64], 1), orthogonalValues([16, 64], 1)));
    assert.ok(!same(orthogonalValues([16, 64], 1), orthogonalValues([16, 64], 2)));
  });

  test('128×512 (LSTM(128) recurrent kernel): orthonormal, timed', (t) => {
    orthogonalValues([128, 512], 0); // JIT warm-up
    const times: number[] = [];
    let w: Float32Array = new Float32Array(0);
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      w = orthogonalValues([128, 512], 100 + i);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const err = gramError(w, 128, 512, true);
    t.diagnostic(
      `orthogonal 128x512: median ${times[2]!.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times[4]!.toFixed(1)}), max |WWᵀ-I| = ${err.toExponential(2)}`,
    );
    assert.ok(err < 1e-5);
  });

  test('the tensor form matches the values', () => {
    const t = orthogonal([4, 12], 9);
    assert.deepEqual(t.shape, [4, 12]);
    assert.ok(same(t.dataSync() as Float32Array, orthogonalValues([4, 12], 9)));
    t.dispose();
  });
});

describe('glorot_uniform and the variance-scaling family', () => {
  test('fans follow Keras compute_fans', () => {
    assert.deepEqual(computeFans([5]), [5, 5]);
    assert.deepEqual(computeFans([3, 7]), [3, 7]);
    assert.deepEqual(computeFans([2, 3, 7]), [6, 14]);
  });

  test('glorot_uniform stays within sqrt(6/(fan_in+fan_out)) and fills it uniformly', () => {
    const [fi, fo] = [64, 256];
    const limit = Math.sqrt(6 / (fi + fo));
    const v = glorotUniformValues([fi, fo], 3);
    const s = stats(v);
    assert.ok(s.min >= -limit && s.max <= limit);
    assert.ok(s.max > 0.99 * limit && s.min < -0.99 * limit);
    assert.ok(Math.abs(s.mean) < 0.01 * limit);
    assert.ok(Math.abs(s.variance / ((limit * limit) / 3) - 1) < 0.05);
  });

  test('glorot_uniform is deterministic for a seed', () => {
    assert.ok(same(glorotUniformValues([10, 40], 4), glorotUniformValues([10, 40], 4)));
    assert.ok(!same(glorotUniformValues([10, 40], 4), glorotUniformValues([10, 40], 5)));
    const t = glorotUniform([10, 40], 4);
    assert.ok(same(t.dataSync() as Float32Array, glorotUniformValues([10, 40], 4)));
    t.dispose();
  });

  test('glorot_normal and he_normal are truncated normals with the Keras variance', () => {
    const g = initializerValues('glorot_normal', [100, 300], 1);
    const gs = stats(g);
    const target = 2 / 400;
    assert.ok(Math.abs(gs.variance / target - 1) < 0.05);
    const sd = Math.sqrt(target) / 0.8796256610342398;
    assert.ok(gs.max <= 2 * sd + 1e-6 && gs.min >= -2 * sd - 1e-6);
    const h = stats(initializerValues('he_normal', [200, 100], 2));
    assert.ok(Math.abs(h.variance / (2 / 200) - 1) < 0.05);
    const hu = stats(initializerValues('he_uniform', [200, 100], 2));
    assert.ok(hu.max <= Math.sqrt(6 / 200));
  });
});

describe('constant initializers', () => {
  test('zeros, ones and the LSTM unit_forget_bias', () => {
    const z = zeros([3, 2]);
    const o = ones([4]);
    assert.deepEqual(Array.from(z.dataSync()), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(o.dataSync()), [1, 1, 1, 1]);
    const b = unitForgetBias(3);
    assert.deepEqual(Array.from(b.dataSync()), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(unitForgetBiasValues(2)), [0, 0, 1, 1, 0, 0, 0, 0]);
    tf.dispose([z, o, b]);
  });
});

describe('SeededInitializer', () => {
  test('is a tfjs Initializer: a seeded Dense kernel is reproducible', () => {
    const make = (seed: number): Float32Array => {
      const d = tfl.layers.dense({
        units: 6,
        kernelInitializer: new SeededInitializer('glorot_uniform', seed),
      });
      d.build([null, 4]);
      const v = d.getWeights()[0]!.dataSync() as Float32Array;
      const copy = Float32Array.from(v);
      d.weights.forEach((w) => w.dispose());
      return copy;
    };
    assert.ok(same(make(12), make(12)));
    assert.ok(!same(make(12), make(13)));
    assert.ok(same(make(12), glorotUniformValues([4, 6], 12)));
  });

  test('unit_forget_bias kind, config round trip', () => {
    const init = new SeededInitializer('unit_forget_bias', 1);
    const t = init.apply([8]);
    assert.deepEqual(Array.from(t.dataSync()), [0, 0, 1, 1, 0, 0, 0, 0]);
    t.dispose();
    const copy = SeededInitializer.fromConfig(
      SeededInitializer,
      init.getConfig(),
    ) as SeededInitializer;
    assert.equal(copy.kind, 'unit_forget_bias');
    const orth = new SeededInitializer('orthogonal', 5, 2);
    const back = SeededInitializer.fromConfig(
      SeededInitializer,
      orth.getConfig(),
    ) as SeededInitializer;
    assert.ok(same(back.values([3, 6]), orthogonalValues([3, 6], 5, 2)));
  });

  test('names: Keras spellings, class names and tfjs camelCase', () => {
    assert.equal(initializerName('glorotUniform'), 'glorot_uniform');
    assert.equal(initializerName('GlorotUniform'), 'glorot_uniform');
    assert.equal(initializerName('uniform'), 'random_uniform');
    assert.equal(initializerName('Orthogonal'), 'orthogonal');
    assert.throws(() => initializerName('nope'), /Unknown initializer/);
  });
});
