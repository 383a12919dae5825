/**
 * Fuzzing the analyzer: no input may make `analyze` + `summarize` throw or run forever.
 *
 * Inputs are seeded mutations of realistic Keras snippets (test/fixtures/fuzz-seeds.ts) plus
 * targeted adversarial texts. Every text is analysed in a worker thread with a watchdog, so a hang
 * fails the test instead of stalling CI. The run is deterministic: set FUZZ_SEED and FUZZ_CASES
 * to explore further locally (`FUZZ_SEED=7 FUZZ_CASES=50000 node scripts/test.mjs <this file>`).
 */
import { Rng as SeededRng } from '../../../kernels/random';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SEEDS } from '../../fixtures/fuzz-seeds';
import type { Job, Outcome, Reply } from './analyze-worker';

// ---- a seeded PRNG ------------------------------------------------------------------------------

/** The kernel's seeded generator (mulberry32), as a function: the same seed, the same inputs. */
function seeded(seed: number): () => number {
  const rng = new SeededRng(seed);
  return () => rng.next();
}

/** The inline seeds, then the realistic model files of test/fixtures/models (when present). */
const ALL_SEEDS: readonly string[] = [...SEEDS, ...fixtureFiles()];

function fixtureFiles(): string[] {
  const dir = fileURLToPath(new URL('../../fixtures/models/', import.meta.url));
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.py'))
      .sort()
      .map((f) => readFileSync(`${dir}${f}`, 'utf8'));
  } catch {
    return [];
  }
}

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);
/** Random mutation cases (on top of the prefix sweep): thousands, a few seconds on CI. */
const RANDOM_CASES = Number(process.env['FUZZ_CASES'] ?? 2500);
/** Prefixes of every seed analysed too (evenly spread truncation points, jittered). */
const PREFIXES_PER_SEED = 60;
/** Cases per message to the worker (a round trip costs more than analysing a snippet). */
const BATCH = 50;
/** A fuzz case takes about a millisecond: a batch near this long holds a hang. */
const CASE_TIMEOUT_MS = 30_000;
/** Adversarial cases may be big (5 MB), but must still finish. */
const ADVERSARIAL_TIMEOUT_MS = 60_000;

// ---- the sandbox: a worker with a watchdog ------------------------------------------------------

function spawn(): Worker {
  const entry = fileURLToPath(new URL('./analyze-worker.ts', import.meta.url));
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs');
  const worker = new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, {
    eval: true,
    // The stack a main thread has (where the CLI and the extension run the analyzer): V8's 984 KB
    // plus the 192 KB Node reserves in workers. And a heap cap, so that unbounded allocation fails
    // this test rather than the machine.
    resourceLimits: { stackSizeMb: 1.15, maxOldGenerationSizeMb: 1536 },
  });
  worker.unref();
  return worker;
}

class Sandbox {
  private worker = spawn();
  private nextId = 0;

  /**
   * Analyses texts in order; never rejects. When the batch throws nothing but crashes the worker
   * or outlives the watchdog, every outcome is that failure (run the texts alone to find which).
   */
  batch(texts: string[], timeoutMs: number): Promise<Outcome[]> {
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve) => {
      const fail = (error: string, ms: number) =>
        texts.map((): Outcome => ({ ok: false, ms, error }));
      const finish = (outcomes: Outcome[]) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(outcomes);
      };
      const replace = () => {
        void worker.terminate();
        this.worker = spawn();
      };
      const onMessage = (reply: Reply) => {
        if (reply.id === id) finish(reply.outcomes);
      };
      const onError = (e: Error) => {
        replace();
        finish(fail(`worker crashed: ${e.message}`, NaN));
      };
      const timer = setTimeout(() => {
        replace();
        finish(fail(`did not finish within ${timeoutMs} ms`, timeoutMs));
      }, timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      const job: Job = { id, texts };
      worker.postMessage(job);
    });
  }

  async run(text: string, timeoutMs: number): Promise<Outcome> {
    return (await this.batch([text], timeoutMs))[0]!;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

const signature = (r: Outcome) => (r.ok ? '' : r.error.split('\n')[0]!);

// ---- mutations ----------------------------------------------------------------------------------

const TOKENS = {
  brackets: ['(', ')', '[', ']', '{', '}', '((((', ']]]]', '({[', ')}]'],
  quotes: ["'", '"', "'''", '"""', 'f"', "b'", 'r"\\', '"\\', "f'{", '{x!r:>{w}}'],
  operators: ['**', '*', '+', '-', '/', '//', '%', '@', '=', '==', ':=', ':', ',', '.', '->', ';'],
  keywords: [
    'def',
    'return',
    'for',
    'in',
    'if',
    'elif',
    'else',
    'while',
    'lambda',
    'yield',
    'class',
    'try:',
    'except',
    'finally:',
    'with',
    'as',
    'import',
    'from',
    'not',
    'and',
    'or',
    'is',
    'None',
    'True',
    'async',
    'await',
    'global',
    'del',
    'pass',
    'break',
    'continue',
    'raise',
    'match',
    'case',
    '@',
    '*args',
    '**kw',
    '...',
  ],
  keras: [
    'model.add(Dense(1))',
    'layers.LSTM(',
    'keras.Sequential(',
    'Model(',
    'Input(shape=(',
    'input_shape=(None,',
    '(x)',
    '10**10**10',
    '[0] * 10**9',
    '9'.repeat(400),
    '1e999',
    '-0.0',
    '0x_',
    '1_000_',
    'range(10**9)',
  ],
  unicode: ['é', '名前', '𝔘', '\u200b', '\u2028', '\u00a0', '\ufeff', '\u0301', '🧠'],
  control: ['\0', '\ud800', '\udfff', '\udc00\ud800', '\r', '\r\n', '\t', '\f', '\v', '\\\n'],
  layout: ['\n', '\n    ', '\n\t', '\n        ', '    ', '\n\n', '#', '# type: ignore\n'],
};
const POOLS = Object.values(TOKENS);

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)]!;

/** A random span [from, to) of the text, usually short, sometimes long. */
function span(rng: Rng, text: string): [number, number] {
  const from = int(rng, text.length + 1);
  const max = rng() < 0.8 ? 12 : text.length;
  return [from, Math.min(text.length, from + int(rng, max + 1))];
}

type Mutation = (rng: Rng, text: string) => string;

const MUTATIONS: Record<string, Mutation> = {
  truncate: (rng, t) => t.slice(0, int(rng, t.length + 1)),
  delete: (rng, t) => {
    const [a, b] = span(rng, t);
    return t.slice(0, a) + t.slice(b);
  },
  duplicate: (rng, t) => {
    const [a, b] = span(rng, t);
    const at = int(rng, t.length + 1);
    return t.slice(0, at) + t.slice(a, b) + t.slice(at);
  },
  swap: (rng, t) => {
    let [a, b] = span(rng, t);
    let [c, d] = span(rng, t);
    if (c < a) [a, b, c, d] = [c, d, a, b];
    if (c < b) return t;
    return t.slice(0, a) + t.slice(c, d) + t.slice(b, c) + t.slice(a, b) + t.slice(d);
  },
  insert: (rng, t) => {
    const at = int(rng, t.length + 1);
    return t.slice(0, at) + pick(rng, pick(rng, POOLS)) + t.slice(at);
  },
  replace: (rng, t) => {
    const [a, b] = span(rng, t);
    return t.slice(0, a) + pick(rng, pick(rng, POOLS)) + t.slice(b);
  },
  repeatLine: (rng, t) => {
    const lines = t.split('\n');
    const i = int(rng, lines.length);
    lines.splice(i, 0, ...Array<string>(1 + int(rng, 40)).fill(lines[i]!));
    return lines.join('\n');
  },
  reindent: (rng, t) => {
    const lines = t.split('\n');
    const i = int(rng, lines.length);
    lines[i] =
      rng() < 0.5 ? lines[i]!.trimStart() : pick(rng, ['    ', '\t', ' ', '  ']) + lines[i];
    return lines.join('\n');
  },
  crossover: (rng, t) => {
    const other = pick(rng, ALL_SEEDS);
    const [a, b] = span(rng, other);
    const at = int(rng, t.length + 1);
    return t.slice(0, at) + other.slice(a, b) + t.slice(at);
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

interface Case {
  label: string;
  text: string;
}

/** A deterministic list: truncations of every seed, then random mutants. */
function* cases(seed: number, count: number): Generator<Case> {
  const rng = seeded(seed);
  for (const [s, text] of ALL_SEEDS.entries()) {
    const step = text.length / PREFIXES_PER_SEED;
    for (let k = 0; k <= PREFIXES_PER_SEED; k++) {
      const end = Math.min(text.length, Math.floor(k * step + rng() * step));
      yield { label: `seed ${s} truncated at ${end}`, text: text.slice(0, end) };
    }
  }
  for (let i = 0; i < count; i++) {
    const s = int(rng, ALL_SEEDS.length);
    let text = ALL_SEEDS[s]!;
    const ops: string[] = [];
    for (let k = 1 + int(rng, 4); k > 0; k--) {
      const name = pick(rng, MUTATION_NAMES);
      ops.push(name);
      text = MUTATIONS[name]!(rng, text);
    }
    yield { label: `random case ${i} (seed ${s}: ${ops.join(', ')})`, text };
  }
}

function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Greedy line-level shrinking: the smallest text still failing with the same first line. */
async function shrink(sandbox: Sandbox, text: string, sig: string): Promise<string> {
  let lines = text.split('\n');
  let budget = 300;
  for (let chunk = Math.max(1, lines.length >> 1); chunk >= 1 && budget > 0; chunk >>= 1) {
    for (let i = 0; i < lines.length && budget > 0; budget--) {
      const candidate = [...lines.slice(0, i), ...lines.slice(i + chunk)];
      const r = await sandbox.run(candidate.join('\n'), CASE_TIMEOUT_MS);
      if (signature(r) === sig) lines = candidate;
      else i += chunk;
    }
  }
  return lines.join('\n');
}

const preview = (text: string) =>
  JSON.stringify(text.length > 1500 ? `${text.slice(0, 1500)}…` : text);

// ---- the tests ----------------------------------------------------------------------------------

/** Analyzer bugs this suite found, each with its reproducer: they must stay fixed. */
const REGRESSIONS = [
  {
    // What an editor sees while `return_sequences=` is being typed: `return` parses as a statement.
    name: 'a top-level `return` throws out of analyze',
    reproducer: 'from keras import layers\nx = layers.LSTM(32, return',
  },
  {
    // Valid Python: @lezer/python mis-parses it (see the next test), leaving `return` at top level.
    name: 'valid code over ~4 KB can throw out of analyze (mis-parsed `return`)',
    reproducer: `${'x = 1\n\n'.repeat(586)}def f():\n    y = 2\n\n    return y\n`,
  },
  {
    name: 'comparing a deeply nested value built in a loop overflows the stack',
    reproducer:
      'x = []\nfor i in range(60):\n    for j in range(1000):\n        x = [x]\ny = x == x\n',
  },
  {
    name: 'Bidirectional nested in a loop made parameter counting exponential',
    reproducer:
      'from keras import Sequential\nfrom keras.layers import LSTM, Bidirectional\n' +
      'l = LSTM(3, return_sequences=True)\nfor i in range(24):\n    l = Bidirectional(l)\n' +
      'm = Sequential([l])\nm.build((None, 5, 2))\n',
  },
  {
    name: 'blocks skipped inside a loop were walked outside the step budget',
    reproducer: `import sys\nfor i in range(1000):\n    if len(sys.argv) > 1:\n${'        a = 1\n'.repeat(5000)}`,
  },
  {
    name: 'wrappers nested in a loop overflow the stack in shape inference',
    reproducer:
      'from keras import Sequential\nfrom keras.layers import Dense, TimeDistributed\n' +
      'l = Dense(3)\nfor i in range(60):\n    for j in range(1000):\n        l = TimeDistributed(l)\n' +
      'm = Sequential([l])\nm.build((None, 5, 2))\n',
  },
];

describe('analyzer fuzzing', () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = new Sandbox();
    await sandbox.run('', ADVERSARIAL_TIMEOUT_MS); // worker start-up (tsx) outside any timing
  });
  after(() => sandbox.close());

  test('seeds analyse cleanly (the fuzz starts from code that builds models)', async (t) => {
    const outcomes = await sandbox.batch([...ALL_SEEDS], CASE_TIMEOUT_MS);
    for (const [i, r] of outcomes.entries()) {
      assert.ok(r.ok, `seed ${i}: ${r.ok ? '' : r.error}`);
      assert.ok(r.models > 0, `seed ${i} should build at least one model`);
    }
    t.diagnostic(`${SEEDS.length} inline seeds + ${ALL_SEEDS.length - SEEDS.length} fixture files`);
  });

  test('mutated and truncated snippets never throw and always finish', async (t) => {
    const failures = new Map<string, { label: string; text: string }>();
    let count = 0;
    let slowest = { ms: 0, label: '' };
    const start = performance.now();
    for (const group of batches(cases(SEED, RANDOM_CASES), BATCH)) {
      let outcomes = await sandbox.batch(
        group.map((c) => c.text),
        CASE_TIMEOUT_MS,
      );
      // A hang or a crash takes the whole batch down: find the culprit case by case.
      if (outcomes.some((r) => !r.ok && /^(did not finish|worker crashed)/.test(r.error))) {
        outcomes = [];
        for (const c of group) outcomes.push(await sandbox.run(c.text, CASE_TIMEOUT_MS));
      }
      for (const [i, r] of outcomes.entries()) {
        const c = group[i]!;
        count++;
        if (r.ms > slowest.ms) slowest = { ms: r.ms, label: c.label };
        if (r.ok) continue;
        const sig = signature(r);
        if (!failures.has(sig)) failures.set(sig, { label: c.label, text: c.text });
      }
    }
    const elapsed = performance.now() - start;
    t.diagnostic(
      `fuzz seed ${SEED}: ${count} cases in ${(elapsed / 1000).toFixed(2)} s ` +
        `(${((elapsed * 1000) / count).toFixed(0)} µs/case); ` +
        `slowest ${slowest.ms.toFixed(1)} ms: ${slowest.label}`,
    );

    const reports: string[] = [];
    for (const [sig, f] of failures) {
      const small = await shrink(sandbox, f.text, sig);
      reports.push(`${sig}\n  first seen: ${f.label}\n  shrunk input: ${preview(small)}`);
    }
    assert.equal(failures.size, 0, `analysis failed on fuzz input:\n${reports.join('\n')}`);
  });

  test('regression: valid code over ~4 KB gets no spurious syntax-error notes (lezer/lr counter)', async () => {
    const r = await sandbox.run('x = 1\n\n'.repeat(600), CASE_TIMEOUT_MS);
    assert.ok(r.ok && r.notes === 0, r.ok ? `${r.notes} notes` : r.error);
  });

  for (const bug of REGRESSIONS) {
    test(`regression: ${bug.name}`, async (t) => {
      const r = await sandbox.run(bug.reproducer, CASE_TIMEOUT_MS);
      t.diagnostic(`${r.ms.toFixed(1)} ms`);
      assert.ok(r.ok, r.ok ? '' : r.error);
    });
  }

  describe('adversarial inputs finish without throwing', () => {
    const H = 'from tensorflow import keras\nfrom tensorflow.keras.layers import Dense, LSTM\n';
    const realistic = SEEDS.join('\n');
    const adversarial: Array<[string, () => string]> = [
      [
        '5 MB file (realistic code repeated)',
        () => realistic.repeat(Math.ceil(5e6 / realistic.length)),
      ],
      ['50,000 unclosed brackets', () => `x = ${'('.repeat(50_000)}`],
      ['50,000 balanced brackets', () => `x = ${'('.repeat(50_000)}1${')'.repeat(50_000)}\n`],
      ['50,000 mixed unclosed brackets', () => '([{'.repeat(16_667)],
      [
        'deeply nested list literal (10,000)',
        () => `x = ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
      ],
      ['deeply nested call (10,000)', () => `x = ${'f('.repeat(10_000)}${')'.repeat(10_000)}\n`],
      ['100,000 unary minus signs', () => `x = ${'-'.repeat(100_000)}1\n`],
      ['50,000-term sum', () => `x = ${Array(50_000).fill('1').join(' + ')}\n`],
      ['x = 10**10**10', () => 'x = 10**10**10\ny = x + 1\n'],
      ["'a' * 10**9", () => "x = 'a' * 10**9\ny = len(x)\n"],
      ['[0] * 10**9', () => 'x = [0] * 10**9\nfor v in x:\n    pass\n'],
      ['string doubling in a loop', () => "s = 'ab'\nfor i in range(64):\n    s = s + s\n"],
      ['list doubling in a loop', () => 's = [1]\nfor i in range(1000):\n    s = s * 2\n'],
      [
        'for i in range(10**9): model.add(Dense(1))',
        () => `${H}model = keras.Sequential()\nfor i in range(10**9):\n    model.add(Dense(1))\n`,
      ],
      [
        'nested for loops 1000 x 1000 adding layers',
        () =>
          `${H}model = keras.Sequential()\nfor i in range(1000):\n    for j in range(1000):\n` +
          '        model.add(Dense(1))\n',
      ],
      ['huge decimal literal (100,000 digits)', () => `x = ${'9'.repeat(100_000)}\ny = x * x\n`],
      ['huge hex literal', () => `x = 0x${'f'.repeat(10_000)}\ny = x ** 2\n`],
      ['huge float literal', () => 'x = 1e999999\ny = 1' + '0'.repeat(5_000) + '.5\n'],
      ['recursive function called', () => 'def f():\n    return f()\nf()\nx = f()\n'],
      [
        'mutually recursive functions',
        () => 'def f(n):\n    return g(n + 1)\ndef g(n):\n    return f(n * 2)\nf(1)\n',
      ],
      [
        'chain of 5,000 functions',
        () =>
          Array.from({ length: 5_000 }, (_, i) => `def f${i}():\n    return f${i + 1}()\n`).join(
            '',
          ) + 'f0()\n',
      ],
      [
        '1,000 nested if blocks',
        () =>
          Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i)}if True:\n`).join('') +
          `${' '.repeat(1_000)}x = 1\n`,
      ],
      ['empty string', () => ''],
      ['only comments', () => '# a comment\n#another\n   # indented comment\n#'],
      ['only whitespace', () => ' \n\t\n\f\n   '],
      ['\\r line endings', () => realistic.replace(/\n/g, '\r')],
      ['\\r\\n line endings', () => realistic.replace(/\n/g, '\r\n')],
      ['byte order mark', () => `\ufeff${realistic}`],
      [
        'tab indentation',
        () => realistic.replace(/^((?: {4})+)/gm, (m) => '\t'.repeat(m.length / 4)),
      ],
      ['NUL bytes and lone surrogates', () => `x = "\ud800"\n\udc00 = 1\0\0\n${realistic}\0`],
      ['one 300 KB line', () => `x = [${'1, '.repeat(100_000)}]\n`],
    ];

    for (const [name, make] of adversarial) {
      test(name, async (t) => {
        const text = make();
        const r = await sandbox.run(text, ADVERSARIAL_TIMEOUT_MS);
        t.diagnostic(
          `${(text.length / 1024).toFixed(text.length < 10_240 ? 2 : 0)} KB in ${r.ms.toFixed(1)} ms` +
            (r.ok ? `: ${r.models} models, ${r.layers} layers, ${r.notes} notes` : ''),
        );
        assert.ok(r.ok, r.ok ? '' : r.error);
      });
    }

    test('line endings and tabs do not change what is found', async () => {
      const base = await sandbox.run(realistic, CASE_TIMEOUT_MS);
      assert.ok(base.ok);
      for (const variant of [
        realistic.replace(/\n/g, '\r'),
        realistic.replace(/\n/g, '\r\n'),
        realistic.replace(/^((?: {4})+)/gm, (m) => '\t'.repeat(m.length / 4)),
      ]) {
        const r = await sandbox.run(variant, CASE_TIMEOUT_MS);
        assert.ok(r.ok);
        assert.deepEqual([r.models, r.layers], [base.models, base.layers]);
      }
    });
  });
});
