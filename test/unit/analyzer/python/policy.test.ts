/**
 * The strictness policy: the editor (lenient) and the playground (strict, over a Host) run the
 * same evaluator and differ exactly where the policy is consulted.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallSite, ModelNode } from '../../../../analyzer/graph';
import { Evaluator } from '../../../../analyzer/python/core';
import { analyze, Interpreter } from '../../../../analyzer/python/evaluate';
import {
  CellError,
  LenientPolicy,
  StrictPolicy,
  SUBSET,
  type Host,
  type HostValue,
  type Policy,
} from '../../../../analyzer/python/policy';
import { int, NONE, UNKNOWN } from '../../../../analyzer/python/values';
import { summarize } from '../../../../analyzer/summary';

/** A playground host that knows print, summary and one dataset, and records what it is asked. */
function fakeHost(log: string[] = []): Host {
  return {
    allowsImport: (module) => /^(keras|tensorflow|rnnlab)(\.|$)/.test(module),
    call: (path) => {
      log.push(`call ${path}`);
      if (path === 'rnnlab.datasets.sine')
        return { kind: 'host', tag: 'array', payload: [256, 20] };
      return path === 'builtins.print' ? NONE : undefined;
    },
    modelMethod: (model, name) => {
      log.push(`method ${name} ${model.layers.length}`);
      return name === 'summary' ? NONE : undefined;
    },
    member: (value, name) =>
      name === 'shape'
        ? { kind: 'tuple', items: (value.payload as number[]).map((d) => int(d)) }
        : undefined,
  };
}

/** The CellError a strict run of `code` throws (fails the test when it throws none). */
function strictError(code: string, host: Host = fakeHost()): CellError {
  try {
    new Interpreter(host).run(code);
  } catch (e) {
    if (e instanceof CellError) return e;
    throw e;
  }
  assert.fail(`expected a CellError for ${JSON.stringify(code)}`);
}

/** A lenient evaluation of `code`, with its namespace. */
function lenient(code: string): Evaluator {
  const ev = new Evaluator({}, new LenientPolicy());
  ev.exec(code);
  return ev;
}

const lineOf = (code: string, offset: number) => code.slice(0, offset).split('\n').length;

describe('lenient and strict differ where the policy is consulted', () => {
  // [what, code, strict message, text the error's span covers, its line, lenient outcome]
  const cases: Array<[string, string, RegExp, string, number, (ev: Evaluator) => void]> = [
    [
      'an undefined name',
      'x = 1\ny = undefined_thing + 1',
      /^name 'undefined_thing' is not defined/,
      'undefined_thing',
      2,
      (ev) => assert.equal(ev.moduleScope.lookup('y')?.kind, 'unknown'),
    ],
    [
      'an import outside the subset',
      'import keras\nimport pandas as pd',
      /^module 'pandas' is not available in the playground/,
      'import pandas as pd',
      2,
      (ev) => assert.deepEqual(ev.moduleScope.lookup('pd'), { kind: 'ref', path: 'pandas' }),
    ],
    [
      'a def',
      'import keras\ndef build():\n    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\nm = build()',
      /^`def` is not supported \(`def build\(\):`\)/,
      'def build():\n    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n',
      2,
      (ev) => assert.equal(ev.moduleScope.lookup('m')?.kind, 'model'),
    ],
    [
      'a for loop over unknown items',
      'items = [1][5]\nfor i in items:\n    n = i',
      /^a `for` loop that is not over range\(\)/,
      'items',
      2,
      (ev) => assert.equal(ev.moduleScope.lookup('n')?.kind, 'unknown'),
    ],
    [
      'an if on an unknown condition',
      'flag = [1][5]\nn = 0\nif flag:\n    n = 1',
      /^an `if` whose condition is not a known constant/,
      'flag',
      3,
      (ev) => assert.equal(ev.moduleScope.lookup('n')?.kind, 'unknown'),
    ],
    [
      'a comprehension over an unknown iterable',
      'xs = [i for i in [[1]][5]]',
      /^a comprehension that loops over values the analyzer cannot follow is not supported/,
      '[i for i in [[1]][5]]',
      1,
      (ev) => assert.equal(ev.moduleScope.lookup('xs')?.kind, 'unknown'),
    ],
    [
      'a model called as a layer',
      'import keras\na = keras.Input((4,))\nm = keras.Model(a, keras.layers.Dense(2)(a))\nb = m(a)',
      /^calling a model as a layer is not supported/,
      'm(a)',
      4,
      (ev) => {
        // The editor follows it: the model's output shape.
        const b = ev.moduleScope.lookup('b');
        assert.deepEqual(b?.kind === 'tensor' && b.tensor.shape, [null, 2]);
      },
    ],
    [
      'an attribute of a plain value',
      's = "abc".upper()',
      /^`\.upper` is not available on this value/,
      '"abc".upper',
      1,
      (ev) => assert.equal(ev.moduleScope.lookup('s')?.kind, 'unknown'),
    ],
    [
      'a call the analyzer does not model',
      'import keras\nz = keras.ops.zeros(3)',
      /^`keras\.ops\.zeros\(\.\.\.\)` is not available/,
      'keras.ops.zeros(3)',
      2,
      (ev) => assert.equal(ev.moduleScope.lookup('z')?.kind, 'unknown'),
    ],
    [
      'a model method the host does not provide',
      'import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\nr = m.predict(1)',
      /^model\.predict\(\.\.\.\) is not available/,
      'm.predict(1)',
      3,
      (ev) => assert.equal(ev.moduleScope.lookup('r')?.kind, 'unknown'),
    ],
    [
      'indexing a runtime value',
      'from rnnlab import datasets\nx = datasets.sine()\nv = x[0]',
      /^indexing array values is not supported/,
      'x[0]',
      3,
      (ev) => assert.equal(ev.moduleScope.lookup('v')?.kind, 'unknown'),
    ],
    [
      'a syntax error',
      'x = 1\ny = 1 +* 2\nz = 3',
      /^syntax error: fix this line/,
      '*',
      2,
      (ev) => {
        assert.equal(ev.moduleScope.lookup('z')?.kind, 'int');
        assert.match(ev.analysis().notes[0]!.message, /syntax error: this statement was skipped/);
      },
    ],
  ];
  for (const [what, code, message, covered, line, lenientOutcome] of cases) {
    test(what, () => {
      const ev = lenient(code);
      lenientOutcome(ev);
      const e = strictError(code);
      assert.match(e.message, message);
      assert.equal(code.slice(e.span.from, e.span.to), covered);
      assert.equal(lineOf(code, e.span.from), line);
    });
  }

  test('statements outside the subset are errors only in the playground', () => {
    for (const [code, what] of [
      ['class A:\n    pass', '`class`'],
      ['with open("f") as f:\n    pass', '`with`'],
      ['try:\n    x = 1\nexcept Exception:\n    pass', '`try`'],
      ['while False:\n    pass', '`while`'],
      ['del x', '`del`'],
      ['assert True', '`assert`'],
    ] as const) {
      assert.doesNotThrow(() => analyze(code));
      const e = strictError(code);
      assert.ok(e.message.startsWith(`${what} is not supported`), e.message);
      assert.ok(e.message.endsWith(SUBSET));
      assert.equal(e.span.from, 0);
    }
  });

  test('the budget: a note in the editor, an error in the playground', () => {
    const code = `x = 0\nfor i in range(1000):\n    for j in range(1000):\n        x = x + 1\ny = x`;
    assert.match(analyze(code).notes[0]!.message, /^analysis stopped here/);
    assert.match(strictError(code).message, /too much work/);
  });
});

describe('lenient and strict agree on the subset', () => {
  const cell = `import keras
from keras import layers
units = [8, 4]
model = keras.Sequential([keras.Input(shape=(10, 3))])
for u in units:
    model.add(layers.LSTM(u, return_sequences=u != units[-1]))
model.add(layers.Dense(1))
model.compile(optimizer="adam", loss="mse")
model.summary()`;

  test('the same cell builds the same model in the editor and the playground', () => {
    const log: string[] = [];
    const it = new Interpreter(fakeHost(log));
    it.run(cell);
    const rows = (m: ModelNode) => summarize(m).rows.map((r) => [r.name, r.outputShape, r.params]);
    const [editor] = analyze(cell).models;
    assert.equal(it.models.length, 1);
    assert.deepEqual(rows(it.models[0]!), rows(editor!));
    assert.deepEqual(rows(editor!).length, 3);
    // The host is asked first about every qualified call; it ran summary on the finished graph.
    assert.deepEqual(log.slice(0, 2), ['call keras.Input', 'call keras.Sequential']);
    assert.deepEqual(
      log.filter((l) => l.startsWith('method')),
      ['method summary 3'],
    );
  });

  test('runtime values come from the host in the playground, and are unknown in the editor', () => {
    const code = 'from rnnlab import datasets\nx = datasets.sine()\nn = x.shape[0]';
    const it = new Interpreter(fakeHost());
    it.run(code);
    assert.equal(it.lookup('x')?.kind, 'host');
    assert.deepEqual(it.lookup('n'), int(256));
    assert.equal(lenient(code).moduleScope.lookup('n')?.kind, 'unknown');
  });

  test('a rejected cell keeps what ran before the error, with its models finished', () => {
    const it = new Interpreter(fakeHost());
    assert.throws(
      () =>
        it.run(
          'import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\nboom\nk = 1',
        ),
      CellError,
    );
    assert.equal(it.lookup('m')?.kind, 'model');
    assert.equal(it.lookup('k'), undefined);
    assert.equal(it.models[0]!.layers.length, 1);
  });
});

describe('the evaluator consults its injected policy', () => {
  /** A lenient policy that records the hooks the evaluator calls (statements aside). */
  function spy(seen: string[]): Policy {
    const overrides: Partial<Policy> = {
      importModule: (module) => void seen.push(`import ${module}`),
      undefinedName: (name) => void seen.push(`name ${name}`),
      unsupported: (what, span, text) =>
        void seen.push(`unsupported ${what.slice(0, 12)} @${text.slice(span.from, span.to)}`),
      unavailable: (what) => void seen.push(`unavailable ${what}`),
      call: (path) => {
        seen.push(`call ${path}`);
        return path === 'rnnlab.answer' ? int(42) : undefined;
      },
    };
    return Object.assign(Object.create(new LenientPolicy()) as Policy, overrides);
  }

  test('in evaluation order, with what the lenient evaluator then treats as unknown', () => {
    const seen: string[] = [];
    const ev = new Evaluator({}, spy(seen));
    ev.exec(
      'import rnnlab\nx = y\nfor i in z:\n    pass\nq = (1).real\na = rnnlab.answer()\nb = len(a)',
    );
    assert.deepEqual(seen, [
      'import rnnlab',
      'name y',
      'name z',
      'unsupported a `for` loop @z',
      'unavailable `.real` is not available on this value',
      'call rnnlab.answer',
      'call builtins.len',
    ]);
    // What the policy supplied is a value like any other.
    assert.deepEqual(ev.moduleScope.lookup('a'), { kind: 'int', value: 42 });
    assert.equal(ev.moduleScope.lookup('b')?.kind, 'unknown');
  });
});

describe('the policies themselves', () => {
  const span = { from: 4, to: 9 };
  const site = { span } as unknown as CallSite;
  const model = { layers: [] } as unknown as ModelNode;

  test('lenient: every hook returns, nothing runs, model methods are unknown', () => {
    const p: Policy = new LenientPolicy();
    let completed = false;
    assert.doesNotThrow(() => {
      p.statement('FunctionDefinition', span, 'text');
      p.outOfSteps(span);
      p.parseFailed('too deep');
      p.syntaxError(span);
      p.importModule('pandas', span);
      p.unsupported('`lambda`', span, 'text');
      p.undefinedName('x', span);
      p.unavailable('`.x` is not available', span);
    });
    assert.equal(p.call('builtins.print', site), undefined);
    assert.equal(p.member({ kind: 'host', tag: 'array', payload: null }, 'shape'), undefined);
    assert.equal(
      p.modelMethod(model, 'fit', site, () => (completed = true)),
      UNKNOWN,
    );
    assert.equal(completed, false);
  });

  test('strict: the statement kinds outside the subset, and no others', () => {
    const p = new StrictPolicy(fakeHost());
    for (const kind of [
      'FunctionDefinition',
      'ClassDefinition',
      'ReturnStatement',
      'RaiseStatement',
    ])
      assert.throws(() => p.statement(kind, span, 'abcd def f():'), CellError);
    for (const kind of ['AssignStatement', 'ImportStatement', 'ForStatement', 'IfStatement'])
      assert.doesNotThrow(() => p.statement(kind, span, 'abcd x = 1'));
  });

  test('strict: imports are the host’s to allow', () => {
    const asked: string[] = [];
    const p = new StrictPolicy({
      ...fakeHost(),
      allowsImport: (m) => (asked.push(m), m === 'keras'),
    });
    assert.doesNotThrow(() => p.importModule('keras', span));
    assert.throws(() => p.importModule('os', span), /module 'os' is not available/);
    assert.deepEqual(asked, ['keras', 'os']);
  });

  test('strict: a quoted line is its first line, cut when long; the span is a plain copy', () => {
    const p = new StrictPolicy(fakeHost());
    const text = `x = ${'a'.repeat(80)}\nmore`;
    // A syntax node is a span too; the error must not hold on to it (it crosses threads).
    const node = { from: 4, to: text.length, extra: 'node' };
    const e = assertThrowsCell(() => p.unsupported('`thing`', node, text));
    assert.match(
      e.message,
      new RegExp(`^\`thing\` is not supported \\(\`${'a'.repeat(57)}\\.\\.\\.\`\\)`),
    );
    assert.deepEqual(e.span, { from: 4, to: text.length });
    const short = assertThrowsCell(() => p.unsupported('`thing`', { from: 0, to: 5 }, 'x = 1\ny'));
    assert.match(short.message, /\(`x = 1`\)/);
  });

  test('strict: a model method finishes the graph before the host runs it', () => {
    const order: string[] = [];
    const host: Host = {
      ...fakeHost(),
      modelMethod: (_m, name) => (order.push(`host ${name}`), name === 'fit' ? NONE : undefined),
    };
    const p = new StrictPolicy(host);
    assert.equal(
      p.modelMethod(model, 'fit', site, () => order.push('complete')),
      NONE,
    );
    assert.deepEqual(order, ['complete', 'host fit']);
    const e = assertThrowsCell(() => p.modelMethod(model, 'train', site, () => {}));
    assert.match(e.message, /^model\.train\(\.\.\.\) is not available/);
    assert.deepEqual(e.span, span);
  });

  test('strict: runtime members and calls come from the host', () => {
    const array: HostValue = { kind: 'host', tag: 'array', payload: [2, 3] };
    const p = new StrictPolicy({
      ...fakeHost(),
      member: (v, name) =>
        name === 'ndim' ? { kind: 'int', value: (v.payload as number[]).length } : undefined,
    });
    assert.deepEqual(p.member(array, 'ndim'), { kind: 'int', value: 2 });
    assert.equal(p.member(array, 'size'), undefined);
    assert.equal(p.call('builtins.print', site), NONE);
    assert.equal(p.call('builtins.input', site), undefined);
  });
});

function assertThrowsCell(f: () => unknown): CellError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CellError, String(e));
    return e;
  }
  assert.fail('expected a CellError');
}
