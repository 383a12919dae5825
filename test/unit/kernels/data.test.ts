/** kernels/data: synthetic datasets, CSV windowing, the registry, and every error message. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CORPUS, CORPUS_VOCABULARY } from '../../../kernels/data/corpus';
import {
  adding_problem,
  bind,
  call,
  copy_memory,
  DATASETS,
  DatasetError,
  loadCsv,
  MAX_CSV_BYTES,
  parity,
  parseCsv,
  signature,
  sine,
  text_chars,
  type Dataset,
  type Tensorish,
} from '../../../kernels/data/index';

const GENERATORS = { sine, adding_problem, copy_memory, parity, text_chars } as const;

function bytes(t: Tensorish): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function sameData(a: Dataset, b: Dataset): boolean {
  return (
    bytes(a.train.x).equals(bytes(b.train.x)) &&
    bytes(a.train.y).equals(bytes(b.train.y)) &&
    bytes(a.val.x).equals(bytes(b.val.x)) &&
    bytes(a.val.y).equals(bytes(b.val.y))
  );
}

/** Both parts, as [x, y, samples] with x row-major (samples, T, F). */
function parts(
  d: Dataset,
): Array<{ x: Float32Array; y: Float32Array; n: number; T: number; F: number }> {
  return [d.train, d.val].map((p) => ({
    x: p.x.data,
    y: p.y.data,
    n: p.x.shape[0]!,
    T: p.x.shape[1]!,
    F: p.x.shape[2]!,
  }));
}

function assertConsistent(d: Dataset): void {
  for (const t of [d.train.x, d.train.y, d.val.x, d.val.y]) {
    assert.equal(
      t.data.length,
      t.shape.reduce((a, b) => a * b, 1),
    );
  }
  assert.equal(d.train.x.shape[0], d.train.y.shape[0]);
  assert.equal(d.val.x.shape[0], d.val.y.shape[0]);
  assert.deepEqual(d.train.x.shape.slice(1), d.val.x.shape.slice(1));
  assert.equal(d.train.y.shape[1], 1);
  for (const t of [d.train.x, d.train.y, d.val.x, d.val.y]) {
    assert.ok(t.data.every(Number.isFinite));
  }
}

/** Asserts `fn` throws a DatasetError whose message equals `message` (string) or matches it. */
function throwsDataset(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DatasetError, `expected DatasetError, got ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('synthetic datasets: shapes and metadata', () => {
  test('default shapes', () => {
    const expect: Record<string, [number, number, number, number]> = {
      sine: [800, 200, 50, 1],
      adding_problem: [800, 200, 50, 2],
      copy_memory: [800, 200, 30, 8 + 2 + 5],
      parity: [800, 200, 20, 1],
      text_chars: [1600, 400, 40, CORPUS_VOCABULARY.length],
    };
    for (const [name, gen] of Object.entries(GENERATORS)) {
      const d = gen();
      const [nt, nv, T, F] = expect[name]!;
      assert.equal(d.name, name);
      assert.deepEqual(d.train.x.shape, [nt, T, F], name);
      assert.deepEqual(d.train.y.shape, [nt, 1], name);
      assert.deepEqual(d.val.x.shape, [nv, T, F], name);
      assert.deepEqual(d.val.y.shape, [nv, 1], name);
      assert.ok(d.description.length > 80, name);
      assertConsistent(d);
    }
  });

  test('custom shapes', () => {
    assert.deepEqual(sine({ samples: 10, timesteps: 7, features: 3 }).train.x.shape, [8, 7, 3]);
    assert.deepEqual(adding_problem({ samples: 5, timesteps: 3 }).train.x.shape, [4, 3, 2]);
    assert.deepEqual(
      copy_memory({ samples: 5, timesteps: 12, symbols: 4, memory: 3 }).train.x.shape,
      [4, 12, 9],
    );
    assert.deepEqual(parity({ samples: 5, timesteps: 2 }).val.x.shape, [1, 2, 1]);
    assert.deepEqual(text_chars({ samples: 5, timesteps: 3 }).train.x.shape, [
      4,
      3,
      CORPUS_VOCABULARY.length,
    ]);
  });

  test('task, classes and vocabulary', () => {
    assert.equal(sine().task, 'regression');
    assert.equal(adding_problem().task, 'regression');
    assert.equal(parity().task, 'binary');
    const c = copy_memory({ symbols: 6 });
    assert.equal(c.task, 'multiclass');
    assert.equal(c.classes, 6);
    const t = text_chars();
    assert.equal(t.task, 'multiclass');
    assert.equal(t.classes, t.vocabulary!.length);
    assert.deepEqual(t.vocabulary, [...new Set(CORPUS)].sort());
    assert.equal(sine().classes, undefined);
  });
});

describe('synthetic datasets: determinism', () => {
  for (const [name, gen] of Object.entries(GENERATORS)) {
    test(`${name}: same seed gives identical bytes, a different seed differs`, () => {
      const a = gen({ samples: 50, seed: 7 });
      const b = gen({ samples: 50, seed: 7 });
      const c = gen({ samples: 50, seed: 8 });
      assert.ok(sameData(a, b));
      assert.ok(!bytes(a.train.x).equals(bytes(c.train.x)));
      assert.equal(a.description, b.description);
    });
  }

  test('default seed is 0', () => {
    assert.ok(sameData(sine({ samples: 20 }), sine({ samples: 20, seed: 0 })));
  });

  test('a sample does not depend on how many others were generated', () => {
    const small = parity({ samples: 10, validation_split: 0 });
    const big = parity({ samples: 100, validation_split: 0 });
    assert.deepEqual(small.train.x.data, big.train.x.data.subarray(0, small.train.x.data.length));
  });

  test('tasks sharing a seed draw different numbers', () => {
    const p = parity({ samples: 50, timesteps: 50 });
    const a = adding_problem({ samples: 50, timesteps: 50 });
    const bitsFromAdding = a.train.x.data
      .filter((_, i) => i % 2 === 0)
      .map((v) => (v < 0.5 ? 0 : 1));
    assert.notDeepEqual(p.train.x.data, bitsFromAdding);
  });
});

describe('synthetic datasets: validation split', () => {
  test('sizes follow Keras: floor(samples * (1 - split)) train', () => {
    const cases: Array<[number, number, number, number]> = [
      [1000, 0.2, 800, 200],
      [999, 0.2, 799, 200],
      [10, 0.9, 1, 9],
      [3, 0.5, 1, 2],
      [100, 0, 100, 0],
    ];
    for (const [samples, validation_split, nt, nv] of cases) {
      const d = parity({ samples, validation_split });
      assert.deepEqual(
        [d.train.x.shape[0], d.val.x.shape[0]],
        [nt, nv],
        `${samples} ${validation_split}`,
      );
    }
  });

  test('validation_split=0 leaves empty val arrays shaped [0, T, F]', () => {
    const d = copy_memory({ samples: 10, validation_split: 0 });
    assert.deepEqual(d.val.x.shape, [0, 30, 15]);
    assert.deepEqual(d.val.y.shape, [0, 1]);
    assert.equal(d.val.x.data.length, 0);
    assert.equal(d.val.y.data.length, 0);
  });

  test('the validation part is the last samples', () => {
    const all = adding_problem({ samples: 10, validation_split: 0 });
    const split = adding_problem({ samples: 10, validation_split: 0.3 });
    const n = split.train.x.data.length;
    assert.deepEqual(split.train.x.data, all.train.x.data.subarray(0, n));
    assert.deepEqual(split.val.x.data, all.train.x.data.subarray(n));
    assert.deepEqual(split.val.y.data, all.train.y.data.subarray(7));
  });

  test('train and val do not share a buffer', () => {
    const d = sine({ samples: 10 });
    assert.notEqual(d.train.x.data.buffer, d.val.x.data.buffer);
  });
});

describe('sine', () => {
  test('without noise, values lie in [-1, 1] and vary', () => {
    const d = sine({ samples: 200, features: 2, noise: 0 });
    for (const p of parts(d)) {
      assert.ok(p.x.every((v) => v >= -1 && v <= 1));
      assert.ok(p.y.every((v) => v >= -1 && v <= 1));
    }
    const x = d.train.x.data;
    assert.ok(Math.max(...x) > 0.5 && Math.min(...x) < -0.5);
  });

  test('y is feature 0, horizon steps after the window', () => {
    for (const horizon of [1, 3]) {
      const short = sine({
        samples: 20,
        timesteps: 30,
        horizon,
        features: 2,
        noise: 0,
        validation_split: 0,
      });
      const long = sine({
        samples: 20,
        timesteps: 30 + horizon,
        features: 2,
        noise: 0,
        validation_split: 0,
      });
      const T = 30 + horizon;
      for (let i = 0; i < 20; i++) {
        const later = long.train.x.data[(i * T + T - 1) * 2]!;
        assert.equal(short.train.y.data[i], later, `sample ${i}, horizon ${horizon}`);
        // The window itself is the start of the longer window.
        assert.deepEqual(
          short.train.x.data.subarray(i * 60, i * 60 + 60),
          long.train.x.data.subarray(i * T * 2, i * T * 2 + 60),
        );
      }
    }
  });

  test('noise has about the requested spread', () => {
    const clean = sine({ samples: 100, noise: 0, validation_split: 0 }).train.x.data;
    const noisy = sine({ samples: 100, noise: 0.1, validation_split: 0 }).train.x.data;
    let ss = 0;
    for (let i = 0; i < clean.length; i++) ss += (noisy[i]! - clean[i]!) ** 2;
    const sd = Math.sqrt(ss / clean.length);
    assert.ok(sd > 0.09 && sd < 0.11, `sd ${sd}`);
  });
});

describe('adding_problem', () => {
  test('two markers, one per half; y is exactly the sum of the marked values', () => {
    const T = 21;
    const d = adding_problem({ samples: 300, timesteps: T });
    for (const p of parts(d)) {
      for (let i = 0; i < p.n; i++) {
        const marked: number[] = [];
        for (let t = 0; t < T; t++) {
          const v = p.x[(i * T + t) * 2]!;
          const m = p.x[(i * T + t) * 2 + 1]!;
          assert.ok(v >= 0 && v < 1);
          assert.ok(m === 0 || m === 1);
          if (m === 1) marked.push(t);
        }
        assert.equal(marked.length, 2);
        assert.ok(marked[0]! < Math.floor(T / 2) && marked[1]! >= Math.floor(T / 2));
        const sum = p.x[(i * T + marked[0]!) * 2]! + p.x[(i * T + marked[1]!) * 2]!;
        assert.equal(p.y[i], Math.fround(sum));
      }
    }
  });

  test('works at the shortest length', () => {
    const d = adding_problem({ samples: 4, timesteps: 2, validation_split: 0 });
    for (let i = 0; i < 4; i++) {
      assert.equal(d.train.x.data[i * 4 + 1], 1);
      assert.equal(d.train.x.data[i * 4 + 3], 1);
    }
  });
});

describe('copy_memory', () => {
  test('one-hot layout; y is the symbol shown at the queried position', () => {
    const S = 5;
    const M = 4;
    const T = 12;
    const F = S + 2 + M;
    const d = copy_memory({ samples: 200, timesteps: T, symbols: S, memory: M });
    const seenQueries = new Set<number>();
    for (const p of parts(d)) {
      assert.equal(p.F, F);
      for (let i = 0; i < p.n; i++) {
        const row = (t: number) => Array.from(p.x.subarray((i * T + t) * F, (i * T + t + 1) * F));
        const shown: number[] = [];
        for (let t = 0; t < M; t++) {
          const r = row(t);
          assert.equal(
            r.reduce((a, b) => a + b),
            1,
          );
          const s = r.indexOf(1);
          assert.ok(s < S);
          shown.push(s);
        }
        for (let t = M; t < T - 1; t++) {
          const r = row(t);
          assert.equal(
            r.reduce((a, b) => a + b),
            1,
          );
          assert.equal(r[S], 1);
        }
        const last = row(T - 1);
        assert.equal(
          last.reduce((a, b) => a + b),
          2,
        );
        assert.equal(last[S + 1], 1);
        const q = last.slice(S + 2).indexOf(1);
        assert.ok(q >= 0 && q < M);
        seenQueries.add(q);
        assert.equal(p.y[i], shown[q]);
        assert.ok(Number.isInteger(p.y[i]) && p.y[i]! >= 0 && p.y[i]! < S);
      }
    }
    assert.equal(seenQueries.size, M);
  });

  test('timesteps = memory + 1 has no blanks', () => {
    const d = copy_memory({ samples: 3, timesteps: 4, memory: 3, symbols: 2 });
    assert.deepEqual(d.train.x.shape, [2, 4, 7]);
  });
});

describe('parity', () => {
  test('bits, correct labels, both classes present', () => {
    const T = 9;
    const d = parity({ samples: 400, timesteps: T });
    let odd = 0;
    for (const p of parts(d)) {
      for (let i = 0; i < p.n; i++) {
        let ones = 0;
        for (let t = 0; t < T; t++) {
          const b = p.x[i * T + t]!;
          assert.ok(b === 0 || b === 1);
          ones += b;
        }
        assert.equal(p.y[i], ones % 2);
        odd += p.y[i]!;
      }
    }
    assert.ok(odd > 150 && odd < 250, `odd ${odd}`);
  });
});

describe('text_chars', () => {
  const decode = (d: Dataset, x: Float32Array, i: number, T: number): string => {
    const V = d.vocabulary!.length;
    let s = '';
    for (let t = 0; t < T; t++) {
      const r = x.subarray((i * T + t) * V, (i * T + t + 1) * V);
      assert.equal(
        r.reduce((a, b) => a + b),
        1,
      );
      s += d.vocabulary![r.indexOf(1)];
    }
    return s;
  };

  test('y is the character that follows the window in the corpus', () => {
    const T = 25;
    const d = text_chars({ samples: 300, timesteps: T });
    const cut = Math.floor(CORPUS.length * 0.8);
    const [train, val] = parts(d);
    for (const [p, text] of [
      [train!, CORPUS.slice(0, cut)],
      [val!, CORPUS.slice(cut)],
    ] as const) {
      assert.ok(p.n > 0);
      for (let i = 0; i < p.n; i++) {
        const window = decode(d, p.x, i, T);
        const next = d.vocabulary![p.y[i]!]!;
        // Training windows come from the first 80% of the text, validation from the rest.
        assert.ok(text.includes(window + next), JSON.stringify(window + next));
      }
    }
  });

  test('without validation the whole corpus is used, up to its last character', () => {
    const T = CORPUS.length - 1;
    const d = text_chars({ samples: 2, timesteps: T, validation_split: 0 });
    assert.equal(decode(d, d.train.x.data, 0, T) + d.vocabulary![d.train.y.data[0]!], CORPUS);
  });

  test('corpus: lowercase, single-spaced, 2-3 KB', () => {
    assert.equal(CORPUS, CORPUS.toLowerCase());
    assert.ok(!/\s\s|[\n\t]/.test(CORPUS));
    assert.ok(CORPUS.length > 2000 && CORPUS.length < 3100);
    assert.deepEqual([...CORPUS_VOCABULARY], [...new Set(CORPUS)].sort());
  });
});

describe('synthetic datasets: argument errors', () => {
  test('range messages name the argument, the range and the value', () => {
    throwsDataset(
      () => sine({ timesteps: 0 }),
      'timesteps must be an integer from 2 to 10000 (got 0)',
    );
    throwsDataset(
      () => sine({ samples: 0 }),
      'samples must be an integer from 1 to 1000000 (got 0)',
    );
    throwsDataset(
      () => sine({ samples: 2.5 }),
      'samples must be an integer from 1 to 1000000 (got 2.5)',
    );
    throwsDataset(
      () => sine({ features: 65 }),
      'features must be an integer from 1 to 64 (got 65)',
    );
    throwsDataset(() => sine({ horizon: 0 }), 'horizon must be an integer from 1 to 10000 (got 0)');
    throwsDataset(() => sine({ noise: -1 }), 'noise must be a number from 0 to 10 (got -1)');
    throwsDataset(() => sine({ noise: NaN }), 'noise must be a number from 0 to 10 (got nan)');
    throwsDataset(
      () => sine({ seed: -1 }),
      'seed must be an integer from 0 to 4294967295 (got -1)',
    );
    throwsDataset(
      () => parity({ validation_split: 1 }),
      'validation_split must be a number from 0 up to but not including 1 (got 1)',
    );
    throwsDataset(
      () => adding_problem({ timesteps: 1 }),
      'timesteps must be an integer from 2 to 10000 (got 1)',
    );
    throwsDataset(
      () => copy_memory({ symbols: 1 }),
      'symbols must be an integer from 2 to 100 (got 1)',
    );
    throwsDataset(
      () => copy_memory({ memory: 0 }),
      'memory must be an integer from 1 to 1000 (got 0)',
    );
    throwsDataset(
      () => copy_memory({ memory: 40 }),
      'timesteps must be an integer from 41 to 10000 (got 30) ' +
        '(it must exceed memory=40: the symbols, then the delimiter step)',
    );
    throwsDataset(
      () => text_chars({ timesteps: 5000 }),
      /^timesteps must be an integer from 2 to \d+ \(got 5000\) \(with validation_split=0\.2 the held-out end/,
    );
  });

  test('the argument is recorded on the error', () => {
    try {
      sine({ noise: 99 });
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof DatasetError);
      assert.equal(e.argument, 'noise');
      assert.equal(e.name, 'DatasetError');
    }
  });

  test('too few samples to train, too much data', () => {
    throwsDataset(
      () => parity({ samples: 1 }),
      'validation_split=0.2 leaves no training samples out of 1; use more samples or a smaller validation_split',
    );
    throwsDataset(
      () => sine({ samples: 1_000_000, timesteps: 100 }),
      /above the limit of 25000000/,
    );
  });

  test('wrong types are shown the Python way', () => {
    const loose = (o: unknown) => o as never;
    throwsDataset(
      () => sine(loose({ samples: '10' })),
      "samples must be an integer from 1 to 1000000 (got '10')",
    );
    throwsDataset(
      () => sine(loose({ samples: true })),
      'samples must be an integer from 1 to 1000000 (got True)',
    );
  });
});

describe('registry', () => {
  test('every synthetic dataset is registered with its defaults', () => {
    assert.deepEqual(Object.keys(DATASETS).sort(), [
      'adding_problem',
      'copy_memory',
      'load_csv',
      'parity',
      'sine',
      'text_chars',
    ]);
    assert.equal(
      signature('sine'),
      'sine(samples=1000, timesteps=50, features=1, horizon=1, noise=0.05, validation_split=0.2, seed=0)',
    );
    assert.equal(
      signature('load_csv'),
      'load_csv(path, window, target, horizon=1, features=None, validation_split=0.2)',
    );
    for (const name of Object.keys(GENERATORS)) {
      assert.ok(
        sameData(
          call(name, { samples: 30 }),
          GENERATORS[name as keyof typeof GENERATORS]({ samples: 30 }),
        ),
      );
    }
  });

  test('call passes keyword arguments through', () => {
    const d = call('copy_memory', { samples: 20, timesteps: 10, symbols: 3, memory: 2, seed: 4 });
    assert.ok(
      sameData(d, copy_memory({ samples: 20, timesteps: 10, symbols: 3, memory: 2, seed: 4 })),
    );
  });

  test('bind maps positional and keyword arguments like Python', () => {
    assert.deepEqual(bind('sine', [500, 30], { noise: 0 }), {
      samples: 500,
      timesteps: 30,
      noise: 0,
    });
    throwsDataset(
      () => bind('parity', [1, 2, 3, 4, 5]),
      'parity() takes at most 4 positional arguments (5 given); ' +
        'signature: parity(samples=1000, timesteps=20, validation_split=0.2, seed=0)',
    );
    throwsDataset(
      () => bind('sine', [500], { samples: 3 }),
      "sine() got multiple values for argument 'samples'",
    );
  });

  test('unknown arguments and datasets list what is accepted', () => {
    throwsDataset(
      () => call('parity', { sample: 10 }),
      "parity() got an unexpected argument 'sample'; accepted arguments: samples, timesteps, validation_split, seed",
    );
    throwsDataset(
      () => call('mnist', {}),
      "unknown dataset 'mnist'; available: sine, adding_problem, copy_memory, parity, text_chars, load_csv",
    );
    throwsDataset(() => call('toString', {}), /^unknown dataset 'toString'/);
    throwsDataset(
      () => call('load_csv', { path: 'x.csv', window: 3 }),
      "load_csv() missing required argument 'target'; " +
        'signature: load_csv(path, window, target, horizon=1, features=None, validation_split=0.2)',
    );
  });

  test('values are validated by the dataset', () => {
    throwsDataset(
      () => call('sine', { timesteps: 0 }),
      'timesteps must be an integer from 2 to 10000 (got 0)',
    );
    throwsDataset(
      () => call('sine', { timesteps: 'long' }),
      "timesteps must be an integer from 2 to 10000 (got 'long')",
    );
    // None means the default, as in Keras.
    assert.deepEqual(call('parity', { samples: 10, timesteps: null }).train.x.shape, [8, 20, 1]);
  });
});

describe('loadCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-data-'));
  const workspace = join(dir, 'ws');
  mkdirSync(workspace);
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const p = join(workspace, name);
    writeFileSync(p, text);
    return p;
  };
  const tiny = write('tiny.csv', 't,a,b\n1,10,100\n2,20,200\n3,30,300\n4,40,400\n5,50,500\n');

  test('windows like timeseries_dataset_from_array (hand-computed)', () => {
    const d = loadCsv(tiny, { window: 2, target: 'b', features: ['a', 'b'], validation_split: 0 });
    assert.equal(d.name, 'tiny.csv');
    assert.equal(d.task, 'regression');
    assert.deepEqual(d.train.x.shape, [3, 2, 2]);
    assert.deepEqual(
      Array.from(d.train.x.data),
      [10, 100, 20, 200, 20, 200, 30, 300, 30, 300, 40, 400],
    );
    assert.deepEqual(d.train.y.shape, [3, 1]);
    assert.deepEqual(Array.from(d.train.y.data), [300, 400, 500]);
    assert.deepEqual(d.val.x.shape, [0, 2, 2]);
  });

  test('horizon, default features, chronological split', () => {
    const h2 = loadCsv(tiny, {
      window: 2,
      horizon: 2,
      target: 'a',
      features: 'a',
      validation_split: 0,
    });
    assert.deepEqual(Array.from(h2.train.x.data), [10, 20, 20, 30]);
    assert.deepEqual(Array.from(h2.train.y.data), [40, 50]);
    const h0 = loadCsv(tiny, {
      window: 3,
      horizon: 0,
      target: 't',
      features: ['t'],
      validation_split: 0,
    });
    assert.deepEqual(Array.from(h0.train.y.data), [3, 4, 5]);
    const all = loadCsv(tiny, { window: 1, target: 'b', validation_split: 0.5 });
    assert.deepEqual(all.train.x.shape, [2, 1, 3]);
    assert.deepEqual(Array.from(all.train.x.data), [1, 10, 100, 2, 20, 200]);
    assert.deepEqual(all.val.x.shape, [2, 1, 3]);
    assert.deepEqual(Array.from(all.val.y.data), [400, 500]);
  });

  test('quoted fields, CRLF, BOM, blank lines, a non-numeric column skipped by default', () => {
    const p = write(
      'messy.csv',
      '\uFEFF"date","level, m",note,"temp ""C"""\r\n' +
        '2024-01-01,1.5,"calm, dry",-3\r\n' +
        '\r\n' +
        '2024-01-02, 2.5 ,"said ""hi""\nthen left",1e1\r\n' +
        '2024-01-03,.5,x,+4\r\n\r\n',
    );
    const d = loadCsv(p, { window: 2, target: 'level, m', validation_split: 0 });
    assert.deepEqual(d.train.x.shape, [1, 2, 2]);
    assert.deepEqual(Array.from(d.train.x.data), [1.5, -3, 2.5, 10]);
    assert.deepEqual(Array.from(d.train.y.data), [0.5]);
    assert.match(d.description, /level, m, temp "C"/);
  });

  test('parseCsv keeps line numbers of records', () => {
    const r = parseCsv('a,b\n\n"x\ny",2\r\n3,4');
    assert.deepEqual(r, [
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x\ny', '2'], line: 3 },
      { fields: ['3', '4'], line: 5 },
    ]);
    assert.deepEqual(parseCsv('a,"b"  ,c\n'), [{ fields: ['a', 'b  ', 'c'], line: 1 }]);
  });

  test('relative paths resolve against the workspace; call() passes it on', () => {
    const d = loadCsv('tiny.csv', { window: 2, target: 'b', workspace });
    assert.deepEqual(d.train.x.shape, [2, 2, 3]);
    const c = call('load_csv', { path: 'tiny.csv', window: 2, target: 'b' }, { workspace });
    assert.ok(sameData(c, d));
    const positional = bind('load_csv', ['tiny.csv', 2, 'b'], { validation_split: 0 });
    assert.equal(call('load_csv', positional, { workspace }).train.x.shape[0], 3);
  });

  test('missing file names the path', () => {
    throwsDataset(
      () => loadCsv('nope.csv', { window: 2, target: 'b', workspace }),
      `CSV file not found: 'nope.csv' (looked for '${join(workspace, 'nope.csv')}')`,
    );
  });

  test('paths outside the workspace are refused, symlinks included', () => {
    const outside = join(dir, 'outside.csv');
    writeFileSync(outside, 'a\n1\n2\n3\n');
    const refused = (path: string) =>
      `refusing to read '${path}': it is outside the workspace '${workspace}'`;
    throwsDataset(
      () => loadCsv('../outside.csv', { window: 1, target: 'a', workspace }),
      refused('../outside.csv'),
    );
    throwsDataset(() => loadCsv(outside, { window: 1, target: 'a', workspace }), refused(outside));
    symlinkSync(outside, join(workspace, 'link.csv'));
    throwsDataset(
      () => loadCsv('link.csv', { window: 1, target: 'a', workspace }),
      refused('link.csv'),
    );
    // Without a workspace the same file is readable.
    assert.equal(
      loadCsv(outside, { window: 1, target: 'a', validation_split: 0 }).train.x.shape[0],
      2,
    );
  });

  test('unknown columns are named with the available ones', () => {
    throwsDataset(
      () => loadCsv(tiny, { window: 2, target: 'c' }),
      "tiny.csv has no column 'c'; available columns: t, a, b",
    );
    throwsDataset(
      () => loadCsv(tiny, { window: 2, target: 'b', features: ['a', 'z'] }),
      "tiny.csv has no column 'z'; available columns: t, a, b",
    );
  });

  test('non-numeric and empty values give the row, line and column', () => {
    const p = write('bad.csv', 'x,y\n1,2\n\n3,abc\n5,6\n');
    throwsDataset(
      () => loadCsv(p, { window: 1, target: 'y' }),
      "bad.csv: non-numeric value 'abc' in column 'y' at data row 2 (line 4); " +
        'columns used as features or target must be numeric',
    );
    const e = write('empty-cell.csv', 'x,y\n1,2\n3,\n');
    throwsDataset(
      () => loadCsv(e, { window: 1, target: 'x' }),
      /^empty-cell\.csv: empty value in column 'y' at data row 2 \(line 3\)/,
    );
  });

  test('window too large for the rows', () => {
    throwsDataset(
      () => loadCsv(tiny, { window: 5, target: 'b' }),
      'window=5 with horizon=1 needs at least 6 data rows, but tiny.csv has 5; use window at most 4',
    );
  });

  test('malformed files', () => {
    throwsDataset(
      () => loadCsv(write('e.csv', '\n\n'), { window: 1, target: 'a' }),
      'e.csv is empty',
    );
    throwsDataset(
      () => loadCsv(write('h.csv', 'a,b\n'), { window: 1, target: 'a' }),
      'h.csv has a header but no data rows',
    );
    throwsDataset(
      () => loadCsv(write('r.csv', 'a,b\n1,2\n3\n'), { window: 1, target: 'a' }),
      'r.csv: data row 2 (line 3) has 1 fields but the header has 2',
    );
    throwsDataset(
      () => loadCsv(write('q.csv', 'a\n"1\n2\n'), { window: 1, target: 'a' }),
      'q.csv: unterminated quoted field starting on line 2',
    );
    throwsDataset(
      () => loadCsv(write('d.csv', 'a,a\n1,2\n'), { window: 1, target: 'a' }),
      "d.csv: duplicate column name 'a' in the header",
    );
    throwsDataset(
      () =>
        loadCsv(write('s.csv', 'name\nx\ny\n'), { window: 1, target: 'name', features: ['name'] }),
      /^s\.csv: non-numeric value 'x' in column 'name' at data row 1 \(line 2\)/,
    );
    throwsDataset(
      () => loadCsv(workspace, { window: 1, target: 'a' }),
      `'${workspace}' is not a file`,
    );
  });

  test('option errors', () => {
    throwsDataset(
      () => loadCsv(tiny, { window: 0, target: 'b' }),
      'window must be an integer from 1 to 100000 (got 0)',
    );
    throwsDataset(
      () => loadCsv(tiny, { window: 2, horizon: -1, target: 'b' }),
      'horizon must be an integer from 0 to 100000 (got -1)',
    );
    throwsDataset(
      () => loadCsv(tiny, { window: 2, target: '' }),
      "target must be a non-empty string (got '')",
    );
    throwsDataset(
      () => loadCsv(tiny, { window: 2, target: 'b', features: [] }),
      'features must name at least one column (got [])',
    );
    throwsDataset(
      () => call('load_csv', { path: tiny, window: 2, target: 'b', features: 3 }),
      'features must be a list of column names (got 3)',
    );
    throwsDataset(
      () => call('load_csv', { path: 5, window: 2, target: 'b' }),
      'path must be a non-empty string (got 5)',
    );
  });

  test('files over 100 MB are refused before reading', () => {
    const big = join(workspace, 'big.csv');
    writeFileSync(big, '');
    truncateSync(big, MAX_CSV_BYTES + 1); // sparse: no real disk use
    throwsDataset(
      () => loadCsv(big, { window: 2, target: 'b' }),
      "'" + big + "' is 100.0 MB; CSV files over 100 MB are refused (resample or trim it first)",
    );
  });
});
